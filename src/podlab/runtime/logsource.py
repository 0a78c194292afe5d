"""Reads container logs back the way `kubectl logs` asks for them (read and follow)."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import BinaryIO, TypedDict, Unpack

from podlab.runtime.crilog import LogLine, content_of, format_timestamp
from podlab.runtime.logfiles import instance_files
from podlab.runtime.logscan import backward, decode_lines, forward, last_newline_end, read_complete

# How often a follower looks for new lines; kubelet uses fsnotify, polling is enough here.
FOLLOW_POLL_SECONDS = 0.1
# Lines rendered per chunk of a --tail answer.
RENDER_BATCH = 4096


class LogNotFound(Exception):
    """No log for that pod/container; `message` is the Kubernetes wording."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def container_log_dir(home: Path, namespace: str, pod: str, uid: str, container: str) -> Path:
    return home / "pods" / f"{namespace}_{pod}_{uid}" / container


class LogOptions(TypedDict, total=False):
    """What `kubectl logs` asks for (previous, timestamps, tailLines, sinceSeconds, limitBytes)."""

    previous: bool
    timestamps: bool
    tail_lines: int | None
    since_seconds: float | None
    limit_bytes: int | None


class LogSource:
    """Log files under `$PODLAB_HOME/pods/<ns>_<pod>_<uid>/<container>/<restartCount>.log`.

    Reads never load a whole file and never block the event loop: `stream` and `follow` run
    each bounded step of the scan (logscan) in a worker thread.
    """

    def __init__(self, home: Path) -> None:
        self.home = home

    def read(self, namespace: str, pod: str, container: str, **options: Unpack[LogOptions]) -> bytes:
        """The whole answer at once (blocking): for small logs and tests."""
        path = self._pick(namespace, pod, container, options.get("previous", False))
        return b"".join(_limited(_scan(path, options, None), options.get("limit_bytes")))

    def stream(
        self, namespace: str, pod: str, container: str, **options: Unpack[LogOptions]
    ) -> AsyncIterator[bytes]:
        """The same answer as `read`, in chunks. Raises LogNotFound now, before any chunk."""
        path = self._pick(namespace, pod, container, options.get("previous", False))
        return _in_thread(_limited(_scan(path, options, None), options.get("limit_bytes")))

    async def follow(
        self, namespace: str, pod: str, container: str, **options: Unpack[LogOptions]
    ) -> AsyncIterator[bytes]:
        """What is there now, then new lines until the instance exits (its `.exit` marker).

        The live file is held open; when the writer rotates it (renames it and opens a new
        one) the rest of the old file is read and following moves to the new file.
        """
        path = self._pick(namespace, pod, container, options.get("previous", False))
        timestamps = options.get("timestamps", False)
        budget = _Budget(options.get("limit_bytes"))
        try:
            f = open(path, "rb")  # noqa: SIM115 - closed in finally
        except FileNotFoundError:
            return
        try:
            pos = await asyncio.to_thread(last_newline_end, path, os.fstat(f.fileno()).st_size)
            async for chunk in _in_thread(_scan(path, options, pos)):
                out = budget.take(chunk)
                if out:
                    yield out
                if budget.spent:
                    return
            drained = False
            while True:
                finished = path.with_suffix(".exit").exists() or not path.exists()
                lines, pos = await asyncio.to_thread(read_complete, f, pos)
                if not lines:
                    if _rotated(path, f):
                        if not drained:
                            # The writer may have appended to the old file between that read
                            # and its rename: read it once more before leaving it.
                            drained = True
                            continue
                        drained = False
                        f.close()
                        f = open(path, "rb")  # noqa: SIM115
                        pos = 0
                        continue
                    if finished:
                        return
                    await asyncio.sleep(FOLLOW_POLL_SECONDS)
                    continue
                out = budget.take(b"".join(_render(line, timestamps) for line in lines))
                if out:
                    yield out
                if budget.spent:
                    return
        finally:
            f.close()

    def _pick(self, namespace: str, pod: str, container: str, previous: bool) -> Path:
        pod_dirs = sorted(
            (self.home / "pods").glob(f"{_glob_escape(namespace)}_{_glob_escape(pod)}_*"),
            key=lambda p: p.stat().st_mtime,
        )
        # A pod name with "_" could match another pod's prefix; keep exact matches only.
        pod_dirs = [d for d in pod_dirs if d.name.rsplit("_", 1)[0] == f"{namespace}_{pod}"]
        logs: list[tuple[int, Path]] = []
        if pod_dirs:
            cdir = pod_dirs[-1] / container
            if cdir.is_dir():
                logs = sorted((int(p.stem), p) for p in cdir.glob("*.log") if p.stem.isdigit())
        if previous:
            # The previous instance is the pod status' lastState: while the latest instance
            # is still running that is the one before it; once the latest has exited (the
            # container waits in CrashLoopBackOff) it is the latest itself.
            if logs and logs[-1][1].with_suffix(".exit").exists():
                return logs[-1][1]
            if len(logs) < 2:
                raise LogNotFound(f'previous terminated container "{container}" in pod "{pod}" not found')
            return logs[-2][1]
        if not logs:
            raise LogNotFound(f'container "{container}" in pod "{pod}" is waiting to start')
        return logs[-1][1]


