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
import contextlib
import json
import logging
import os
import shlex
import shutil
import signal
import socket
import subprocess
from collections.abc import Sequence
from dataclasses import replace
from typing import Protocol

from podlab.network.netns import enter_prefix
from podlab.runtime import confinement, sandbox, seccomp
from podlab.runtime.execstdio import CONTAINER_OUTPUT, MERGED_OUTPUT, ExecStdio
from podlab.runtime.forkserver import HOLDER_ARGV, ForkError, ForkServer, StubSpec
from podlab.runtime.layout import Layout
from podlab.runtime.nsjoin import PidJoin, open_join, wait_settled
from podlab.runtime.process import child_setup, kill_group, kill_pid
from podlab.runtime.pyruntime import ROOT
from podlab.runtime.reaper import Reaper
from podlab.runtime.security import capability_mask
from podlab.runtime.spawn import Child, spawn
from podlab.runtime.types import StartError, start_error_message

log = logging.getLogger(__name__)

# Container launches in flight at once. A launch spawns on the event loop (runtime/spawn.py: a
# vfork, ~1-3 ms; it was a fork of the whole node, ~40 ms for a large node on a loaded machine,
# when a 1,000-container pod forked 1,000 times in one loop iteration and held every API client
# for over a minute). With a gate the loop serves other work between spawns. 16, not 4: a launch
# waits for bwrap to report its child (tens of ms under load) off the loop, and with 4 in flight
# 100 pods took 6.7-7.0 s to be Ready against 3.6-4.2 s with 16 (bench/node_bench.py --scale-up
# --pods 100, alternating), while kubectl still answers during a 400-container pod's start
# (tests/security/test_api_input.py).
# A forked stub (forkserver.py) holds it only while bwrap builds its sandbox: waiting for the
# fork server's answer takes no CPU of the node's.
LAUNCH_CONCURRENCY = 16

# Started by runtime/spawn.py (vfork, not uvloop's fork of the whole node).
Process = Child
# Blocked while a program that unblocks them itself is started (Layout.hold_signals).
HELD_SIGNALS = frozenset({signal.SIGTERM, signal.SIGINT})


class Launcher(Protocol):
    isolation: str

    async def start_container(
        self,
        argv: list[str],
        layout: Layout,
        stdio: ExecStdio = CONTAINER_OUTPUT,
        *,
        pid_namespace_of: int | None = None,
        cgroup_procs: Sequence[str] = (),
    ) -> tuple[Process, int]:
        """Start the container's program; returns the process and the program's host PID.
        `stdio`: a stdin pipe or a terminal for containers with `stdin`/`tty` (attach);
        `pid_namespace_of`: another container's PID 1, whose PID namespace this one shares;
        `cgroup_procs`: the container cgroup's `cgroup.procs` files (runtime/cgroups), joined
        before anything of the container runs."""
        ...

    async def start_exec(
        self,
        argv: list[str],
        layout: Layout,
        *,
        pid: int | None = None,
        stdio: ExecStdio = MERGED_OUTPUT,
        own_pids: bool = True,
        cgroup_procs: Sequence[str] = (),
    ) -> Process:
        """Start a command in the container's view, wired as `stdio` says. With `pid` (the
        container's PID 1) it joins that PID namespace: `own_pids` (probes, hooks) puts it in
        a child namespace whose whole tree a kill ends; without, it is the container's peer
        (`kubectl exec`: `ps` shows the container's processes)."""
        ...

    def signal_container(self, proc: Process, pid: int, sig: int) -> None: ...

    def process_done(self, proc: Process) -> None:
        """The process has exited: clean up whatever it left behind."""
        ...

    def close(self) -> None: ...


