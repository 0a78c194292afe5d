"""Wire limits against real sockets: header deadline, head size and count, pipelining back-pressure."""

from __future__ import annotations

import asyncio
import time

from podlab.httpcore import Connection, Limits, Request, Response, Server, serve

from .conftest import exchange, run


async def _ok(request: Request, connection: Connection) -> Response | None:
    return Response(200, [], f"{request.path} headers={len(request.headers)}".encode())


async def _read_until_closed(reader: asyncio.StreamReader, timeout: float = 10) -> bytes:
    data = b""
    deadline = time.monotonic() + timeout
    while chunk := await asyncio.wait_for(reader.read(65536), timeout=max(0.01, deadline - time.monotonic())):
        data += chunk
    return data


def test_partial_head_is_answered_408_and_closed_at_the_header_timeout() -> None:
    async def scenario(port: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /slow HTTP/1.1\r\nHost: h\r\nX-Part: ")
        await writer.drain()
        started = time.monotonic()
        data = await _read_until_closed(reader)
        elapsed = time.monotonic() - started
        assert data.startswith(b"HTTP/1.1 408 Request Timeout\r\n"), data
        assert b"Connection: close" in data
        assert 0.2 < elapsed < 5, elapsed
        writer.close()

    run(_ok, scenario, Limits(header_timeout=0.3))


def test_dripping_a_head_byte_by_byte_does_not_extend_the_deadline() -> None:
    async def scenario(port: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        answer = asyncio.create_task(_read_until_closed(reader))
        head = b"GET /drip HTTP/1.1\r\nHost: h\r\n" + b"X-Long: " + b"a" * 200
        started = time.monotonic()
        for byte in head:  # one byte every 20 ms would take 4 s, far past the 0.5 s deadline
            if answer.done():
                break
            writer.write(bytes([byte]))
            await asyncio.sleep(0.02)
        data = await answer
        assert data.startswith(b"HTTP/1.1 408"), data
        assert time.monotonic() - started < 2.5
        writer.close()

    run(_ok, scenario, Limits(header_timeout=0.5))


def test_keep_alive_idle_is_not_the_header_timeout() -> None:
    """Between requests the idle timeout applies; the short header timeout only within a head."""

    async def scenario(port: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for path in (b"/one", b"/two"):
            writer.write(b"GET " + path + b" HTTP/1.1\r\nHost: h\r\n\r\n")
            await writer.drain()
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=5)
            assert head.startswith(b"HTTP/1.1 200"), head
            length = int(head.split(b"Content-Length: ")[1].split(b"\r\n")[0])
            await asyncio.wait_for(reader.readexactly(length), timeout=5)
            await asyncio.sleep(0.6)  # idle for twice the header timeout: still open
        writer.close()

    run(_ok, scenario, Limits(header_timeout=0.3, idle_timeout=30))


def test_ten_megabytes_of_headers_get_431_and_close() -> None:
    async def scenario(port: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /big HTTP/1.1\r\nHost: h\r\n")
        line = b"X-Filler: " + b"f" * 1000 + b"\r\n"
        try:
            for _ in range(10 * 1024):  # 10 MiB; the server discards what follows its answer
                writer.write(line)
                await asyncio.wait_for(writer.drain(), timeout=10)
            writer.write(b"\r\n")
            writer.write_eof()
        except ConnectionError:
            pass  # the server may close once it has answered; the answer is still readable
        data = await _read_until_closed(reader)
        assert data.startswith(b"HTTP/1.1 431 Request Header Fields Too Large\r\n"), data[:200]
        assert b"Connection: close" in data
        writer.close()

    run(_ok, scenario)


def test_a_hundred_thousand_headers_get_431_by_count() -> None:
    async def scenario(port: int) -> None:
        raw = b"GET /many HTTP/1.1\r\nHost: h\r\n" + b"X-A: b\r\n" * 100_000 + b"\r\n"
        data = await exchange(port, raw)
        assert data.startswith(b"HTTP/1.1 431 Request Header Fields Too Large\r\n"), data[:200]

    # Bytes allowed in plenty, so that the count is what refuses the request.
    run(_ok, scenario, Limits(max_header_bytes=64 << 20))


def test_heads_within_the_limits_are_served() -> None:
    async def scenario(port: int) -> None:
        many = b"".join(b"X-H%d: v\r\n" % i for i in range(99))  # + Host = 100, the limit
        data = await exchange(
            port, b"GET /many HTTP/1.1\r\nHost: h\r\n" + many + b"Connection: close\r\n\r\n"
        )
        assert data.startswith(b"HTTP/1.1 431")  # 101 headers with Connection
        data = await exchange(port, b"GET /many HTTP/1.1\r\nHost: h\r\n" + many + b"\r\n", until=b"=100")
        assert data.startswith(b"HTTP/1.1 200") and data.endswith(b"headers=100"), data[-100:]
        big = b"X-Big: " + b"b" * (60 << 10) + b"\r\n"  # 60 KiB, under the 64 KiB default
        data = await exchange(port, b"GET /big HTTP/1.1\r\nHost: h\r\n" + big + b"Connection: close\r\n\r\n")
        assert data.startswith(b"HTTP/1.1 200"), data[:100]

    run(_ok, scenario)


def test_slow_loris_connections_do_not_starve_a_normal_client() -> None:
    async def scenario(port: int) -> None:
        loris = []
        for _ in range(500):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"GET / HTTP/1.1\r\nHost: h\r\nX-Slow: ")
            loris.append((reader, writer))
        await asyncio.gather(*(w.drain() for _, w in loris))
        started = time.monotonic()
        data = await exchange(port, b"GET /normal HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
        assert data.startswith(b"HTTP/1.1 200") and data.endswith(b"/normal headers=2")
        assert time.monotonic() - started < 2
        # ...and the held connections are all answered 408 and closed at the deadline.
        answers = await asyncio.gather(*(_read_until_closed(r, timeout=20) for r, _ in loris))
        assert all(a.startswith(b"HTTP/1.1 408") for a in answers)
        for _, writer in loris:
            writer.close()

    run(_ok, scenario, Limits(header_timeout=2))


def test_pipelined_flood_is_read_only_as_fast_as_it_is_answered() -> None:
    """10,000 pipelined requests, responses unread: the server's queue stays small; all answered in order."""
    count = 10_000
    most_queued = 0
    server: Server | None = None

    async def handler(request: Request, connection: Connection) -> Response | None:
        nonlocal most_queued
        assert server is not None
        most_queued = max(most_queued, server.queued_requests())
        await asyncio.sleep(0)
        return Response(200, [], request.path.encode())

    async def main() -> None:
        nonlocal server
        server = await serve(handler, "127.0.0.1", 0)
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
            writer.write(b"".join(b"GET /%d HTTP/1.1\r\nHost: h\r\n\r\n" % i for i in range(count)))
            await asyncio.wait_for(writer.drain(), timeout=30)
            for i in range(count):
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=10)
                length = int(head.split(b"Content-Length: ")[1].split(b"\r\n")[0])
                assert await reader.readexactly(length) == b"/%d" % i
            writer.close()
        finally:
            await server.wait_closed()

    asyncio.run(main())
    # 16 queued plus what one 4 KiB parser slice holds (~150 of these requests); unbounded it
    # would be thousands (a single read can carry 256 KiB of them).
    assert 0 < most_queued <= 200, most_queued
