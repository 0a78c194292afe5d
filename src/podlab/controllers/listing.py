"""The controllers' listings: each object copied once, not once per listing.

A controller pass lists pods (and other kinds) several times, and the driver runs a pass on
every change it watches: while 50 pods start, every kubelet status write re-listed and deep-copied
all 50 pods about five times (py-spy: 59 % of the node's CPU with 50 pods, docs/PERFORMANCE.md).
Here a listing hands out copies kept from earlier listings for objects the store has not
replaced since (same stored object), and copies only what is new.

Controllers may change what they are given (the deployment controller edits its working copy
of a Deployment before writing it), so a kept copy is reused only while it still equals the
stored object: a changed one is copied afresh, and every listing starts equal to the store,
as a fresh copy would. The check is a C-level comparison, several times cheaper than a copy.
"""

from __future__ import annotations

from typing import Any, Protocol

from podlab.k8s.clone import clone

Obj = dict[str, Any]
ResourceKey = tuple[str, str]


class StoredObjects(Protocol):
    def stored(self, key: ResourceKey) -> list[Obj]: ...


class Listings:
    def __init__(self, store: StoredObjects) -> None:
        self._store = store
        # Per kind: id(stored object) -> (the stored object, our copy of it). The stored
        # object is held so its id is not reused while the entry lives.
        self._copies: dict[ResourceKey, dict[int, tuple[Obj, Obj]]] = {}

    def list(self, key: ResourceKey) -> list[Obj]:
        kept = self._copies.get(key, {})
        fresh: dict[int, tuple[Obj, Obj]] = {}
        out: list[Obj] = []
        for obj in self._store.stored(key):
            entry = kept.get(id(obj))
            if entry is None or entry[0] is not obj or entry[1] != obj:
                entry = (obj, clone(obj))
            fresh[id(obj)] = entry
            out.append(entry[1])
        self._copies[key] = fresh  # objects gone from the store are dropped with the old map
        return out
