"""Where the node's cluster DNS listens, the kube-dns Service, and saying why DNS is off."""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import os
import random
import socket
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from dnslib import DNSRecord

from podlab.network.sockets import LoopbackSockets
from podlab.node.cluster_dns import start_cluster_dns
from podlab.store import Store

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="binds port 53")


def store_create(store: Store) -> Callable[[dict[str, Any]], Awaitable[object]]:
    """Creates straight in the store (the node itself POSTs through its API)."""

    async def create(obj: dict[str, Any]) -> object:
        return store.create(("", "services"), obj)

    return create


def private_network() -> LoopbackSockets:
    """A loopback network with a service range of its own, so parallel runs never meet."""
    third = random.randint(1, 254)
    return LoopbackSockets(service_cidr=ipaddress.IPv4Network(f"127.97.{third}.0/24"))


@needs_root
def test_dns_on_the_tenth_address_answers_and_is_named_by_kube_dns() -> None:
    async def scenario() -> None:
        store = Store(None)
        network = private_network()
        dns = await start_cluster_dns(store, network, store_create(store))
        try:
            ip = str(network.service_cidr.network_address + 10)
            assert dns.cluster.servers == (ip,)
            assert dns.status == f"cluster DNS at {ip}:53 (Service kube-system/kube-dns, zone cluster.local)"
            svc = store.get(("", "services"), "kube-system", "kube-dns")
            assert svc["spec"]["clusterIP"] == ip
            question = DNSRecord.question("kube-dns.kube-system.svc.cluster.local")
            reply = DNSRecord.parse(await asyncio.to_thread(question.send, ip, 53, False, 5))
            assert [str(rr.rdata) for rr in reply.rr] == [ip]
        finally:
            await dns.stop()

    asyncio.run(scenario())


@needs_root
def test_a_second_node_on_the_host_takes_the_next_address() -> None:
    async def scenario() -> None:
        network = private_network()
        taken = str(network.service_cidr.network_address + 10)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as other_node:
            other_node.bind((taken, 53))
            store = Store(None)
            dns = await start_cluster_dns(store, network, store_create(store))
            try:
                assert dns.cluster.servers == (str(network.service_cidr.network_address + 11),)
            finally:
                await dns.stop()

    asyncio.run(scenario())


class NoLowPorts(LoopbackSockets):
    """A network where binding port 53 is refused, as for a user without the right."""

    async def bind_udp(self, host: str, port: int) -> socket.socket:
        raise PermissionError(errno.EACCES, "Permission denied")


def test_without_the_right_to_port_53_dns_is_off_and_says_why() -> None:
    async def scenario() -> None:
        store = Store(None)
        dns = await start_cluster_dns(store, NoLowPorts(), store_create(store))
        assert dns.server is None and dns.cluster.servers == ()
        assert dns.status == (
            "cluster DNS is off: cannot listen on 127.96.0.10:53: Permission denied "
            "(port 53 needs root or CAP_NET_BIND_SERVICE); pods with dnsPolicy ClusterFirst use the "
            "node's resolver (MissingClusterDNS)"
        )
        assert store.list(("", "services"))[0] == []
        await dns.stop()

    asyncio.run(scenario())
