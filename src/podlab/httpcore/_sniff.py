"""A listener that serves TLS and plain HTTP on one port, deciding by each connection's first byte.

Why one port for both rather than TLS only: kubectl sends its bearer token only over https
(kubernetes/kubectl#744), so the API server needs TLS; but plain `curl http://127.0.0.1:PORT`
with the token worked before TLS existed and keeps working. A TLS ClientHello always starts
with the handshake record type 0x16, which no HTTP method starts with, so one peeked byte
decides, and the connection is then handed to the same protocol either way
(`connect_accepted_socket(ssl=...)`): TLS lives in the core, with no relay and no second port.
asyncio cannot start TLS on a transport that has already read bytes, hence the peek before
the transport exists.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
from collections.abc import Callable

_TLS_HANDSHAKE = b"\x16"


class SniffingListener:
    """Accepts on (host, port); each connection becomes `factory()`'s protocol, over TLS or not."""

    def __init__(
        self, factory: Callable[[], asyncio.Protocol], context: ssl.SSLContext, first_byte_timeout: float
    ) -> None:
        self._factory = factory
        self._context = context
        self._timeout = first_byte_timeout
        self._listener: socket.socket | None = None
        self._accepting: asyncio.Task[None] | None = None
        self._starting: set[asyncio.Task[None]] = set()

    async def start(self, host: str, port: int, backlog: int) -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        listener = socket.socket(family, socket.SOCK_STREAM)
        try:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((host, port))
            listener.listen(backlog)
            listener.setblocking(False)
        except OSError:
            listener.close()
            raise
        self._listener = listener
        self._accepting = asyncio.create_task(self._accept_loop())

    @property
    def sockets(self) -> tuple[socket.socket, ...]:
        return (self._listener,) if self._listener is not None else ()

    def close(self) -> None:
        if self._accepting is not None:
            self._accepting.cancel()
        for task in list(self._starting):
            task.cancel()
        if self._listener is not None:
            self._listener.close()
            self._listener = None

    async def wait_closed(self) -> None:
        self.close()
        tasks = [t for t in (self._accepting, *self._starting) if t is not None]
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _accept_loop(self) -> None:
        assert self._listener is not None
        loop = asyncio.get_running_loop()
        while True:
            conn, _ = await loop.sock_accept(self._listener)
            task = asyncio.create_task(self._start_connection(conn))
            self._starting.add(task)
            task.add_done_callback(self._starting.discard)

    async def _start_connection(self, conn: socket.socket) -> None:
        loop = asyncio.get_running_loop()
        conn.setblocking(False)
        try:
            first = await asyncio.wait_for(_peek(loop, conn), self._timeout)
            if not first:
                conn.close()
                return
            tls = first == _TLS_HANDSHAKE
            await loop.connect_accepted_socket(
                self._factory,
                conn,
                ssl=self._context if tls else None,
                ssl_handshake_timeout=self._timeout if tls else None,
            )
        except (TimeoutError, OSError, ssl.SSLError, asyncio.CancelledError):
            conn.close()


async def _peek(loop: asyncio.AbstractEventLoop, conn: socket.socket) -> bytes:
    """The first byte, left in the socket for whoever reads next."""
    readable: asyncio.Future[None] = loop.create_future()

    def ready() -> None:
        if not readable.done():
            readable.set_result(None)

    loop.add_reader(conn.fileno(), ready)
    try:
        await readable
    finally:
        with contextlib.suppress(Exception):
            loop.remove_reader(conn.fileno())
    return conn.recv(1, socket.MSG_PEEK)
