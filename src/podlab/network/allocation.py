"""ClusterIP and NodePort allocation, sans-IO: kube-apiserver's rules, given what is taken.

What is taken is the caller's to say (the API server reads it off the stored Services, so a
deleted Service frees its addresses with no bookkeeping that could drift). Randomness comes in
as a `random.Random`, so tests can pin it.

Rules and error words are kube-apiserver's (`pkg/registry/core/service/ipallocator/bitmap.go`,
`portallocator/allocator.go`): tools such as vcluster parse `The range of valid IPs is <CIDR>`.
"""

from __future__ import annotations

import ipaddress
import random

# kubeadm's conventions: the `kubernetes` Service takes the first address, cluster DNS the 10th.
KUBERNETES_INDEX = 1
DNS_INDEX = 10
NODE_PORT_MIN = 30000
NODE_PORT_MAX = 32767
NODE_PORT_RANGE_TEXT = f"{NODE_PORT_MIN}-{NODE_PORT_MAX}"


def kubernetes_ip(cidr: ipaddress.IPv4Network) -> str:
    return str(cidr.network_address + KUBERNETES_INDEX)


def dns_ip(cidr: ipaddress.IPv4Network) -> str:
    return str(cidr.network_address + DNS_INDEX)


def _band(size: int, lo: int, hi: int, divisor: int) -> int:
    """The size of the lower "static" band (KEP-3070 / KEP-3668): min(max(lo, size/divisor), hi)."""
    return min(max(lo, size // divisor), hi)


def cluster_ip_error(cidr: ipaddress.IPv4Network, ip: str, taken: set[str]) -> str | None:
    """Why a user-chosen ClusterIP cannot be had (the detail after `Invalid value: ...`), or None."""
    try:
        address = ipaddress.IPv4Address(ip)
    except ValueError:
        return "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"
    usable = address in cidr and address not in (cidr.network_address, cidr.broadcast_address)
    if not usable:
        return (
            f"failed to allocate IP {ip}: the provided IP ({ip}) is not in the valid range. "
            f"The range of valid IPs is {cidr}"
        )
    if ip in taken:
        return f"failed to allocate IP {ip}: provided IP is already allocated"
    return None


def allocate_cluster_ip(cidr: ipaddress.IPv4Network, taken: set[str], rng: random.Random) -> str | None:
    """A free address picked at random, the upper band first (the lower band is left for users
    who choose theirs); the `kubernetes` and DNS addresses are never handed out. None if full."""
    size = cidr.num_addresses - 2  # no network, no broadcast address
    static = min(_band(size, 16, 256, 16), size)  # a range smaller than a band is all static
    reserved = {kubernetes_ip(cidr), dns_ip(cidr)}
    first = int(cidr.network_address) + 1
    for lo, hi in ((first + static, first + size), (first, first + static)):
        if hi <= lo:
            continue
        # A random start then a linear scan, as bitmap.go's randomScanStrategyWithOffset does:
        # bounded by the band's size, and fair enough for a dev node.
        start = rng.randrange(hi - lo)
        for i in range(hi - lo):
            candidate = str(ipaddress.IPv4Address(lo + (start + i) % (hi - lo)))
            if candidate not in taken and candidate not in reserved:
                return candidate
    return None


def node_port_error(port: int, taken: set[int]) -> str | None:
    """Why a user-chosen nodePort cannot be had, or None."""
    if not NODE_PORT_MIN <= port <= NODE_PORT_MAX:
        return f"provided port is not in the valid range. The range of valid ports is {NODE_PORT_RANGE_TEXT}"
    if port in taken:
        return "provided port is already allocated"
    return None


def allocate_node_port(taken: set[int], rng: random.Random) -> int | None:
    """A free nodePort, the upper band first (30086-32767 for the default range). None if full."""
    size = NODE_PORT_MAX - NODE_PORT_MIN + 1
    static = _band(size, 16, 128, 32)
    for lo, hi in ((NODE_PORT_MIN + static, NODE_PORT_MAX + 1), (NODE_PORT_MIN, NODE_PORT_MIN + static)):
        start = rng.randrange(hi - lo)
        for i in range(hi - lo):
            candidate = lo + (start + i) % (hi - lo)
            if candidate not in taken:
                return candidate
    return None
