"""Which cgroup tree podlab may use, and why not when it may not: sans-IO.

The driver (host.py) reads /proc/self/mountinfo, /proc/self/cgroup and the unified tree's
cgroup.controllers, and passes a `writable` check; `decide` does the rest.
Preference: cgroup v2 when the node's own cgroup is delegated with the memory controller (a
rootless user under systemd, or root on a v2 host); else cgroup v1's memory hierarchy (root on a
v1 or hybrid host, as this VM); else none, with the reason spelled out for logs, status and events.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

# v1 hierarchies podlab uses: memory is required, the rest are used when mounted.
V1_CONTROLLERS = ("memory", "cpu", "cpuacct", "pids")
# v2 controllers podlab enables below the node's cgroup: memory is required.
V2_CONTROLLERS = ("cpu", "memory", "pids")
DELEGATION_HINT = (
    "start podlab in a delegated cgroup: systemd-run --user --scope -p Delegate=yes podlab up ..."
)


@dataclass(frozen=True)
class Mounts:
    v1: dict[str, str] = field(default_factory=dict)  # controller -> mount point
    v2: str | None = None  # the cgroup2 mount point


def parse_mountinfo(text: str) -> Mounts:
    v1: dict[str, str] = {}
    v2: str | None = None
    for line in text.splitlines():
        head, sep, tail = line.partition(" - ")
        if not sep:
            continue
        fields, extra = head.split(), tail.split()
        if len(fields) < 5 or len(extra) < 3:
            continue
        mount_point, fstype = fields[4], extra[0]
        if fstype == "cgroup2" and v2 is None:
            v2 = mount_point
        elif fstype == "cgroup":
            for option in extra[2].split(","):
                if option in V1_CONTROLLERS:
                    v1.setdefault(option, mount_point)
    return Mounts(v1, v2)


def v2_path(proc_self_cgroup: str) -> str | None:
    """The node's own cgroup in the unified tree: the `0::/path` line."""
    for line in proc_self_cgroup.splitlines():
        if line.startswith("0::"):
            return line[3:] or "/"
    return None


@dataclass(frozen=True)
class Setup:
    """The decision. version 0: no cgroups; `reason` then says why (and is the event message)."""

    version: int
    # v1: controller -> the directory holding podlab's tree for it; v2: {"": the node's cgroup}.
    roots: dict[str, str]
    summary: str

    @property
    def enabled(self) -> bool:
        return self.version != 0


def decide(
    mounts: Mounts,
    own_v2_path: str | None,
    v2_controllers: Iterable[str],
    writable: Callable[[str], bool],
    uid: int,
) -> Setup:
    problems: list[str] = []
    available = sorted(v2_controllers)
    if mounts.v2 is not None and own_v2_path is not None:
        base = mounts.v2.rstrip("/") + ("" if own_v2_path == "/" else own_v2_path)
        if "memory" not in available:
            shown = " ".join(available) or "none"
            problems.append(f"cgroup v2 at {base} has no memory controller (available: {shown})")
        elif not writable(base + "/cgroup.subtree_control"):
            problems.append(f"cgroup v2 at {base} is not delegated to uid {uid}")
        else:
            used = " ".join(c for c in V2_CONTROLLERS if c in available)
            return Setup(2, {"": base}, f"cgroup v2 at {base} (controllers: {used})")
    if "memory" in mounts.v1:
        roots = {c: mounts.v1[c].rstrip("/") + "/podlab" for c in V1_CONTROLLERS if c in mounts.v1}
        blocked = [c for c in roots if not writable(mounts.v1[c])]
        if not blocked:
            used = " ".join(roots)
            return Setup(
                1, roots, f"cgroup v1 under {mounts.v1['memory']}/podlab and siblings (controllers: {used})"
            )
        problems.append(
            "cgroup v1 " + ", ".join(mounts.v1[c] for c in blocked) + f" not writable by uid {uid}"
        )
    elif mounts.v2 is None:
        problems.append("no cgroup hierarchy with the memory controller is mounted")
    reason = "no writable cgroup: " + "; ".join(problems)
    if uid != 0:
        reason += f" ({DELEGATION_HINT})"
    return Setup(0, {}, reason)