def _glob_escape(s: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in s)


def _scan(path: Path, options: LogOptions, live_end: int | None) -> Iterator[bytes]:
    """Rendered output across the instance's rotated files and its live file (up to `live_end`)."""
    timestamps, tail_lines = options.get("timestamps", False), options.get("tail_lines")
    since_seconds = options.get("since_seconds")
    files = instance_files(path)
    cutoff = None if since_seconds is None else time.time_ns() - int(since_seconds * 1_000_000_000)
    if tail_lines is not None:
        picked = _tail(files, path, tail_lines, cutoff, live_end)
        for i in range(0, len(picked), RENDER_BATCH):
            yield b"".join(_render(line, timestamps) for line in picked[i : i + RENDER_BATCH])
        return
    for file in files:
        for run in forward(file, end=live_end if file == path else None):
            if cutoff is None and not timestamps:
                out = content_of(run)  # the common full read: one regex pass, no per-line objects
            else:
                batch = decode_lines(run)
                if cutoff is not None:
                    batch = [line for line in batch if line.timestamp_ns >= cutoff]
                out = b"".join(_render(line, timestamps) for line in batch)
            if out:
                yield out


def _tail(files: list[Path], live: Path, n: int, cutoff: int | None, live_end: int | None) -> list[LogLine]:
    """The last `n` lines (newer than `cutoff`), reading the newest file first and backwards."""
    picked: list[LogLine] = []
    if n <= 0:
        return picked
    for file in reversed(files):
        for line in backward(file, live_end if file == live else None):
            if cutoff is not None and line.timestamp_ns < cutoff:
                return picked[::-1]
            picked.append(line)
            if len(picked) >= n:
                return picked[::-1]
    return picked[::-1]


class _Budget:
    """limitBytes: how much of the output may still go out."""

    def __init__(self, limit: int | None) -> None:
        self.left = limit

    def take(self, chunk: bytes) -> bytes:
        if self.left is None:
            return chunk
        out = chunk[: max(0, self.left)]
        self.left -= len(out)
        return out

    @property
    def spent(self) -> bool:
        return self.left is not None and self.left <= 0


def _limited(chunks: Iterator[bytes], limit: int | None) -> Iterator[bytes]:
    budget = _Budget(limit)
    for chunk in chunks:
        out = budget.take(chunk)
        if out:
            yield out
        if budget.spent:
            return


async def _in_thread(chunks: Iterator[bytes]) -> AsyncIterator[bytes]:
    """Drive a blocking generator one step per worker-thread hop, so the loop stays free."""
    done = object()
    while True:
        chunk = await asyncio.to_thread(next, chunks, done)
        if chunk is done:
            return
        assert isinstance(chunk, bytes)
        yield chunk


def _rotated(path: Path, f: BinaryIO) -> bool:
    """The live name now names another file: the writer rotated the one `f` holds."""
    try:
        return os.stat(path).st_ino != os.fstat(f.fileno()).st_ino
    except FileNotFoundError:
        return False


def _render(line: LogLine, timestamps: bool) -> bytes:
    if timestamps:
        return format_timestamp(line.timestamp_ns).encode() + b" " + line.as_output()
    return line.as_output()
