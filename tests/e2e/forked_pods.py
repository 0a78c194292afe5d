"""Host-side views of forked wiremock pods, for tests/e2e/test_forkserver*.py.

A forked stub stays non-dumpable (docs/SECURITY.md, "Wiremock pods"), so a pod's own processes
cannot read its /proc/<pid>/{mem,maps,ns,root}: the tests read them from the host, as root, by
host PID. A pod's processes are found by their PID namespace, which a process of the pod reads
as its own (`readlink /proc/self/ns/pid`).
"""

from __future__ import annotations

import os
from pathlib import Path

from .conftest import RunningNode, descendants

HOLDER = b"/bin/sh\0-c\0echo ready >&0; read -r code"


def read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError:
        return b""  # exited meanwhile


def link(path: str) -> str:
    try:
        return os.readlink(path)
    except OSError:
        return ""


def fork_server(node: RunningNode) -> int:
    """The server itself: the node's child (the stubs are its children)."""
    parent = [str(node.process.pid).encode()]
    servers = [
        pid
        for pid in descendants(node.process.pid)
        if b"forkserver_main" in read(f"/proc/{pid}/cmdline")
        and read(f"/proc/{pid}/stat").rsplit(b")", 1)[-1].split()[1:2] == parent
    ]
    assert len(servers) == 1, servers
    return servers[0]


def pod_processes(node: RunningNode, pod: str) -> list[int]:
    """Host PIDs of the processes in `pod`'s (only container's) PID namespace."""
    pid_ns = node.kubectl("exec", pod, "--", "readlink", "/proc/self/ns/pid").stdout.strip()
    assert pid_ns.startswith("pid:["), pid_ns
    return [p for p in descendants(node.process.pid) if link(f"/proc/{p}/ns/pid") == pid_ns]


def stub_and_holder(node: RunningNode, pod: str) -> tuple[int, int]:
    """Host PIDs of `pod`'s forked stub and of its holder (bwrap's program, PID 1)."""
    processes = pod_processes(node, pod)
    stubs = [p for p in processes if b"forkserver_main" in read(f"/proc/{p}/cmdline")]
    holders = [p for p in processes if read(f"/proc/{p}/cmdline").startswith(HOLDER)]
    assert len(stubs) == 1 and len(holders) == 1, (pod, stubs, holders, _census(node))
    return stubs[0], holders[0]


def _census(node: RunningNode) -> list[tuple[int, str, str]]:
    """What the node runs (for a failure's message): PID, command line, PID namespace."""
    return [
        (p, read(f"/proc/{p}/cmdline")[:40].decode(errors="replace"), link(f"/proc/{p}/ns/pid"))
        for p in sorted(descendants(node.process.pid))
    ]


def memory_holds(pid: int, needles: list[bytes]) -> set[bytes]:
    """Which of `needles` any readable mapping of `pid` holds (through /proc/PID/mem)."""
    found: set[bytes] = set()
    with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb", buffering=0) as mem:
        for line in maps:
            span, perms = line.split()[:2]
            if not perms.startswith("r"):
                continue
            start, end = (int(x, 16) for x in span.split("-"))
            try:
                mem.seek(start)
                data = mem.read(end - start)
            except (OSError, OverflowError, ValueError):
                continue  # [vvar] and the like
            found.update(n for n in needles if n in data)
    return found
