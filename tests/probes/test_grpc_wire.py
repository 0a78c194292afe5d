"""The sans-IO gRPC health call, fed by an in-memory h2 server: no sockets, no clock."""

from __future__ import annotations

import struct

import h2.config
import h2.connection
import h2.events
import pytest

from podlab.probes.grpc_wire import (
    CONNECTION_EOF,
    HealthAnswer,
    HealthCheckCall,
    RpcStatus,
    connect_backoff,
    decode_grpc_message,
    go_code,
    grpc_timeout,
)


@pytest.mark.parametrize(
    ("seconds", "header"),
    [
        (1.0, "1000000u"),  # 1e9 ns has 10 digits: microseconds
        (0.05, "50000000n"),
        (5.0, "5000000u"),
        (99.999999, "99999999u"),
        (99.9999999, "100000m"),  # rounded up, 1e8 µs is 9 digits
        (150.0, "150000m"),
        (0.0, "0n"),
        (-1.0, "0n"),
    ],
)
def test_grpc_timeout_is_grpc_go_encode_duration(seconds: float, header: str) -> None:
    assert grpc_timeout(seconds) == header


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (b"", ""),
        (b"plain", "plain"),
        (b"unknown%20service", "unknown service"),
        (b"%E2%9C%93 done", "\u2713 done"),
        (b"100%", "100%"),  # too short to be an escape
        (b"50%zz", "50%zz"),  # not hex: kept
        (b"%+1x", "%+1x"),  # Go's ParseUint takes no sign
        (b"a%41", "aA"),
    ],
)
def test_grpc_message_is_percent_decoded_like_grpc_go(raw: bytes, text: str) -> None:
    assert decode_grpc_message(raw) == text


def test_go_code_names_and_backoff() -> None:
    assert [go_code(c) for c in (0, 1, 4, 5, 12, 14, 16, 17)] == [
        "OK",
        "Canceled",  # grpc-go's spelling, not grpcio's CANCELLED
        "DeadlineExceeded",
        "NotFound",
        "Unimplemented",
        "Unavailable",
        "Unauthenticated",
        "Code(17)",
    ]
    assert [connect_backoff(n) for n in (1, 2, 3)] == [1.0, 1.6, 1.6 * 1.6]
    assert connect_backoff(50) == 120.0


class _Server:
    """An h2 server half kept in memory: it answers the client call with `reply`."""

    def __init__(self) -> None:
        self.h2 = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False))
        self.h2.initiate_connection()
        self.headers: dict[str, str] = {}
        self.body = b""

    def feed(self, data: bytes) -> bytes:
        for event in self.h2.receive_data(data):
            if isinstance(event, h2.events.RequestReceived):
                self.headers = {k.decode(): v.decode() for k, v in event.headers or []}
            elif isinstance(event, h2.events.DataReceived):
                self.body += event.data or b""
        return self.h2.data_to_send()


def _pair(service: str) -> tuple[HealthCheckCall, _Server]:
    call = HealthCheckCall("127.0.0.1:5000", service, "kube-probe/1.37")
    server = _Server()
    first = server.feed(call.start())
    # The server's SETTINGS, fed one byte at a time: connected once that first frame is whole.
    settings_end = 9 + int.from_bytes(first[:3], "big")
    for i in range(len(first)):
        assert call.connected == (i >= settings_end)
        call.receive(first[i : i + 1])
    assert call.connected and not call.connect_failed
    return call, server


def _send_byte_by_byte(call: HealthCheckCall, data: bytes) -> None:
    for i in range(len(data)):
        assert call.answer is None
        call.receive(data[i : i + 1])


def test_request_is_what_grpc_go_sends_and_a_serving_answer_is_read() -> None:
    call, server = _pair("my.svc")
    server.feed(call.send_check(1.0))
    assert server.headers == {
        ":method": "POST",
        ":scheme": "http",
        ":path": "/grpc.health.v1.Health/Check",
        ":authority": "127.0.0.1:5000",
        "content-type": "application/grpc",
        "user-agent": "kube-probe/1.37",
        "te": "trailers",
        "grpc-timeout": "1000000u",
    }
    # 5-byte prefix (uncompressed, length 8) + field 1, length-delimited, "my.svc".
    assert server.body == b"\x00\x00\x00\x00\x08" + b"\x0a\x06my.svc"
    sid = 1
    server.h2.send_headers(sid, [(":status", "200"), ("content-type", "application/grpc")])
    server.h2.send_data(sid, struct.pack(">BI", 0, 2) + b"\x08\x01")
    server.h2.send_headers(sid, [("grpc-status", "0")], end_stream=True)
    _send_byte_by_byte(call, server.h2.data_to_send())
    assert call.answer == HealthAnswer(RpcStatus(0, ""), serving=1)


