"""--watch, the acting half: scan the root dir every interval, reload the stubs on a change, log.

Polling by mtime and size, not inotify: no file-watching library is among podlab's dependencies,
and polling also sees changes that inotify misses (network and overlay mounts, a Kubernetes
ConfigMap volume, whose files change by a symlink swap). Scanning a root of a thousand files
and parsing a thousand mappings took 180 ms and 500 ms on a loaded 2-core runner, so both run in
a worker thread; only the swap of the stubs runs on the event loop, so a request is served by
the old stubs or the new ones, never a mix.

Log lines are podlab's own (WireMock has no --watch), except a bad file, reported in WireMock's
words for a bad mapping file at start-up ("Error loading file <path>:" and the reason).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from podlab.stub.report.verbose_log import notifier_line
from podlab.stub.store.files import MappingLoadError
from podlab.stub.store.state import StubState
from podlab.stub.store.watch import Changes, Scan, diff


def scan(root: Path) -> dict[str, tuple[int, int, int]]:
    """Every file under root/mappings and root/__files, by path relative to root."""
    found: dict[str, tuple[int, int, int]] = {}
    for top in ("mappings", "__files"):
        for directory, _, names in os.walk(root / top):
            for name in names:
                if name.startswith(".") and name.endswith(".tmp"):
                    continue  # podlab's own atomic writes, renamed a moment later
                path = Path(directory, name)
                try:
                    st = path.stat()
                except OSError:
                    continue  # removed between listing and stat: the next scan says so
                found[path.relative_to(root).as_posix()] = (st.st_mtime_ns, st.st_size, st.st_ino)
    return found


class Watcher:
    """Owns one polling task; `start()` takes the first scan, `stop()` is idempotent."""

    def __init__(
        self,
        state: StubState,
        out: TextIO,
        err: TextIO,
        *,
        interval: float,
    ) -> None:
        self.state, self.out, self.err, self.interval = state, out, err, interval
        self._last: Scan = {}
        self._task: asyncio.Task[None] | None = None

    def prime(self) -> None:
        """Take the scan later ones are compared with (the files as loaded)."""
        self._last = scan(self.state.files.root)

    def start(self) -> None:
        self.prime()
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            await self.poll()

    async def poll(self) -> Changes:
        """One poll: scan, compare, parse if a mapping changed (I/O and parsing in a thread),
        then swap the stubs and log on the loop. The new scan becomes the baseline even when the
        reload fails, so a bad file is reported once, and fixing it is the next change."""
        current = await asyncio.to_thread(scan, self.state.files.root)
        changes = diff(self._last, current)
        self._last = current
        if not changes:
            return changes
        if not changes.touches_mappings:
            # Body files are read when a stub is served, so they are live already.
            self._log(self.out, f"Files changed: {changes.describe()}")
            return changes
        before = len(self.state)
        try:
            parsed = await asyncio.to_thread(self.state.parse_file_mappings)
        except MappingLoadError as exc:
            # WireMock names the file by its absolute path whatever --root-dir said (seen on 3.13.2).
            where = (exc.path if exc.path is not None else self.state.files.mappings_dir).absolute()
            self._log(
                self.err,
                f"Error loading file {where}:\n{exc.detail}\n"
                f"Mappings not reloaded ({changes.describe()}); still serving the previous {before} stubs",
            )
            return changes
        from_files, kept = self.state.replace_file_stubs(parsed)
        self._log(
            self.out,
            f"Mappings reloaded ({changes.describe()}): {from_files} stubs from files, "
            f"{kept} made through the admin API kept",
        )
        return changes

    @staticmethod
    def _log(stream: TextIO, message: str) -> None:
        stream.write(notifier_line(datetime.now(UTC), message))
        stream.flush()
