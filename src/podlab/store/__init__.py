"""podlab's object store: Kubernetes object semantics in memory, optionally mirrored to SQLite."""

from .errors import (
    AlreadyExists,
    BadRequest,
    Conflict,
    Gone,
    Invalid,
    NotFound,
    StoreError,
    qualified_resource,
)
from .selectors import FieldSelector, LabelSelector, Selector
from .store import CLUSTER_SCOPED, GENERATION_KEYS, STATUS_SUBRESOURCE, Store, format_time
from .watch import Watch, WatchEvent

ResourceKey = tuple[str, str]

__all__ = [
    "CLUSTER_SCOPED",
    "GENERATION_KEYS",
    "STATUS_SUBRESOURCE",
    "AlreadyExists",
    "BadRequest",
    "Conflict",
    "FieldSelector",
    "Gone",
    "Invalid",
    "LabelSelector",
    "NotFound",
    "ResourceKey",
    "Selector",
    "Store",
    "StoreError",
    "Watch",
    "WatchEvent",
    "format_time",
    "qualified_resource",
]