class BwrapLauncher:
    isolation = "bwrap"

    def __init__(self, bwrap: str, forkserver: ForkServer | None = None) -> None:
        self.bwrap = bwrap
        self.forkserver = forkserver
        self._gate = asyncio.Semaphore(LAUNCH_CONCURRENCY)
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
        self,
        layout: Layout,
        argv: list[str],
        *,
        as_pid_1: bool,
        seccomp_fd: int | None,
        join: PidJoin | None = None,
    ) -> list[str]:
        userns = layout.user_namespace
        namespaces = (
            confinement.namespace_args(user_namespace=userns, **_sandbox_ids(layout))
            if join is None
            else join.bwrap_args()
        )
        cmd = [*self.launch_prefix(layout), self.bwrap, "--die-with-parent", *namespaces]
        cmd += confinement.capability_args(_capabilities(layout), user_namespace=userns)
        if seccomp_fd is not None:
            cmd += ["--seccomp", str(seccomp_fd)]
        cmd += ["--hostname", layout.hostname]
        if as_pid_1:
            cmd.append("--as-pid-1")
        cmd += sandbox.bwrap_args(layout.mounts)
        if layout.security.read_only_root:
            # Only the root mount: volumes, /dev and the masks below it keep their own flags,
            # and /tmp, part of the root as in an image, becomes read-only with it.
            cmd += ["--remount-ro", "/"]
        _run_as(cmd, layout)
        # Exec sessions and exec probes come through here too: same user, groups and caps.
        return [*cmd, "--chdir", layout.workdir, "--", *layout.id_switch, *argv]

    async def start_container(
        self,
        argv: list[str],
        layout: Layout,
        stdio: ExecStdio = CONTAINER_OUTPUT,
        *,
        pid_namespace_of: int | None = None,
        cgroup_procs: Sequence[str] = (),
    ) -> tuple[Process, int]:
        if self.forkserver is not None and pid_namespace_of is None and _forkable(layout, stdio):
            try:
                return await self._start_forked(layout, stdio, cgroup_procs)
            except ForkError as exc:
                # The container starts the usual way; the server is asked again next time.
                log.warning("starting the stub without the fork server: %s", exc)
        return await self._start_sandbox(
            argv, layout, stdio, pid_namespace_of, cgroup_procs, layout.hold_signals
        )

    async def _start_forked(
        self, layout: Layout, stdio: ExecStdio, cgroup_procs: Sequence[str]
    ) -> tuple[Process, int]:
        """bwrap builds the sandbox around a holder; the fork server's stub enters it
        (forkserver.py). The process the node watches is still bwrap: the holder exits with
        the stub's code. Signals go to the stub's PID."""
        assert self.forkserver is not None
        # The holder reads the stub's exit code from a socket, not a pipe: any process of the
        # pod may open /proc/1/fd/0, and for a pipe that is the pipe itself (an `echo 0` there
        # would end the container as Completed while its stub runs); a socket cannot be opened
        # through /proc (ENXIO).
        holder_end, server_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        status_r, status_w = holder_end.detach(), server_end.detach()
        try:
            proc, holder = await self._start_sandbox(
                HOLDER_ARGV, layout, replace(stdio, stdin=status_r), None, cgroup_procs, False
            )
        except BaseException:
            os.close(status_w)
            raise
        finally:
            os.close(status_r)
        try:
            spec = StubSpec(
                args=layout.argv[3:],
                interpreter=layout.argv[0],
                env=layout.env,
                workdir=layout.workdir,
                cgroup_procs=cgroup_procs,
                capabilities=capability_mask(_capabilities(layout)),
                seccomp=seccomp.container_filter(),
            )
            package = next((m.source for m in layout.mounts if m.dest == f"{ROOT}/lib/podlab"), None)
            pid = await self.forkserver.fork(spec, holder=holder, status_w=status_w, package=package)
        except BaseException:
            kill_group(proc.pid)
            await proc.wait()
            raise
        return proc, pid

    async def _start_sandbox(
        self,
        argv: list[str],
        layout: Layout,
        stdio: ExecStdio,
        pid_namespace_of: int | None,
        cgroup_procs: Sequence[str],
        hold_signals: bool,
    ) -> tuple[Process, int]:
        async with self._gate:
            if pid_namespace_of is not None and layout.user_namespace:
                await wait_settled(pid_namespace_of)
            info_r, info_w = os.pipe()
            with contextlib.ExitStack() as stack:
                stack.callback(os.close, info_w)
                join = None
                if pid_namespace_of is not None:
                    # Beside the target's processes (not PID 1): dies with the target's PID 1.
                    join = stack.enter_context(
                        open_join(pid_namespace_of, user_namespace=layout.user_namespace)
                    )
                filter_fd = self._filter_fd()
                if filter_fd is not None:
                    stack.callback(os.close, filter_fd)
                cmd = self.command(layout, argv, as_pid_1=join is None, seccomp_fd=filter_fd, join=join)
                at = len(self.launch_prefix(layout)) + 1
                cmd[at:at] = ["--info-fd", str(info_w)]
                fds = (
                    info_w,
                    *(join.fds if join is not None else ()),
                    *(() if filter_fd is None else (filter_fd,)),
                )
                proc = await spawn(
                    enter_cgroup(cgroup_procs, [*stdio.prefix(), *cmd]),
                    stdin=stdio.stdin,
                    stdout=stdio.stdout,
                    stderr=stdio.stderr,
                    env=layout.env,
                    pass_fds=fds,
                    start_new_session=not stdio.tty,
                    preexec_fn=self._preexec,
                    # The stub blocks nothing itself: it starts with SIGTERM/SIGINT blocked (the mask
                    # passes through setpriv and bwrap) and unblocks them once its handler is in place,
                    # so a stop that comes while Python is still starting stays pending, not dropped.
                    blocked_signals=HELD_SIGNALS if hold_signals else (),
                )
            raw = await asyncio.get_running_loop().run_in_executor(None, _read_all, info_r)
            if not raw.strip():
                # bwrap failed before starting the program (e.g. a mount it could not make).
                _, err = await proc.communicate()
                text = (err or b"").decode(errors="replace").strip()  # None: stderr was a terminal
                raise StartError(start_error_message(text or "bwrap failed"))
            return proc, int(json.loads(raw)["child-pid"])

    async def start_exec(
        self,
        argv: list[str],
        layout: Layout,
        *,
        pid: int | None = None,
        stdio: ExecStdio = MERGED_OUTPUT,
        own_pids: bool = True,
        cgroup_procs: Sequence[str] = (),
    ) -> Process:
        # A second sandbox over the same host directories, under the same confinement: same
        # files, /tmp included. Joined to the container's PID namespace (`pid`), the command
        # dies with the container's PID 1, as kubelet's exec does; bwrap stays outside as the
        # command's parent (or PID 1 of its own namespace), and --die-with-parent ties the
        # command to it.
        if pid is not None and layout.user_namespace:
            await wait_settled(pid)
        with contextlib.ExitStack() as stack:
            join = None
            if pid is not None:
                join = stack.enter_context(
                    open_join(pid, user_namespace=layout.user_namespace, nested=own_pids)
                )
            filter_fd = self._filter_fd()
            if filter_fd is not None:
                stack.callback(os.close, filter_fd)
            cmd = self.command(layout, argv, as_pid_1=False, seccomp_fd=filter_fd, join=join)
            fds = (*(join.fds if join is not None else ()), *(() if filter_fd is None else (filter_fd,)))
            proc = await spawn(
                # Born in the container's cgroup: its memory counts against the container's
                # limit, and an OOM kill in it marks the container OOMKilled, as on a node.
                enter_cgroup(cgroup_procs, [*stdio.prefix(), *cmd]),
                stdin=stdio.stdin,
                stdout=stdio.stdout,
                stderr=stdio.stderr,
                env=layout.env,
                pass_fds=fds,
                start_new_session=not stdio.tty,
                preexec_fn=self._preexec,
            )
        return proc

    def _filter_fd(self) -> int | None:
        program = seccomp.container_filter()
        return None if program is None else seccomp.filter_fd(program)

    def signal_container(self, proc: Process, pid: int, sig: int) -> None:
        # To PID 1 of the namespace, as the container runtime does; SIGKILL ends the namespace.
        kill_pid(pid, sig)

    def process_done(self, proc: Process) -> None:
        kill_group(proc.pid)

    def close(self) -> None:
        if self.forkserver is not None:
            self.forkserver.close()


