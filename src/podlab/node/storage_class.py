"""The node's default StorageClass, kind's `standard` (k8s/storage_classes.py)."""

from __future__ import annotations

from podlab.k8s.defaults import apply_defaults
from podlab.k8s.storage_classes import STORAGECLASSES, standard_class
from podlab.store import NotFound, Store


def ensure_standard_class(store: Store) -> None:
    """kind's cluster has `standard` from its creation: a node without it gets it on `up`."""
    try:
        store.get(STORAGECLASSES, None, "standard")
    except NotFound:
        store.create(STORAGECLASSES, apply_defaults(standard_class()))
