"""Copies a container's stdout/stderr pipes into its CRI log file, from the node's event loop."""

from __future__ import annotations

import asyncio
import json
import os
import time
from pathlib import Path

from podlab.runtime.crilog import LineSplitter, encode


class LogWriter:
    """One log file per container instance; both streams are appended line by line.

    Lines are written with one os.write each, so a reader never sees half a line and
    `kubectl logs -f` can follow the file by polling its size.
    """

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o640)

    async def pump(self, reader: asyncio.StreamReader, stream: str) -> None:
        splitter = LineSplitter(stream)
        while True:
            data = await reader.read(65536)
            if not data:
                break
            for line in splitter.feed(data, time.time_ns()):
                self._write(encode(line))
        for line in splitter.finish(time.time_ns()):
            self._write(encode(line))

    def _write(self, data: bytes) -> None:
        if self._fd >= 0:
            os.write(self._fd, data)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def write_exit_marker(log_path: Path, exit_code: int) -> None:
    """`<n>.exit` beside `<n>.log` tells followers the instance is over (and how it ended)."""
    marker = log_path.with_suffix(".exit")
    tmp = marker.with_suffix(".exit.tmp")
    tmp.write_text(json.dumps({"exitCode": exit_code}))
    tmp.replace(marker)
