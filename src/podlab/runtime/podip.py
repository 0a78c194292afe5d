"""Pod IPs on the loopback range.

Linux routes the whole of 127.0.0.0/8 to `lo`, so any 127.244.x.y can be bound and dialled
without network setup. podlab hands these out like kind hands out 10.244.0.0/16.

Several nodes can run on one machine at once (parallel tests, two projects), and they share
the loopback: an address is claimed machine-wide with an flock on a small file per address,
which the kernel releases when the holder closes it or dies. A node whose pods have network
namespaces (podlab.network) allocates from its own private 10.244.0.0/16 without claims.
"""

from __future__ import annotations

import fcntl
import ipaddress
import os
import tempfile
import threading
from pathlib import Path

POD_CIDR = ipaddress.IPv4Network("127.244.0.0/16")


def default_lock_dir() -> Path:
    return Path(tempfile.gettempdir()) / f"podlab-pod-ips-{os.getuid()}"


class PodIPAllocator:
    """Hands out addresses in `cidr`; an address is never reused while a pod holds it.

    Allocation walks forward from the last address given out (like the apiserver's service IP
    allocator), so a freed address is not handed straight to the next pod and stale probe
    results or port-forwards cannot hit a new pod.
    """

    def __init__(
        self,
        cidr: ipaddress.IPv4Network = POD_CIDR,
        lock_dir: Path | None = None,
        *,
        machine_wide: bool = True,
    ) -> None:
        """machine_wide=False: the addresses are private to this node (its own netns), no claims."""
        self._cidr = cidr
        self._lock_dir = lock_dir or default_lock_dir()
        self._machine_wide = machine_wide
        # .0 is the network, .1 is kept back as the "gateway" as kind does.
        self._first = int(cidr.network_address) + 2
        self._last = int(cidr.broadcast_address) - 1
        self._next = self._first
        self._by_pod: dict[str, tuple[str, int]] = {}  # pod uid -> (ip, fd holding its claim)
        self._lock = threading.Lock()

    def allocate(self, pod_uid: str) -> str:
        with self._lock:
            if pod_uid in self._by_pod:
                return self._by_pod[pod_uid][0]
            if self._machine_wide:
                self._lock_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            for _ in range(self._last - self._first + 1):
                candidate = self._next
                self._next = self._first if candidate >= self._last else candidate + 1
                ip = str(ipaddress.IPv4Address(candidate))
                # x.y.z.0 and x.y.z.255 are legal in a /16 but confuse people; skip them.
                if ip.endswith((".0", ".255")):
                    continue
                fd = self._claim(ip)
                if fd is not None:
                    self._by_pod[pod_uid] = (ip, fd)
                    return ip
            raise RuntimeError(f"pod CIDR {self._cidr} is exhausted")

    def _claim(self, ip: str) -> int | None:
        if not self._machine_wide:
            return -1
        # The files are never deleted: unlinking one while another node opens it would let
        # two nodes lock different inodes for the same address.
        fd = os.open(self._lock_dir / ip, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        return fd

    def release(self, pod_uid: str) -> None:
        with self._lock:
            held = self._by_pod.pop(pod_uid, None)
        if held is not None and held[1] >= 0:
            os.close(held[1])

    def lookup(self, pod_uid: str) -> str | None:
        with self._lock:
            held = self._by_pod.get(pod_uid)
            return held[0] if held else None


_default: PodIPAllocator | None = None


def _allocator(allocator: PodIPAllocator | None) -> PodIPAllocator:
    global _default
    if allocator is not None:
        return allocator
    if _default is None:
        _default = PodIPAllocator()
    return _default


def allocate_pod_ip(pod_uid: str, allocator: PodIPAllocator | None = None) -> str:
    """The pod's IP in 127.244.0.0/16 (the same one on every call for the same pod)."""
    return _allocator(allocator).allocate(pod_uid)


def release_pod_ip(pod_uid: str, allocator: PodIPAllocator | None = None) -> None:
    _allocator(allocator).release(pod_uid)
