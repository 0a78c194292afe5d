"""HTTP/2 in the core: h2c with prior knowledge, h2c by Upgrade (the upgrade request answered
as stream 1), concurrent streams, flow control over large bodies, streamed bodies. The client
is the `h2` library's client side over a real socket, and curl where it speaks HTTP/2."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable

import h2.config
import h2.connection
import h2.events
import pytest

from podlab.httpcore import Connection, Limits, Request, Response, serve

BIG = 300_000  # over the 65,535-byte initial windows: the sender must wait for WINDOW_UPDATEs


async def handler(request: Request, connection: Connection) -> Response | None:
    if request.path == "/big":
        return Response(200, [("Content-Type", "application/octet-stream")], b"x" * BIG)
    if request.path == "/stream":

        async def chunks() -> AsyncIterator[bytes]:
            for part in (b"one ", b"two ", b"three"):
                await asyncio.sleep(0)
                yield part

        return Response(200, [], chunks())
    if request.path == "/slow":
        await asyncio.sleep(0.2)
    body = (
        f"{request.method} {request.target} v={request.http_version} host={request.header('Host')} "
        f"authority={request.authority} len={len(request.body)}"
    ).encode()
    # Connection-specific fields must not reach an HTTP/2 peer: the core drops them.
    return Response(201, [("X-A", "1"), ("Connection", "keep-alive"), ("Transfer-Encoding", "chunked")], body)


def run(scenario: Callable[[int], Awaitable[None]]) -> None:
    async def main() -> None:
        server = await serve(handler, "127.0.0.1", 0, h2=True)
        try:
            await asyncio.wait_for(scenario(server.port), 20)
        finally:
            await server.wait_closed()

    asyncio.run(main())


class Client:
    """A minimal HTTP/2 client: the h2 library's client side on asyncio streams."""

    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, conn: h2.connection.H2Connection
    ) -> None:
        self.reader, self.writer, self.conn = reader, writer, conn
        self.responses: dict[int, tuple[list[tuple[bytes, bytes]], bytearray, bool]] = {}

    @classmethod
    async def prior_knowledge(cls, port: int) -> Client:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True, header_encoding=None))
        conn.initiate_connection()
        writer.write(conn.data_to_send())
        return cls(reader, writer, conn)

    def request(self, method: str, path: str, body: bytes = b"") -> int:
        stream_id = self.conn.get_next_available_stream_id()
        headers = [
            (":method", method),
            (":path", path),
            (":scheme", "http"),
            (":authority", "example.test:81"),
        ]
        self.conn.send_headers(stream_id, headers, end_stream=not body)
        if body:
            self.conn.send_data(stream_id, body, end_stream=True)
        self.writer.write(self.conn.data_to_send())
        return stream_id

    async def wait(self, *stream_ids: int) -> None:
        while not all(self.responses.get(s, ([], b"", False))[2] for s in stream_ids):
            data = await self.reader.read(65536)
            assert data, "the server closed the connection"
            for event in self.conn.receive_data(data):
                if isinstance(event, h2.events.ResponseReceived):
                    self.responses[event.stream_id] = (list(event.headers), bytearray(), False)
                elif isinstance(event, h2.events.DataReceived):
                    self.responses[event.stream_id][1].extend(event.data)
                    self.conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
                elif isinstance(event, h2.events.StreamEnded):
                    headers, body, _ = self.responses[event.stream_id]
                    self.responses[event.stream_id] = (headers, body, True)
            self.writer.write(self.conn.data_to_send())

    def answer(self, stream_id: int) -> tuple[dict[bytes, bytes], bytes]:
        headers, body, _ = self.responses[stream_id]
        return dict(headers), bytes(body)

    def close(self) -> None:
        self.writer.close()


