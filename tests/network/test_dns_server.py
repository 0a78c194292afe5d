"""The cluster DNS server over real UDP and TCP sockets on a loopback address (LoopbackSockets)."""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
import struct
from collections.abc import AsyncIterator, Awaitable, Callable

from dnslib import QTYPE, RCODE, DNSRecord

from podlab.network.dns_cluster import ENDPOINT_SLICES, SERVICES, ClusterView
from podlab.network.dns_resolver import Resolver
from podlab.network.dns_server import DnsServer
from podlab.network.sockets import LoopbackSockets
from podlab.store import Store

from .dns_objects import endpoint_slice, ep, service

PORT = 5353


@contextlib.asynccontextmanager
async def serving() -> AsyncIterator[DnsServer]:
    store = Store(None)
    store.create(SERVICES, service("web", "10.96.3.4", [{"name": "http", "port": 80}]))
    store.create(SERVICES, service("many", "None", [{"name": "http", "port": 80}]))
    # 60 ready endpoints: 60 A records do not fit in 512 bytes.
    store.create(ENDPOINT_SLICES, endpoint_slice("many", [ep(f"10.244.1.{i}") for i in range(1, 61)], []))
    # A loopback address of its own, so parallel test runs never share a socket.
    ip = f"127.96.{random.randint(1, 254)}.{random.randint(1, 254)}"
    dns = DnsServer(Resolver(ClusterView(store)), LoopbackSockets(), ip, port=PORT)
    await dns.start()
    try:
        yield dns
    finally:
        await dns.stop()


def run(scenario: Callable[[DnsServer], Awaitable[None]]) -> None:
    async def main() -> None:
        async with serving() as server:
            await asyncio.wait_for(scenario(server), 30)

    asyncio.run(main())


async def query(dns: DnsServer, name: str, qtype: str = "A", *, tcp: bool = False) -> DNSRecord:
    question = DNSRecord.question(name, qtype)
    wire = await asyncio.to_thread(question.send, dns.ip, dns.port, tcp, 5)
    return DNSRecord.parse(wire)


def test_answers_over_udp_and_tcp() -> None:
    async def scenario(server: DnsServer) -> None:
        for tcp in (False, True):
            reply = await query(server, "web.default.svc.cluster.local", tcp=tcp)
            assert [str(rr.rdata) for rr in reply.rr] == ["10.96.3.4"]

    run(scenario)


def test_a_big_answer_is_truncated_over_udp_and_whole_over_tcp() -> None:
    async def scenario(server: DnsServer) -> None:
        udp = await query(server, "many.default.svc.cluster.local")
        assert udp.header.tc == 1 and udp.rr == []
        tcp = await query(server, "many.default.svc.cluster.local", tcp=True)
        assert tcp.header.tc == 0 and len(tcp.rr) == 60

    run(scenario)


def test_names_outside_the_zone_fail_at_once_with_servfail() -> None:
    async def scenario(server: DnsServer) -> None:
        reply = await query(server, "example.com")
        assert reply.header.rcode == RCODE.SERVFAIL and reply.header.aa == 0

    run(scenario)


def test_garbage_with_a_header_gets_formerr_and_short_garbage_nothing() -> None:
    async def scenario(server: DnsServer) -> None:
        def exchange(data: bytes) -> bytes | None:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
                sock.settimeout(1.0)
                sock.sendto(data, (server.ip, server.port))
                try:
                    return sock.recv(512)
                except TimeoutError:
                    return None

        header = struct.pack("!HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0)
        reply = await asyncio.to_thread(exchange, header + b"\x07trailing")
        assert reply is not None
        parsed = DNSRecord.parse(reply)
        assert parsed.header.id == 0x1234 and parsed.header.rcode == RCODE.FORMERR
        assert await asyncio.to_thread(exchange, b"\x00\x01") is None

    run(scenario)


def test_several_questions_on_one_tcp_connection() -> None:
    async def scenario(server: DnsServer) -> None:
        def exchange() -> list[DNSRecord]:
            out = []
            with socket.create_connection((server.ip, server.port), timeout=5) as sock:
                for name in ("web.default.svc.cluster.local", "_http._tcp.web.default.svc.cluster.local"):
                    wire = DNSRecord.question(name, "SRV" if name.startswith("_") else "A").pack()
                    sock.sendall(struct.pack("!H", len(wire)) + wire)
                    (length,) = struct.unpack("!H", sock.recv(2, socket.MSG_WAITALL))
                    out.append(DNSRecord.parse(sock.recv(length, socket.MSG_WAITALL)))
            return out

        first, second = await asyncio.to_thread(exchange)
        assert str(first.rr[0].rdata) == "10.96.3.4"
        assert QTYPE[second.rr[0].rtype] == "SRV" and second.rr[0].rdata.port == 80

    run(scenario)


def test_stop_frees_the_address_and_port() -> None:
    async def scenario(server: DnsServer) -> None:
        await server.stop()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.bind((server.ip, server.port))

    run(scenario)
