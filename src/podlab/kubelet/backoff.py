"""CrashLoopBackOff bookkeeping (client-go util/flowcontrol/backoff.go as kubelet configures it).

kubelet.go: initial 10 s, max 300 s (``MaxContainerBackOff``); an entry whose last update is more
than 600 s older than the event time has expired and starts over (``HasExpiredFunc``; older
client-go used 2*max, the same 600 s). Per-item jitter is 0 for kubelet. Times are monotonic
seconds passed in by the caller.
"""

from __future__ import annotations

from dataclasses import dataclass

INITIAL_BACKOFF = 10.0
MAX_BACKOFF = 300.0
EXPIRE_AFTER = 600.0


@dataclass
class _Entry:
    backoff: float
    last_update: float


class Backoff:
    def __init__(
        self,
        initial: float = INITIAL_BACKOFF,
        maximum: float = MAX_BACKOFF,
        expire_after: float = EXPIRE_AFTER,
    ) -> None:
        self.initial = initial
        self.maximum = maximum
        self.expire_after = expire_after
        self._entries: dict[str, _Entry] = {}

    def _expired(self, entry: _Entry, event_time: float) -> bool:
        return event_time - entry.last_update > self.expire_after

    def get(self, key: str) -> float:
        entry = self._entries.get(key)
        return entry.backoff if entry else 0.0

    def is_in_backoff_since(self, key: str, event_time: float, now: float) -> bool:
        """IsInBackOffSince: still inside the current delay counted from ``event_time``?"""
        entry = self._entries.get(key)
        if entry is None or self._expired(entry, event_time):
            return False
        return now - event_time < entry.backoff

    def next(self, key: str, event_time: float, now: float) -> None:
        """Next: create the entry at the initial delay, or double it up to the max."""
        entry = self._entries.get(key)
        if entry is None or self._expired(entry, event_time):
            entry = _Entry(self.initial, now)
            self._entries[key] = entry
        else:
            entry.backoff = min(entry.backoff * 2, self.maximum)
        entry.last_update = now

    def last_update(self, key: str) -> float | None:
        entry = self._entries.get(key)
        return entry.last_update if entry else None

    def is_in_backoff_since_update(self, key: str, now: float) -> bool:
        """IsInBackOffSinceUpdate (image pulls): still inside the delay since the last Next?"""
        entry = self._entries.get(key)
        if entry is None or self._expired(entry, now):
            return False
        return now - entry.last_update < entry.backoff

    def forget(self, key: str) -> None:
        self._entries.pop(key, None)

    def forget_prefix(self, prefix: str) -> None:
        for key in [k for k in self._entries if k.startswith(prefix)]:
            del self._entries[key]
