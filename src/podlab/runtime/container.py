"""One started container instance: its exit, stop, exec, and the copying of its output to its log."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from podlab.runtime.attach import AttachSession, ContainerStdio, close_master, master_reader
from podlab.runtime.cgroups import ContainerCgroup, exit_reason
from podlab.runtime.exec_session import STDERR, STDOUT, ExecSession, set_window_size
from podlab.runtime.execstdio import ExecStdio
from podlab.runtime.launchers import Launcher, Process
from podlab.runtime.layout import Layout
from podlab.runtime.logfiles import LogRotation
from podlab.runtime.logwriter import LogWriter, WarnFn, write_exit_marker
from podlab.runtime.lookup import look_path
from podlab.runtime.process import exit_code_of, kill_group, wait_exit
from podlab.runtime.termination import TerminationLog, read_message
from podlab.runtime.types import ExecResult, ExitInfo

# `kubectl exec` output kept in memory; probes read at most 10 KiB of it.
MAX_EXEC_OUTPUT = 1 << 20
# After PID 1 is gone, how long the log pumps may take to drain the pipes.
DRAIN_SECONDS = 2.0


class ContainerNotRunning(Exception):
    """exec into a container that has exited."""


class ExecStartError(Exception):
    """The command cannot start (not found, not executable): containerd's wording."""


