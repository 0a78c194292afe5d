"""Helpers for the HTTP core tests: every test runs a real server on both event loops."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from podlab.httpcore import Connection, Limits, Request, Response, serve

Handler = Callable[[Request, Connection], Awaitable[Response | None]]


async def echo(request: Request, connection: Connection) -> Response | None:
    """Streams at /stream, resets at /reset, upgrades to an upper-casing echo at /upgrade."""
    if request.path == "/stream":

        async def chunks() -> AsyncIterator[bytes]:
            for part in (b"one ", b"two ", b"three"):
                yield part

        return Response(200, [("Content-Type", "text/plain")], chunks())
    if request.path == "/reset":
        connection.abort()
        return None
    if request.path == "/upgrade":
        stream = await connection.upgrade(101, [("Connection", "Upgrade"), ("Upgrade", "echo")])
        data = await stream.read()
        stream.write(data.upper())
        await stream.drain()
        stream.close()
        return None
    body = f"{request.method} {request.path} q={request.query} len={len(request.body)}".encode()
    return Response(200, [("X-Seen-Host", request.header("host") or "")], body)


async def exchange(port: int, raw: bytes, *, until: bytes | None = None) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(raw)
    await writer.drain()
    data = b""
    try:
        while True:
            chunk = await asyncio.wait_for(reader.read(65536), timeout=5)
            if not chunk:
                break
            data += chunk
            if until is not None and data.count(until) >= 1 and data.endswith(until):
                break
    finally:
        writer.close()
    return data


@pytest.fixture(autouse=True)
def _every_loop(event_loop_kind: str) -> str:
    """Every test runs on both loops (tests/conftest.py): uvloop's transports differ from asyncio's."""
    return event_loop_kind


def run(handler: Handler, scenario: Callable[[int], Awaitable[None]], limits: Limits | None = None) -> None:
    """Serve `handler` on a free port within `limits`, run `scenario(port)`, stop."""

    async def main() -> None:
        server = await serve(handler, "127.0.0.1", 0, limits=limits)
        try:
            await scenario(server.port)
        finally:
            await server.wait_closed()

    asyncio.run(main())
