"""runtime/spawn.py against real processes, on asyncio's loop and on uvloop: the part of
asyncio's `Process` the runtime uses (exit codes, signals, pipes), and the exit watcher."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import pytest

from podlab.runtime import spawn as spawn_module
from podlab.runtime.spawn import Child, spawn

T = TypeVar("T")
PIPE, DEVNULL, STDOUT = subprocess.PIPE, subprocess.DEVNULL, subprocess.STDOUT


def run(event_loop_kind: str, make: Callable[[], Awaitable[T]]) -> T:
    assert event_loop_kind in ("asyncio", "uvloop")
    return asyncio.run(asyncio.wait_for(make(), timeout=20))


async def sh(script: str, **kw: int) -> Child:
    stdio = {"stdin": DEVNULL, "stdout": PIPE, "stderr": PIPE, **kw}
    return await spawn(["/bin/sh", "-c", script], **stdio)


def test_exit_codes_and_output(event_loop_kind: str) -> None:
    async def main() -> tuple[int, int | None, tuple[bytes | None, bytes | None], int]:
        child = await sh("echo out; echo err >&2; exit 3")
        code = await child.wait()
        out_err = await child.communicate()
        zero = await (await sh("true")).wait()
        return code, child.returncode, out_err, zero

    code, returncode, out_err, zero = run(event_loop_kind, main)
    assert (code, returncode, zero) == (3, 3, 0)
    assert out_err == (b"out\n", b"err\n")


def test_signals_report_negative_codes_as_asyncio_does(event_loop_kind: str) -> None:
    async def main() -> tuple[int, int]:
        term = await sh("exec sleep 30", stdout=DEVNULL, stderr=DEVNULL)
        term.send_signal(signal.SIGTERM)
        killed = await sh("exec sleep 30", stdout=DEVNULL, stderr=DEVNULL)
        killed.kill()
        codes = (await term.wait(), await killed.wait())
        killed.kill()  # after the exit: nothing (the pid is no longer this child's)
        return codes

    assert run(event_loop_kind, main) == (-signal.SIGTERM, -signal.SIGKILL)


def test_stdin_pipe_and_merged_output(event_loop_kind: str) -> None:
    async def main() -> tuple[bytes, bytes, int]:
        cat = await spawn(["cat"], stdin=PIPE, stdout=PIPE, stderr=DEVNULL)
        assert cat.stdin is not None and cat.stdout is not None
        cat.stdin.write(b"line one\n")
        await cat.stdin.drain()
        first = await cat.stdout.readline()
        cat.stdin.close()  # EOF: cat exits
        merged = await sh("echo a; echo b >&2", stdout=PIPE, stderr=STDOUT)
        assert merged.stderr is None and merged.stdout is not None
        return first, await merged.stdout.read(), await cat.wait()

    first, merged, code = run(event_loop_kind, main)
    assert (first, code) == (b"line one\n", 0)
    assert merged == b"a\nb\n"


def test_wait_does_not_wait_for_pipes_a_background_child_holds(event_loop_kind: str) -> None:
    async def main() -> tuple[int, float, bool]:
        started = time.monotonic()
        child = await sh("sleep 5 & exit 4")
        code = await child.wait()
        took = time.monotonic() - started
        assert child.stdout is not None
        at_eof = child.stdout.at_eof()
        os.killpg(os.getpgid(0), 0)  # (the node's own group still exists: nothing was killed)
        return code, took, at_eof

    code, took, at_eof = run(event_loop_kind, main)
    assert code == 4 and took < 3 and not at_eof


def test_a_process_that_exited_before_the_watcher_is_reported(event_loop_kind: str) -> None:
    async def main() -> int:
        popen = subprocess.Popen(["/bin/sh", "-c", "exit 7"])
        # Wait for the exit without collecting it: the watcher starts on a zombie.
        os.waitid(os.P_PID, popen.pid, os.WEXITED | os.WNOWAIT)
        return await Child(popen, asyncio.get_running_loop()).wait()

    assert run(event_loop_kind, main) == 7


def test_every_child_is_reaped_even_if_nobody_waits(event_loop_kind: str) -> None:
    async def main() -> int:
        child = await sh("exit 0", stdout=DEVNULL, stderr=DEVNULL)
        deadline = time.monotonic() + 10
        while Path(f"/proc/{child.pid}").exists() and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        return child.pid

    pid = run(event_loop_kind, main)
    assert not Path(f"/proc/{pid}").exists()


def test_exit_is_polled_where_pidfds_are_missing(
    event_loop_kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_pidfd(pid: int, flags: int = 0) -> int:
        raise OSError(38, "Function not implemented")  # ENOSYS: Linux < 5.3

    monkeypatch.setattr(spawn_module.os, "pidfd_open", no_pidfd)

    async def main() -> int:
        return await (await sh("exit 5")).wait()

    assert run(event_loop_kind, main) == 5


def test_blocked_signals_reach_the_child_only_and_no_fd_leaks(event_loop_kind: str) -> None:
    async def main() -> tuple[bytes | None, bytes | None, set[int]]:
        masked = await spawn(
            ["grep", "SigBlk", "/proc/self/status"],
            stdin=DEVNULL,
            stdout=PIPE,
            stderr=DEVNULL,
            blocked_signals={signal.SIGTERM},
        )
        listing = await spawn(["ls", "/proc/self/fd"], stdin=PIPE, stdout=PIPE, stderr=PIPE)
        assert listing.stdin is not None
        listing.stdin.close()
        (blocked, _), (fds, _) = await masked.communicate(), await listing.communicate()
        return blocked, fds, signal.pthread_sigmask(signal.SIG_BLOCK, [])

    blocked, fds, node_mask = run(event_loop_kind, main)
    assert blocked is not None and fds is not None
    assert int(blocked.split()[1], 16) & (1 << (signal.SIGTERM - 1))
    assert signal.SIGTERM not in node_mask
    # stdin, stdout, stderr and ls's own directory fd: none of the node's pipes or pidfds.
    assert sorted(int(fd) for fd in fds.split()) == [0, 1, 2, 3]


def test_signals_the_node_ignores_are_default_again_in_the_child(event_loop_kind: str) -> None:
    """As libuv's spawn did: a node started under `nohup` (SIGHUP ignored) or as a background
    job (SIGINT, SIGQUIT) must not hand those dispositions to its containers."""

    async def main() -> bytes | None:
        child = await spawn(
            ["grep", "SigIgn", "/proc/self/status"], stdin=DEVNULL, stdout=PIPE, stderr=DEVNULL
        )
        return (await child.communicate())[0]

    before = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGHUP, signal.SIGQUIT)}
    try:
        out = run(event_loop_kind, main)
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)
    assert out is not None
    # Only the two signals set here: a runner may start everything with signals ignored that
    # glibc reserves for itself (32, 33), which no program can reset.
    ignored = int(out.split()[1], 16)
    assert not ignored & (1 << (signal.SIGHUP - 1) | 1 << (signal.SIGQUIT - 1)), hex(ignored)
