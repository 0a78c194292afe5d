"""Starting and stopping a listening HTTP server."""

from __future__ import annotations

import asyncio

from ._protocol import Handler, _HttpProtocol


class Server:
    """A listening server; `port` is the bound port (useful with port=0)."""

    def __init__(self, server: asyncio.Server, host: str, connections: set[_HttpProtocol]) -> None:
        self._server = server
        self._connections = connections
        self.host = host
        sockets = server.sockets or ()
        self.port: int = int(sockets[0].getsockname()[1]) if sockets else 0

    def close(self) -> None:
        self._server.close()

    async def wait_closed(self) -> None:
        self._server.close()
        # Connections held open by clients (keep-alive, watches) must not block shutdown:
        # since Python 3.12 wait_closed() waits for every one of them.
        for connection in list(self._connections):
            connection.close_transport()
        await self._server.wait_closed()


async def serve(
    handler: Handler,
    host: str,
    port: int,
    *,
    max_body_bytes: int = 64 << 20,
    idle_timeout: float = 300.0,
) -> Server:
    """Listen on host:port and run `handler` for each request."""
    loop = asyncio.get_running_loop()
    connections: set[_HttpProtocol] = set()
    server = await loop.create_server(
        lambda: _HttpProtocol(
            handler, max_body_bytes=max_body_bytes, idle_timeout=idle_timeout, registry=connections
        ),
        host=host,
        port=port,
        reuse_address=True,
        backlog=1024,
    )
    return Server(server, host, connections)


def install_uvloop() -> bool:
    """Use uvloop's event loop policy when it is installed; returns whether it is."""
    try:
        import uvloop
    except ImportError:
        return False
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    return True
