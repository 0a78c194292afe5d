"""Netlink work inside the node network namespace: the bridge, and one veth per pod.

pyroute2 rather than the `ip` binary: no dependency on iproute2 being installed, no process
per step (a pod start is four or five netlink calls), and errors come back as errnos rather
than text to parse. Every function here runs in the single-threaded helper (helper.py).
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import os
from pathlib import Path

from pyroute2 import IPRoute
from pyroute2.netlink.exceptions import NetlinkError

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

    The veth's pod end is created straight in the pod netns, named eth0; the pod's side is then
    configured from inside (setns: the helper is single-threaded and root of the user namespace
    that owns both), and the helper returns to the node netns. Few netlink calls: each costs
    milliseconds, and pods start one after another here.
    """
    host_end = f"veth{number:x}"
    with IPRoute() as ipr:
        ipr.link("add", ifname=host_end, kind="veth", peer={"ifname": "eth0", "net_ns_pid": holder_pid})
        try:
            ipr.link("set", index=_index(ipr, host_end), master=_index(ipr, BRIDGE), state="up")
        except BaseException:
            with contextlib.suppress(Exception):
                ipr.link("del", index=_index(ipr, host_end))
            raise
    pod_netns = os.open(f"/proc/{holder_pid}/ns/net", os.O_RDONLY | os.O_CLOEXEC)
    try:
        kernel.setns(pod_netns, kernel.CLONE_NEWNET)
        try:
            _configure_pod_side(ip)
        finally:
            kernel.setns(node_netns, kernel.CLONE_NEWNET)
    finally:
        os.close(pod_netns)
    return host_end


def _configure_pod_side(ip: str) -> None:
    with IPRoute() as ipr:
        ipr.link("set", index=1, state="up")  # lo is always index 1 in a fresh netns
        eth0 = _index(ipr, "eth0")
        ipr.addr("add", index=eth0, address=ip, prefixlen=POD_CIDR.prefixlen)
        ipr.link("set", index=eth0, state="up")
        ipr.route("add", dst="0.0.0.0", dst_len=0, gateway=str(GATEWAY))
    # /proc/sys/net shows the netns of the process that opens it: this pod's, after setns.
    Path(UNPRIVILEGED_PORT_START).write_text("0\n")


def set_local_address(ip: str, *, present: bool) -> None:
    """Add or remove `ip`/32 on the node netns's lo (ClusterIPs, the DNS address); idempotent
    (the Service proxy adds a ClusterIP again each time its listener reopens).

    On lo rather than a dummy link: a user namespace cannot load the dummy module.
    """
    with IPRoute() as ipr:
        lo = _index(ipr, "lo")
        try:
            if present:
                ipr.addr("add", index=lo, address=ip, prefixlen=32)
            else:
                ipr.addr("del", index=lo, address=ip, prefixlen=32)
        except NetlinkError as exc:
            # EEXIST: already there; EADDRNOTAVAIL: already gone.
            if exc.code not in (errno.EEXIST, errno.EADDRNOTAVAIL):
                raise


def _index(ipr: IPRoute, name: str) -> int:
    """The link's index by a targeted RTM_GETLINK (link_lookup dumps every link: one per pod)."""
    try:
        return int(ipr.link("get", ifname=name)[0]["index"])
    except NetlinkError as exc:
        raise OSError(exc.code, f"network device {name}: {os.strerror(exc.code)}") from None


def delete_link(name: str) -> None:
    with IPRoute() as ipr:
        ipr.link("del", index=_index(ipr, name))
