"""One grpc.health.v1.Health/Check over HTTP/2 cleartext, with no I/O (the sans-IO core).

Why h2 and not grpcio: a health check is one unary call, and the node process forks and execs
containers while it probes. grpcio's event-engine threads do not survive fork() (the node
segfaulted inside cygrpc after a gRPC "pre fork" message), so the node must not load grpcio at
all. h2 is a pure-Python HTTP/2 state machine: bytes in, events out, no threads.

What a kubelet's grpc-go client puts on the wire and how it reads the answer follows grpc-go
`internal/transport/http2_client.go` (request headers, `operateHeaders`, `handleRSTStream`,
`readServerPreface`) and `rpc_util.go` (the 5-byte message prefix); the status texts are
grpc-go's, so probe messages stay the kubelet's byte for byte. The two messages are tiny and
encoded by hand (`podlab.protowire`): `HealthCheckRequest{string service = 1}` and
`HealthCheckResponse{ServingStatus status = 1}`.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from http import HTTPStatus

import h2.config
import h2.connection
import h2.errors
import h2.events
import h2.exceptions

from podlab.protowire import ProtobufError, fields, string_field

PATH = "/grpc.health.v1.Health/Check"
# grpc-go's defaultClientMaxReceiveMessageSize (clientconn.go): 4 MiB.
MAX_RECEIVE = 4 * 1024 * 1024
# HealthCheckResponse.ServingStatus (grpc/health/v1/health.proto).
SERVING_STATUS = {0: "UNKNOWN", 1: "SERVING", 2: "NOT_SERVING", 3: "SERVICE_UNKNOWN"}
SERVING = 1

# grpc-go codes.Code String(), indexed by the code's number (codes/code_string.go).
GO_CODE_NAMES = (
    "OK",
    "Canceled",
    "Unknown",
    "InvalidArgument",
    "DeadlineExceeded",
    "NotFound",
    "AlreadyExists",
    "PermissionDenied",
    "ResourceExhausted",
    "FailedPrecondition",
    "Aborted",
    "OutOfRange",
    "Unimplemented",
    "Internal",
    "Unavailable",
    "DataLoss",
    "Unauthenticated",
)
OK, UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE = 0, 2, 4, 12, 13, 14
_RESOURCE_EXHAUSTED, _PERMISSION_DENIED, _CANCELED, _UNAUTHENTICATED = 8, 7, 1, 16

# grpc-go http_util.go HTTPStatusConvTab: the code for a non-gRPC answer's HTTP status.
_HTTP_STATUS_CODES = {
    400: INTERNAL,
    401: _UNAUTHENTICATED,
    403: _PERMISSION_DENIED,
    404: UNIMPLEMENTED,
    429: UNAVAILABLE,
    502: UNAVAILABLE,
    503: UNAVAILABLE,
    504: UNAVAILABLE,
}
# grpc-go http_util.go http2ErrConvTab: the code for a RST_STREAM's error code.
_RST_CODES = {
    h2.errors.ErrorCodes.FLOW_CONTROL_ERROR: _RESOURCE_EXHAUSTED,
    h2.errors.ErrorCodes.REFUSED_STREAM: UNAVAILABLE,
    h2.errors.ErrorCodes.CANCEL: _CANCELED,
    h2.errors.ErrorCodes.ENHANCE_YOUR_CALM: _RESOURCE_EXHAUSTED,
    h2.errors.ErrorCodes.INADEQUATE_SECURITY: _PERMISSION_DENIED,
}
# What grpc-go's reader reports when the connection ends under a call (Close with a
# ConnectionError; its Error() quotes the desc).
CONNECTION_EOF = 'connection error: desc = "error reading from server: EOF"'


def go_code(code: int) -> str:
    """grpc-go's codes.Code String(): 5 -> NotFound; unknown numbers print as Code(N)."""
    return GO_CODE_NAMES[code] if 0 <= code < len(GO_CODE_NAMES) else f"Code({code})"