def test_default_service_sends_an_empty_message() -> None:
    call, server = _pair("")
    server.feed(call.send_check(5.0))
    assert server.body == b"\x00\x00\x00\x00\x00"  # proto3 leaves "" off the wire


@pytest.mark.parametrize(
    ("frames", "answer"),
    [
        (
            [([(":status", "200"), ("content-type", "application/grpc"), ("grpc-status", "5"),
               ("grpc-message", "unknown%20service")], True)],
            HealthAnswer(RpcStatus(5, "unknown service")),
        ),
        (
            [([(":status", "404"), ("content-type", "text/plain")], True)],
            HealthAnswer(RpcStatus(12, "unexpected HTTP status code received from server: 404 (Not Found); "
                                       'transport: received unexpected content-type "text/plain"')),
        ),
        (
            [([(":status", "200"), ("content-type", "application/grpc")], False),
             ([("grpc-message", "no status")], True)],
            HealthAnswer(RpcStatus(2, "no status")),  # no grpc-status: grpc-go says Unknown
        ),
        (
            [([(":status", "200"), ("content-type", "application/grpc")], False),
             ([("grpc-status", "0")], True)],
            HealthAnswer(RpcStatus(13, "cardinality violation: received no response message from "
                                       "non-server-streaming RPC")),
        ),
        (
            [([(":status", "200"), ("content-type", "application/grpc"), ("grpc-status", "x")], True)],
            HealthAnswer(RpcStatus(2, 'transport: malformed grpc-status: strconv.ParseInt: parsing "x": '
                                      "invalid syntax")),
        ),
    ],
)  # fmt: skip
def test_answers_without_a_message_map_to_grpc_go_statuses(
    frames: list[tuple[list[tuple[str, str]], bool]], answer: HealthAnswer
) -> None:
    call, server = _pair("")
    server.feed(call.send_check(1.0))
    for headers, end in frames:
        server.h2.send_headers(1, headers, end_stream=end)
    _send_byte_by_byte(call, server.h2.data_to_send())
    assert call.answer == answer


def test_rst_stream_and_a_closed_connection() -> None:
    call, server = _pair("")
    server.feed(call.send_check(1.0))
    server.h2.reset_stream(1, error_code=7)  # REFUSED_STREAM
    call.receive(server.h2.data_to_send())
    assert call.answer == HealthAnswer(
        RpcStatus(14, "stream terminated by RST_STREAM with error code: REFUSED_STREAM")
    )
    call, server = _pair("")
    server.feed(call.send_check(1.0))
    call.receive(b"")
    assert call.answer == HealthAnswer(RpcStatus(14, CONNECTION_EOF))


@pytest.mark.parametrize(
    "first", [b"", b"HTTP/1.1 400 Bad Request\r\n\r\n", b"\x00\x00\x00\x04\x01\x00\x00\x00\x00"]
)
def test_no_http2_server_preface_fails_the_dial(first: bytes) -> None:
    """EOF, HTTP/1.1 text, or a SETTINGS ACK before any SETTINGS: not a server preface."""
    call = HealthCheckCall("127.0.0.1:5000", "", "kube-probe/1.37")
    call.start()
    call.receive(first)
    assert call.connect_failed and not call.connected and call.answer is None


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (
            struct.pack(">BI", 0, 5 * 1024 * 1024) + b"\x08",
            RpcStatus(8, "grpc: received message larger than max (5242880 vs. 4194304)"),
        ),
        (
            struct.pack(">BI", 0, 2) + b"\x08\x01" + struct.pack(">BI", 0, 2),
            RpcStatus(
                13,
                "cardinality violation: expected <EOF> for non server-streaming RPCs, but received another message",
            ),
        ),
        (
            struct.pack(">BI", 1, 2) + b"\x08\x01",
            RpcStatus(13, "grpc: compressed flag set with identity or empty encoding"),
        ),
    ],
)
def test_response_messages_grpc_go_refuses(body: bytes, status: RpcStatus) -> None:
    call, server = _pair("")
    server.feed(call.send_check(1.0))
    server.h2.send_headers(1, [(":status", "200"), ("content-type", "application/grpc")])
    server.h2.send_data(1, body)
    server.h2.send_headers(1, [("grpc-status", "0")], end_stream=True)
    call.receive(server.h2.data_to_send())
    assert call.answer == HealthAnswer(status)
