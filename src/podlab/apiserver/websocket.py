"""The server side of a WebSocket upgrade for the API server, and Kubernetes' channel layer.

Framing is wsproto's (sans-IO, RFC 6455); this module adds the handshake from an already parsed
httpcore request, an asyncio connection over the hijacked socket, and the `*.channel.k8s.io`
subprotocols that exec, attach and port-forward speak (a first byte names the channel).

Usage, in a handler::

    answer = await accept(request, connection, ["v5.channel.k8s.io", "v4.channel.k8s.io"])
    if isinstance(answer, Response):
        return answer  # 400/403/405 in Kubernetes' words: nothing was upgraded
    channels = ChannelConnection(answer)
    await channels.send(1, b"hello on stdout")
    while (message := await channels.recv()) is not None:
        if message.closed:  # v5: the client closed that one channel (stdin EOF)
            ...
        else:
            handle(message.channel, message.data)
    await channels.close()  # 1000, the end kubectl and the Python client read as EOF

Handshake refusals follow k8s.io/apimachinery `wsstream` over golang.org/x/net/websocket: a
subprotocol that matches none of the server's is 403 with
`requested protocol(s) are not supported: [a b]; supports [c d]`; a malformed upgrade is 400
(405 for a method other than GET) with x/net/websocket's error text as the body.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass

from wsproto.connection import Connection as WsConnection
from wsproto.connection import ConnectionState, ConnectionType
from wsproto.events import BytesMessage, CloseConnection, Message, Ping, Pong, TextMessage
from wsproto.frame_protocol import CloseReason
from wsproto.utilities import LocalProtocolError, generate_accept_token

from podlab.httpcore import Connection, RawStream, Request, Response

V4_CHANNEL = "v4.channel.k8s.io"
V5_CHANNEL = "v5.channel.k8s.io"
V4_BASE64_CHANNEL = "v4.base64.channel.k8s.io"
CHANNEL = "channel.k8s.io"
BASE64_CHANNEL = "base64.channel.k8s.io"
# v5's control channel: a message `ff <ch>` closes the sender's side of channel <ch>.
CLOSE_CHANNEL = 255

# One message may not grow past this (kubectl's chunks are 32 KiB; the apiserver's translator
# reads 32 KiB too). Larger ones close the connection with 1009 Message Too Big.
MAX_MESSAGE_BYTES = 16 << 20
# How long close() waits for the peer's closing frame before dropping the socket anyway.
CLOSE_TIMEOUT = 2.0


def _refuse(status: int, text: str, extra: list[tuple[str, str]] | None = None) -> Response:
    # x/net/websocket writes the status line, its own headers and the error text as the body.
    headers = [("Content-Type", "text/plain; charset=utf-8"), *(extra or [])]
    return Response(status, headers, text.encode())


def offered_protocols(request: Request) -> list[str]:
    """Sec-WebSocket-Protocol values in the client's order (one header or several, comma lists)."""
    return [
        p.strip()
        for value in request.header_values("Sec-WebSocket-Protocol")
        for p in value.split(",")
        if p.strip()
    ]


def choose_protocol(offered: Sequence[str], supported: Sequence[str]) -> str | None:
    """The first offered protocol the server supports (wsstream's rule); "" stands for none offered."""
    for protocol in offered or [""]:
        if protocol in supported:
            return protocol
    return None


def _go_list(items: Sequence[str]) -> str:
    # Go's %v of a []string.
    return "[" + " ".join(items) + "]"


@dataclass(frozen=True)
class Handshake:
    """An acceptable upgrade: the chosen subprotocol ("" for none) and the 101's headers."""

    subprotocol: str
    headers: list[tuple[str, str]]


def check_handshake(request: Request, supported: Sequence[str]) -> Handshake | Response:
    """Decide whether `request` may become a WebSocket; a Response is the refusal to send."""
    if request.method != "GET":
        return _refuse(405, "bad method")
    upgrade = (request.header("Upgrade") or "").lower()
    connection = (request.header("Connection") or "").lower()
    if upgrade != "websocket" or "upgrade" not in connection:
        return _refuse(400, "not websocket protocol")
    key = (request.header("Sec-WebSocket-Key") or "").strip()
    try:
        valid_key = len(base64.b64decode(key, validate=True)) == 16
    except (binascii.Error, ValueError):
        valid_key = False
    if not valid_key:
        return _refuse(400, "mismatch challenge/response")
    if (request.header("Sec-WebSocket-Version") or "").strip() != "13":
        return _refuse(400, "missing or bad WebSocket Version", [("Sec-WebSocket-Version", "13")])
    offered = offered_protocols(request)
    chosen = choose_protocol(offered, supported)
    if chosen is None:
        return _refuse(
            403,
            f"requested protocol(s) are not supported: {_go_list(offered)}; supports "
            f"{_go_list(list(supported))}",
        )
    headers = [
        ("Upgrade", "websocket"),
        ("Connection", "Upgrade"),
        ("Sec-WebSocket-Accept", generate_accept_token(key.encode()).decode()),
    ]
    if chosen:
        headers.append(("Sec-WebSocket-Protocol", chosen))
    return Handshake(chosen, headers)


