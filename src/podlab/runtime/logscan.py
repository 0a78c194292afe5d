"""Blocking scans of CRI log files in bounded steps: forward in chunks, backwards in blocks.

Nothing here loads a whole file: a full read yields batches of at most CHUNK bytes, and
`--tail=N` reads backwards from the end one BLOCK at a time until it has N lines, so the cost
is the size of the answer, not of the log. Rotated files (`.gz`) are decompressed as a stream.
These generators block; `logsource` drives them from a worker thread.
"""

from __future__ import annotations

import gzip
import os
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, cast

from podlab.runtime.crilog import LogLine, decode

CHUNK = 256 * 1024  # bytes per forward batch (one thread hop each)
BLOCK = 64 * 1024  # bytes per backward step


def _open(path: Path) -> BinaryIO:
    if path.suffix == ".gz":
        return cast(BinaryIO, gzip.open(path, "rb"))
    return open(path, "rb")


def forward(path: Path, start: int = 0, end: int | None = None) -> Iterator[bytes]:
    """Raw runs of complete lines of `path` (at most about CHUNK bytes each) from byte `start` up
    to `end` (plain files only honour start/end; an unterminated last line is left out).
    A vanished file yields nothing."""
    try:
        f = _open(path)
    except FileNotFoundError:
        return
    with f:
        if start:
            f.seek(start)
        pos, rest = start, b""
        while end is None or pos < end:
            size = CHUNK if end is None else min(CHUNK, end - pos)
            data = f.read(size)
            if not data:
                break
            pos += len(data)
            data = rest + data
            cut = data.rfind(b"\n") + 1
            rest = data[cut:]
            if cut:
                yield data[:cut]


def read_complete(f: BinaryIO, pos: int) -> tuple[list[LogLine], int]:
    """Complete lines of an open plain file from `pos` (at most CHUNK bytes) and the next pos."""
    f.seek(pos)
    data = f.read(CHUNK)
    cut = data.rfind(b"\n") + 1
    return decode_lines(data[:cut]), pos + cut


def last_newline_end(path: Path, end: int) -> int:
    """The offset just past the last "\\n" before `end` (0 if none): where complete lines stop."""
    with open(path, "rb") as f:
        return _last_newline(f, end)


def backward(path: Path, end: int | None = None) -> Iterator[LogLine]:
    """Complete lines of `path` newest first, reading blocks from `end` (the file's end)."""
    if path.suffix == ".gz":
        # A gzip stream cannot be read backwards; a rotated file is at most containerLogMaxSize.
        lines: deque[LogLine] = deque()
        for run in forward(path):
            lines.extend(decode_lines(run))
        while lines:
            yield lines.pop()
        return
    try:
        f = open(path, "rb")  # noqa: SIM115 - closed below
    except FileNotFoundError:
        return
    with f:
        pos = os.fstat(f.fileno()).st_size if end is None else end
        pos = _last_newline(f, pos)
        tail = b""
        while pos > 0:
            step = min(BLOCK, pos)
            pos -= step
            f.seek(pos)
            data = f.read(step) + tail
            # The first piece may be the end of a line that starts in an earlier block.
            first_nl = data.find(b"\n") if pos > 0 else -1
            tail, body = data[: first_nl + 1], data[first_nl + 1 :]
            yield from reversed(decode_lines(body))
        if tail:
            yield from reversed(decode_lines(tail))


def _last_newline(f: BinaryIO, end: int) -> int:
    pos = end
    while pos > 0:
        step = min(BLOCK, pos)
        f.seek(pos - step)
        i = f.read(step).rfind(b"\n")
        if i >= 0:
            return pos - step + i + 1
        pos -= step
    return 0


def decode_lines(data: bytes) -> list[LogLine]:
    """Every CRI line of a run of complete lines (malformed ones are skipped)."""
    out = []
    for raw in data.split(b"\n")[:-1]:
        line = decode(raw)
        if line is not None:
            out.append(line)
    return out
