"""The request journal: serve events, newest first, in WireMock's JSON shape (docs/reference/wiremock.md §8)."""

from __future__ import annotations

import base64
import gc
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from podlab.stub.model.ids import random_uuid

if TYPE_CHECKING:
    from podlab.stub.model.request import LoggedRequest


@dataclass(slots=True)
class ServeEvent:
    """One request and what was answered to it."""

    request: LoggedRequest
    response_definition: dict[str, Any]  # as served, after templating
    status: int
    response_headers: list[tuple[str, str]]
    response_body: bytes
    was_matched: bool
    stub_mapping: dict[str, Any]  # the matched stub's JSON, or WireMock's placeholder
    stub_id: str | None
    timing: dict[str, int]
    sub_events: list[dict[str, Any]] = field(default_factory=list)
    # Drawn on first read (the admin API, or a removal by id): most events are never looked at,
    # and a random UUID per served request was measurable. Once drawn it stays.
    _id: str | None = field(default=None, repr=False)

    @property
    def id(self) -> str:
        if self._id is None:
            self._id = random_uuid()
        return self._id

    def to_json(self, *, with_sub_events: bool = True) -> dict[str, Any]:
        response: dict[str, Any] = {"status": self.status}
        if self.response_headers:
            response["headers"] = headers_json(self.response_headers)
        response["bodyAsBase64"] = base64.b64encode(self.response_body).decode("ascii")
        response["body"] = self.response_body.decode("utf-8", errors="replace")
        out: dict[str, Any] = {
            "id": self.id,
            "request": self.request.to_json(),
            "responseDefinition": self.response_definition,
            "response": response,
            "wasMatched": self.was_matched,
            "timing": self.timing,
        }
        if with_sub_events:
            out["subEvents"] = self.sub_events
        if self.stub_mapping:  # a browser-proxied request's entry has none (seen on the jar)
            out["stubMapping"] = self.stub_mapping
        return out


def headers_json(headers: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """WireMock's header map: one value as a string, repeated ones as a list."""
    out: dict[str, Any] = {}
    for name, value in headers:
        if name in out:
            existing = out[name]
            out[name] = [*existing, value] if isinstance(existing, list) else [existing, value]
        else:
            out[name] = value
    return out


# The placeholder's constant parts, shared by every unmatched entry (journal JSON is only ever
# read and serialised, as the matched stubs' cached JSON shared by their entries is).
_PLACEHOLDER_REQUEST: dict[str, Any] = {"method": "ANY"}
_PLACEHOLDER_RESPONSE: dict[str, Any] = {"status": 404, "fromConfiguredStub": False}


def unmatched_stub_placeholder() -> dict[str, Any]:
    """The stub WireMock records for a request nothing matched."""
    placeholder_id = random_uuid()
    return {
        "id": placeholder_id,
        "request": _PLACEHOLDER_REQUEST,
        "response": _PLACEHOLDER_RESPONSE,
        "uuid": placeholder_id,
    }


def _compact_request(request: LoggedRequest) -> None:
    """Drop what matching cached on a journalled request (decoded query, cookies, body text,
    the split absolute URL...): pure functions of its fields, recomputed if the admin API ever
    reads them, while most entries are never read.

    Only for unmatched requests, which near-miss scoring always parses: reading `__dict__` makes
    CPython 3.11 materialise an instance dict (+64 B) that a plain matched request never had."""
    cached, fields = request.__dict__, type(request).__dataclass_fields__
    if len(cached) > len(fields):  # cached_property values sit beside the fields
        # A new dict: deleting keys would leave the grown table behind.
        request.__dict__ = {key: value for key, value in cached.items() if key in fields}


RequestPredicate = Callable[["LoggedRequest"], bool]


class Journal:
    """Bounded, newest-first list of serve events; disabled means it records nothing."""

    # Journal entries live until a reset, and each is a few dozen objects the cyclic collector
    # would walk at every full collection (0.2-0.4 s with 100,000 entries: the p99 of a loaded
    # server). Every FREEZE_EVERY entries gc.freeze() (O(1)) moves what survived so far out of its
    # reach; refcounting still frees entries as they are dropped, only cyclic garbage made before
    # a freeze is kept, and request handling makes next to none.
    FREEZE_EVERY = 1024

    def __init__(self, *, enabled: bool = True, max_entries: int | None = None) -> None:
        self.enabled = enabled
        self._events: deque[ServeEvent] = deque(maxlen=max_entries)
        self._since_freeze = 0
        # Recent "not matched" reports: a client that misses tends to miss the same way, and
        # each report is ~1 KB; equal reports share one string.
        self._reports: dict[str, str] = {}

    def shared_report(self, report: str) -> str:
        """`report`, or an equal string already held by an entry (same text, less memory)."""
        shared = self._reports.setdefault(report, report)
        if len(self._reports) > self.REMEMBERED_REPORTS:
            self._reports.pop(next(iter(self._reports)))  # oldest first
        return shared

    REMEMBERED_REPORTS = 256

    def add(self, event: ServeEvent) -> None:
        if self.enabled:
            if not event.was_matched:
                _compact_request(event.request)
            self._events.appendleft(event)
            self._since_freeze += 1
            if self._since_freeze >= self.FREEZE_EVERY:
                self._since_freeze = 0
                gc.freeze()

    def clear(self) -> None:
        self._events.clear()
        self._reports.clear()

    def events(self) -> list[ServeEvent]:
        """Newest first."""
        return list(self._events)

    def select(
        self,
        *,
        since: datetime | None = None,
        unmatched_only: bool = False,
        matching_stub: str | None = None,
    ) -> list[ServeEvent]:
        out = []
        for event in self._events:
            if since is not None and event.request.logged_at < since:
                continue
            if unmatched_only and event.was_matched:
                continue
            if matching_stub is not None and event.stub_id != matching_stub:
                continue
            out.append(event)
        return out

    def get(self, event_id: str) -> ServeEvent | None:
        for event in self._events:
            if event.id == event_id:
                return event
        return None

    def remove(self, event_id: str) -> bool:
        for event in self._events:
            if event.id == event_id:
                self._events.remove(event)
                return True
        return False

    def requests_matching(self, predicate: RequestPredicate) -> list[ServeEvent]:
        """Events whose request satisfies predicate, oldest first (as /requests/find lists them)."""
        return [event for event in reversed(self._events) if predicate(event.request)]

    def remove_where(self, predicate: Callable[[ServeEvent], bool]) -> list[ServeEvent]:
        removed = [event for event in self._events if predicate(event)]
        if removed:
            kept = [event for event in self._events if not predicate(event)]
            self._events.clear()
            self._events.extend(kept)
        return removed
