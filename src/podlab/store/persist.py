"""Write-through SQLite mirror of the store: the node's state in $PODLAB_HOME/store.db.

Why write-through: every accepted change is committed before the API call returns, so a node
stopped with `podlab down` or killed with SIGKILL finds its objects again on the next `up`, and
`sqlite3 $PODLAB_HOME/store.db` shows exactly what the API serves. Reads are always served from
memory; SQLite is read once, at start-up.

Why WAL + synchronous=NORMAL: a commit appends to the WAL file with a plain write(), no fsync,
so it costs microseconds; the bytes are in the OS page cache the moment the commit returns, which
a SIGKILL of the process cannot lose (only a power cut or a kernel crash can lose the last
commits; the database stays consistent either way). https://sqlite.org/wal.html,
https://sqlite.org/pragma.html#pragma_synchronous.

A file that is not a database, or one whose rows do not decode, is never wiped or replaced:
`StateError` names it, and the CLI tells the user to move it away or to start with `--fresh`.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from pathlib import Path
from typing import Any

Obj = dict[str, Any]
ResourceKey = tuple[str, str]

# PRAGMA user_version of the files this module writes; another version is refused, not rewritten.
SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (
    grp TEXT NOT NULL, plural TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL,
    resource_version INTEGER NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY (grp, plural, namespace, name)
);
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
"""


class StateError(Exception):
    """The state file cannot be opened, read or written; the message names the file."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class SqliteMirror:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        # Owner-only from the first byte: the file holds Secrets. SQLite gives the -wal and -shm
        # files the database file's mode.
        try:
            os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
            # check_same_thread off: the store is used from the node's event loop only, but the
            # loop may not be the thread that opened it (a Node built before asyncio.run).
            self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            # No checkpoint in a write: with synchronous=NORMAL a commit never fsyncs, but the
            # commit that crosses the auto-checkpoint size copies the WAL into the file and
            # fsyncs it, on the node's event loop (seen as 1 s probe timeouts under disk load).
            # A thread of its own checkpoints instead (PASSIVE: never blocks a writer).
            self._db.execute("PRAGMA wal_autocheckpoint=0")
            self._db.executescript(_SCHEMA)
            version = int(self._db.execute("PRAGMA user_version").fetchone()[0])
            if version == 0:
                self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            elif version != SCHEMA_VERSION:
                self._db.close()
                raise StateError(
                    path, f"its schema is version {version}, this podlab reads version {SCHEMA_VERSION}"
                )
        except OSError as exc:
            raise StateError(path, exc.strerror or str(exc)) from None
        except sqlite3.Error as exc:
            raise StateError(path, str(exc)) from None

        self._writes = 0
        self._checkpointer: _Checkpointer | None = None

    def _wrote(self) -> None:
        self._writes += 1
        if self._writes >= CHECKPOINT_EVERY:
            self._writes = 0
            if self._checkpointer is None:
                self._checkpointer = _Checkpointer(self.path)
            self._checkpointer.wake()

    def load(self) -> tuple[int, list[tuple[ResourceKey, Obj]]]:
        """The resourceVersion counter and every object, oldest write first."""
        try:
            # The counter: the newest row's, or the one a delete left in meta (its row is gone).
            row = self._db.execute("SELECT v FROM meta WHERE k = 'resourceVersion'").fetchone()
            newest = self._db.execute("SELECT max(resource_version) FROM objects").fetchone()
            rv = max(int(row[0]) if row else 0, int(newest[0] or 0))
            objects: list[tuple[ResourceKey, Obj]] = []
            for grp, plural, namespace, name, body in self._db.execute(
                "SELECT grp, plural, namespace, name, body FROM objects ORDER BY resource_version"
            ):
                obj = json.loads(body)
                meta = obj.get("metadata") if isinstance(obj, dict) else None
                if not isinstance(meta, dict) or meta.get("name") != name:
                    raise ValueError(f"the row for {plural} {namespace}/{name} does not hold that object")
                objects.append(((grp, plural), obj))
        except (sqlite3.Error, ValueError, TypeError) as exc:
            raise StateError(self.path, str(exc)) from None
        return rv, objects

    def put(self, key: ResourceKey, namespace: str, name: str, obj: Obj, rv: int) -> None:
        """One statement, so a transaction of its own (autocommit). The row carries the counter,
        so a create or update needs no second write: one execute instead of four (BEGIN, row,
        counter, COMMIT), about a third of the cost (bench/persist_bench.py)."""
        body = json.dumps(obj, separators=(",", ":"))
        try:
            self._db.execute(
                "INSERT OR REPLACE INTO objects VALUES (?, ?, ?, ?, ?, ?)",
                (key[0], key[1], namespace, name, rv, body),
            )
        except sqlite3.Error as exc:
            raise StateError(self.path, str(exc)) from None
        self._wrote()

    def remove(self, key: ResourceKey, namespace: str, name: str, rv: int) -> None:
        """The row goes and the counter stays in meta, in one transaction: both or neither."""
        try:
            self._db.execute("BEGIN")
            try:
                self._db.execute(
                    "DELETE FROM objects WHERE grp = ? AND plural = ? AND namespace = ? AND name = ?",
                    (key[0], key[1], namespace, name),
                )
                self._db.execute("INSERT OR REPLACE INTO meta VALUES ('resourceVersion', ?)", (str(rv),))
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            raise StateError(self.path, str(exc)) from None
        self._wrote()

    def close(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.stop()
        self._db.close()  # the last connection's close checkpoints the WAL into store.db


# Writes between two checkpoints: SQLite's own default is 1,000 WAL pages (~4 MB); a pod
# status is 2-6 KB, so this keeps the WAL about that size.
CHECKPOINT_EVERY = 500


class _Checkpointer:
    """Copies the WAL into store.db on a thread with its own connection, so the fsync that a
    checkpoint does never holds the node's event loop (sqlite3 releases the GIL meanwhile)."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._wanted = threading.Event()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="store.db checkpoint", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wanted.set()

    def stop(self) -> None:
        self._stopping = True
        self._wanted.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        try:
            db = sqlite3.connect(str(self._path), check_same_thread=False, isolation_level=None)
        except sqlite3.Error:
            return  # the writer's own close still checkpoints
        try:
            while True:
                self._wanted.wait()
                self._wanted.clear()
                if self._stopping:
                    return
                try:
                    db.execute("PRAGMA wal_checkpoint(PASSIVE)")
                except sqlite3.Error:
                    continue  # busy or failing disk: the next wake tries again
        finally:
            db.close()
