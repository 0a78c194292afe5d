"""How processes are started and signalled in each isolation mode.

BwrapLauncher: the container runs in its own user namespace with containerd's default
capabilities and a seccomp filter (confinement.py, seccomp.py, docs/SECURITY.md).
`--unshare-pid --as-pid-1` makes the program PID 1 of its own PID namespace. PID 1 receives
only the signals it has a handler for (pid_namespaces(7)), so, as on a node, a shell without a
SIGTERM handler ignores SIGTERM and is SIGKILLed after the grace period (exit 137), and when
PID 1 exits the kernel kills the rest of the namespace. `--die-with-parent` ties the program to bwrap, and
`setpriv --pdeathsig KILL` ties bwrap to the node. bwrap shares the network it starts in: the
pod's own network namespace when the node has them (`launch_prefix`: nsenter joins it first),
else the host's, where pods own distinct loopback IPs (127.244.x.y).

PlainLauncher: each container is a process group whose first process dies with the node
(PR_SET_PDEATHSIG); the reaper watchdog SIGKILLs the groups if the node is SIGKILLed.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
from typing import Protocol

from podlab.network.netns import enter_prefix
from podlab.runtime import confinement, sandbox, seccomp
from podlab.runtime.layout import Layout
from podlab.runtime.process import child_setup, kill_group, kill_pid
from podlab.runtime.reaper import Reaper
from podlab.runtime.types import StartError, start_error_message

Process = asyncio.subprocess.Process


class Launcher(Protocol):
    isolation: str

    async def start_container(self, argv: list[str], layout: Layout) -> tuple[Process, int]:
        """Start the container's program; returns the process and the program's host PID."""
        ...

    async def start_exec(self, argv: list[str], layout: Layout) -> Process:
        """Start a command in the container's view, stdout and stderr on one pipe."""
        ...

    def signal_container(self, proc: Process, pid: int, sig: int) -> None: ...

    def process_done(self, proc: Process) -> None:
        """The process has exited: clean up whatever it left behind."""
        ...

    def close(self) -> None: ...


class BwrapLauncher:
    isolation = "bwrap"

    def __init__(self, bwrap: str) -> None:
        self.bwrap = bwrap
        # --die-with-parent covers the sandboxed program, but bwrap itself outlives a parent
        # that exits normally (measured with bubblewrap 0.8). setpriv sets PR_SET_PDEATHSIG
        # and execs bwrap; that is much cheaper than a preexec_fn, which forces a full fork
        # of the node process instead of vfork.
        setpriv = shutil.which("setpriv")
        self._prefix = [setpriv, "--pdeathsig", "KILL", "--"] if setpriv else []
        self._preexec = None if setpriv else child_setup(os.getpid())

    def launch_prefix(self, layout: Layout) -> list[str]:
        """What runs before bwrap, for containers and execs alike (the one way into a pod):
        join the pod's network namespace, then die with the node.

        nsenter comes first: joining a user namespace changes credentials, which clears a
        parent-death signal set before it.
        """
        enter = enter_prefix(layout.netns) if layout.netns is not None else []
        return [*enter, *self._prefix]

    def command(
        self, layout: Layout, argv: list[str], *, as_pid_1: bool, seccomp_fd: int | None
    ) -> list[str]:
        cmd = [*self.launch_prefix(layout), self.bwrap, "--die-with-parent", *confinement.namespace_args()]
        cmd += confinement.capability_args()
        if seccomp_fd is not None:
            cmd += ["--seccomp", str(seccomp_fd)]
        cmd += ["--hostname", layout.hostname]
        if as_pid_1:
            cmd.append("--as-pid-1")
        cmd += sandbox.bwrap_args(layout.mounts)
        return [*cmd, "--chdir", layout.workdir, "--", *argv]

    async def start_container(self, argv: list[str], layout: Layout) -> tuple[Process, int]:
        info_r, info_w = os.pipe()
        filter_fd = self._filter_fd()
        cmd = self.command(layout, argv, as_pid_1=True, seccomp_fd=filter_fd)
        at = len(self.launch_prefix(layout)) + 1
        cmd[at:at] = ["--info-fd", str(info_w)]
        try:
            proc = await asyncio.create_subprocess_exec(
                *cmd,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=layout.env,
                pass_fds=(info_w,) if filter_fd is None else (info_w, filter_fd),
                start_new_session=True,
                preexec_fn=self._preexec,
            )
        finally:
            os.close(info_w)
            if filter_fd is not None:
                os.close(filter_fd)
        raw = await asyncio.get_running_loop().run_in_executor(None, _read_all, info_r)
        if not raw.strip():
            # bwrap failed before starting the program (e.g. a mount it could not make).
            _, err = await proc.communicate()
            raise StartError(start_error_message(err.decode(errors="replace").strip() or "bwrap failed"))
        return proc, int(json.loads(raw)["child-pid"])

    async def start_exec(self, argv: list[str], layout: Layout) -> Process:
        # A second sandbox over the same host directories, under the same confinement: same
        # files, /tmp included. bwrap is then PID 1 and its death (on timeout) takes the whole
        # namespace with it.
        filter_fd = self._filter_fd()
        try:
            return await asyncio.create_subprocess_exec(
                *self.command(layout, argv, as_pid_1=False, seccomp_fd=filter_fd),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                env=layout.env,
                pass_fds=() if filter_fd is None else (filter_fd,),
                start_new_session=True,
                preexec_fn=self._preexec,
            )
        finally:
            if filter_fd is not None:
                os.close(filter_fd)

    def _filter_fd(self) -> int | None:
        program = seccomp.container_filter()
        return None if program is None else seccomp.filter_fd(program)

    def signal_container(self, proc: Process, pid: int, sig: int) -> None:
        # To PID 1 of the namespace, as the container runtime does; SIGKILL ends the namespace.
        kill_pid(pid, sig)

    def process_done(self, proc: Process) -> None:
        kill_group(proc.pid)

    def close(self) -> None:
        pass


