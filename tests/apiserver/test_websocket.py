"""apiserver.websocket against a real socket, with wsproto playing the client."""

from __future__ import annotations

import asyncio
import base64
import os
from collections.abc import Awaitable, Callable

import pytest
from wsproto import ConnectionType, WSConnection
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    CloseConnection,
    Event,
    Ping,
    Pong,
    RejectConnection,
    RejectData,
    Request,
    TextMessage,
)
from wsproto.utilities import generate_accept_token

from podlab.apiserver.websocket import (
    V4_CHANNEL,
    V5_CHANNEL,
    ChannelConnection,
    ChannelError,
    WebSocket,
    accept,
    decode_channel_message,
)
from podlab.httpcore import Connection, Response, serve
from podlab.httpcore import Request as HttpRequest

SUPPORTED = [V5_CHANNEL, V4_CHANNEL, "v4.base64.channel.k8s.io"]
Session = Callable[[WebSocket], Awaitable[None]]


# On asyncio and on uvloop (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("event_loop_kind")


class Client:
    """A wsproto client over an asyncio TCP connection."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.ws = WSConnection(ConnectionType.CLIENT)
        self.events: list[Event] = []

    async def send(self, event: Event) -> None:
        self.writer.write(self.ws.send(event))
        await self.writer.drain()

    async def next_event(self) -> Event:
        while not self.events:
            data = await asyncio.wait_for(self.reader.read(65536), timeout=5)
            self.ws.receive_data(data or None)
            self.events.extend(self.ws.events())
            if not data and not self.events:
                raise EOFError
        return self.events.pop(0)


async def connect(port: int, protocols: list[str]) -> tuple[Client, Event]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    client = Client(reader, writer)
    await client.send(Request(host="127.0.0.1", target="/ws", subprotocols=protocols))
    return client, await client.next_event()


def run(session: Session, scenario: Callable[[int], Awaitable[None]]) -> None:
    """Serve WebSocket upgrades (SUPPORTED) whose sessions run `session`; run `scenario(port)`."""

    async def handler(request: HttpRequest, connection: Connection) -> Response | None:
        answer = await accept(request, connection, SUPPORTED)
        if isinstance(answer, Response):
            return answer
        await session(answer)
        return None

    async def main() -> None:
        server = await serve(handler, "127.0.0.1", 0)
        try:
            await asyncio.wait_for(scenario(server.port), 20)
        finally:
            server.close()
            await server.wait_closed()

    asyncio.run(main())


async def echo(ws: WebSocket) -> None:
    while (message := await ws.recv_message()) is not None:
        data, text = message
        if text:
            await ws.send_text(data.decode().upper())
        else:
            await ws.send(data[::-1])


def test_handshake_picks_the_first_offered_supported_protocol_and_echoes() -> None:
    async def scenario(port: int) -> None:
        client, reply = await connect(port, ["v9.channel.k8s.io", V4_CHANNEL, V5_CHANNEL])
        assert isinstance(reply, AcceptConnection) and reply.subprotocol == V4_CHANNEL
        await client.send(BytesMessage(data=b"\x01abc"))
        got = await client.next_event()
        assert isinstance(got, BytesMessage) and bytes(got.data) == b"cba\x01"
        await client.send(TextMessage(data="text"))
        got = await client.next_event()
        assert isinstance(got, TextMessage) and got.data == "TEXT"
        await client.send(CloseConnection(code=1000))
        closing = await client.next_event()
        assert isinstance(closing, CloseConnection) and closing.code == 1000

    run(echo, scenario)


def test_accept_token_is_rfc6455s() -> None:
    async def scenario(port: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        key = base64.b64encode(os.urandom(16))
        writer.write(
            b"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n"
            b"Sec-WebSocket-Key: " + key + b"\r\nSec-WebSocket-Version: 13\r\n"
            b"Sec-WebSocket-Protocol: v5.channel.k8s.io\r\n\r\n"
        )
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        writer.close()
        assert head.startswith(b"HTTP/1.1 101 ")
        assert b"Sec-WebSocket-Accept: " + generate_accept_token(key) + b"\r\n" in head
        assert b"Sec-WebSocket-Protocol: v5.channel.k8s.io\r\n" in head

    run(echo, scenario)


async def raw_answer(port: int, head: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(head)
    data = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    length = int(data.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
    data += await asyncio.wait_for(reader.readexactly(length), 5)
    writer.close()
    return data


GOOD = (
    b"Host: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
)


@pytest.mark.parametrize(
    ("head", "status", "body"),
    [
        (
            b"GET /ws HTTP/1.1\r\n"
            + GOOD
            + b"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: v1.x, v2.x\r\n\r\n",
            b"403 Forbidden",
            b"requested protocol(s) are not supported: [v1.x v2.x]; supports "
            b"[v5.channel.k8s.io v4.channel.k8s.io v4.base64.channel.k8s.io]",
        ),
        (
            b"GET /ws HTTP/1.1\r\n" + GOOD + b"Sec-WebSocket-Version: 13\r\n\r\n",
            b"403 Forbidden",
            b"requested protocol(s) are not supported: []; supports",
        ),
        (
            b"GET /ws HTTP/1.1\r\n" + GOOD + b"Sec-WebSocket-Version: 8\r\n\r\n",
            b"400 Bad Request",
            b"missing or bad WebSocket Version",
        ),
        (
            b"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n",
            b"400 Bad Request",
            b"mismatch challenge/response",
        ),
        (b"GET /ws HTTP/1.1\r\nHost: x\r\n\r\n", b"400 Bad Request", b"not websocket protocol"),
        (
            b"POST /ws HTTP/1.1\r\n" + GOOD + b"Content-Length: 0\r\nSec-WebSocket-Version: 13\r\n\r\n",
            b"405 Method Not Allowed",
            b"bad method",
        ),
    ],
)
def test_refusals_in_kubernetes_words(head: bytes, status: bytes, body: bytes) -> None:
    async def scenario(port: int) -> None:
        answer = await raw_answer(port, head)
        assert answer.startswith(b"HTTP/1.1 " + status + b"\r\n"), answer
        assert body in answer.split(b"\r\n\r\n", 1)[1]
        if b"Version: 8" in head:
            assert b"Sec-WebSocket-Version: 13\r\n" in answer

    run(echo, scenario)


def test_wsproto_client_sees_the_refusal() -> None:
    async def scenario(port: int) -> None:
        client, reply = await connect(port, ["nope"])
        assert isinstance(reply, RejectConnection) and reply.status_code == 403
        body = await client.next_event()
        assert isinstance(body, RejectData) and b"not supported" in bytes(body.data)

    run(echo, scenario)


def test_pings_are_answered_and_fragments_join() -> None:
    async def scenario(port: int) -> None:
        client, _ = await connect(port, [V4_CHANNEL])
        await client.send(Ping(payload=b"hb"))
        pong = await client.next_event()
        assert isinstance(pong, Pong) and bytes(pong.payload) == b"hb"
        await client.send(BytesMessage(data=b"ab", message_finished=False))
        await client.send(BytesMessage(data=b"cd", message_finished=True))
        got = await client.next_event()
        assert isinstance(got, BytesMessage) and bytes(got.data) == b"dcba"

    run(echo, scenario)


def test_server_close_reaches_the_client_with_its_code() -> None:
    closed: list[bool] = []

    async def session(ws: WebSocket) -> None:
        await ws.send(b"bye")
        await ws.close(1000, "done")
        closed.append(ws.open)

    async def scenario(port: int) -> None:
        client, _ = await connect(port, [V4_CHANNEL])
        got = await client.next_event()
        assert isinstance(got, BytesMessage) and bytes(got.data) == b"bye"
        close = await client.next_event()
        assert isinstance(close, CloseConnection) and (close.code, close.reason) == (1000, "done")
        await client.send(close.response())
        assert await asyncio.wait_for(client.reader.read(), 5) == b""  # then the server hangs up

    run(session, scenario)
    assert closed == [False]


def test_client_close_ends_recv_with_none() -> None:
    seen: list[object] = []

    async def session(ws: WebSocket) -> None:
        seen.append(await ws.recv())
        seen.append(ws.close_code)
        with pytest.raises(ConnectionError):
            await ws.send(b"late")

    async def scenario(port: int) -> None:
        client, _ = await connect(port, [V4_CHANNEL])
        await client.send(CloseConnection(code=1001, reason="away"))
        reply = await client.next_event()
        assert isinstance(reply, CloseConnection) and reply.code == 1001

    run(session, scenario)
    assert seen == [None, 1001]


def test_a_protocol_error_closes_with_1002() -> None:
    async def scenario(port: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        client = Client(reader, writer)
        await client.send(Request(host="x", target="/ws", subprotocols=[V4_CHANNEL]))
        await client.next_event()
        writer.write(b"\x82\x05hello")  # an unmasked client frame: RFC 6455 5.1 forbids it
        close = await client.next_event()
        assert isinstance(close, CloseConnection) and close.code == 1002

    run(echo, scenario)


def test_reading_is_held_back_while_the_user_does_not_read() -> None:
    total = 24 << 20
    stalled = asyncio.Event()
    buffered: list[int] = []
    received: list[int] = []

    async def session(ws: WebSocket) -> None:
        await asyncio.wait_for(stalled.wait(), 10)
        buffered.append(len(ws._stream._buffer))  # what the node holds for a slow reader
        count = 0
        while count < total:
            data = await ws.recv()
            assert data is not None
            count += len(data)
        received.append(count)
        await ws.send(b"ok")

    async def scenario(port: int) -> None:
        client, _ = await connect(port, [V4_CHANNEL])
        chunk = os.urandom(1 << 20)
        for _ in range(total // len(chunk)):
            client.writer.write(client.ws.send(BytesMessage(data=chunk)))
            try:
                await asyncio.wait_for(client.writer.drain(), 0.5)
            except TimeoutError:
                stalled.set()
                await client.writer.drain()
        stalled.set()
        got = await client.next_event()
        assert isinstance(got, BytesMessage) and bytes(got.data) == b"ok"

    run(session, scenario)
    assert received == [total]
    assert buffered[0] <= (1 << 20) + (256 << 10), buffered


def test_channel_layer_binary_and_v5_close() -> None:
    got: list[object] = []

    async def session(ws: WebSocket) -> None:
        channels = ChannelConnection(ws)
        await channels.send(1, b"out")
        while (message := await channels.recv()) is not None:
            got.append(message)
            if message.closed:
                await channels.send_close(1)
                await channels.close()

    async def scenario(port: int) -> None:
        client, _ = await connect(port, [V5_CHANNEL])
        first = await client.next_event()
        assert isinstance(first, BytesMessage) and bytes(first.data) == b"\x01out"
        await client.send(BytesMessage(data=b""))  # no channel byte: skipped
        await client.send(BytesMessage(data=b"\x00stdin"))
        await client.send(BytesMessage(data=b"\xff\x00"))
        close_msg = await client.next_event()
        assert isinstance(close_msg, BytesMessage) and bytes(close_msg.data) == b"\xff\x01"
        close = await client.next_event()
        assert isinstance(close, CloseConnection) and close.code == 1000
        await client.send(close.response())

    run(session, scenario)
    assert [(m.channel, m.data, m.closed) for m in got] == [(0, b"stdin", False), (0, b"", True)]  # type: ignore[attr-defined]


def test_channel_layer_base64_speaks_text() -> None:
    async def session(ws: WebSocket) -> None:
        channels = ChannelConnection(ws)
        message = await channels.recv()
        assert message is not None
        await channels.send(message.channel + 1, message.data + b"!")

    async def scenario(port: int) -> None:
        client, reply = await connect(port, ["v4.base64.channel.k8s.io"])
        assert isinstance(reply, AcceptConnection)
        await client.send(TextMessage(data="0" + base64.b64encode(b"hi").decode()))
        got = await client.next_event()
        assert isinstance(got, TextMessage) and got.data == "1" + base64.b64encode(b"hi!").decode()

    run(session, scenario)


def test_channel_decoding_rejects_broken_frames() -> None:
    assert decode_channel_message(b"\x02err", base64_form=False, v5=False) is not None
    # v4 has no close message: 0xff is just channel 255's data.
    v4 = decode_channel_message(b"\xff\x00\x01", base64_form=False, v5=False)
    assert v4 is not None and (v4.channel, v4.data, v4.closed) == (255, b"\x00\x01", False)
    with pytest.raises(ChannelError, match="close message must be 2 bytes"):
        decode_channel_message(b"\xff\x00\x01", base64_form=False, v5=True)
    with pytest.raises(ChannelError, match="invalid base64"):
        decode_channel_message(b"0@@@", base64_form=True, v5=False)
    with pytest.raises(ChannelError, match="invalid channel"):
        decode_channel_message(b"xAA==", base64_form=True, v5=False)
