"""The bwrap arguments that put an exec'd process into a running container's PID namespace.

bwrap cannot join a namespace by path, only by an open fd (`--pidns FD`), and the node is
threaded, so it never calls setns itself (setns into a user namespace fails with EINVAL in a
multithreaded process): it opens the fds and hands them to a fresh bwrap.

The container's bwrap made two user namespaces (`--unshare-user --disable-userns`): an outer
one that owns its PID/mount namespaces and an inner one its program runs in. Joining the PID
namespace needs CAP_SYS_ADMIN in the owner, so we enter the outer one (NS_GET_USERNS on the
PID namespace fd), then bwrap switches to the inner one (`--userns2`), where user namespaces
stay disabled. A container in the host user namespace (root node, privileged port) is joined
with `--pidns` alone. Measured on bwrap 0.8, root and unprivileged (docs/reference/exec-streams.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
from collections.abc import Iterator
from dataclasses import dataclass

from podlab.runtime.sandbox_entry import NS_GET_USERNS

# A container's setup takes milliseconds; an exec that early waits this long at most.
SETTLE_SECONDS = 2.0


@dataclass(frozen=True)
class PidJoin:
    """Open fds naming a container's namespaces; valid inside the `open_join` block."""

    pidns: int
    outer_userns: int | None
    inner_userns: int | None
    # A PID namespace of the command's own below the container's: bwrap is its PID 1, so
    # killing bwrap ends everything the command started (probe and hook timeouts). The
    # container still sees those processes; the command sees only its own.
    nested: bool = False

    @property
    def fds(self) -> tuple[int, ...]:
        return tuple(fd for fd in (self.pidns, self.outer_userns, self.inner_userns) if fd is not None)

    def bwrap_args(self) -> list[str]:
        """Replaces confinement.namespace_args: joins PID (and user) namespaces; IPC and UTS
        stay private because bwrap cannot join them."""
        args: list[str] = []
        if self.outer_userns is not None and self.inner_userns is not None:
            args += ["--userns", str(self.outer_userns), "--userns2", str(self.inner_userns)]
            args.append("--assert-userns-disabled")
        args += ["--pidns", str(self.pidns)]
        if self.nested:
            args.append("--unshare-pid")
        return [*args, "--unshare-ipc", "--unshare-uts"]


def settled(container_pid: int) -> bool:
    """True once the container's program runs in its own (inner) user namespace. bwrap reports
    the program's PID before it has made that namespace; joining then would setns into the
    namespace we are already in (EINVAL). False also when the process is gone."""
    try:
        pidns = os.open(f"/proc/{container_pid}/ns/pid", os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return True  # gone: open_join says so
    try:
        outer = fcntl.ioctl(pidns, NS_GET_USERNS)
        try:
            return os.fstat(outer).st_ino != os.stat(f"/proc/{container_pid}/ns/user").st_ino
        finally:
            os.close(outer)
    except OSError:
        return True
    finally:
        os.close(pidns)


async def wait_settled(container_pid: int) -> None:
    """Wait (bounded) until `settled`; after the bound, open_join's bwrap reports the error."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + SETTLE_SECONDS
    while not settled(container_pid) and loop.time() < deadline:
        await asyncio.sleep(0.01)


@contextlib.contextmanager
def open_join(container_pid: int, *, user_namespace: bool, nested: bool = False) -> Iterator[PidJoin]:
    """Raises ProcessLookupError when the container's PID 1 is gone."""
    fds: list[int] = []
    try:
        try:
            pidns = os.open(f"/proc/{container_pid}/ns/pid", os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:
            raise ProcessLookupError(container_pid) from None
        fds.append(pidns)
        outer = inner = None
        if user_namespace:
            outer = fcntl.ioctl(pidns, NS_GET_USERNS)
            fds.append(outer)
            inner = os.open(f"/proc/{container_pid}/ns/user", os.O_RDONLY | os.O_CLOEXEC)
            fds.append(inner)
        yield PidJoin(pidns, outer, inner, nested)
    finally:
        for fd in fds:
            os.close(fd)
