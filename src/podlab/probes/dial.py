"""How a probe reaches its target: the pod's IP through the pod network, anything else directly.

kubelet dials from the node's network namespace. For podlab that means: the pod IP is reached
through the node's `PodNetworkSockets` (a socket made inside the pod network), while a probe's
explicit `host` other than the pod IP (say 127.0.0.1, the node itself) is dialled from the
node process's own network, as kubelet would.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Awaitable, Callable

from podlab.network.sockets import PodNetworkSockets

Streams = tuple[asyncio.StreamReader, asyncio.StreamWriter]
# (host, port, TLS context or None) -> connected streams; raises OSError as connect(2) does.
StreamDial = Callable[[str, int, ssl.SSLContext | None], Awaitable[Streams]]


def stream_dialer(network: PodNetworkSockets | None, pod_ip: str, timeout: float) -> StreamDial:
    async def dial(host: str, port: int, tls: ssl.SSLContext | None) -> Streams:
        if network is None or host != pod_ip:
            return await asyncio.open_connection(host, port, ssl=tls)
        sock = await network.connect_tcp(host, port, timeout)
        try:
            return await asyncio.open_connection(sock=sock, ssl=tls, server_hostname=host if tls else None)
        except BaseException:
            sock.close()
            raise

    return dial