async def accept(request: Request, connection: Connection, supported: Sequence[str]) -> WebSocket | Response:
    """Upgrade `request` to a WebSocket speaking one of `supported`, or return the refusal."""
    decision = check_handshake(request, supported)
    if isinstance(decision, Response):
        return decision
    return await upgrade(connection, decision)


async def upgrade(connection: Connection, handshake: Handshake) -> WebSocket:
    """Send the 101 of an accepted handshake (check_handshake) and open the WebSocket.

    For handlers that must refuse for reasons of their own (bad query parameters) once they
    know the subprotocol, but before anything is upgraded.
    """
    stream = await connection.upgrade(101, handshake.headers)
    return WebSocket(stream, handshake.subprotocol)


class WebSocket:
    """One open server-side WebSocket over a hijacked httpcore connection.

    `recv()` is meant for one reading task; `send()` may be called from others meanwhile (every
    write is whole frames, so they never interleave). Pings are answered inside `recv()`.
    """

    def __init__(self, stream: RawStream, subprotocol: str) -> None:
        self.subprotocol = subprotocol
        self._stream = stream
        self._ws = WsConnection(ConnectionType.SERVER)
        self._parts: list[bytes] = []
        self._size = 0
        self._text = False
        self._messages: list[tuple[bytes, bool]] = []
        self._peer_closed = asyncio.Event()
        self._reading = False
        self.close_code: int | None = None  # the peer's, once it has closed
        self.close_reason = ""

    @property
    def open(self) -> bool:
        return self._ws.state is ConnectionState.OPEN

    async def recv(self) -> bytes | None:
        """The next message's payload (binary or text, as bytes); None once the socket is closed."""
        message = await self.recv_message()
        return None if message is None else message[0]

    async def recv_message(self) -> tuple[bytes, bool] | None:
        """Like recv(), with whether it came as a text message."""
        self._reading = True
        try:
            while not self._messages:
                if self._peer_closed.is_set():
                    return None
                chunk = await self._stream.read()
                self._receive(chunk or None)
                await self._stream.drain()
            return self._messages.pop(0)
        finally:
            self._reading = False

    def _receive(self, chunk: bytes | None) -> None:
        if self._ws.state is ConnectionState.CLOSED:
            self._peer_closed.set()
            return
        try:
            self._ws.receive_data(chunk)
        except LocalProtocolError:  # bytes after the close handshake: nothing more to read
            self._peer_closed.set()
            return
        # A frame wsproto cannot parse comes out as a CloseConnection event (code 1002/1007).
        for event in self._ws.events():
            self._on_event(event)
        if chunk is None:
            self._peer_closed.set()

    def _on_event(self, event: object) -> None:
        if isinstance(event, Message):
            self._parts.append(bytes(event.data) if isinstance(event, BytesMessage) else event.data.encode())
            self._size += len(self._parts[-1])
            self._text = isinstance(event, TextMessage)
            if self._size > MAX_MESSAGE_BYTES:
                self._write_close(CloseReason.MESSAGE_TOO_BIG, "message too big")
                self._peer_closed.set()
                self._stream.close()
                return
            if event.message_finished:
                self._messages.append((b"".join(self._parts), self._text))
                self._parts, self._size = [], 0
        elif isinstance(event, Ping):
            self._stream.write(self._ws.send(event.response()))
        elif isinstance(event, CloseConnection):
            self.close_code, self.close_reason = event.code, event.reason or ""
            if self._ws.state is ConnectionState.REMOTE_CLOSING:
                self._stream.write(self._ws.send(event.response()))
            elif self._ws.state is ConnectionState.OPEN:
                # wsproto reports a frame it could not parse as this event, the connection still
                # open: the close frame with its code (1002, 1007, 1009) is ours to send.
                self._write_close(event.code, event.reason or "")
            self._peer_closed.set()
            self._stream.close()
        elif isinstance(event, Pong):
            pass  # our ping() does not wait for answers; the socket being alive is enough

    def _write_close(self, code: int, reason: str) -> None:
        with contextlib.suppress(LocalProtocolError):
            self._stream.write(self._ws.send(CloseConnection(code=code, reason=reason)))

    async def send(self, data: bytes) -> None:
        """Send one binary message; waits while the socket's write buffer is full."""
        await self._send_message(BytesMessage(data=data))

    async def send_text(self, text: str) -> None:
        """Send one text message (the base64 channel protocols speak text)."""
        await self._send_message(TextMessage(data=text))

    async def _send_message(self, event: Message) -> None:
        if self._ws.state is not ConnectionState.OPEN:
            raise ConnectionError("WebSocket is closed")
        self._stream.write(self._ws.send(event))
        await self._stream.drain()

    async def ping(self, payload: bytes = b"") -> None:
        if self._ws.state is ConnectionState.OPEN:
            self._stream.write(self._ws.send(Ping(payload=payload)))
            await self._stream.drain()

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Send a close frame, give the peer CLOSE_TIMEOUT to answer, then drop the socket."""
        if self._ws.state in (ConnectionState.OPEN, ConnectionState.REMOTE_CLOSING):
            self._write_close(code, reason)
            with contextlib.suppress(ConnectionError):
                await self._stream.drain()
            if not self._reading:
                # Nobody else reads: read (and drop) until the peer's close, so what it still
                # had in flight does not turn our close into a reset.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._drain_until_closed(), CLOSE_TIMEOUT)
            else:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._peer_closed.wait(), CLOSE_TIMEOUT)
        self._peer_closed.set()
        self._stream.close()

    async def _drain_until_closed(self) -> None:
        while not self._peer_closed.is_set():
            chunk = await self._stream.read()
            self._receive(chunk or None)


@dataclass(frozen=True)
class ChannelMessage:
    """One message of a channel protocol: data for `channel`, or (v5) that channel's close."""

    channel: int
    data: bytes = b""
    closed: bool = False


