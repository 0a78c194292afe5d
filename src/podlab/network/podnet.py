"""A node's pod network: where each pod's address and network namespace come from.

Two forms, chosen once at node start-up (`start_pod_network`):
- namespaces: a network namespace per pod behind podlab's node namespace (helper.py), pod IPs
  from the node's own 10.244.0.0/16. Containers start inside their pod's netns (`PodNetns`).
- loopback: no namespaces can be made (plain mode, no user namespaces): pods share the host's
  network and own 127.244.x.y addresses, claimed machine-wide; ports are shared between pods.
Either way `sockets` is the node's `PodNetworkSockets`, the one way into the pod network.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Protocol

from podlab.network import links
from podlab.network.channel import HelperChannel
from podlab.network.namespaced import NamespacedSockets
from podlab.network.netns import PodNetns
from podlab.network.sockets import LoopbackSockets, PodNetworkSockets
from podlab.runtime.podip import POD_CIDR as LOOPBACK_POD_CIDR
from podlab.runtime.podip import PodIPAllocator, allocate_pod_ip, release_pod_ip

log = logging.getLogger("podlab.network")


@dataclass(frozen=True)
class PodAttachment:
    ip: str
    netns: PodNetns | None  # None: the host's network (loopback mode)


class PodNetwork(Protocol):
    mode: str
    sockets: PodNetworkSockets

    def describe(self) -> str:
        """One line for node.log, `podlab up` and `podlab status`."""
        ...

    async def attach(self, pod_uid: str) -> PodAttachment:
        """The pod's address and namespace (the same on every call until detach)."""
        ...

    async def detach(self, pod_uid: str) -> None: ...

    def close(self) -> None:
        """Remove every pod's namespace (the node is stopping)."""
        ...


class LoopbackPodNetwork:
    mode = "loopback"

    def __init__(self, reason: str, allocator: PodIPAllocator | None = None) -> None:
        self.reason = reason
        self.sockets: PodNetworkSockets = LoopbackSockets()
        self._allocator = allocator

    def describe(self) -> str:
        return f"loopback ({self.reason}), pods {LOOPBACK_POD_CIDR} on the host's network — ports are shared"

    async def attach(self, pod_uid: str) -> PodAttachment:
        return PodAttachment(allocate_pod_ip(pod_uid, self._allocator), None)

    async def detach(self, pod_uid: str) -> None:
        release_pod_ip(pod_uid, self._allocator)

    def close(self) -> None:
        return None


class NamespacePodNetwork:
    mode = "namespaces"

    def __init__(self, channel: HelperChannel) -> None:
        self._channel = channel
        self._sockets = NamespacedSockets(channel)
        self.sockets: PodNetworkSockets = self._sockets
        # Each node's netns is its own world: no machine-wide claims needed.
        self._ips = PodIPAllocator(links.POD_CIDR, machine_wide=False)
        self._pods: dict[str, PodAttachment] = {}

    def describe(self) -> str:
        return f"namespaces, pods {links.POD_CIDR}, services {links.SERVICE_CIDR}"

    async def attach(self, pod_uid: str) -> PodAttachment:
        if pod_uid in self._pods:
            return self._pods[pod_uid]
        ip = self._ips.allocate(pod_uid)
        try:
            reply, _ = await self._channel.call("pod_add", uid=pod_uid, ip=ip)
        except BaseException:
            self._ips.release(pod_uid)
            raise
        netns = PodNetns(
            user=f"/proc/{self._channel.helper_pid}/ns/user", net=f"/proc/{int(reply['pid'])}/ns/net"
        )
        attachment = PodAttachment(ip, netns)
        self._pods[pod_uid] = attachment
        return attachment

    async def detach(self, pod_uid: str) -> None:
        if self._pods.pop(pod_uid, None) is None:
            return
        try:
            await self._channel.call("pod_del", uid=pod_uid)
        finally:
            self._ips.release(pod_uid)

    def close(self) -> None:
        self._sockets.close()
        self._channel.close()
        self._pods.clear()


# Set to "loopback" to keep pods on the host's loopback even where namespaces work (to
# compare the two, or to reach pods from host tools without port-forward); any other value
# (or none) means namespaces where they can be made.
MODE_VARIABLE = "PODLAB_POD_NETWORK"


async def start_pod_network(isolation: str) -> PodNetwork:
    """Namespaces when the containers are sandboxed and the helper can make them; else loopback."""
    if isolation != "bwrap":
        return LoopbackPodNetwork("containers are not sandboxed")
    if os.environ.get(MODE_VARIABLE) == "loopback":
        return LoopbackPodNetwork(f"{MODE_VARIABLE}=loopback")
    try:
        channel = await HelperChannel.start()
    except (TimeoutError, OSError, RuntimeError, ConnectionError) as exc:
        log.warning("pod network namespaces are not available here (%s): pods share the host's loopback", exc)
        return LoopbackPodNetwork(f"no network namespaces: {exc}")
    return NamespacePodNetwork(channel)
