"""podlab's object store: Kubernetes object semantics in memory, optionally mirrored to SQLite."""

from .errors import (
    AlreadyExists,
    BadRequest,
    Conflict,
    Forbidden,
    Gone,
    Invalid,
    NotFound,
    StoreError,
    qualified_resource,
)
from .paging import Page, PageInfo
from .selectors import FieldSelector, Selector
from .store import Store
from .watch import Watch, WatchEvent

ResourceKey = tuple[str, str]

__all__ = [
    "AlreadyExists",
    "BadRequest",
    "Conflict",
    "FieldSelector",
    "Forbidden",
    "Gone",
    "Invalid",
    "NotFound",
    "Page",
    "PageInfo",
    "ResourceKey",
    "Selector",
    "Store",
    "StoreError",
    "Watch",
    "WatchEvent",
    "qualified_resource",
]
