"""ClusterIP and nodePort allocation rules (sans-IO): kube-apiserver's bands, reservations and words."""

from __future__ import annotations

import ipaddress
import random

from podlab.network import allocation

SMALL = ipaddress.IPv4Network("10.96.0.0/28")  # 14 usable addresses: .1 to .14


def test_dynamic_allocation_skips_kubernetes_and_dns_addresses_and_reports_full() -> None:
    rng = random.Random(7)
    taken: set[str] = set()
    while (ip := allocation.allocate_cluster_ip(SMALL, taken, rng)) is not None:
        assert ip not in taken
        taken.add(ip)
    assert len(taken) == 12
    assert {"10.96.0.1", "10.96.0.10", "10.96.0.0", "10.96.0.15"}.isdisjoint(taken)


def test_dynamic_allocation_prefers_the_upper_band() -> None:
    cidr = ipaddress.IPv4Network("10.96.0.0/12")
    rng = random.Random(1)
    static = min(max(16, (cidr.num_addresses - 2) // 16), 256)  # 256 for a /12
    lowest_dynamic = int(cidr.network_address) + 1 + static
    for _ in range(200):
        ip = allocation.allocate_cluster_ip(cidr, set(), rng)
        assert ip is not None and int(ipaddress.IPv4Address(ip)) >= lowest_dynamic


def test_chosen_cluster_ip_errors_keep_kube_apiserver_words() -> None:
    cidr = ipaddress.IPv4Network("10.96.0.0/12")
    assert allocation.cluster_ip_error(cidr, "1.1.1.1", set()) == (
        "failed to allocate IP 1.1.1.1: the provided IP (1.1.1.1) is not in the valid range. "
        "The range of valid IPs is 10.96.0.0/12"
    )
    assert allocation.cluster_ip_error(cidr, "10.96.0.10", {"10.96.0.10"}) == (
        "failed to allocate IP 10.96.0.10: provided IP is already allocated"
    )
    assert allocation.cluster_ip_error(cidr, "10.96.0.0", set()) is not None  # the network address
    assert allocation.cluster_ip_error(cidr, "10.96.0.10", set()) is None  # DNS may be chosen
    assert allocation.cluster_ip_error(cidr, "10.96.0.1", set()) is None


def test_node_ports_in_range_upper_band_first_and_errors() -> None:
    rng = random.Random(3)
    for _ in range(100):
        port = allocation.allocate_node_port(set(), rng)
        assert port is not None and 30086 <= port <= 32767
    assert allocation.node_port_error(8080, set()) == (
        "provided port is not in the valid range. The range of valid ports is 30000-32767"
    )
    assert allocation.node_port_error(30080, {30080}) == "provided port is already allocated"
    everything = set(range(30000, 32768))
    assert allocation.allocate_node_port(everything - {30001}, rng) == 30001  # lower band as fallback
    assert allocation.allocate_node_port(everything, rng) is None
