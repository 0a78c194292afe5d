"""How a probe reaches its target: the pod's IP through the pod network, anything else directly.

kubelet dials from the node's network namespace. For podlab that means: the pod IP is reached
through the node's `PodNetworkSockets` (a socket made inside the pod network), while a probe's
explicit `host` other than the pod IP (say 127.0.0.1, the node itself) is dialled from the
node process's own network, as kubelet would. Any address in the pod or Service range goes
through the seam too: those ranges exist only inside podlab's namespaces, and dialled from the
host they would leave through its default route.
"""

from __future__ import annotations

import asyncio
import ipaddress
import ssl
from collections.abc import Awaitable, Callable

from podlab.network.sockets import PodNetworkSockets

Streams = tuple[asyncio.StreamReader, asyncio.StreamWriter]
# (host, port, TLS context or None) -> connected streams; raises OSError as connect(2) does.
StreamDial = Callable[[str, int, ssl.SSLContext | None], Awaitable[Streams]]


def stream_dialer(network: PodNetworkSockets | None, pod_ip: str, timeout: float) -> StreamDial:
    async def dial(host: str, port: int, tls: ssl.SSLContext | None) -> Streams:
        if network is None or not _in_pod_network(network, host, pod_ip):
            return await asyncio.open_connection(host, port, ssl=tls)
        sock = await network.connect_tcp(host, port, timeout)
        try:
            return await asyncio.open_connection(sock=sock, ssl=tls, server_hostname=host if tls else None)
        except BaseException:
            sock.close()
            raise

    return dial


def _in_pod_network(network: PodNetworkSockets, host: str, pod_ip: str) -> bool:
    if host == pod_ip:
        return True
    try:
        address = ipaddress.IPv4Address(host)
    except ValueError:
        return False  # a name: the node resolves and dials it from its own network
    return address in network.pod_cidr or address in network.service_cidr
