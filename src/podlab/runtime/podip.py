"""Pod IPs on the loopback range.

Linux routes the whole of 127.0.0.0/8 to `lo`, so any 127.244.x.y can be bound and dialled
without network setup. podlab hands these out like kind hands out 10.244.0.0/16.
"""

from __future__ import annotations

import ipaddress
import threading

POD_CIDR = ipaddress.IPv4Network("127.244.0.0/16")


class PodIPAllocator:
    """Hands out addresses in `cidr`; an address is never reused while a pod holds it.

    Allocation walks forward from the last address given out (like the apiserver's
    service IP allocator) so a freed address is not handed straight to the next pod,
    which keeps stale probe results and port-forwards from hitting a new pod.
    """

    def __init__(self, cidr: ipaddress.IPv4Network = POD_CIDR) -> None:
        self._cidr = cidr
        # .0 is the network, .1 is kept back as the "gateway" as kind does.
        self._first = int(cidr.network_address) + 2
        self._last = int(cidr.broadcast_address) - 1
        self._next = self._first
        self._by_pod: dict[str, str] = {}
        self._held: set[str] = set()
        self._lock = threading.Lock()

    def allocate(self, pod_uid: str) -> str:
        with self._lock:
            if pod_uid in self._by_pod:
                return self._by_pod[pod_uid]
            size = self._last - self._first + 1
            for _ in range(size):
                candidate = self._next
                self._next = self._first if candidate >= self._last else candidate + 1
                ip = str(ipaddress.IPv4Address(candidate))
                # x.y.z.0 and x.y.z.255 are legal in a /16 but confuse people; skip them.
                if ip.endswith((".0", ".255")) or ip in self._held:
                    continue
                self._held.add(ip)
                self._by_pod[pod_uid] = ip
                return ip
            raise RuntimeError(f"pod CIDR {self._cidr} is exhausted ({len(self._held)} addresses in use)")

    def release(self, pod_uid: str) -> None:
        with self._lock:
            ip = self._by_pod.pop(pod_uid, None)
            if ip is not None:
                self._held.discard(ip)

    def lookup(self, pod_uid: str) -> str | None:
        with self._lock:
            return self._by_pod.get(pod_uid)


_default = PodIPAllocator()


def allocate_pod_ip(pod_uid: str, allocator: PodIPAllocator | None = None) -> str:
    """The pod's IP in 127.244.0.0/16 (the same one on every call for the same pod)."""
    return (allocator or _default).allocate(pod_uid)


def release_pod_ip(pod_uid: str, allocator: PodIPAllocator | None = None) -> None:
    (allocator or _default).release(pod_uid)
