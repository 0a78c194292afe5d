"""Starting and stopping a listening HTTP server."""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import Sequence
from typing import Any, Protocol

from ._limits import Limits
from ._protocol import Handler, _HttpProtocol
from ._sniff import SniffingListener


class _Listener(Protocol):
    @property
    def sockets(self) -> Sequence[Any]: ...

    def close(self) -> None: ...

    async def wait_closed(self) -> None: ...


class Server:
    """A listening server; `port` is the bound port (useful with port=0)."""

    def __init__(self, listener: _Listener, host: str, connections: set[_HttpProtocol]) -> None:
        self._listener = listener
        self._connections = connections
        self.host = host
        sockets = listener.sockets or ()
        self.port: int = int(sockets[0].getsockname()[1]) if sockets else 0

    def queued_requests(self) -> int:
        """Requests read but not yet answered, over all connections (bounded per connection)."""
        return sum(connection.queued for connection in self._connections)

    def close(self) -> None:
        self._listener.close()

    async def wait_closed(self) -> None:
        self._listener.close()
        # Connections held open by clients (keep-alive, watches) must not block shutdown:
        # since Python 3.12 wait_closed() waits for every one of them.
        for connection in list(self._connections):
            connection.close_transport()
        await self._listener.wait_closed()


async def serve(
    handler: Handler,
    host: str,
    port: int,
    *,
    ssl_context: ssl.SSLContext | None = None,
    limits: Limits | None = None,
    upgrades: frozenset[str] | None = None,
    any_case_methods: bool = False,
    plain_on_tls: bool = True,
    h2: bool = False,
) -> Server:
    """Listen on host:port and run `handler` for each request, within `limits` (defaults: Limits()).

    With `ssl_context` the port speaks TLS, and plain HTTP too (see _sniff for why) unless
    `plain_on_tls` is False (then TLS only, as a Jetty HTTPS connector). `upgrades`
    names the protocols (lower case, no version: "websocket", "spdy") the handler may take a
    connection over for; a request asking only for others is served as HTTP/1.1, body and
    keep-alive included. None (the default): any protocol, and an upgrade request has no body.
    With `any_case_methods` a method sent in lower or mixed case ("get") is read as its upper
    case and reaches the handler as sent; otherwise it is a 400, as llhttp has it.
    With `h2` the port also speaks HTTP/2 (podlab.httpcore._h2): h2c with prior knowledge or by
    `Upgrade: h2c`, and h2 over TLS when the context offers it by ALPN.
    """
    loop = asyncio.get_running_loop()
    limits = limits or Limits()
    connections: set[_HttpProtocol] = set()

    def factory() -> _HttpProtocol:
        return _HttpProtocol(
            handler,
            limits=limits,
            registry=connections,
            upgrades=upgrades,
            any_case_methods=any_case_methods,
            h2=h2,
        )

    listener: _Listener
    if ssl_context is None or not plain_on_tls:
        handshake_timeout = limits.header_timeout if ssl_context is not None else None
        bound = _bind_numeric(host, port)
        where: dict[str, Any] = (
            {"sock": bound} if bound is not None else {"host": host, "port": port, "reuse_address": True}
        )
        listener = await loop.create_server(
            factory, backlog=1024, ssl=ssl_context, ssl_handshake_timeout=handshake_timeout, **where
        )
    else:
        sniffing = SniffingListener(factory, ssl_context, first_byte_timeout=limits.header_timeout)
        await sniffing.start(host, port, backlog=1024)
        listener = sniffing
    return Server(listener, host, connections)


def _bind_numeric(host: str, port: int) -> socket.socket | None:
    """The listening socket for an IP address literal, bound as create_server(host=...) would
    bind it (SO_REUSEADDR; IPV6_V6ONLY for IPv6; the same OSError text on failure), or None for
    a name. Given a host, uvloop resolves it with getaddrinfo in libuv's thread pool even when
    it is an address: that starts the pool's four threads and imports the IDNA codec
    (stringprep, unicodedata) in every stub, for an answer known in advance."""
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            socket.inet_pton(family, host)
        except OSError:
            continue
        break
    else:
        return None
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        address = (host, port) if family == socket.AF_INET else (host, port, 0, 0)
        try:
            sock.bind(address)
        except OSError as err:
            # uvloop's (and asyncio's) words, which `podlab stub` prints after "Failed to bind".
            message = f"error while attempting to bind on address {address!r}: {(err.strerror or '').lower()}"
            raise OSError(err.errno, message) from None
    except BaseException:
        sock.close()
        raise
    return sock


def install_uvloop() -> bool:
    """Use uvloop's event loop policy when it is installed; returns whether it is."""
    try:
        import uvloop
    except ImportError:
        return False
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    return True
