"""Copies a container's stdout/stderr pipes into its CRI log file, from the node's event loop."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import json
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path

from podlab.runtime.crilog import LineSplitter, encode
from podlab.runtime.logfiles import LogRotation, rotated_name, tidy_rotated

log = logging.getLogger("podlab.runtime")

# Told once per instance when its output cannot be stored: (reason, message).
WarnFn = Callable[[str, str], None]

# After a failed write, output is dropped unread for this long before the disk is tried again:
# a full disk fails every write, and a syscall plus an exception per line would let a fast
# writer outrun the drain.
RETRY_WRITE_SECONDS = 1.0

# Log files hold whatever the program printed (tokens, passwords): owner only.
LOG_FILE_MODE = 0o600
LOG_DIR_MODE = 0o700


class LogWriter:
    """One log file per container instance; both streams are appended line by line.

    Lines are written with one os.write each, so a reader never sees half a line and
    `kubectl logs -f` can follow the file by polling its size. A write that fails (disk full)
    drops the line and counts it: the pipes are always drained, so the container never blocks
    on a full pipe, and the failure is reported once through `warn`.
    """

    def __init__(self, path: Path, rotation: LogRotation | None = None, warn: WarnFn | None = None) -> None:
        self.path = path
        self.rotation = rotation or LogRotation()
        self.dropped_bytes = 0
        self._warn = warn
        self._warned = False
        self._retry_at = 0.0  # monotonic time before which output is dropped without a write
        self._tidy: set[asyncio.Future[None]] = set()
        self._fd = -1
        self._size = 0
        try:
            path.parent.mkdir(mode=LOG_DIR_MODE, parents=True, exist_ok=True)
            self._open()
        except OSError as exc:
            self._failed(exc)

    def _open(self) -> None:
        self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, LOG_FILE_MODE)
        self._size = os.fstat(self._fd).st_size

    async def pump(
        self, reader: asyncio.StreamReader, stream: str, tap: Callable[[bytes], None] | None = None
    ) -> None:
        """Copy `reader` to the log; `tap` sees every chunk first (attached clients)."""
        splitter = LineSplitter(stream)
        while True:
            data = await reader.read(65536)
            if not data:
                break
            if tap is not None:
                tap(data)
            if time.monotonic() < self._retry_at:
                self.dropped_bytes += len(data)
                splitter = LineSplitter(stream)  # what was buffered belongs to dropped output
                continue
            for line in splitter.feed(data, time.time_ns()):
                self._write(encode(line))
        for line in splitter.finish(time.time_ns()):
            self._write(encode(line))

    def _write(self, data: bytes) -> None:
        if time.monotonic() < self._retry_at or (self._fd < 0 and not self._reopen()):
            self.dropped_bytes += len(data)
            return
        try:
            written = os.write(self._fd, data)
        except OSError as exc:
            self.dropped_bytes += len(data)
            self._failed(exc)
            return
        if written < len(data):  # a short write is the disk filling up mid-line
            self.dropped_bytes += len(data) - written
            self._failed(OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))
        self._size += written
        if self._size >= self.rotation.max_size:
            self._rotate()

    def _reopen(self) -> bool:
        """The log could not be opened (disk full at start or at a rotation): try again."""
        try:
            self._open()
        except OSError as exc:
            self._failed(exc)
            return False
        return True

    def _rotate(self) -> None:
        """Rename the live file (cheap, here) and reopen; gzip and pruning go to a thread."""
        try:
            self.path.rename(rotated_name(self.path, time.time()))
            os.close(self._fd)
            self._fd = -1
            self._open()
        except OSError as exc:
            self._failed(exc)
            return
        loop = asyncio.get_running_loop()
        fut = loop.run_in_executor(None, tidy_rotated, self.path, self.rotation.max_files)
        self._tidy.add(fut)
        fut.add_done_callback(self._tidy.discard)

    def _failed(self, exc: OSError) -> None:
        self._retry_at = time.monotonic() + RETRY_WRITE_SECONDS
        # Go's os.PathError wording, as containerd would log it: "write PATH: no space left on device".
        if self._warn is not None and not self._warned:
            self._warned = True
            detail = (exc.strerror or str(exc)).lower()
            self._warn("FailedLogWrite", f"write {self.path}: {detail}; container output is being dropped")

    def close(self) -> None:
        # A gzip still running in its thread finishes on its own (or finds its file deleted).
        if self.dropped_bytes:
            log.warning("container log %s: %d bytes of output dropped", self.path, self.dropped_bytes)
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def write_exit_marker(log_path: Path, exit_code: int) -> None:
    """`<n>.exit` beside `<n>.log` tells followers the instance is over (and how it ended).

    On a full disk the JSON cannot be written; an empty marker (an inode, no data block)
    still ends followers, and if even that fails the instance is over all the same.
    """
    marker = log_path.with_suffix(".exit")
    tmp = marker.with_suffix(".exit.tmp")
    try:
        with open(tmp, "w") as f:
            f.write(json.dumps({"exitCode": exit_code}))
        tmp.replace(marker)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            os.close(os.open(marker, os.O_WRONLY | os.O_CREAT, LOG_FILE_MODE))
