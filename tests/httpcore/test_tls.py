"""TLS in the core: one port answers https and plain http, and upgrades work over TLS."""

from __future__ import annotations

import asyncio
import ssl

from podlab.apiserver.tls import self_signed, server_context
from podlab.httpcore import Connection, Limits, Request, Response, serve

from .conftest import echo

CERT = self_signed("127.0.0.1")


def _client_context() -> ssl.SSLContext:
    ctx = ssl.create_default_context()
    ctx.load_verify_locations(cadata=CERT.cert_pem.decode())
    return ctx


async def _handler(request: Request, connection: Connection) -> Response | None:
    if request.path == "/upgrade":
        return await echo(request, connection)
    peer = connection.peer
    return Response(200, [], f"{request.path} from {peer[0]}:{peer[1]}".encode())


def _run(scenario_tls: bool, body: bytes, expect: bytes, limits: Limits | None = None) -> bytes:
    """Send `body`, read until the answer ends with `expect` ({port}: the client's own port)."""

    async def main() -> bytes:
        server = await serve(_handler, "127.0.0.1", 0, ssl_context=server_context(CERT), limits=limits)
        try:
            reader, writer = await asyncio.open_connection(
                "127.0.0.1",
                server.port,
                ssl=_client_context() if scenario_tls else None,
                server_hostname="127.0.0.1" if scenario_tls else None,
            )
            until = expect.replace(b"{port}", b"%d" % writer.get_extra_info("sockname")[1])
            writer.write(body)
            await writer.drain()
            data = b""
            while not data.endswith(until):
                chunk = await asyncio.wait_for(reader.read(65536), timeout=10)
                if not chunk:
                    break
                data += chunk
            writer.close()
            assert data.endswith(until), data
            return data
        finally:
            await server.wait_closed()

    return asyncio.run(main())


def test_https_and_plain_http_on_one_port_see_the_real_peer() -> None:
    """The handler sees the client's own address and port: no relay in between."""
    pipelined = b"GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n"
    for tls in (True, False):
        data = _run(tls, pipelined, b"/b from 127.0.0.1:{port}")
        assert data.startswith(b"HTTP/1.1 200 OK"), (tls, data)
        assert data.index(b"/a from 127.0.0.1:") < data.index(b"/b from 127.0.0.1:")


def test_upgrade_over_tls_hands_over_the_stream() -> None:
    raw = b"GET /upgrade HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\nhello"
    data = _run(True, raw, b"HELLO")
    assert data.startswith(b"HTTP/1.1 101 Switching Protocols") and data.endswith(b"HELLO")


def test_limits_apply_over_tls() -> None:
    raw = b"GET /many HTTP/1.1\r\nHost: h\r\n" + b"X-A: b\r\n" * 200 + b"\r\n"
    data = _run(True, raw, b"Too Large")
    assert data.startswith(b"HTTP/1.1 431 Request Header Fields Too Large"), data[:100]
