"""The cluster DNS server: UDP and TCP on the DNS Service address, through the pod-network seam.

A thin driver: every message goes through `answer()` (bytes in, bytes out, no I/O), the
sockets come from `PodNetworkSockets` so the server lives wherever pods are (the node
namespace, or the host's loopback). Names outside the cluster zone get SERVFAIL, what CoreDNS
answers when its `forward` upstream cannot be reached: pods have no way out on podlab's
test machines, and failing at once beats a 5 s timeout per search-path try.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import struct

from dnslib import RCODE, DNSError, DNSHeader, DNSRecord
from dnslib.buffer import Buffer

from .dns_resolver import OUT_OF_ZONE, Resolver, truncated, udp_limit
from .sockets import PodNetworkSockets

log = logging.getLogger("podlab.dns")

DNS_PORT = 53
# A TCP client gets this long between messages before the server closes (RFC 7766 suggests
# "on the order of seconds"; CoreDNS's read timeout is a few seconds too).
TCP_IDLE_SECONDS = 10.0
MAX_TCP_CONNECTIONS = 256


def answer(wire: bytes, resolver: Resolver, *, udp: bool) -> bytes | None:
    """The reply to one DNS message, or None for bytes that are not a question at all."""
    try:
        request = DNSRecord.parse(wire)
    except (DNSError, ValueError, IndexError, struct.error):
        # RFC 1035: FORMERR when the header at least says who asked.
        if len(wire) < 12:
            return None
        try:
            header = DNSHeader.parse(Buffer(wire))
        except Exception:
            return None
        if header.qr:
            return None
        return DNSRecord(DNSHeader(id=header.id, qr=1, rcode=RCODE.FORMERR)).pack()
    if request.header.qr:
        return None  # a response sent to us: never answer those (no loops)
    reply = resolver.resolve(request)
    if reply is OUT_OF_ZONE:
        reply = request.reply(ra=1, aa=0)
        reply.header.rcode = RCODE.SERVFAIL
    assert isinstance(reply, DNSRecord)
    packed: bytes = reply.pack()
    if udp and len(packed) > udp_limit(request):
        packed = truncated(reply).pack()
    return packed


class _Udp(asyncio.DatagramProtocol):
    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        self.transport: asyncio.DatagramTransport | None = None
        # Set once the socket is really closed (close() only schedules it).
        self.closed = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # _SelectorDatagramTransport does not subclass DatagramTransport: a cast, not a check.
        self.transport = transport  # type: ignore[assignment]

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closed.done():
            self.closed.set_result(None)

    def datagram_received(self, data: bytes, addr: tuple[str | object, int]) -> None:
        try:
            out = answer(data, self.resolver, udp=True)
        except Exception:
            log.exception("cluster DNS: answering a UDP question failed")
            return
        if out is not None and self.transport is not None:
            self.transport.sendto(out, addr)


class DnsServer:
    """Serves `resolver` on ip:53 (UDP and TCP) in the pod network; `stop()` leaves nothing."""

    def __init__(self, resolver: Resolver, sockets: PodNetworkSockets, ip: str, port: int = DNS_PORT) -> None:
        self.resolver = resolver
        self.sockets = sockets
        self.ip = ip
        self.port = port
        self._udp: asyncio.DatagramTransport | None = None
        self._udp_protocol: _Udp | None = None
        self._tcp: asyncio.Server | None = None
        self._address_added = False
        self._connections: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        """Raises OSError (PermissionError for port 53 without the right, EADDRINUSE, ...)."""
        loop = asyncio.get_running_loop()
        try:
            await self.sockets.add_local_address(self.ip)
            self._address_added = True
            udp_sock = await self.sockets.bind_udp(self.ip, self.port)
            self._udp, self._udp_protocol = await loop.create_datagram_endpoint(
                lambda: _Udp(self.resolver), sock=udp_sock
            )
            tcp_sock = await self.sockets.listen_tcp(self.ip, self.port)
            self._tcp = await asyncio.start_server(self._serve_tcp, sock=tcp_sock)
        except BaseException:
            await self.stop()
            raise

    async def stop(self) -> None:
        if self._udp is not None:
            self._udp.close()
            self._udp = None
            if self._udp_protocol is not None:
                await self._udp_protocol.closed
        tcp, self._tcp = self._tcp, None
        if tcp is not None:
            tcp.close()
        for task in list(self._connections):
            task.cancel()
        for task in list(self._connections):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if tcp is not None:
            await tcp.wait_closed()
        if self._address_added:
            self._address_added = False
            with contextlib.suppress(OSError):
                await self.sockets.remove_local_address(self.ip)

    async def _serve_tcp(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        if len(self._connections) >= MAX_TCP_CONNECTIONS:
            writer.close()
            return
        self._connections.add(task)
        try:
            # RFC 1035 4.2.2: each message is prefixed by its two-byte length.
            while True:
                head = await asyncio.wait_for(reader.readexactly(2), TCP_IDLE_SECONDS)
                (length,) = struct.unpack("!H", head)
                wire = await asyncio.wait_for(reader.readexactly(length), TCP_IDLE_SECONDS)
                out = answer(wire, self.resolver, udp=False)
                if out is None:
                    break
                writer.write(struct.pack("!H", len(out)) + out)
                await writer.drain()
        except (TimeoutError, asyncio.IncompleteReadError, ConnectionError):
            pass
        except Exception:
            log.exception("cluster DNS: answering over TCP failed")
        finally:
            self._connections.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()


def dns_address(sockets: PodNetworkSockets) -> str:
    """The DNS Service's address: the service range's 10th address, as kubeadm's GetDNSIP."""
    return str(sockets.service_cidr.network_address + 10)