class PlainLauncher:
    isolation = "plain"

    def __init__(self) -> None:
        self.reaper = Reaper()
        self._gate = asyncio.Semaphore(LAUNCH_CONCURRENCY)
        # As in BwrapLauncher: setpriv sets PR_SET_PDEATHSIG and execs the program, so the node
        # is not forked for a preexec_fn (runtime/spawn.py). child_setup also caught a node
        # that died before its prctl; setpriv leaves that window of about a millisecond open,
        # as the bwrap mode always has.
        setpriv = shutil.which("setpriv")
        self._prefix = [setpriv, "--pdeathsig", "KILL", "--"] if setpriv else []
        self._preexec = None if setpriv else child_setup(os.getpid())

    async def _spawn(
        self, argv: list[str], layout: Layout, stdio: ExecStdio, cgroup_procs: Sequence[str] = ()
    ) -> Process:
        argv = list(argv)
        if "/" in argv[0]:
            argv[0] = layout.host_path(argv[0])
        proc = await spawn(
            enter_cgroup(cgroup_procs, [*stdio.prefix(), *self._prefix, *argv]),
            stdin=stdio.stdin,
            stdout=stdio.stdout,
            stderr=stdio.stderr,
            env=layout.env,
            cwd=layout.host_workdir,
            start_new_session=not stdio.tty,
            preexec_fn=self._preexec,
        )
        self.reaper.watch(proc.pid)
        return proc

    async def start_container(
        self,
        argv: list[str],
        layout: Layout,
        stdio: ExecStdio = CONTAINER_OUTPUT,
        *,
        pid_namespace_of: int | None = None,
        cgroup_procs: Sequence[str] = (),
    ) -> tuple[Process, int]:
        # No PID namespaces in plain mode: every process sees the host's anyway.
        async with self._gate:
            proc = await self._spawn(argv, layout, stdio, cgroup_procs)
        return proc, proc.pid

    async def start_exec(
        self,
        argv: list[str],
        layout: Layout,
        *,
        pid: int | None = None,
        stdio: ExecStdio = MERGED_OUTPUT,
        own_pids: bool = True,
        cgroup_procs: Sequence[str] = (),
    ) -> Process:
        # No namespaces to join in plain mode: the command is a sibling of the container.
        return await self._spawn(argv, layout, stdio, cgroup_procs)

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


