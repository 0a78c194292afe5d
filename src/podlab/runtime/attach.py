"""`kubectl attach` (and `run -i/-it`): the container's own stdin and its live output.

A container with `stdin: true` starts on a stdin pipe the node keeps open, with `tty: true` on a
pseudo-terminal (stdin, stdout and stderr all one). Its output goes to the log as always, and
to every attached client as it comes: nothing is replayed (containerd's attach; `kubectl run`
reads the log first for that). With `stdinOnce` and no terminal, the end of an attached
client's stdin closes the container's stdin; otherwise it detaches that client.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from podlab.runtime.exec_session import read_master, set_window_size, write_all
from podlab.runtime.execstdio import CONTAINER_OUTPUT, ExecStdio

Chunk = tuple[int, bytes]  # (1 stdout | 2 stderr, bytes)
# Per attached client: output chunks not yet sent. A client this far behind loses output
# rather than growing the node's memory without bound.
MAX_PENDING_CHUNKS = 1024


class ContainerStdio:
    """A container's attachable end: its stdin (pipe writer or terminal master) and the fan-out."""

    def __init__(self, *, stdin: asyncio.StreamWriter | None, master: int | None, stdin_once: bool) -> None:
        self._stdin = stdin
        self.master = master
        self._stdin_once = stdin_once
        self._stdin_closed = False
        self._clients: set[asyncio.Queue[Chunk | None]] = set()
        self._ended = False

    def publish(self, stream: int, data: bytes) -> None:
        for queue in list(self._clients):
            if queue.qsize() < MAX_PENDING_CHUNKS:
                queue.put_nowait((stream, data))

    def end(self) -> None:
        """The container has exited: every attach session ends."""
        self._ended = True
        for queue in self._clients:
            queue.put_nowait(None)
        self._clients.clear()
        if self._stdin is not None:
            self._stdin.close()

    def session(self) -> AttachSession:
        queue: asyncio.Queue[Chunk | None] = asyncio.Queue()
        if self._ended:
            queue.put_nowait(None)
        else:
            self._clients.add(queue)
        return AttachSession(self, queue)

    def leave(self, queue: asyncio.Queue[Chunk | None]) -> None:
        if queue in self._clients:
            self._clients.discard(queue)
            queue.put_nowait(None)

    async def write(self, data: bytes) -> None:
        if self._stdin_closed:
            return
        if self.master is not None:
            await write_all(self.master, data)
        elif self._stdin is not None:
            with contextlib.suppress(ConnectionError):
                self._stdin.write(data)
                await self._stdin.drain()

    def client_stdin_ended(self) -> bool:
        """containerd's rule: with stdinOnce and no terminal the container's stdin closes and
        its output keeps flowing; otherwise the client is detached (False)."""
        if self._stdin_once and self.master is None:
            if self._stdin is not None:
                self._stdin_closed = True
                self._stdin.close()
            return True
        return False


class AttachSession:
    """One attached client (the same shape as an exec session, for the API server)."""

    def __init__(self, stdio: ContainerStdio, queue: asyncio.Queue[Chunk | None]) -> None:
        self._stdio = stdio
        self._queue = queue

    async def write_stdin(self, data: bytes) -> None:
        await self._stdio.write(data)

    def close_stdin(self) -> None:
        if not self._stdio.client_stdin_ended():
            self.kill()

    def resize(self, width: int, height: int) -> None:
        if self._stdio.master is not None:
            set_window_size(self._stdio.master, width, height)

    async def run(self, sink: Callable[[int, bytes], Awaitable[None]]) -> int:
        """Live output until the container exits; attach reports no exit code (0)."""
        while (chunk := await self._queue.get()) is not None:
            await sink(*chunk)
        return 0

    def kill(self) -> None:
        """Detach: the container keeps running."""
        self._stdio.leave(self._queue)


def master_reader(master: int) -> asyncio.StreamReader:
    """The terminal's output as a StreamReader (for the log writer), fed until EIO."""
    reader = asyncio.StreamReader()

    async def feed() -> None:
        try:
            async for chunk in read_master(master):
                reader.feed_data(chunk)
        finally:
            reader.feed_eof()

    task = asyncio.ensure_future(feed())
    _feeders.add(task)
    task.add_done_callback(_feeders.discard)
    return reader


_feeders: set[asyncio.Task[None]] = set()


def container_stdio(container: Mapping[str, Any]) -> tuple[ExecStdio, int | None]:
    """How a container's program is wired: `tty` a new terminal (returned: its master side),
    `stdin` a pipe the node keeps; otherwise no stdin, stdout and stderr apart."""
    if container.get("tty"):
        master, slave = os.openpty()
        os.set_blocking(master, False)  # read and written on the event loop
        return ExecStdio(slave, slave, slave, tty=True), master
    if container.get("stdin"):
        return ExecStdio(subprocess.PIPE, subprocess.PIPE, subprocess.PIPE), None
    return CONTAINER_OUTPUT, None


def close_master(master: int | None) -> None:
    if master is not None:
        with contextlib.suppress(OSError):
            os.close(master)
