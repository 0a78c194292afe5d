"""Where a pod's processes run, and the command prefix that puts them there.

bwrap cannot join an existing network namespace (it only makes new ones or shares its
parent's), so it is started *from inside* the pod netns with its network shared. The node has
threads and cannot join a user namespace itself, so a freshly exec'd nsenter does the join and
then execs the rest of the command line.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass


@dataclass(frozen=True)
class PodNetns:
    """The namespaces a pod's processes join: the node's user namespace (which owns the pod's
    netns: being its root is what allows joining that netns) and the pod's netns."""

    user: str  # /proc/HELPER/ns/user
    net: str  # /proc/HOLDER/ns/net


def enter_prefix(netns: PodNetns) -> list[str]:
    """argv to put before a command so that it runs in `netns`.

    --preserve-credentials: keep the node's uid and gid (root of the node userns maps to them)
    rather than switching to 0, so what the container writes is owned as before. No --fork:
    no PID namespace is entered, so nsenter execs the command in its own process and the
    PID the node started is the command's.
    """
    nsenter = shutil.which("nsenter") or "nsenter"
    return [nsenter, f"--user={netns.user}", f"--net={netns.net}", "--preserve-credentials", "--"]