def enter_cgroup(cgroup_procs: Sequence[str], cmd: list[str]) -> list[str]:
    """`cmd` behind a shell that first writes its own PID into each `cgroup.procs` file, then
    execs it: bwrap, the sandbox and the program are born inside the container's cgroup, so the
    limits count from the first allocation and no window exists (as bwrap --block-fd would
    leave) in which a node killed with SIGKILL releases a blocked sandbox without its
    --die-with-parent armed. If a write fails the shell exits with its error on stderr."""
    if not cgroup_procs:
        return cmd
    joins = " && ".join(f"echo $$ > {shlex.quote(path)}" for path in cgroup_procs)
    return ["/bin/sh", "-c", f'{joins} && exec "$@"', "sh", *cmd]


def _forkable(layout: Layout, stdio: ExecStdio) -> bool:
    """A wiremock pod's stub in its own user namespace, as container root with the image's
    user, no stdin and no terminal: what the fork server starts (anything else starts as ever)."""
    return (
        layout.hold_signals
        and layout.user_namespace
        and not layout.id_switch
        and layout.image_root is None
        and layout.security.runs_as_root
        and not _sandbox_ids(layout)
        and stdio == CONTAINER_OUTPUT
    )


def _sandbox_ids(layout: Layout) -> dict[str, int]:
    """bwrap's --uid/--gid: the container's own only where bwrap maps them to the node's
    ordinary user; a root node switches with setpriv instead (idswitch.py)."""
    identity = layout.security.identity
    if identity is None or not layout.user_namespace or layout.id_switch:
        return {}
    return {"uid": identity.uid, "gid": identity.gid}


def _capabilities(layout: Layout) -> tuple[str, ...]:
    caps = layout.security.capabilities
    if layout.id_switch:
        # setpriv needs these to take on the ids; a non-root uid loses every capability at
        # the program's execve, as under containerd (nothing is ambient).
        return (*caps, *(c for c in ("CAP_SETUID", "CAP_SETGID") if c not in caps))
    if not layout.security.runs_as_root:
        return ()  # bwrap would make them ambient for a non-root sandbox uid; a node does not
    return caps


def _run_as(cmd: list[str], layout: Layout) -> None:
    """A pulled image's User: the sandbox's uid/gid (bwrap warns when given twice, and its
    stderr is the container's, so the values are replaced in place)."""
    ident = layout.identity
    if ident is None or not layout.user_namespace or layout.security.identity is not None:
        return  # no image user, or the pod's securityContext decides (_sandbox_ids)
    for flag, value in (("--uid", ident.uid), ("--gid", ident.gid)):
        if flag in cmd:
            cmd[cmd.index(flag) + 1] = str(value)


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
