"""pods/portforward on the wire: raw SPDY and WebSocket clients against a real ApiServer and pod server.

Each test runs the server, a pod's TCP server and the client on one event loop, on asyncio and
on uvloop (the node's loop: it raises where asyncio only logs, which is what made a late frame
from kubectl end the whole session).
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from wsproto import ConnectionType, WSConnection
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    CloseConnection,
    Event,
    RejectConnection,
    RejectData,
    TextMessage,
)
from wsproto.events import Request as WsRequest

from podlab.apiserver import ApiServer
from podlab.apiserver.spdy import PING, RST_STREAM, SYN_REPLY, Frame, SpdyCodec
from podlab.runtime.logsource import LogSource
from podlab.store import Store

from .test_python_client import pod_body

TOKEN = "wire-token"
POD_IP = "127.244.1.1"
PODS = ("", "pods")
PATH = "/api/v1/namespaces/default/pods/web/portforward"
PodHandler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


# On asyncio and on uvloop (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("event_loop_kind")


async def close_first(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """busybox httpd's way: read the head, answer, close (whatever the client still sends)."""
    await reader.readuntil(b"\r\n\r\n")
    body = b"hello\n"
    writer.write(b"HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
    writer.close()


async def answer_after_eof(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """A server that answers only once the client has half-closed (`nc -q`, `wc -c`)."""
    data = await reader.read()
    writer.write(b"got %d bytes" % len(data))
    writer.close()


@pytest.fixture
def run(tmp_path: Path) -> Callable[..., None]:
    def run(
        scenario: Callable[[int, int, str], Awaitable[None]], pod_handler: PodHandler = close_first
    ) -> None:
        """scenario(api_port, pod_port, pod_uid) with the API server and the pod's server up."""

        async def main() -> None:
            store = Store(None)
            made = store.create(PODS, pod_body("web"))
            made["status"] = {"phase": "Running", "podIP": POD_IP, "podIPs": [{"ip": POD_IP}]}
            store.update(PODS, made, subresource="status")
            pod_server = await asyncio.start_server(pod_handler, POD_IP, 0)
            api = ApiServer(store, token=TOKEN, logs=LogSource(tmp_path), tls=False)
            await api.start()
            try:
                pod_port = pod_server.sockets[0].getsockname()[1]
                await asyncio.wait_for(scenario(api.port, pod_port, made["metadata"]["uid"]), 30)
            finally:
                pod_server.close()
                await api.stop()
                store.close()

        asyncio.run(main())

    return run


class SpdyClient:
    """kubectl's side of a SPDY port-forward session, frame by frame."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.codec = SpdyCodec()
        self.frames: list[Frame] = []
        self.next_id = 1
        self.request_id = 0

    @classmethod
    async def connect(cls, api_port: int) -> SpdyClient:
        reader, writer = await asyncio.open_connection("127.0.0.1", api_port)
        writer.write(
            f"POST {PATH} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\nConnection: Upgrade\r\n"
            "Upgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: portforward.k8s.io\r\nContent-Length: 0\r\n\r\n".encode()
        )
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        assert head.startswith(b"HTTP/1.1 101 "), head
        return cls(reader, writer)

    def send(self, data: bytes) -> None:
        self.writer.write(data)

    async def until(self, done: Callable[[list[Frame]], bool]) -> list[Frame]:
        while not done(self.frames):
            chunk = await asyncio.wait_for(self.reader.read(65536), 5)
            assert chunk, "the server closed the session"
            self.frames += self.codec.feed(chunk)
        return self.frames

    async def open_pair(self, port: int) -> tuple[int, int]:
        """Error stream then data stream, as kubectl does; the error stream half-closed at once."""
        error_id, data_id = self.next_id, self.next_id + 2
        self.next_id += 4
        headers = {"port": str(port), "requestid": str(self.request_id)}
        self.request_id += 1
        self.send(self.codec.syn_stream(error_id, {**headers, "streamtype": "error"}))
        self.send(self.codec.data(error_id, b"", fin=True))
        self.send(self.codec.syn_stream(data_id, {**headers, "streamtype": "data"}))
        return error_id, data_id

    def received(self, stream_id: int) -> tuple[bytes, bool]:
        """What arrived on a stream, and whether its FIN did."""
        frames = [f for f in self.frames if f.type == 0 and f.stream_id == stream_id]
        return b"".join(f.data for f in frames), any(f.fin for f in frames)

    async def ping(self, ping_id: int) -> None:
        self.send(self.codec.ping(ping_id))
        await self.until(lambda fs: any(f.type == PING and f.ping_id == ping_id for f in fs))

    async def get(self, port: int) -> tuple[bytes, bytes]:
        """One Connection: close request the way kubectl relays it: returns (response, error text)."""
        error_id, data_id = await self.open_pair(port)
        self.send(self.codec.data(data_id, b"GET / HTTP/1.1\r\nHost: pf\r\nConnection: close\r\n\r\n"))
        await self.until(lambda fs: self.received(data_id)[1])
        self.send(self.codec.rst_stream(data_id))  # remote done: kubectl resets the data stream
        await self.until(lambda fs: self.received(error_id)[1])
        return self.received(data_id)[0], self.received(error_id)[0]


def test_servers_that_close_first_never_end_the_session(run: Callable[..., None]) -> None:
    async def scenario(api_port: int, pod_port: int, uid: str) -> None:
        client = await SpdyClient.connect(api_port)
        for _ in range(50):
            response, error = await client.get(pod_port)
            assert response.endswith(b"\r\n\r\nhello\n") and error == b""
        replies = [f for f in client.frames if f.type == SYN_REPLY]
        assert len(replies) == 100  # every stream answered
        await client.ping(7)

    run(scenario)


def test_frames_after_the_pod_finished_are_dropped(run: Callable[..., None]) -> None:
    # The regression: data and FIN that kubectl sends after the pod's FIN (its copy was still
    # running) used to reach the closed pod socket; uvloop raised and the whole session ended.
    async def scenario(api_port: int, pod_port: int, uid: str) -> None:
        client = await SpdyClient.connect(api_port)
        error_id, data_id = await client.open_pair(pod_port)
        client.send(client.codec.data(data_id, b"GET / HTTP/1.1\r\nHost: pf\r\n\r\n"))
        # No reset from us: the server ends the pair on its own after the grace period.
        await client.until(lambda fs: client.received(error_id)[1])
        assert client.received(data_id) == (b"HTTP/1.0 200 OK\r\nContent-Length: 6\r\n\r\nhello\n", True)
        client.send(client.codec.data(data_id, b"late bytes"))
        client.send(client.codec.data(data_id, b"", fin=True))
        client.send(client.codec.rst_stream(data_id))
        client.send(client.codec.rst_stream(error_id))
        await client.ping(8)
        response, error = await client.get(pod_port)
        assert response.endswith(b"hello\n") and error == b""
        # Late frames make no answer of their own (no RST back, no second FIN).
        late = [f for f in client.frames if f.stream_id == data_id and f.type in (0, RST_STREAM)]
        assert [f.fin for f in late] == [False, True]

    run(scenario)


def test_client_half_close_reaches_the_pod(run: Callable[..., None]) -> None:
    async def scenario(api_port: int, pod_port: int, uid: str) -> None:
        client = await SpdyClient.connect(api_port)
        error_id, data_id = await client.open_pair(pod_port)
        client.send(client.codec.data(data_id, b"12345"))
        client.send(client.codec.data(data_id, b"", fin=True))  # local EOF, the answer still due
        await client.until(lambda fs: client.received(error_id)[1])
        assert client.received(data_id) == (b"got 5 bytes", True)
        assert client.received(error_id) == (b"", True)

    run(scenario, answer_after_eof)


def test_a_failed_dial_is_reported_on_the_error_stream(run: Callable[..., None]) -> None:
    async def scenario(api_port: int, pod_port: int, uid: str) -> None:
        client = await SpdyClient.connect(api_port)
        error_id, data_id = await client.open_pair(9)
        await client.until(lambda fs: client.received(error_id)[1] and client.received(data_id)[1])
        text = client.received(error_id)[0].decode()
        assert text == (
            f"error forwarding port 9 to pod web, uid {uid}: failed to connect to {POD_IP}:9: "
            f"dial tcp {POD_IP}:9: connect: connection refused"
        )
        await client.ping(9)  # kubectl ends the session itself; the server does not

    run(scenario)


class WsClient:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.ws = WSConnection(ConnectionType.CLIENT)
        self.events: list[Event] = []

    @classmethod
    async def connect(cls, api_port: int, protocols: list[str], query: str = "") -> tuple[WsClient, Event]:
        reader, writer = await asyncio.open_connection("127.0.0.1", api_port)
        client = cls(reader, writer)
        target = PATH + (f"?{query}" if query else "")
        auth = [(b"Authorization", f"Bearer {TOKEN}".encode())]
        client.send(WsRequest(host="x", target=target, subprotocols=protocols, extra_headers=auth))
        return client, await client.next_event()

    def send(self, event: Event) -> None:
        self.writer.write(self.ws.send(event))

    async def next_event(self) -> Event:
        while not self.events:
            data = await asyncio.wait_for(self.reader.read(65536), 5)
            self.ws.receive_data(data or None)
            self.events.extend(self.ws.events())
        return self.events.pop(0)


def test_kubectl_tunnel_carries_spdy_in_binary_messages(run: Callable[..., None]) -> None:
    async def scenario(api_port: int, pod_port: int, uid: str) -> None:
        ws, reply = await WsClient.connect(api_port, ["SPDY/3.1+portforward.k8s.io"])
        assert isinstance(reply, AcceptConnection) and reply.subprotocol == "SPDY/3.1+portforward.k8s.io"
        codec = SpdyCodec()
        frames: list[Frame] = []
        for n in range(3):
            error_id, data_id = 1 + 4 * n, 3 + 4 * n
            headers = {"port": str(pod_port), "requestid": str(n)}
            wire = codec.syn_stream(error_id, {**headers, "streamtype": "error"})
            wire += codec.syn_stream(data_id, {**headers, "streamtype": "data"})
            ws.send(BytesMessage(data=wire))
            ws.send(BytesMessage(data=codec.data(data_id, b"GET / HTTP/1.1\r\nHost: pf\r\n\r\n")))
            while not any(f.stream_id == data_id and f.type == 0 and f.fin for f in frames):
                event = await ws.next_event()
                assert isinstance(event, BytesMessage), event
                frames += codec.feed(bytes(event.data))
            ws.send(BytesMessage(data=codec.rst_stream(data_id)))
            body = b"".join(f.data for f in frames if f.type == 0 and f.stream_id == data_id)
            assert body.endswith(b"hello\n")
        ws.send(CloseConnection(code=1000))
        while not isinstance(event := await ws.next_event(), CloseConnection):
            pass
        assert event.code == 1000

    run(scenario)


def channel_frames(messages: list[tuple[int, bytes]], channel: int) -> bytes:
    return b"".join(data for ch, data in messages if ch == channel)


@pytest.mark.parametrize("protocol", ["v4.channel.k8s.io", "v4.base64.channel.k8s.io"])
def test_channel_protocol_of_the_python_client(run: Callable[..., None], protocol: str) -> None:
    b64 = "base64" in protocol

    def encode(channel: int, data: bytes) -> Event:
        if b64:
            return TextMessage(data=str(channel) + base64.b64encode(data).decode())
        return BytesMessage(data=bytes([channel]) + data)

    def decode(event: Event) -> tuple[int, bytes]:
        if isinstance(event, TextMessage):
            return int(event.data[0]), base64.b64decode(event.data[1:])
        assert isinstance(event, BytesMessage)
        return event.data[0], bytes(event.data[1:])

    async def scenario(api_port: int, pod_port: int, uid: str) -> None:
        ws, reply = await WsClient.connect(api_port, ["v5.channel.k8s.io", protocol], f"ports={pod_port},9")
        assert isinstance(reply, AcceptConnection) and reply.subprotocol == protocol  # no v5 for port-forward
        messages: list[tuple[int, bytes]] = []
        for _ in range(4):  # the port, little-endian, first on every channel
            messages.append(decode(await ws.next_event()))
        prefix = pod_port.to_bytes(2, "little")
        assert sorted(messages) == sorted([(0, prefix), (1, prefix), (2, b"\x09\x00"), (3, b"\x09\x00")])
        ws.send(encode(0, b"GET / HTTP/1.1\r\nHost: pf\r\n\r\n"))
        while not isinstance(event := await ws.next_event(), CloseConnection):
            messages.append(decode(event))
        assert event.code == 1000  # every port's connection ended: the socket closes
        assert channel_frames(messages[4:], 0).endswith(b"\r\n\r\nhello\n")
        assert channel_frames(messages[4:], 1) == b""
        assert channel_frames(messages[4:], 3).decode().startswith("error forwarding port 9 to pod web")

    run(scenario)


@pytest.mark.parametrize(
    ("protocols", "query", "status", "text"),
    [
        (["v4.channel.k8s.io"], "", 400, 'query parameter "port" is required'),
        (
            ["v4.channel.k8s.io"],
            "ports=http",
            400,
            'unable to parse "http" as a port: strconv.ParseUint: parsing "http": invalid syntax',
        ),
        (["v4.channel.k8s.io"], "ports=0", 400, 'port "0" must be > 0'),
        (
            ["v5.channel.k8s.io"],
            "ports=80",
            403,
            "requested protocol(s) are not supported: [v5.channel.k8s.io]; supports [SPDY/3.1+portforward.k8s.io "
            "v4.channel.k8s.io v4.base64.channel.k8s.io channel.k8s.io base64.channel.k8s.io ]",
        ),
    ],
)
def test_websocket_refusals(
    run: Callable[..., None], protocols: list[str], query: str, status: int, text: str
) -> None:
    async def scenario(api_port: int, pod_port: int, uid: str) -> None:
        ws, reply = await WsClient.connect(api_port, protocols, query)
        assert isinstance(reply, RejectConnection) and reply.status_code == status
        body = b""
        while True:
            event = await ws.next_event()
            assert isinstance(event, RejectData)
            body += bytes(event.data)
            if event.body_finished:
                break
        # The handshake's own refusal is x/net/websocket's plain text; the rest are Status objects.
        message = body.decode() if status == 403 else json.loads(body)["message"]
        assert message == text

    run(scenario)
