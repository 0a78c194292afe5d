"""Start the node's child processes without forking the node.

Why this exists: the node runs on uvloop, whose `subprocess_exec` (libuv's `uv_spawn`) calls
fork(), which copies the page tables of the whole node while the GIL is held: 21 ms of wall
time and 9 ms of CPU per spawn at 135 MiB RSS, against 0.7 / 0.5 ms for `subprocess.Popen`,
which uses vfork() when there is no `preexec_fn` (docs/PERFORMANCE.md, "Node"). Every
container, exec probe and `kubectl exec` starts a process, so this was the largest node-side
cost of a pod start.

`spawn` starts the program with `Popen` on the event loop's thread (PR_SET_PDEATHSIG, set by
setpriv in the child, follows the thread that spawned it, so it must not be a worker thread
that may end) and returns a `Child` with the part of `asyncio.subprocess.Process` the runtime
uses: `pid`, `returncode`, `stdin`/`stdout`/`stderr` as asyncio streams, `wait()`,
`communicate()`, `send_signal()`/`kill()`.

The exit is watched with a pidfd, readable once the process has exited, then collected with
waitpid(pid, WNOHANG) (through `Popen.poll`). Nothing else may collect it: libuv reaps only the
children it spawned itself (one waitpid per pid), asyncio's child watchers likewise, and the
node never waits for any child (waitpid(-1)). The watcher is registered before `spawn`
returns, so every child is reaped even if nobody waits for it, and `wait()` returns as soon
as the process exits (not when its pipes close, which a leftover `sleep 10 &` can hold open).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import shutil
import signal
import subprocess
from collections.abc import Callable, Collection, Mapping, Sequence

# Until pidfds exist (Linux < 5.3) the exit is polled, this often.
POLL_SECONDS = 0.05
STREAM_LIMIT = 2**16  # asyncio's subprocess streams use the same


class Child:
    """A started process: asyncio's `Process` surface over a `Popen` the loop watches."""

    def __init__(self, popen: subprocess.Popen[bytes], loop: asyncio.AbstractEventLoop) -> None:
        self._popen = popen
        self._loop = loop
        self.pid = popen.pid
        self.stdin: asyncio.StreamWriter | None = None
        self.stdout: asyncio.StreamReader | None = None
        self.stderr: asyncio.StreamReader | None = None
        self._exited: asyncio.Future[int] = loop.create_future()
        self._pidfd = -1
        self._poller: asyncio.TimerHandle | None = None
        self._watch()

    @property
    def returncode(self) -> int | None:
        """None while running; negative N when killed by signal N (as asyncio reports it)."""
        return self._popen.returncode

    async def wait(self) -> int:
        """The return code, as soon as the process has exited."""
        return await asyncio.shield(self._exited)

    async def communicate(self) -> tuple[bytes | None, bytes | None]:
        """Close stdin, read stdout and stderr to their end, wait for the exit."""
        if self.stdin is not None:
            self.stdin.close()
        out, err = await asyncio.gather(_read_all(self.stdout), _read_all(self.stderr))
        await self.wait()
        return out, err

    def send_signal(self, sig: int) -> None:
        # Only while unreaped: until then the pid cannot have been reused. (Popen.send_signal
        # would reap the process itself, behind the watcher's back.)
        if self._popen.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, sig)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    # -- exit watching ---------------------------------------------------------------------
    def _watch(self) -> None:
        try:
            self._pidfd = os.pidfd_open(self.pid)
        except OSError:
            self._poller = self._loop.call_later(POLL_SECONDS, self._poll)
            return
        self._loop.add_reader(self._pidfd, self._reap)

    def _poll(self) -> None:
        self._poller = None
        if not self._reap():
            self._poller = self._loop.call_later(POLL_SECONDS, self._poll)

    def _reap(self) -> bool:
        if self._popen.poll() is None:
            return False  # not yet (a spurious wake-up)
        if self._pidfd >= 0:
            self._loop.remove_reader(self._pidfd)
            os.close(self._pidfd)
            self._pidfd = -1
        if not self._exited.done():
            self._exited.set_result(self._popen.returncode)
        return True


