"""Netlink work inside the node network namespace: the bridge, and one veth per pod.

pyroute2 rather than the `ip` binary: no dependency on iproute2 being installed, no process
per step (a pod start is four or five netlink calls), and errors come back as errnos rather
than text to parse. Every function here runs in the single-threaded helper (helper.py).
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
from pathlib import Path

from pyroute2 import IPRoute

from podlab.network import kernel

BRIDGE = "podbr0"
POD_CIDR = ipaddress.IPv4Network("10.244.0.0/16")
GATEWAY = ipaddress.IPv4Address("10.244.0.1")
SERVICE_CIDR = ipaddress.IPv4Network("10.96.0.0/12")
# Pods bind any port, 80 included: the bwrap sandbox runs in a nested user namespace that has
# no capability over the pod's netns, so without this a bind below 1024 gets EACCES.
# The sysctl is per network namespace; the host's own value is untouched.
UNPRIVILEGED_PORT_START = "/proc/sys/net/ipv4/ip_unprivileged_port_start"


def set_up_node() -> None:
    """lo up, the pod bridge with the gateway address, the Service route, forwarding on."""
    with IPRoute() as ipr:
        ipr.link("set", index=_index(ipr, "lo"), state="up")
        ipr.link("add", ifname=BRIDGE, kind="bridge")
        bridge = _index(ipr, BRIDGE)
        ipr.addr("add", index=bridge, address=str(GATEWAY), prefixlen=POD_CIDR.prefixlen)
        ipr.link("set", index=bridge, state="up")
        # Pod -> Service traffic arrives here; without a route it fails with ENETUNREACH.
        ipr.route("add", dst=str(SERVICE_CIDR.network_address), dst_len=SERVICE_CIDR.prefixlen, oif=bridge)
    Path("/proc/sys/net/ipv4/ip_forward").write_text("1\n")
    Path(UNPRIVILEGED_PORT_START).write_text("0\n")


def attach_pod(node_netns: int, holder_pid: int, ip: str, number: int) -> str:
    """Connect the holder's fresh netns to the bridge as `eth0` with `ip`; returns the host end's name.

    The pod's side is configured from inside its netns (setns: the helper is single-threaded
    and root of the user namespace that owns both), then the helper returns to the node netns.
    """
    host_end, pod_end = f"veth{number:x}", f"pod{number:x}"
    with IPRoute() as ipr:
        ipr.link("add", ifname=host_end, kind="veth", peer=pod_end)
        try:
            ipr.link("set", index=_index(ipr, pod_end), net_ns_pid=holder_pid)
            host = _index(ipr, host_end)
            ipr.link("set", index=host, master=_index(ipr, BRIDGE))
            ipr.link("set", index=host, state="up")
        except BaseException:
            with contextlib.suppress(Exception):
                ipr.link("del", index=_index(ipr, host_end))
            raise
    pod_netns = os.open(f"/proc/{holder_pid}/ns/net", os.O_RDONLY | os.O_CLOEXEC)
    try:
        kernel.setns(pod_netns, kernel.CLONE_NEWNET)
        try:
            _configure_pod_side(pod_end, ip)
        finally:
            kernel.setns(node_netns, kernel.CLONE_NEWNET)
    finally:
        os.close(pod_netns)
    return host_end


def _configure_pod_side(pod_end: str, ip: str) -> None:
    with IPRoute() as ipr:
        ipr.link("set", index=_index(ipr, "lo"), state="up")
        eth0 = _index(ipr, pod_end)
        ipr.link("set", index=eth0, ifname="eth0")
        ipr.addr("add", index=eth0, address=ip, prefixlen=POD_CIDR.prefixlen)
        ipr.link("set", index=eth0, state="up")
        ipr.route("add", dst="0.0.0.0", dst_len=0, gateway=str(GATEWAY))
    # /proc/sys/net shows the netns of the process that opens it: this pod's, after setns.
    Path(UNPRIVILEGED_PORT_START).write_text("0\n")


def set_local_address(ip: str, *, present: bool) -> None:
    """Add or remove `ip`/32 on the node netns's lo (ClusterIPs, the DNS address).

    On lo rather than a dummy link: a user namespace cannot load the dummy module.
    """
    with IPRoute() as ipr:
        lo = _index(ipr, "lo")
        if present:
            ipr.addr("add", index=lo, address=ip, prefixlen=32)
        else:
            ipr.addr("del", index=lo, address=ip, prefixlen=32)


def _index(ipr: IPRoute, name: str) -> int:
    found = ipr.link_lookup(ifname=name)
    if not found:
        raise OSError(19, f"no network device {name}")  # ENODEV
    return int(found[0])


def delete_link(name: str) -> None:
    with IPRoute() as ipr:
        found = ipr.link_lookup(ifname=name)
        if found:
            ipr.link("del", index=found[0])