class PlainLauncher:
    isolation = "plain"

    def __init__(self) -> None:
        self.reaper = Reaper()

    async def _spawn(self, argv: list[str], layout: Layout, *, merge_stderr: bool) -> Process:
        argv = list(argv)
        if "/" in argv[0]:
            argv[0] = layout.host_path(argv[0])
        proc = await asyncio.create_subprocess_exec(
            *argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT if merge_stderr else subprocess.PIPE,
            env=layout.env,
            cwd=layout.host_workdir,
            start_new_session=True,
            preexec_fn=child_setup(os.getpid()),
        )
        self.reaper.watch(proc.pid)
        return proc

    async def start_container(self, argv: list[str], layout: Layout) -> tuple[Process, int]:
        proc = await self._spawn(argv, layout, merge_stderr=False)
        return proc, proc.pid

    async def start_exec(self, argv: list[str], layout: Layout) -> Process:
        return await self._spawn(argv, layout, merge_stderr=True)

    def signal_container(self, proc: Process, pid: int, sig: int) -> None:
        # SIGTERM to the first process only (as to PID 1); SIGKILL to everything it started.
        if sig == signal.SIGKILL:
            kill_group(proc.pid)
        else:
            kill_pid(pid, sig)

    def process_done(self, proc: Process) -> None:
        # The first process is gone, so the container is: take its children with it.
        kill_group(proc.pid)
        self.reaper.forget(proc.pid)

    def close(self) -> None:
        self.reaper.close()


def _read_all(fd: int) -> bytes:
    out = b""
    try:
        while chunk := os.read(fd, 4096):
            out += chunk
        return out
    finally:
        os.close(fd)


_bwrap_ok: dict[str, bool] = {}


def bwrap_works(bwrap: str | None) -> bool:
    """bubblewrap is installed and can make the namespaces we use (not every host allows it)."""
    if bwrap is None:
        return False
    if bwrap not in _bwrap_ok:
        # The namespaces and capability calls containers use: a host without unprivileged user
        # namespaces (or a bwrap too old for --disable-userns) falls back to plain mode.
        probe = [bwrap, *confinement.namespace_args(), *confinement.capability_args(), "--as-pid-1"]
        probe += ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--", "true"]
        try:
            _bwrap_ok[bwrap] = subprocess.run(probe, capture_output=True, timeout=10).returncode == 0
        except (OSError, subprocess.TimeoutExpired):
            _bwrap_ok[bwrap] = False
    return _bwrap_ok[bwrap]
