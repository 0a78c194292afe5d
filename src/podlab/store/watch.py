"""Watch streams: one bounded queue per watcher, filled synchronously by the store.

The store runs on the node's event loop and never awaits, so it cannot block on a slow
watcher. Instead each watcher has a bounded queue; when it overflows, the watcher is ended
with an ERROR event carrying a 410 Status (what the apiserver's cacher does to watchers that
cannot keep up), and clients re-list.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from podlab.k8s.clone import clone

from .errors import Gone
from .selectors import Selector

Obj = dict[str, Any]
ResourceKey = tuple[str, str]

# Generous for a single node: a watcher must fall this many events behind to be dropped.
DEFAULT_QUEUE_LIMIT = 4096


@dataclass(frozen=True)
class WatchEvent:
    type: str  # "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR"
    object: Obj


def classify(old_matches: bool, new_matches: bool, change: str) -> str | None:
    """The event a filtered watcher sees for a change (cacher semantics in `watch_cache.go`).

    An object that stops matching the selector is DELETED for that watcher; one that starts
    matching is ADDED.
    """
    if change == "DELETED":
        return "DELETED" if old_matches else None
    if change == "ADDED":
        return "ADDED" if new_matches else None
    if old_matches and new_matches:
        return "MODIFIED"
    if new_matches:
        return "ADDED"
    if old_matches:
        return "DELETED"
    return None


class Watch:
    """An async iterator of `WatchEvent`s; `close()` ends it."""

    def __init__(
        self,
        key: ResourceKey,
        namespace: str | None,
        selector: Selector,
        on_close: Callable[[Watch], None],
        *,
        queue_limit: int = DEFAULT_QUEUE_LIMIT,
    ) -> None:
        self.key = key
        self.namespace = namespace
        self.selector = selector
        self._on_close = on_close
        self._queue: deque[WatchEvent] = deque()
        self._limit = queue_limit
        self._closed = False
        self._wakeup: asyncio.Event | None = None

    # -- store side ---------------------------------------------------------------------
    def wants(self, namespace: str) -> bool:
        return self.namespace is None or self.namespace == namespace

    def offer_change(self, change: str, old: Obj | None, new: Obj) -> None:
        """Queue what this watcher sees of one stored change (old=None for ADDED)."""
        if self._closed:
            return
        old_matches = old is not None and self.selector.matches(old)
        new_matches = self.selector.matches(new)
        kind = classify(old_matches, new_matches, change)
        if kind is not None:
            self.offer(WatchEvent(kind, new))

    def offer(self, event: WatchEvent) -> None:
        if self._closed:
            return
        if len(self._queue) >= self._limit:
            self._queue.clear()
            gone = Gone("watch queue overflow: the client fell too far behind; re-list to continue")
            self._queue.append(WatchEvent("ERROR", gone.status()))
            self.close()
            return
        self._queue.append(event)
        if self._wakeup is not None:
            self._wakeup.set()

    # -- consumer side ------------------------------------------------------------------
    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._on_close(self)
        if self._wakeup is not None:
            self._wakeup.set()

    def get_nowait(self) -> WatchEvent | None:
        """The next queued event, or None; for sans-IO consumers and tests."""
        if not self._queue:
            return None
        event = self._queue.popleft()
        # Each consumer gets its own copy: the store shares one snapshot among all watchers.
        return WatchEvent(event.type, clone(event.object))

    def __aiter__(self) -> Watch:
        return self

    async def __anext__(self) -> WatchEvent:
        while True:
            event = self.get_nowait()
            if event is not None:
                return event
            if self._closed:
                raise StopAsyncIteration
            if self._wakeup is None:
                self._wakeup = asyncio.Event()
            self._wakeup.clear()
            await self._wakeup.wait()
