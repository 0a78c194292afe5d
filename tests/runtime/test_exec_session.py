"""Exec sessions and attach on real containers, in both sandbox modes (runtime/exec_session.py,
runtime/attach.py); the API transports on top are covered in tests/e2e/test_exec.py."""

from __future__ import annotations

import asyncio
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from podlab.runtime import Runtime
from podlab.runtime.launchers import bwrap_works

from .test_runtime import launch, run, shell

Chunks = list[tuple[int, bytes]]


def collector() -> tuple[Chunks, Callable[[int, bytes], Any]]:
    chunks: Chunks = []

    async def sink(stream: int, data: bytes) -> None:
        chunks.append((stream, data))

    return chunks, sink


def joined(chunks: Chunks, stream: int) -> bytes:
    return b"".join(data for s, data in chunks if s == stream)


def test_session_stdin_stdout_stderr_and_exit_code(
    mode: str, home: Path, make_pod: Callable[..., Any], pod_ip: str
) -> None:
    # Plain mode shares the host's /tmp: a name of this run's own, not another test's file.
    mark = f"/tmp/podlab-exec-mark-{uuid.uuid4().hex}"

    async def main(rt: Runtime) -> None:
        rc = await rt.start(launch(make_pod(), shell(f"echo ready > {mark}; exec sleep 600"), pod_ip))
        session = await rc.open_session(
            # The container writes the mark once its shell runs, maybe after the session starts:
            # wait for it (bounded: 10 s).
            [
                "sh",
                "-c",
                f"for i in $(seq 200); do [ -s {mark} ] && break; sleep 0.05; done;"
                f" cat {mark}; rm -f {mark}; tr a-z A-Z; echo oops >&2; exit 3",
            ],
            stdin=True,
            tty=False,
        )
        chunks, sink = collector()
        runner = asyncio.ensure_future(session.run(sink))
        await session.write_stdin(b"hello\n")
        session.close_stdin()
        assert await asyncio.wait_for(runner, 20) == 3
        assert joined(chunks, 1) == b"ready\nHELLO\n"
        assert joined(chunks, 2) == b"oops\n"
        await rc.stop(0)

    run(home, mode, main)


def test_bwrap_session_is_the_containers_peer_on_a_sized_terminal(
    home: Path, make_pod: Callable[..., Any], pod_ip: str
) -> None:
    async def main(rt: Runtime) -> None:
        rc = await rt.start(launch(make_pod(), shell("exec sleep 600"), pod_ip))
        script = "stty size; tr '\\0' _ < /proc/1/cmdline; echo; echo $$"
        session = await rc.open_session(["sh", "-c", script], stdin=True, tty=True, size=(111, 33))
        chunks, sink = collector()
        assert await asyncio.wait_for(session.run(sink), 20) == 0
        size, pid_1, pid = joined(chunks, 1).decode().split("\r\n")[:3]
        assert (size, pid_1) == ("33 111", "sleep_600_")
        assert int(pid) > 1
        await rc.stop(0)

    if not bwrap_works(shutil.which("bwrap")):
        pytest.skip("bubblewrap is not usable here")
    run(home, "bwrap", main)


def test_attach_sees_live_output_and_stdin_once_closes_the_containers_stdin(
    mode: str, home: Path, make_pod: Callable[..., Any], pod_ip: str
) -> None:
    async def main(rt: Runtime) -> None:
        container = {
            **shell("while read l; do echo got $l; done; echo bye"),
            "stdin": True,
            "stdinOnce": True,
        }
        rc = await rt.start(launch(make_pod(), container, pod_ip))
        session = rc.attach()
        chunks, sink = collector()
        runner = asyncio.ensure_future(session.run(sink))
        await session.write_stdin(b"one\n")
        session.close_stdin()  # stdinOnce: the container's stdin ends, its output goes on to the exit
        assert await asyncio.wait_for(runner, 20) == 0
        assert joined(chunks, 1) == b"got one\nbye\n"
        assert (await rc.wait()).exit_code == 0

    run(home, mode, main)
