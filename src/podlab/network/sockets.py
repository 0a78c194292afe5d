"""Sockets made inside the pod network (the seam between the network and its users).

A socket keeps the network namespace it was created in, whoever holds it afterwards. So the
node process never has to enter the pod network: it asks for sockets made there (connected,
listening or bound) and uses them in its own event loop like any other socket. Users of this
seam (probes, port-forward, the Service proxy, DNS, NodePort/LoadBalancer splicing) never care
how the network is built.

`LoopbackSockets` is the network of a node that cannot make namespaces: pods own addresses on
the host's loopback (Linux routes all of 127.0.0.0/8 to `lo`, so no set-up is needed), and its
sockets are plain host sockets. Tests of the Service proxy and DNS use it as well.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from typing import Protocol


class PodNetworkSockets(Protocol):
    """Where pods and Services live, and sockets made there."""

    # "namespaces" (a network namespace per pod behind a node namespace) or "loopback".
    mode: str
    pod_cidr: ipaddress.IPv4Network
    service_cidr: ipaddress.IPv4Network

    async def connect_tcp(self, host: str, port: int, timeout: float) -> socket.socket:
        """A connected, non-blocking TCP socket to host:port in the pod network.

        Raises OSError (ConnectionRefusedError, TimeoutError, ...) as connect(2) would.
        """
        ...

    async def listen_tcp(self, host: str, port: int, backlog: int = 128) -> socket.socket:
        """A non-blocking listening TCP socket bound to host:port in the pod network."""
        ...

    async def bind_udp(self, host: str, port: int) -> socket.socket:
        """A non-blocking UDP socket bound to host:port in the pod network."""
        ...

    async def add_local_address(self, ip: str) -> None:
        """Make `ip` an address of the node itself (a ClusterIP, the DNS address)."""
        ...

    async def remove_local_address(self, ip: str) -> None: ...


async def connect(sock: socket.socket, host: str, port: int, timeout: float) -> socket.socket:
    """Connect the non-blocking `sock` on the running loop; closed if that fails."""
    try:
        await asyncio.wait_for(asyncio.get_running_loop().sock_connect(sock, (host, port)), timeout)
    except BaseException:
        sock.close()
        raise
    return sock


class LoopbackSockets:
    """The host's loopback as the pod network: every socket is an ordinary host socket."""

    mode = "loopback"

    def __init__(
        self,
        pod_cidr: ipaddress.IPv4Network = ipaddress.IPv4Network("127.244.0.0/16"),
        service_cidr: ipaddress.IPv4Network = ipaddress.IPv4Network("127.96.0.0/16"),
    ) -> None:
        self.pod_cidr = pod_cidr
        self.service_cidr = service_cidr

    async def connect_tcp(self, host: str, port: int, timeout: float) -> socket.socket:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        return await connect(sock, host, port, timeout)

    async def listen_tcp(self, host: str, port: int, backlog: int = 128) -> socket.socket:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, port))
            sock.listen(backlog)
            sock.setblocking(False)
        except BaseException:
            sock.close()
            raise
        return sock

    async def bind_udp(self, host: str, port: int) -> socket.socket:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            sock.bind((host, port))
            sock.setblocking(False)
        except BaseException:
            sock.close()
            raise
        return sock

    async def add_local_address(self, ip: str) -> None:
        # Every 127/8 address is already local.
        if not ipaddress.IPv4Address(ip).is_loopback:
            raise ValueError(f"{ip} is not a loopback address; the loopback network cannot hold it")

    async def remove_local_address(self, ip: str) -> None:
        return None