async def spawn(
    argv: Sequence[str],
    *,
    stdin: int,
    stdout: int,
    stderr: int,
    env: Mapping[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
    pass_fds: Collection[int] = (),
    start_new_session: bool = False,
    preexec_fn: Callable[[], None] | None = None,
    blocked_signals: Collection[int] = (),
) -> Child:
    """Start `argv`; stdin/stdout/stderr are `subprocess.PIPE`, `DEVNULL`, `STDOUT` or an fd.

    `blocked_signals` are blocked in the child from its start (the signal mask passes through
    exec); the node's own mask is restored at once. A `preexec_fn` forces a full fork (the old
    cost): only for hosts without setpriv.
    """
    loop = asyncio.get_running_loop()
    argv = [*_default_signals(), *argv]
    # The node's ends of the pipes are made here, so the streams own them (no file objects).
    ours: dict[str, int] = {}
    theirs: list[int] = []

    def wire(name: str, arg: int) -> int:
        if arg != subprocess.PIPE:
            return arg
        read_end, write_end = os.pipe()  # close-on-exec: the child gets its end by dup2
        ours[name], child_end = (write_end, read_end) if name == "stdin" else (read_end, write_end)
        theirs.append(child_end)
        return child_end

    held = signal.pthread_sigmask(signal.SIG_BLOCK, blocked_signals) if blocked_signals else None
    try:
        popen = subprocess.Popen(
            list(argv),
            stdin=wire("stdin", stdin),
            stdout=wire("stdout", stdout),
            stderr=wire("stderr", stderr),
            env=env,
            cwd=cwd,
            pass_fds=tuple(pass_fds),
            start_new_session=start_new_session,
            preexec_fn=preexec_fn,
        )
    except BaseException:
        for fd in ours.values():
            os.close(fd)
        raise
    finally:
        if held is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
        for fd in theirs:
            os.close(fd)
    child = Child(popen, loop)
    try:
        if "stdin" in ours:
            child.stdin = await _writer(loop, _PipeEnd(ours.pop("stdin"), loop))
        if "stdout" in ours:
            child.stdout = await _reader(loop, _PipeEnd(ours.pop("stdout"), loop))
        if "stderr" in ours:
            child.stderr = await _reader(loop, _PipeEnd(ours.pop("stderr"), loop))
    except BaseException:
        for fd in ours.values():
            os.close(fd)
        child.kill()  # the watcher reaps it
        raise
    return child


# Popen puts these back to their defaults itself (restore_signals); Python ignores them.
_RESTORED = frozenset({signal.SIGPIPE, signal.SIGXFSZ})


def _default_signals() -> list[str]:
    """A prefix that gives the program default dispositions for the signals the node ignores.

    libuv's spawn reset every disposition in the child; Popen resets only SIGPIPE and SIGXFSZ.
    An ignored signal survives exec, and a node may have been started ignoring some (`nohup`
    ignores SIGHUP; a background job of a non-interactive shell ignores SIGINT and SIGQUIT);
    containers start with default dispositions. Rare, so the cost (one more exec) is paid only
    then: GNU env's --default-signal (coreutils 8.31) resets them before exec'ing the rest."""
    ignored = [
        sig.name
        for sig in signal.valid_signals()
        if isinstance(sig, signal.Signals)
        and sig not in _RESTORED
        and sig not in (signal.SIGKILL, signal.SIGSTOP)
        and signal.getsignal(sig) == signal.SIG_IGN
    ]
    env = _env_with_default_signal()
    if not ignored or env is None:
        return []
    return [env, "--default-signal=" + ",".join(ignored), "--"]


@functools.cache
def _env_with_default_signal() -> str | None:
    env = shutil.which("env")
    if env is None:
        return None
    try:
        probe = subprocess.run([env, "--default-signal=HUP", "true"], capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return env if probe.returncode == 0 else None


class _PipeEnd:
    """A pipe end for `connect_read_pipe`/`connect_write_pipe`, closed exactly once.

    asyncio's pipe transports close the file object they were given; uvloop's close the fd
    themselves (libuv) and then call the object's close() as well, which on an ordinary file
    object closes the same number a second time: by then another thread may have opened a
    file under it. This object closes its fd only where the transport does not."""

    def __init__(self, fd: int, loop: asyncio.AbstractEventLoop) -> None:
        self._fd = fd
        self._transport_closes_fd = type(loop).__module__.startswith("uvloop")

    def fileno(self) -> int:
        return self._fd

    def close(self) -> None:
        fd, self._fd = self._fd, -1
        if fd >= 0 and not self._transport_closes_fd:
            os.close(fd)


async def _reader(loop: asyncio.AbstractEventLoop, pipe: _PipeEnd) -> asyncio.StreamReader:
    reader = asyncio.StreamReader(limit=STREAM_LIMIT, loop=loop)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader, loop=loop), pipe)
    return reader


async def _writer(loop: asyncio.AbstractEventLoop, pipe: _PipeEnd) -> asyncio.StreamWriter:
    transport, protocol = await loop.connect_write_pipe(
        lambda: asyncio.streams.FlowControlMixin(loop=loop), pipe
    )
    return asyncio.StreamWriter(transport, protocol, None, loop)


async def _read_all(stream: asyncio.StreamReader | None) -> bytes | None:
    return None if stream is None else await stream.read()
