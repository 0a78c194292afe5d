"""Reads container logs back the way `kubectl logs` asks for them (read and follow)."""

from __future__ import annotations

import asyncio
import os
import time
from collections import deque
from collections.abc import AsyncIterator, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from podlab.runtime.crilog import LogLine, decode, format_timestamp

# How often a follower looks for new lines; kubelet uses fsnotify, polling is enough here.
FOLLOW_POLL_SECONDS = 0.1


class LogNotFound(Exception):
    """No log for that pod/container; `message` is the Kubernetes wording."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def container_log_dir(home: Path, namespace: str, pod: str, uid: str, container: str) -> Path:
    return home / "pods" / f"{namespace}_{pod}_{uid}" / container


class LogSource:
    """Log files under `$PODLAB_HOME/pods/<ns>_<pod>_<uid>/<container>/<restartCount>.log`."""

    def __init__(self, home: Path) -> None:
        self.home = home

    def read(
        self,
        namespace: str,
        pod: str,
        container: str,
        *,
        previous: bool = False,
        timestamps: bool = False,
        tail_lines: int | None = None,
        since_seconds: float | None = None,
        limit_bytes: int | None = None,
    ) -> bytes:
        path = self._pick(namespace, pod, container, previous)
        lines = _filter(_lines_of(path), tail_lines, since_seconds)
        out = b"".join(_render(line, timestamps) for line in lines)
        return out[:limit_bytes] if limit_bytes is not None else out

    async def follow(
        self,
        namespace: str,
        pod: str,
        container: str,
        *,
        previous: bool = False,
        timestamps: bool = False,
        tail_lines: int | None = None,
        since_seconds: float | None = None,
        limit_bytes: int | None = None,
    ) -> AsyncIterator[bytes]:
        """What is there now, then new lines until the instance exits (its `.exit` marker)."""
        path = self._pick(namespace, pod, container, previous)
        sent = 0
        with open(path, "rb") as f:
            first = _filter(_complete_lines(f), tail_lines, since_seconds)
            chunk = b"".join(_render(line, timestamps) for line in first)
            while True:
                if chunk:
                    if limit_bytes is not None:
                        chunk = chunk[: max(0, limit_bytes - sent)]
                    if chunk:
                        sent += len(chunk)
                        yield chunk
                    if limit_bytes is not None and sent >= limit_bytes:
                        return
                finished = path.with_suffix(".exit").exists() or not path.exists()
                chunk = b"".join(_render(line, timestamps) for line in _complete_lines(f))
                if not chunk:
                    if finished:
                        return
                    await asyncio.sleep(FOLLOW_POLL_SECONDS)

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


def _lines_of(path: Path) -> Iterator[LogLine]:
    with open(path, "rb") as f:
        yield from _complete_lines(f)


def _complete_lines(f: BinaryIO) -> Iterator[LogLine]:
    """Decoded lines from the current position; stops before an unterminated last line."""
    while True:
        pos = f.tell()
        raw = f.readline()
        if not raw:
            return
        if not raw.endswith(b"\n"):
            f.seek(pos, os.SEEK_SET)
            return
        line = decode(raw[:-1])
        if line is not None:
            yield line


def _filter(lines: Iterable[LogLine], tail_lines: int | None, since_seconds: float | None) -> list[LogLine]:
    selected: Iterable[LogLine] = lines
    if since_seconds is not None:
        cutoff = time.time_ns() - int(since_seconds * 1_000_000_000)
        selected = (line for line in selected if line.timestamp_ns >= cutoff)
    if tail_lines is not None:
        if tail_lines <= 0:
            return []
        return list(deque(selected, maxlen=tail_lines))
    return list(selected)


def _render(line: LogLine, timestamps: bool) -> bytes:
    if timestamps:
        return format_timestamp(line.timestamp_ns).encode() + b" " + line.as_output()
    return line.as_output()
