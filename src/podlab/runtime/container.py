"""One started container instance: its exit, stop, exec, and the copying of its output to its log."""

from __future__ import annotations

import asyncio
import secrets
import signal
from datetime import UTC, datetime
from pathlib import Path

from podlab.runtime.launchers import Launcher, Process
from podlab.runtime.layout import Layout
from podlab.runtime.logfiles import LogRotation
from podlab.runtime.logwriter import LogWriter, WarnFn, write_exit_marker
from podlab.runtime.lookup import look_path
from podlab.runtime.process import exit_code_of, kill_group, wait_exit
from podlab.runtime.termination import TerminationLog, read_message
from podlab.runtime.types import ExecResult, ExitInfo, exit_reason

# `kubectl exec` output kept in memory; probes read at most 10 KiB of it.
MAX_EXEC_OUTPUT = 1 << 20
# After PID 1 is gone, how long the log pumps may take to drain the pipes.
DRAIN_SECONDS = 2.0


class ContainerNotRunning(Exception):
    """exec into a container that has exited."""


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
        self._termination = termination or TerminationLog(None, fallback_to_logs=False)
        self._sent_signal: int | None = None
        self._exit: asyncio.Future[ExitInfo] = asyncio.get_running_loop().create_future()

    @property
    def running(self) -> bool:
        return not self._exit.done()

    async def monitor(self) -> None:
        """Copy stdout/stderr to the CRI log until exit, then record how the instance ended."""
        assert self._proc.stdout is not None and self._proc.stderr is not None
        pumps = [
            asyncio.ensure_future(self._writer.pump(self._proc.stdout, "stdout")),
            asyncio.ensure_future(self._writer.pump(self._proc.stderr, "stderr")),
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
        code = exit_code_of(returncode)
        sig = self._sent_signal if self._sent_signal and code == 128 + self._sent_signal else None
        if returncode < 0:
            sig = -returncode
        write_exit_marker(self.log_path, code)
        message = read_message(self._termination, code, self.log_path)
        if not self._exit.done():
            self._exit.set_result(
                ExitInfo(
                    exit_code=code,
                    signal=sig,
                    reason=exit_reason(code),
                    finished_at=datetime.now(UTC),
                    message=message,
                )
            )

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
        if not argv:
            raise ValueError("exec needs a command")
        layout = self._layout
        error = look_path(argv[0], layout.env.get("PATH", ""), layout.workdir, layout.host_path)
        if error is not None:
            # containerd's answer for an exec that cannot start (a probe failure, exit 126).
            msg = f"OCI runtime exec failed: exec failed: unable to start container process: {error}: unknown\r\n"
            return ExecResult(exit_code=126, output=msg.encode(), timed_out=False)
        proc = await self._launcher.start_exec(argv, layout)
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