class ChannelError(Exception):
    """The peer broke the channel protocol (a v5 close of the wrong shape, bad base64)."""


class ChannelConnection:
    """Kubernetes' `*.channel.k8s.io` framing over a WebSocket: a first byte names the channel.

    Binary protocols put the channel as a byte; the base64 ones as an ASCII digit followed by
    the payload in standard base64, in text messages. v5 adds `ff <ch>`, a channel's close.
    An empty message (no channel byte) is skipped, as wsstream does.
    """

    def __init__(self, socket: WebSocket) -> None:
        self.socket = socket
        self.protocol = socket.subprotocol
        self.base64 = "base64" in self.protocol
        self.v5 = self.protocol.startswith("v5.")

    async def recv(self) -> ChannelMessage | None:
        """The next message; None when the socket closed. Raises ChannelError on a broken frame."""
        while True:
            got = await self.socket.recv_message()
            if got is None:
                return None
            message = decode_channel_message(got[0], base64_form=self.base64, v5=self.v5)
            if message is not None:
                return message

    async def send(self, channel: int, data: bytes) -> None:
        if self.base64:
            await self.socket.send_text(chr(ord("0") + channel) + base64.b64encode(data).decode())
        else:
            await self.socket.send(bytes([channel]) + data)

    async def send_close(self, channel: int) -> None:
        """v5 only: tell the peer this side of `channel` is finished."""
        if not self.v5:
            raise ValueError(
                f"{self.protocol or 'this protocol'} has no close message; v5.channel.k8s.io has"
            )
        await self.socket.send(bytes([CLOSE_CHANNEL, channel]))

    async def close(self, code: int = 1000, reason: str = "") -> None:
        await self.socket.close(code, reason)


def decode_channel_message(raw: bytes, *, base64_form: bool, v5: bool) -> ChannelMessage | None:
    """Parse one WebSocket message of a channel protocol (None for an empty one)."""
    if not raw:
        return None
    if base64_form:
        channel = raw[0] - ord("0")
        if not 0 <= channel <= 9:
            raise ChannelError(f"invalid channel {raw[:1]!r} in a base64 channel message")
        try:
            return ChannelMessage(channel, base64.b64decode(raw[1:], validate=True))
        except (binascii.Error, ValueError) as exc:
            raise ChannelError(f"invalid base64 payload on channel {channel}: {exc}") from exc
    if v5 and raw[0] == CLOSE_CHANNEL:
        # apiserver: a close message is exactly two bytes, else the connection is dropped.
        if len(raw) != 2:
            raise ChannelError(f"close message must be 2 bytes, got {len(raw)}")
        return ChannelMessage(raw[1], closed=True)
    return ChannelMessage(raw[0], raw[1:])
