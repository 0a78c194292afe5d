"""Write-through SQLite mirror of the store.

Why write-through: every accepted change is on disk before the API call returns, so
`sqlite3 $PODLAB_HOME/store.db` shows exactly what the API serves (handy when debugging a
node), and a restarted node finds its Deployments, ConfigMaps and Secrets again. Reads are
always served from memory; SQLite is never queried after start-up.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

Obj = dict[str, Any]
ResourceKey = tuple[str, str]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (
    grp TEXT NOT NULL, plural TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL,
    resource_version INTEGER NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY (grp, plural, namespace, name)
);
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
"""


class SqliteMirror:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path))
        # WAL + NORMAL: a commit costs no fsync, and a crash loses at most the last writes;
        # acceptable for a local dev node.
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def load(self) -> tuple[int, list[tuple[ResourceKey, Obj]]]:
        row = self._db.execute("SELECT v FROM meta WHERE k = 'resourceVersion'").fetchone()
        rv = int(row[0]) if row else 0
        objects = [
            ((grp, plural), json.loads(body))
            for grp, plural, body in self._db.execute(
                "SELECT grp, plural, body FROM objects ORDER BY resource_version"
            )
        ]
        return rv, objects

    def put(self, key: ResourceKey, namespace: str, name: str, obj: Obj, rv: int) -> None:
        with self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO objects VALUES (?, ?, ?, ?, ?, ?)",
                (key[0], key[1], namespace, name, rv, json.dumps(obj, separators=(",", ":"))),
            )
            self._set_rv(rv)

    def remove(self, key: ResourceKey, namespace: str, name: str, rv: int) -> None:
        with self._db:
            self._db.execute(
                "DELETE FROM objects WHERE grp = ? AND plural = ? AND namespace = ? AND name = ?",
                (key[0], key[1], namespace, name),
            )
            self._set_rv(rv)

    def _set_rv(self, rv: int) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta VALUES ('resourceVersion', ?)", (str(rv),))

    def close(self) -> None:
        self._db.close()
