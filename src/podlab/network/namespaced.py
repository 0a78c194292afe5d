"""`PodNetworkSockets` over the network helper: sockets made in the node network namespace.

connect_tcp is on every probe's path, so it must not cost a helper round trip: the helper
hands out unconnected TCP sockets in batches, and the node connects them itself, non-blocking,
in its own event loop (an unconnected socket already belongs to the node netns; connect(2)
routes in the namespace the socket was made in). A batch is refilled when it runs out.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import socket
from collections import deque

from podlab.network import links
from podlab.network.channel import HelperChannel
from podlab.network.sockets import connect

# Sockets per refill: one helper round trip per BATCH dials (a probe each second per
# container makes ~1 dial/s; a burst of port-forward connections a few dozen).
BATCH = 32


class NamespacedSockets:
    """Sockets inside podlab's node network namespace (pods behind its bridge, Services on its lo)."""

    mode = "namespaces"

    def __init__(self, channel: HelperChannel) -> None:
        self._channel = channel
        self.pod_cidr: ipaddress.IPv4Network = links.POD_CIDR
        self.service_cidr: ipaddress.IPv4Network = links.SERVICE_CIDR
        self._spare: deque[socket.socket] = deque()
        self._refill = asyncio.Lock()

    async def connect_tcp(self, host: str, port: int, timeout: float) -> socket.socket:
        return await connect(await self._unconnected(), host, port, timeout)

    async def _unconnected(self) -> socket.socket:
        while not self._spare:
            async with self._refill:
                if self._spare:
                    break
                _, fds = await self._channel.call("tcp_sockets", count=BATCH)
                for fd in fds:
                    sock = socket.socket(fileno=fd)
                    sock.setblocking(False)
                    self._spare.append(sock)
        return self._spare.popleft()

    async def listen_tcp(self, host: str, port: int, backlog: int = 128) -> socket.socket:
        _, fds = await self._channel.call("listen_tcp", host=host, port=port, backlog=backlog)
        return _adopt(fds)

    async def bind_udp(self, host: str, port: int) -> socket.socket:
        _, fds = await self._channel.call("bind_udp", host=host, port=port)
        return _adopt(fds)

    async def add_local_address(self, ip: str) -> None:
        await self._channel.call("addr_add", ip=ip)

    async def remove_local_address(self, ip: str) -> None:
        await self._channel.call("addr_del", ip=ip)

    def close(self) -> None:
        while self._spare:
            self._spare.popleft().close()


def _adopt(fds: list[int]) -> socket.socket:
    socks = [socket.socket(fileno=fd) for fd in fds]
    for extra in socks[1:]:
        with contextlib.suppress(OSError):
            extra.close()
    if not socks:
        raise OSError("the network helper sent no socket")
    socks[0].setblocking(False)
    return socks[0]