class RunningContainer:
    """Created by Runtime.start; `monitor()` must run (the runtime owns that task)."""

    def __init__(
        self,
        *,
        launcher: Launcher,
        proc: Process,
        pid: int,
        log_path: Path,
        layout: Layout,
        rotation: LogRotation | None = None,
        warn: WarnFn | None = None,
        attachable: ContainerStdio | None = None,
        cgroup: ContainerCgroup | None = None,
        termination: TerminationLog | None = None,
    ) -> None:
        self.container_id = "containerd://" + secrets.token_hex(32)
        self.pid = pid  # the program's host PID (PID 1 of its namespace under bubblewrap)
        self.started_at = datetime.now(UTC)
        self.log_path = log_path
        self._launcher = launcher
        self._proc = proc
        self._writer = LogWriter(log_path, rotation, warn)
        self._layout = layout
        self._stdio = attachable or ContainerStdio(stdin=None, master=None, stdin_once=False)
        self._termination = termination or TerminationLog(None, fallback_to_logs=False)
        self._sent_signal: int | None = None
        self.cgroup = cgroup  # None: no cgroup (cgroups unusable here); see runtime/cgroups
        self._exit: asyncio.Future[ExitInfo] = asyncio.get_running_loop().create_future()

    @property
    def running(self) -> bool:
        return not self._exit.done()

    async def monitor(self) -> None:
        """Copy stdout/stderr to the CRI log until exit, then record how the instance ended."""
        pumps = [
            asyncio.ensure_future(self._writer.pump(reader, name, tap))
            for reader, name, tap in self._outputs()
        ]
        try:
            returncode = await wait_exit(self._proc)
            self._launcher.process_done(self._proc)
            _, pending = await asyncio.wait(pumps, timeout=DRAIN_SECONDS)
            for p in pending:
                p.cancel()
        except BaseException:
            # The node is going away (task cancelled): the container must not outlive it,
            # and nobody waiting on it may hang.
            self._launcher.signal_container(self._proc, self.pid, signal.SIGKILL)
            for p in pumps:
                p.cancel()
            if not self._exit.done():
                self._exit.set_result(ExitInfo(137, int(signal.SIGKILL), "Error", datetime.now(UTC)))
            raise
        finally:
            self._writer.close()
            self._stdio.end()
            close_master(self._stdio.master)
        code = exit_code_of(returncode)
        sig = self._sent_signal if self._sent_signal and code == 128 + self._sent_signal else None
        if returncode < 0:
            sig = -returncode
        write_exit_marker(self.log_path, code)
        reason = exit_reason(code, 0, 0)
        if self.cgroup is not None:
            # The OOM count is read before the cgroup goes (it goes with it).
            reason = exit_reason(code, self.cgroup.oom_at_start, self.cgroup.oom_kills())
        message = read_message(self._termination, code, self.log_path)
        if not self._exit.done():
            self._exit.set_result(
                ExitInfo(
                    exit_code=code,
                    signal=sig,
                    reason=reason,
                    finished_at=datetime.now(UTC),
                    message=message,
                )
            )
        if self.cgroup is not None:
            # After the exit is known: the namespace's last processes may take a moment to
            # die, and nobody waiting on the container should wait for that.
            await asyncio.to_thread(self.cgroup.remove)

    def _cgroup_procs(self) -> tuple[str, ...]:
        """Where an exec session is born: this container's cgroup (none where cgroups are not used)."""
        return () if self.cgroup is None else tuple(self.cgroup.procs_files())

    def join_cgroup(self, pid: int) -> None:
        """Put process `pid` (an exec session) into this container's cgroup, so that it counts
        against the container's limits and its OOM kill marks the container OOMKilled, as on a
        node. A no-op where cgroups are not used. Raises OSError when the move fails."""
        if self.cgroup is not None:
            self.cgroup.add_process(pid)

    def _outputs(self) -> list[tuple[asyncio.StreamReader, str, Callable[[bytes], None]]]:
        """What the log copies, each chunk also shown to attached clients (a terminal: one stream)."""
        publish = self._stdio.publish
        if self._stdio.master is not None:
            return [(master_reader(self._stdio.master), "stdout", partial(publish, STDOUT))]
        assert self._proc.stdout is not None and self._proc.stderr is not None
        return [
            (self._proc.stdout, "stdout", partial(publish, STDOUT)),
            (self._proc.stderr, "stderr", partial(publish, STDERR)),
        ]

    def attach(self) -> AttachSession:
        """`kubectl attach`: the program's own stdin and live output. Raises ContainerNotRunning."""
        if self._exit.done():
            raise ContainerNotRunning("container not running")
        return self._stdio.session()

    async def wait(self) -> ExitInfo:
        return await asyncio.shield(self._exit)

    async def stop(self, grace_seconds: float) -> ExitInfo:
        """SIGTERM to the container's PID 1, SIGKILL after the grace period. Idempotent."""
        if self._exit.done():
            return self._exit.result()
        # containerd's StopContainer: with no grace period it goes straight to SIGKILL.
        if grace_seconds > 0:
            self._signal(signal.SIGTERM)
            try:
                return await asyncio.wait_for(asyncio.shield(self._exit), timeout=grace_seconds)
            except TimeoutError:
                pass
        self._signal(signal.SIGKILL)
        return await asyncio.shield(self._exit)

    def _signal(self, sig: int) -> None:
        self._sent_signal = int(sig)
        self._launcher.signal_container(self._proc, self.pid, sig)

    async def exec(self, argv: list[str], timeout: float) -> ExecResult:
        """Run `argv` in the container's filesystem view; the whole tree is killed on timeout."""
        if self._exit.done():
            raise ContainerNotRunning("container not running")
        layout = self._layout
        error = self._lookup(argv)
        if error is not None:
            # containerd's answer for an exec that cannot start (a probe failure, exit 126).
            msg = f"OCI runtime exec failed: exec failed: unable to start container process: {error}: unknown\r\n"
            return ExecResult(exit_code=126, output=msg.encode(), timed_out=False)
        try:
            proc = await self._launcher.start_exec(
                argv, layout, pid=self.pid, cgroup_procs=self._cgroup_procs()
            )
        except ProcessLookupError:
            raise ContainerNotRunning("container not running") from None
        try:
            return await asyncio.wait_for(_collect(proc), timeout=timeout)
        except TimeoutError:
            # The group holds bwrap (whose death ends its PID namespace) or, in plain mode,
            # the command and everything it started.
            kill_group(proc.pid)
            code = await wait_exit(proc)
            return ExecResult(exit_code=exit_code_of(code), output=b"", timed_out=True)
        finally:
            self._launcher.process_done(proc)

    async def open_session(
        self, argv: list[str], *, stdin: bool, tty: bool, size: tuple[int, int] | None = None
    ) -> ExecSession:
        """Start `argv` for `kubectl exec`: in the container's PID namespace, its stdin a pipe
        (or /dev/null), stdout and stderr apart, or all three one new terminal of `size`
        (width, height). Raises ContainerNotRunning or ExecStartError."""
        if self._exit.done():
            raise ContainerNotRunning("container not running")
        error = self._lookup(argv)
        if error is not None:
            raise ExecStartError(
                f"OCI runtime exec failed: exec failed: unable to start container process: {error}: unknown"
            )
        master = slave = None
        if tty:
            master, slave = os.openpty()
            if size is not None:
                set_window_size(master, *size)
            stdio = ExecStdio(slave, slave, slave, tty=True)
        else:
            stdio = ExecStdio(
                subprocess.PIPE if stdin else subprocess.DEVNULL, subprocess.PIPE, subprocess.PIPE
            )
        try:
            proc = await self._launcher.start_exec(
                argv,
                self._layout,
                pid=self.pid,
                stdio=stdio,
                own_pids=False,
                cgroup_procs=self._cgroup_procs(),
            )
        except ProcessLookupError:
            if master is not None:
                os.close(master)
            raise ContainerNotRunning("container not running") from None
        finally:
            if slave is not None:
                os.close(slave)  # the command holds it now; EIO on the master marks its end
        return ExecSession(proc, master=master, on_done=self._launcher.process_done)

    def _lookup(self, argv: list[str]) -> str | None:
        if not argv:
            raise ValueError("exec needs a command")
        layout = self._layout
        return look_path(argv[0], layout.env.get("PATH", ""), layout.workdir, layout.host_path)


async def _collect(proc: Process) -> ExecResult:
    assert proc.stdout is not None
    stdout = proc.stdout
    chunks: list[bytes] = []
    size = 0

    async def read() -> None:
        nonlocal size
        while data := await stdout.read(65536):
            if size < MAX_EXEC_OUTPUT:
                chunks.append(data[: MAX_EXEC_OUTPUT - size])
                size += len(chunks[-1])

    reader = asyncio.ensure_future(read())
    returncode = await wait_exit(proc)
    # The command has exited; whatever it left running must not hold the output open.
    kill_group(proc.pid)
    await reader
    return ExecResult(exit_code=exit_code_of(returncode), output=b"".join(chunks), timed_out=False)
