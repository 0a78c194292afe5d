"""Join two TCP connections: bytes both ways, each direction ending on its own (half-close).

A FIN from one side becomes a FIN (shutdown of writing) towards the other, so a client that
half-closes after its request (`nc -q`, HTTP/1.0 tools) still gets the answer; the pair closes
once both directions have ended, or at once if either side resets.
"""

from __future__ import annotations

import asyncio
import contextlib

_READ_SIZE = 64 * 1024


async def _copy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while chunk := await reader.read(_READ_SIZE):
            writer.write(chunk)
            await writer.drain()
        if writer.can_write_eof():
            writer.write_eof()
    except (OSError, RuntimeError):
        # A reset (or a transport closed under us, where uvloop raises RuntimeError): the
        # other direction cannot go on meaningfully either.
        writer.transport.abort()


async def splice(
    a: tuple[asyncio.StreamReader, asyncio.StreamWriter], b: tuple[asyncio.StreamReader, asyncio.StreamWriter]
) -> None:
    """Copy a->b and b->a until both ends are done, then close both connections."""
    try:
        await asyncio.gather(_copy(a[0], b[1]), _copy(b[0], a[1]))
    finally:
        for writer in (a[1], b[1]):
            with contextlib.suppress(OSError, RuntimeError):
                writer.close()
