"""The HTTP core against raw sockets: framing, keep-alive, pipelining, streaming, faults, upgrades."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httptools
import pytest

from podlab.httpcore import Connection, Handler, Limits, Request, Response, serve
from podlab.httpcore._protocol import _HttpProtocol

from .conftest import echo as _echo
from .conftest import exchange as _exchange
from .conftest import run


def test_content_length_and_no_date_or_server_header() -> None:
    async def scenario(port: int) -> None:
        data = await _exchange(port, b"GET /a%20b?x=1 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
        head, _, body = data.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200 OK\r\n")
        assert b"Content-Length: %d" % len(body) in head
        assert b"Date:" not in head and b"Server:" not in head
        assert body == b"GET /a%20b q=x=1 len=0"

    run(_echo, scenario)


def test_keep_alive_and_pipelining_answer_in_order() -> None:
    async def scenario(port: int) -> None:
        raw = (
            b"GET /first HTTP/1.1\r\nHost: h\r\n\r\n"
            b"POST /second HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc"
            b"GET /third HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
        )
        data = await _exchange(port, raw)
        assert data.count(b"HTTP/1.1 200 OK") == 3
        first, second, third = (data.index(p) for p in (b"/first", b"/second", b"/third"))
        assert first < second < third
        assert b"POST /second q= len=3" in data

    run(_echo, scenario)


def test_answers_given_at_once_and_awaited_keep_their_order() -> None:
    """A handler may answer with a Response at once (written without a task) or with an
    awaitable; pipelined requests mixing both (and a streamed body) are answered in order."""

    async def later(request: Request) -> Response:
        await asyncio.sleep(0.02)
        return Response(200, [], f"later {request.path}".encode())

    def handler(request: Request, connection: Connection) -> Response | Awaitable[Response | None]:
        if request.path.startswith("/later"):
            return later(request)
        if request.path == "/fails":
            raise RuntimeError("handler bug")
        if request.path == "/stream":
            return _echo(request, connection)
        return Response(200, [], f"now {request.path}".encode())

    async def scenario(port: int) -> None:
        paths = ["/now1", "/later1", "/now2", "/fails", "/stream", "/now3", "/later2", "/now4"]
        raw = b"".join(f"GET {p} HTTP/1.1\r\nHost: h\r\n\r\n".encode() for p in paths[:-1])
        raw += b"GET /now4 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
        data = await _exchange(port, raw)
        assert data.count(b"HTTP/1.1 200 OK") == 7
        assert data.count(b"HTTP/1.1 500 Internal Server Error") == 1
        marks = [b"now /now1", b"later /later1", b"now /now2", b"Internal Server Error\r\n", b"three"]
        marks += [b"now /now3", b"later /later2", b"now /now4"]
        at = [data.index(mark) for mark in marks]
        assert at == sorted(at)

    _run_with(handler, scenario)


def test_chunked_request_body_is_reassembled() -> None:
    async def scenario(port: int) -> None:
        raw = (
            b"POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
        )
        assert b"len=5" in await _exchange(port, raw)

    run(_echo, scenario)


def test_async_iterator_body_is_streamed_chunked() -> None:
    async def scenario(port: int) -> None:
        data = await _exchange(port, b"GET /stream HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
        head, _, body = data.partition(b"\r\n\r\n")
        assert b"Transfer-Encoding: chunked" in head
        assert body == b"4\r\none \r\n4\r\ntwo \r\n5\r\nthree\r\n0\r\n\r\n"

    run(_echo, scenario)


def test_head_has_length_but_no_body() -> None:
    async def scenario(port: int) -> None:
        data = await _exchange(port, b"HEAD /h HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
        head, _, body = data.partition(b"\r\n\r\n")
        assert b"Content-Length: 16" in head
        assert body == b""

    run(_echo, scenario)


def test_abort_sends_reset() -> None:
    async def scenario(port: int) -> None:
        def blocking() -> None:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
                sock.sendall(b"GET /reset HTTP/1.1\r\nHost: h\r\n\r\n")
                with pytest.raises(ConnectionResetError):
                    while sock.recv(1024):
                        pass

        await asyncio.to_thread(blocking)

    run(_echo, scenario)


def test_malformed_request_gets_400_and_server_lives_on() -> None:
    async def scenario(port: int) -> None:
        data = await _exchange(port, b"NOT HTTP AT ALL\r\n\r\n")
        assert data.startswith(b"HTTP/1.1 400")
        ok = await _exchange(port, b"GET /x HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
        assert ok.startswith(b"HTTP/1.1 200")

    run(_echo, scenario)


def test_oversized_body_gets_413() -> None:
    async def scenario(port: int) -> None:
        raw = b"POST /big HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\n" + b"x" * 100
        data = await _exchange(port, raw)
        assert data.startswith(b"HTTP/1.1 413")

    run(_echo, scenario, Limits(max_body_bytes=10))


def test_upgrade_hands_over_the_socket() -> None:
    async def scenario(port: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /upgrade HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n")
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=5)
        assert head.startswith(b"HTTP/1.1 101 Switching Protocols")
        writer.write(b"hello")
        await writer.drain()
        assert await asyncio.wait_for(reader.read(), timeout=5) == b"HELLO"
        writer.close()

    run(_echo, scenario)


def test_handler_exception_is_500() -> None:
    async def broken(request: Request, connection: Connection) -> Response | None:
        raise RuntimeError("boom")

    async def scenario(port: int) -> None:
        data = await _exchange(port, b"GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
        assert data.startswith(b"HTTP/1.1 500")

    run(broken, scenario)


def test_abrupt_disconnect_mid_stream_does_not_stop_server() -> None:
    async def endless(request: Request, connection: Connection) -> Response | None:
        if request.path == "/ok":
            return Response(200, [], b"ok")

        async def forever() -> AsyncIterator[bytes]:
            while True:
                yield b"x" * 1024
                await asyncio.sleep(0)

        return Response(200, [], forever())

    async def scenario(port: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /forever HTTP/1.1\r\nHost: h\r\n\r\n")
        await reader.read(4096)
        writer.transport.abort()
        ok = await _exchange(port, b"GET /ok HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
        assert ok.endswith(b"ok")

    run(endless, scenario)


def test_idle_keep_alive_connection_is_closed_but_a_slow_handler_is_not() -> None:
    async def slow(request: Request, connection: Connection) -> Response | None:
        if request.path == "/slow":
            await asyncio.sleep(0.6)  # longer than the idle timeout: the connection is busy, not idle
        return Response(200, [], b"ok")

    async def scenario(port: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /slow HTTP/1.1\r\nHost: h\r\n\r\n")
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=5)
        assert head.startswith(b"HTTP/1.1 200")
        assert await asyncio.wait_for(reader.readexactly(2), timeout=5) == b"ok"
        # Now idle: the server closes the keep-alive connection soon after the timeout.
        assert await asyncio.wait_for(reader.read(), timeout=5) == b""
        writer.close()

    run(slow, scenario, Limits(idle_timeout=0.3))


async def _answers(request: Request, connection: Connection) -> Response | None:
    """Echoes X-Token between brackets; /close answers with its own Connection: close; /<status>."""
    if request.path == "/close":
        return Response(400, [("Content-Length", "0"), ("Connection", "close")], b"")
    if request.path[1:].isdigit():
        return Response(int(request.path[1:]), [], b"", chunked=True)
    return Response(200, [], f"[{request.header('X-Token')}]".encode())


def test_whitespace_around_a_header_value_is_not_part_of_it() -> None:
    async def scenario(port: int) -> None:
        data = await _exchange(
            port, b"GET / HTTP/1.1\r\nHost: h\r\nX-Token: \t abc \t\r\nConnection: close\r\n\r\n"
        )
        assert data.endswith(b"\r\n\r\n[abc]")

    run(_answers, scenario)


@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize("status", [204, 304])
def test_no_body_statuses_carry_no_framing_headers(method: str, status: int) -> None:
    async def scenario(port: int) -> None:
        raw = b"%s /%d HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n" % (method.encode(), status)
        data = await _exchange(port, raw)
        assert data.startswith(b"HTTP/1.1 %d " % status) and data.endswith(b"\r\n\r\n")
        assert b"Transfer-Encoding" not in data and b"Content-Length" not in data

    run(_answers, scenario)


def test_a_response_saying_close_closes_a_keep_alive_connection() -> None:
    async def scenario(port: int) -> None:
        # Keep-alive by default; the EOF must come from the server, well before the read deadline.
        started = asyncio.get_running_loop().time()
        data = await _exchange(
            port, b"GET /close HTTP/1.1\r\nHost: h\r\n\r\nGET /after HTTP/1.1\r\nHost: h\r\n\r\n"
        )
        assert data.count(b"HTTP/1.1") == 1 and b"Connection: close" in data
        assert asyncio.get_running_loop().time() - started < 4

    run(_answers, scenario)


def test_an_http_1_0_client_never_gets_chunked() -> None:
    """RFC 9112 §6.1: a known body gets a Content-Length; a streamed one ends with the connection."""

    async def scenario(port: int) -> None:
        known = await _exchange(port, b"GET /200 HTTP/1.0\r\n\r\n")
        head, _, body = known.partition(b"\r\n\r\n")
        assert b"Transfer-Encoding" not in head and b"Content-Length: 0" in head and body == b""
        streamed = await _exchange(port, b"GET /stream HTTP/1.0\r\n\r\n")
        head, _, body = streamed.partition(b"\r\n\r\n")
        assert b"Transfer-Encoding" not in head and b"Content-Length" not in head
        assert body == b"one two three"

    async def both(request: Request, connection: Connection) -> Response | None:
        if request.path == "/stream":
            return await _echo(request, connection)
        return await _answers(request, connection)

    run(both, scenario)


def _run_with(handler: Handler, scenario: Callable[[int], Awaitable[None]], **options: Any) -> None:
    async def main() -> None:
        server = await serve(handler, "127.0.0.1", 0, **options)
        try:
            await scenario(server.port)
        finally:
            await server.wait_closed()

    asyncio.run(main())


H2C = b"Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n"


def test_declined_upgrade_is_served_as_http11_with_its_body() -> None:
    """An Upgrade the server takes no connection over for: body read, connection kept (the
    JDK HttpClient's `Upgrade: h2c`). llhttp alone would skip the body."""

    async def scenario(port: int) -> None:
        raw = (
            b"POST /a HTTP/1.1\r\nHost: h\r\n" + H2C + b"Content-Length: 5\r\n\r\nhello"
            b"POST /b HTTP/1.1\r\nHost: h\r\n"
            + H2C
            + b"Transfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n"
            b"GET /c HTTP/1.1\r\nHost: h\r\nConnection: Upgrade, close\r\nUpgrade: h2c\r\n\r\n"
        )
        data = await _exchange(port, raw)
        assert data.count(b"HTTP/1.1 200 OK") == 3
        assert b"POST /a q= len=5" in data and b"POST /b q= len=2" in data and b"GET /c q= len=0" in data

    _run_with(_echo, scenario, upgrades=frozenset({"echo"}))


def test_upgrade_the_server_takes_still_hands_over_the_socket() -> None:
    async def scenario(port: int) -> None:
        raw = b"GET /upgrade HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: echo/1\r\n\r\nhello"
        data = await _exchange(port, raw)
        assert data.startswith(b"HTTP/1.1 101 Switching Protocols") and data.endswith(b"HELLO")

    _run_with(_echo, scenario, upgrades=frozenset({"echo"}))


def test_any_case_methods_reach_the_handler_as_sent() -> None:
    async def seen(request: Request, connection: Connection) -> Response | None:
        return Response(200, [], f"{request.method} {len(request.body)}".encode())

    async def scenario(port: int) -> None:
        assert (await _exchange(port, b"get / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")).endswith(
            b"get 0"
        )
        raw = b"pOsT / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\nConnection: close\r\n\r\nab"
        assert (await _exchange(port, raw)).endswith(b"pOsT 2")

    _run_with(seen, scenario, any_case_methods=True)


def test_any_case_method_split_over_two_reads() -> None:
    """Fed to the protocol directly: whether a socket delivers "ge" alone is up to the kernel."""

    async def main() -> list[str]:
        methods: list[str] = []

        def record(request: Request, connection: Connection) -> Response:
            methods.append(request.method)
            return Response(204)

        protocol = _HttpProtocol(record, limits=Limits(), registry=set(), any_case_methods=True)
        protocol.data_received(b"ge")
        protocol.data_received(b"t / HTTP/1.1\r\nHost: h\r\n\r\n")
        return methods

    assert asyncio.run(main()) == ["get"]


def test_lowercase_method_is_a_400_by_default() -> None:
    async def scenario(port: int) -> None:
        data = await _exchange(port, b"get / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
        assert data.startswith(b"HTTP/1.1 400")

    _run_with(_echo, scenario)


@pytest.mark.parametrize("host", ["127.0.0.1", "::1"])
def test_an_address_is_bound_as_the_loop_binds_a_name(host: str) -> None:
    """An IP address is bound without the loop's getaddrinfo (_bind_numeric): the server
    answers there, the socket is the address's family (IPv6 only for an IPv6 address, as the
    loops set it), and a port in use fails with the loop's own words, errno kept, as when the
    loop resolves the address itself."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        probe = socket.socket(family, socket.SOCK_STREAM)
        probe.bind((host, 0))
        probe.close()
    except OSError:
        pytest.skip(f"no {host} on this machine")

    async def main() -> None:
        server = await serve(_echo, host, 0)
        try:
            listening = server._listener.sockets[0]
            assert listening.family == family
            if family == socket.AF_INET6:
                assert listening.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY) == 1
            reader, writer = await asyncio.open_connection(host, server.port)
            writer.write(b"GET /x HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
            data = await asyncio.wait_for(reader.read(), timeout=5)
            writer.close()
            assert data.startswith(b"HTTP/1.1 200 OK\r\n") and data.endswith(b"GET /x q= len=0")

            errors = []
            with pytest.raises(OSError) as caught:
                await serve(_echo, host, server.port)
            errors.append((caught.value.errno, caught.value.strerror))
            loop = asyncio.get_running_loop()
            with pytest.raises(OSError) as caught:  # the loop's own getaddrinfo and bind
                await loop.create_server(asyncio.Protocol, host=host, port=server.port, reuse_address=True)
            errors.append((caught.value.errno, caught.value.strerror))
            assert errors[0] == errors[1]
            assert errors[0][1].startswith("error while attempting to bind on address (")
            assert errors[0][1].endswith(": address already in use")
        finally:
            await server.wait_closed()

    asyncio.run(main())


def test_a_finished_connection_leaves_no_garbage_for_the_cyclic_collector() -> None:
    """Each closed connection is freed by reference counting: the stub runs the cyclic collector
    rarely (cli._tune_gc), and a kubelet probe opens a connection per period, so anything left
    in a cycle (the parser's callbacks are bound methods of the protocol) piles up as memory
    (~7 KB a connection, 15 MB and more before a collection). Also for a connection closed by
    the client while its handler still runs."""
    import gc

    async def slow(request: Request, connection: Connection) -> Response | None:
        if request.path == "/slow":
            await asyncio.sleep(0.2)
        return await _echo(request, connection)

    async def scenario(port: int) -> None:
        await _exchange(port, b"GET /warm HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
        gc.collect()
        gc.disable()
        try:
            for _i in range(30):
                data = await _exchange(port, b"GET /x HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
                assert data.startswith(b"HTTP/1.1 200 OK\r\n")
                data = await _exchange(port, b"GET /y HTTP/1.1\r\nHost: h\r\n\r\n", until=b"len=0")
                assert data.endswith(b"len=0")  # the client closes a keep-alive connection
            for _i in range(5):  # the client leaves while the handler is busy
                _reader, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.write(b"GET /slow HTTP/1.1\r\nHost: h\r\n\r\n")
                await writer.drain()
                writer.close()
            await asyncio.sleep(0.5)  # the slow handlers finish
            gc.set_debug(gc.DEBUG_SAVEALL)  # what the collector finds stays in gc.garbage
            gc.collect()
            left = [
                type(o).__name__
                for o in gc.garbage
                if isinstance(o, _HttpProtocol | httptools.HttpRequestParser)
            ]
        finally:
            gc.set_debug(0)
            gc.garbage.clear()
            gc.enable()
        assert left == []

    run(slow, scenario)
