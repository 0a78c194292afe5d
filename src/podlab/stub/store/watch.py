"""--watch, the deciding half: what changed between two scans of the root dir (sans-IO).

A scan is `{relative path: (mtime_ns, size, inode)}` (an editor that renames a new file into place
gives a new inode even within one mtime tick) for every file under mappings/ and __files/; the
driver (`podlab.stub.watcher`) makes the scans and acts on the `Changes`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

Scan = Mapping[str, tuple[int, int, int]]  # "mappings/a.json" -> (st_mtime_ns, st_size, st_ino)

MAPPINGS = "mappings/"


@dataclass(frozen=True, slots=True)
class Changes:
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    @property
    def touches_mappings(self) -> bool:
        """Whether the stubs must be reloaded: a mapping file (*.json under mappings/) changed."""
        paths = (*self.added, *self.changed, *self.removed)
        return any(p.startswith(MAPPINGS) and p.endswith(".json") for p in paths)

    def describe(self) -> str:
        """`added mappings/a.json, changed __files/b.txt, removed mappings/c.json`."""
        words = [f"added {p}" for p in self.added]
        words += [f"changed {p}" for p in self.changed]
        words += [f"removed {p}" for p in self.removed]
        return ", ".join(words)


def diff(before: Scan, after: Scan) -> Changes:
    """Files added, changed (another mtime, size or inode) and removed, each sorted by path."""
    return Changes(
        added=tuple(sorted(p for p in after if p not in before)),
        changed=tuple(sorted(p for p in after if p in before and before[p] != after[p])),
        removed=tuple(sorted(p for p in before if p not in after)),
    )