def grpc_timeout(seconds: float) -> str:
    """grpc-go's grpcutil.EncodeDuration: the smallest unit whose value (rounded up) fits 8 digits."""
    nanos = round(seconds * 1e9)
    if nanos <= 0:
        return "0n"
    for unit, size in (("n", 1), ("u", 10**3), ("m", 10**6), ("S", 10**9), ("M", 60 * 10**9)):
        value = -(-nanos // size)
        if value <= 99_999_999:
            return f"{value}{unit}"
    return f"{-(-nanos // (3600 * 10**9))}H"


_HEX = frozenset(b"0123456789abcdefABCDEF")


def decode_grpc_message(raw: bytes) -> str:
    """grpc-go's decodeGrpcMessage: %XX escapes become bytes; a malformed escape stays as it is."""
    out = bytearray()
    i = 0
    while i < len(raw):
        c = raw[i]
        escape = raw[i + 1 : i + 3]
        if c == ord("%") and i + 2 < len(raw) and all(d in _HEX for d in escape):
            out.append(int(escape, 16))
            i += 3
            continue
        out.append(c)
        i += 1
    return out.decode("utf-8", errors="replace")


def connect_backoff(failures: int) -> float:
    """Seconds to wait after the n-th failed connect (grpc-go backoff.DefaultConfig: 1s x 1.6,
    at most 120s). grpc-go adds +-20% jitter; podlab leaves it out so probe timing is repeatable."""
    return float(min(1.0 * 1.6 ** max(failures - 1, 0), 120.0))


@dataclass(frozen=True, slots=True)
class RpcStatus:
    """The call's outcome as grpc-go's status: a code number and its desc text."""

    code: int
    message: str


@dataclass(frozen=True, slots=True)
class HealthAnswer:
    """A finished Check: an error status, or OK with the response's serving status."""

    status: RpcStatus
    serving: int = 0


class HealthCheckCall:
    """The client side of one connection carrying one Check, fed bytes, returning bytes.

    State by lifetime: `connected` turns true once the server's first frame, a SETTINGS frame,
    arrived (grpc-go's readServerPreface: until then the dial is not done); `answer` is set once
    the call ended, however it ended. After that the caller only closes the socket.
    """

    def __init__(self, authority: str, service: str, user_agent: str) -> None:
        self.authority = authority  # read-only
        self.service = service  # read-only
        self.user_agent = user_agent  # read-only
        self._h2 = h2.connection.H2Connection(
            h2.config.H2Configuration(client_side=True, header_encoding=None)
        )
        self.connected = False
        self.connect_failed = False
        self.answer: HealthAnswer | None = None
        self._stream = 0
        self._body = bytearray()
        self._head = b""  # the first 9 bytes from the server: the header of its first frame

    def start(self) -> bytes:
        """The client connection preface and SETTINGS, sent as soon as TCP is up."""
        self._h2.initiate_connection()
        return self._h2.data_to_send()

    def send_check(self, timeout_left: float) -> bytes:
        """HEADERS and DATA of the Check call; `timeout_left` becomes grpc-timeout."""
        self._stream = self._h2.get_next_available_stream_id()
        headers = [
            (":method", "POST"),
            (":scheme", "http"),
            (":path", PATH),
            (":authority", self.authority),
            ("content-type", "application/grpc"),
            ("user-agent", self.user_agent),
            ("te", "trailers"),
            ("grpc-timeout", grpc_timeout(timeout_left)),
        ]
        message = string_field(1, self.service)
        # gRPC's Length-Prefixed-Message: compressed flag 0, then a 4-byte big-endian length.
        self._h2.send_headers(self._stream, headers)
        body = struct.pack(">BI", 0, len(message)) + message
        step = self._h2.max_outbound_frame_size
        chunks = [body[i : i + step] for i in range(0, len(body), step)]
        for i, chunk in enumerate(chunks):
            self._h2.send_data(self._stream, chunk, end_stream=i == len(chunks) - 1)
        return self._h2.data_to_send()

    def receive(self, data: bytes) -> bytes:
        """Feed what the socket read (b"" at EOF); returns what to write back (ACKs, updates)."""
        if self.answer is not None or self.connect_failed:
            return b""
        if not data:
            self._lost()
            return b""
        if not self.connected:
            self._head += data[: 9 - len(self._head)]
            if len(self._head) == 9 and not _is_server_settings(self._head):
                # Checked on the frame header, as grpc-go's framer does: h2 would first wait for
                # the whole body of a "frame" whose length an HTTP/1.1 answer spells as "HTT".
                self.connect_failed = True
                return b""
        try:
            events = self._h2.receive_data(data)
        except h2.exceptions.ProtocolError:
            # Not HTTP/2 (an HTTP/1.1 server answers text) or broken framing: the reader fails.
            self._lost()
            return b""
        for event in events:
            self._handle(event)
            if self.answer is not None or self.connect_failed:
                return b""
        return self._h2.data_to_send()

    def _lost(self) -> None:
        if not self.connected:
            self.connect_failed = True  # the dial retries; only its deadline is reported
        else:
            self.answer = HealthAnswer(RpcStatus(UNAVAILABLE, CONNECTION_EOF))

    def _handle(self, event: h2.events.Event) -> None:
        if not self.connected:
            if isinstance(event, h2.events.RemoteSettingsChanged):
                self.connected = True
            else:
                # "initial http2 frame from server is not a settings frame"
                self.connect_failed = True
            return
        match event:
            case h2.events.ResponseReceived(headers=headers, stream_ended=ended):
                self._headers(dict(headers or []), ended is not None)
            case h2.events.TrailersReceived(headers=headers):
                self._trailers(dict(headers or []))
            case h2.events.DataReceived(data=data, flow_controlled_length=length):
                self._h2.acknowledge_received_data(length or 0, self._stream)
                self._body += data or b""
                self._check_size()
            case h2.events.StreamEnded():
                if self.answer is None:  # DATA then END_STREAM without trailers
                    self.answer = HealthAnswer(
                        RpcStatus(INTERNAL, "server closed the stream without sending trailers")
                    )
            case h2.events.StreamReset(error_code=code):
                self._reset(code)
            case h2.events.ConnectionTerminated():
                self._lost()

    def _check_size(self) -> None:
        """rpc_util.go recvMsg: the 5-byte prefix's length against the 4 MiB limit; anything
        past one message is never kept, so a server cannot make the node buffer more."""
        if len(self._body) < 5:
            return
        declared = int.from_bytes(self._body[1:5], "big")
        if declared > MAX_RECEIVE:
            message = f"grpc: received message larger than max ({declared} vs. {MAX_RECEIVE})"
            self.answer = HealthAnswer(RpcStatus(_RESOURCE_EXHAUSTED, message))
        elif len(self._body) > 5 + declared:
            message = "cardinality violation: expected <EOF> for non server-streaming RPCs, but received another message"
            self.answer = HealthAnswer(RpcStatus(INTERNAL, message))

    def _headers(self, headers: dict[bytes, bytes], ended: bool) -> None:
        content_type = headers.get(b"content-type")
        if content_type is None or not _is_grpc_content_type(content_type):
            self.answer = HealthAnswer(_non_grpc_status(headers))
        elif ended:  # trailers-only: the status rides on the only HEADERS frame
            self._trailers(headers)

    def _trailers(self, trailers: dict[bytes, bytes]) -> None:
        raw = trailers.get(b"grpc-status")
        message = decode_grpc_message(trailers.get(b"grpc-message", b""))
        code = UNKNOWN  # grpc-go's default when the trailers carry no grpc-status
        if raw is not None:
            try:
                code = int(raw.decode("ascii"))
            except (UnicodeDecodeError, ValueError):
                text = raw.decode("latin-1")
                message = (
                    f'transport: malformed grpc-status: strconv.ParseInt: parsing "{text}": invalid syntax'
                )
        if code != OK:
            self.answer = HealthAnswer(RpcStatus(code, message))
            return
        self.answer = _read_response(bytes(self._body))

    def _reset(self, error_code: int) -> None:
        try:
            name = h2.errors.ErrorCodes(error_code).name
            code = _RST_CODES.get(h2.errors.ErrorCodes(error_code), INTERNAL)
        except ValueError:
            name, code = f"unknown error code 0x{error_code:x}", UNKNOWN
        self.answer = HealthAnswer(
            RpcStatus(code, f"stream terminated by RST_STREAM with error code: {name}")
        )


def _is_server_settings(head: bytes) -> bool:
    """readServerPreface: the first frame must be SETTINGS (type 4), not an ACK, on stream 0,
    within the default 16 KiB frame size."""
    length, kind, flags, stream = struct.unpack(">IBBI", b"\x00" + head)
    return kind == 4 and not flags & 1 and stream == 0 and length <= 16384


def _is_grpc_content_type(value: bytes) -> bool:
    """grpc-go grpcutil.ContentSubtype: application/grpc, or application/grpc+X / ;X."""
    text = value.decode("latin-1").lower()
    return text == "application/grpc" or text.startswith(("application/grpc+", "application/grpc;"))


def _non_grpc_status(headers: dict[bytes, bytes]) -> RpcStatus:
    """operateHeaders for an answer that is not gRPC: the HTTP status picks the code."""
    errors = []
    code = INTERNAL
    status = headers.get(b":status")
    if status is None:
        errors.append("malformed header: missing HTTP status")
    else:
        number = int(status)  # h2 has validated :status as three digits
        try:
            reason = HTTPStatus(number).phrase
        except ValueError:
            reason = ""
        errors.append(f"unexpected HTTP status code received from server: {number} ({reason})")
        code = _HTTP_STATUS_CODES.get(number, UNKNOWN)
    content_type = headers.get(b"content-type")
    if content_type is None:
        errors.append("malformed header: missing HTTP content-type")
    else:
        errors.append(f'transport: received unexpected content-type "{content_type.decode("latin-1")}"')
    return RpcStatus(code, "; ".join(errors))


def _read_response(body: bytes) -> HealthAnswer:
    """The unary response: one length-prefixed HealthCheckResponse (rpc_util.go recvAndDecompress)."""
    if len(body) < 5:
        return HealthAnswer(
            RpcStatus(
                INTERNAL, "cardinality violation: received no response message from non-server-streaming RPC"
            )
        )
    compressed, length = struct.unpack_from(">BI", body)
    if compressed:
        return HealthAnswer(RpcStatus(INTERNAL, "grpc: compressed flag set with identity or empty encoding"))
    message = body[5 : 5 + length]
    serving = 0
    try:
        for number, wire, value in fields(message):
            if number == 1 and wire == 0:
                serving = value
    except (ProtobufError, struct.error) as exc:
        return HealthAnswer(RpcStatus(INTERNAL, f"grpc: failed to unmarshal the received message: {exc}"))
    return HealthAnswer(RpcStatus(OK, ""), serving)
