"""One interactive exec into a running container: stdin in, stdout/stderr (or one terminal) out.

`RunningContainer.open_session` starts it; a transport (apiserver/remotecommand.py) moves the
bytes. With `tty`, the command owns a pseudo-terminal made here (os.openpty): its output is
one stream, and `resize` sets the window size (TIOCSWINSZ) that `stty size` reports.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import struct
import termios
from collections.abc import AsyncIterator, Awaitable, Callable

from podlab.runtime.launchers import Process
from podlab.runtime.process import exit_code_of, kill_group, wait_exit

# After the command exits, how long a background child may keep its output open before we
# stop reading (`sh -c 'sleep 100 &'` must not hold `kubectl exec` open).
DRAIN_SECONDS = 2.0
READ_SIZE = 65536
STDOUT, STDERR = 1, 2
# (stream number, bytes); an empty bytes object never appears.
Sink = Callable[[int, bytes], Awaitable[None]]


class ExecSession:
    def __init__(self, proc: Process, *, master: int | None, on_done: Callable[[Process], None]) -> None:
        self._proc = proc
        self._master = master  # the terminal's master side, or None for pipes
        self._on_done = on_done
        self._stdin_closed = False
        if master is not None:
            os.set_blocking(master, False)

    @property
    def tty(self) -> bool:
        return self._master is not None

    # -- input ----------------------------------------------------------------------------
    async def write_stdin(self, data: bytes) -> None:
        if self._stdin_closed or not data:
            return
        if self._master is not None:
            await write_all(self._master, data)
            return
        stdin = self._proc.stdin
        if stdin is None:
            return
        with contextlib.suppress(ConnectionError, BrokenPipeError):
            stdin.write(data)
            await stdin.drain()

    def close_stdin(self) -> None:
        """EOF on the command's stdin (kubectl's end of input). On a terminal that is the
        EOF character, which the line discipline turns into a zero-length read."""
        if self._stdin_closed:
            return
        self._stdin_closed = True
        if self._master is not None:
            with contextlib.suppress(OSError):
                os.write(self._master, b"\x04")
            return
        if self._proc.stdin is not None:
            self._proc.stdin.close()

    def resize(self, width: int, height: int) -> None:
        if self._master is not None:
            set_window_size(self._master, width, height)

    # -- output and exit ------------------------------------------------------------------
    async def run(self, sink: Sink) -> int:
        """Copy output to `sink` until the command exits (and its output is drained); the exit code."""
        pumps = [
            asyncio.ensure_future(self._pump(stream, chunks, sink)) for stream, chunks in self._sources()
        ]
        try:
            returncode = await wait_exit(self._proc)
            _, pending = await asyncio.wait(pumps, timeout=DRAIN_SECONDS) if pumps else (set(), set())
            for pump in pending:
                pump.cancel()
            return exit_code_of(returncode)
        finally:
            self.kill()
            for pump in pumps:
                pump.cancel()
            if self._master is not None:
                os.close(self._master)
                self._master = None

    def kill(self) -> None:
        """End the command (the client went away); idempotent."""
        kill_group(self._proc.pid)
        self._on_done(self._proc)

    def _sources(self) -> list[tuple[int, AsyncIterator[bytes]]]:
        if self._master is not None:
            return [(STDOUT, read_master(self._master))]
        sources: list[tuple[int, AsyncIterator[bytes]]] = []
        if self._proc.stdout is not None:
            sources.append((STDOUT, _read_stream(self._proc.stdout)))
        if self._proc.stderr is not None:
            sources.append((STDERR, _read_stream(self._proc.stderr)))
        return sources

    @staticmethod
    async def _pump(stream: int, chunks: AsyncIterator[bytes], sink: Sink) -> None:
        async for chunk in chunks:
            await sink(stream, chunk)


def set_window_size(fd: int, width: int, height: int) -> None:
    # struct winsize: rows, cols, xpixel, ypixel
    with contextlib.suppress(OSError):
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", height, width, 0, 0))


async def _read_stream(reader: asyncio.StreamReader) -> AsyncIterator[bytes]:
    while chunk := await reader.read(READ_SIZE):
        yield chunk


async def read_master(fd: int) -> AsyncIterator[bytes]:
    """A terminal's output; EIO means every slave side is closed: the end."""
    while True:
        try:
            chunk = os.read(fd, READ_SIZE)
        except BlockingIOError:
            await _fd_ready(fd, write=False)
            continue
        except OSError:
            return  # EIO: every slave side is closed; EBADF: the session closed the master
        if not chunk:
            return
        yield chunk


async def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        try:
            view = view[os.write(fd, view) :]
        except BlockingIOError:
            await _fd_ready(fd, write=True)
        except OSError:
            return  # the terminal is gone: the command has exited


async def _fd_ready(fd: int, *, write: bool) -> None:
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[None] = loop.create_future()

    def wake() -> None:
        if not ready.done():
            ready.set_result(None)

    if write:
        loop.add_writer(fd, wake)
    else:
        loop.add_reader(fd, wake)
    try:
        await ready
    finally:
        if write:
            loop.remove_writer(fd)
        else:
            loop.remove_reader(fd)
