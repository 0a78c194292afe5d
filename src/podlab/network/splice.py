"""Copy bytes both ways between two connections until both directions end.

`splice` joins two raw sockets (the Service proxy accepts and dials raw sockets);
`splice_streams` joins two asyncio stream pairs (hostPort servers run on asyncio.start_server).

Back-pressure comes from the order of the awaits: a chunk is read only after the previous one
was fully written (`sock_sendall`), so a slow reader stalls its writer instead of filling memory.
A FIN is passed on as a FIN (shutdown of the write side), so half-closed protocols (HTTP/1.0
clients, `nc -q`) keep working; a reset on either side ends both.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket

CHUNK = 64 * 1024


async def _pump(src: socket.socket, dst: socket.socket) -> None:
    loop = asyncio.get_running_loop()
    buffer = bytearray(CHUNK)
    view = memoryview(buffer)
    while True:
        n = await loop.sock_recv_into(src, buffer)
        if n == 0:
            with contextlib.suppress(OSError):
                dst.shutdown(socket.SHUT_WR)
            return
        await loop.sock_sendall(dst, view[:n])


async def splice(a: socket.socket, b: socket.socket) -> None:
    """Relay a <-> b; both sockets are closed when this returns (or is cancelled)."""
    try:
        forward = asyncio.ensure_future(_pump(a, b))
        backward = asyncio.ensure_future(_pump(b, a))
        try:
            # Returns once both directions ended, or at the first error (a reset on one side
            # leaves the other direction nothing to say).
            await asyncio.wait((forward, backward), return_when=asyncio.FIRST_EXCEPTION)
        finally:
            for task in (forward, backward):
                task.cancel()
            for task in (forward, backward):
                with contextlib.suppress(asyncio.CancelledError, OSError):
                    await task
    finally:
        a.close()
        b.close()


async def _copy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while chunk := await reader.read(CHUNK):
            writer.write(chunk)
            await writer.drain()  # back-pressure: read no more until the other side took it
        if writer.can_write_eof():
            writer.write_eof()
    except (OSError, RuntimeError):
        # A reset (or a transport closed under us, where uvloop raises RuntimeError): the
        # other direction cannot go on meaningfully either.
        writer.transport.abort()


async def splice_streams(
    a: tuple[asyncio.StreamReader, asyncio.StreamWriter], b: tuple[asyncio.StreamReader, asyncio.StreamWriter]
) -> None:
    """Copy a->b and b->a until both ends are done, then close both connections."""
    try:
        await asyncio.gather(_copy(a[0], b[1]), _copy(b[0], a[1]))
    finally:
        for writer in (a[1], b[1]):
            with contextlib.suppress(OSError, RuntimeError):
                writer.close()
