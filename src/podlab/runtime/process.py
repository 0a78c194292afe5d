"""Process plumbing: die with the node, kill whole trees, exit statuses as containerd reports them."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from podlab.runtime.spawn import Child

PR_SET_PDEATHSIG = 1

_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)


def set_pdeathsig(sig: int = signal.SIGKILL) -> None:
    """Ask the kernel to send `sig` to this process when its parent dies.

    Python 3.11 has no binding for prctl; ctypes reaches libc directly.
    """
    if _libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


def child_setup(parent_pid: int) -> Callable[[], None]:
    """preexec_fn for containers: die with the node even if it is SIGKILLed."""

    def setup() -> None:
        set_pdeathsig(signal.SIGKILL)
        # The node may have died between fork and prctl; then nobody would ever signal us.
        if os.getppid() != parent_pid:
            os._exit(137)

    return setup


def kill_group(pgid: int, sig: int = signal.SIGKILL) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def kill_pid(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def exit_code_of(returncode: int) -> int:
    """asyncio's negative "killed by signal N" as the shell/containerd convention 128+N."""
    return 128 - returncode if returncode < 0 else returncode


async def wait_exit(proc: Child) -> int:
    """The process's return code as soon as it exits (not when its pipes close: a leftover
    child, `sleep 10 &`, can hold stdout open long after the process itself has exited)."""
    return await proc.wait()