def test_prior_knowledge_streams_answer_concurrently() -> None:
    async def scenario(port: int) -> None:
        client = await Client.prior_knowledge(port)
        try:
            slow = client.request("GET", "/slow")
            fast = client.request("POST", "/echo?q=1", b"abc")
            await client.wait(fast)
            assert slow not in client.responses or not client.responses[slow][2]  # not in order
            headers, body = client.answer(fast)
            assert headers[b":status"] == b"201" and headers[b"x-a"] == b"1"
            assert b"connection" not in headers and b"transfer-encoding" not in headers
            assert body == b"POST /echo?q=1 v=2.0 host=None authority=example.test:81 len=3"
            await client.wait(slow)
            big, streamed = client.request("GET", "/big"), client.request("GET", "/stream")
            await client.wait(big, streamed)
            assert client.answer(big)[1] == b"x" * BIG
            assert client.answer(streamed)[1] == b"one two three"
        finally:
            client.close()

    run(scenario)


def test_h2c_upgrade_answers_the_request_as_stream_1() -> None:
    async def scenario(port: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True, header_encoding=None))
        settings = conn.initiate_upgrade_connection().decode("ascii")
        writer.write(
            b"GET /up HTTP/1.1\r\nHost: h:1\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
            + f"HTTP2-Settings: {settings}\r\n\r\n".encode()
        )
        head = await reader.readuntil(b"\r\n\r\n")
        assert head == b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n"
        writer.write(conn.data_to_send())  # the client preface, now
        client = Client(reader, writer, conn)
        try:
            await client.wait(1)
            headers, body = client.answer(1)
            assert headers[b":status"] == b"201"
            assert body == b"GET /up v=1.1 host=h:1 authority=None len=0"
            # The connection goes on in HTTP/2.
            second = client.request("GET", "/after")
            await client.wait(second)
            assert client.answer(second)[1].startswith(b"GET /after v=2.0")
        finally:
            client.close()

    run(scenario)


def test_h2c_upgrade_with_a_body_stays_http1() -> None:
    async def scenario(port: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            b"POST /b HTTP/1.1\r\nHost: h\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
            b"HTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\nContent-Length: 3\r\n\r\nabc"
        )
        head = await reader.readuntil(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 201 ")
        writer.close()

    run(scenario)


def test_a_garbled_preface_is_not_http2() -> None:
    async def scenario(port: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n")
        head = await asyncio.wait_for(reader.read(100), 5)
        assert head.startswith(b"HTTP/1.1 400")
        writer.close()

    run(scenario)


def _curl_has_http2() -> bool:
    curl = shutil.which("curl")
    return curl is not None and "HTTP2" in subprocess.run([curl, "-V"], capture_output=True, text=True).stdout


@pytest.mark.skipif(not _curl_has_http2(), reason="needs curl with HTTP/2")
@pytest.mark.parametrize("flag", ["--http2-prior-knowledge", "--http2"])
def test_curl_over_h2c(flag: str) -> None:
    async def scenario(port: int) -> None:
        proc = await asyncio.create_subprocess_exec(
            "curl",
            "-s",
            "-i",
            flag,
            "--max-time",
            "10",
            f"http://127.0.0.1:{port}/c?x=1",
            stdout=asyncio.subprocess.PIPE,
        )
        out, _ = await proc.communicate()
        assert b"HTTP/2 201" in out and b"x-a: 1" in out
        version = b"2.0" if "prior" in flag else b"1.1"  # an upgraded request came as HTTP/1.1
        assert b"\r\n\r\nGET /c?x=1 v=" + version in out

    run(scenario)


def test_a_body_over_the_limit_is_413_on_its_stream() -> None:
    async def scenario(port: int) -> None:
        client = await Client.prior_knowledge(port)
        try:
            big = client.request("POST", "/echo", b"y" * 100)
            await client.wait(big)
            headers, body = client.answer(big)
            assert headers[b":status"] == b"413" and body == b"Request Entity Too Large"
            small = client.request("POST", "/echo", b"y" * 10)  # the connection goes on
            await client.wait(small)
            assert client.answer(small)[0][b":status"] == b"201"
        finally:
            client.close()

    async def main() -> None:
        server = await serve(handler, "127.0.0.1", 0, h2=True, limits=Limits(max_body_bytes=50))
        try:
            await asyncio.wait_for(scenario(server.port), 20)
        finally:
            await server.wait_closed()

    asyncio.run(main())
