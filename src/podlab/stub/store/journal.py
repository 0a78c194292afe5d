"""The request journal: serve events, newest first, in WireMock's JSON shape (docs/reference/wiremock.md §8)."""

from __future__ import annotations

import base64
import functools
import gc
import marshal
import os
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, BinaryIO

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

# Where a listed event lives: None in memory, else (block, position in the block).
_Where = tuple["_Block", int] | None


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def _encode_block(events: list[ServeEvent]) -> bytes:
    """Events as one compressed block. marshal writes plain values several times faster than
    pickle; the events go as columns (one list per field, built by comprehensions: a quarter of
    the cost of a tuple per event). What entries share (stub JSON, response definitions, bodies,
    header lists, timings, reports) marshal writes once and refers back to (as pickle's memo
    does), and reads back shared. Each event's id is drawn now if no one has read it yet: a
    spilled entry is rebuilt on every read, and must show the same id each time."""
    requests = [event.request for event in events]
    columns: tuple[list[Any], ...] = (
        [event.id for event in events],
        [r.id for r in requests],
        [r.method for r in requests],
        [r.url for r in requests],
        [r.absolute_url for r in requests],
        [r.client_ip for r in requests],
        [r.protocol for r in requests],
        [r.headers for r in requests],
        [r.body for r in requests],
        # Microseconds since the epoch (exact, unlike a float timestamp) for a served request's
        # UTC time; any other kept as it is (pickle then writes the block).
        [
            (r.logged_at - _EPOCH) // _MICROSECOND if r.logged_at.tzinfo is UTC else r.logged_at
            for r in requests
        ],
        [r.browser_proxy_request for r in requests],
        [r.given_keys for r in requests],
        [r.compat for r in requests],
        [event.status for event in events],
        [event.response_headers for event in events],
        [event.was_matched for event in events],
        [event.stub_id for event in events],
        [event.timing for event in events],
        [event.response_definition for event in events],
        [event.stub_mapping for event in events],
        [event.sub_events for event in events],
        [event.response_body for event in events],
    )
    try:
        raw = b"c" + marshal.dumps(columns)
    except ValueError:  # a value marshal cannot write (none in JSON-shaped data): pickle all
        import pickle  # imported here, as it is almost never needed: start-up time

        raw = b"p" + pickle.dumps(columns, protocol=5)
    return _compress(raw)


def _decode_block(data: bytes) -> list[ServeEvent]:
    from podlab.stub.model.request import LoggedRequest  # model imports nothing from the store

    raw = _decompress(data)
    if raw[:1] == b"c":
        columns = marshal.loads(raw[1:])
    else:
        import pickle

        columns = pickle.loads(raw[1:])
    events = []
    for record in zip(*columns, strict=True):
        (event_id, request_id, method, url, absolute_url, client_ip, protocol, headers, body, logged_at,
         proxy, given_keys, compat, status, response_headers, matched, stub_id, timing,
         definition, stub_mapping, sub_events, response_body) = record  # fmt: skip
        if isinstance(logged_at, int):
            logged_at = _EPOCH + logged_at * _MICROSECOND
        request = LoggedRequest(
            id=request_id,
            method=method,
            url=url,
            absolute_url=absolute_url,
            client_ip=client_ip,
            protocol=protocol,
            headers=headers,
            body=body,
            logged_at=logged_at,
            browser_proxy_request=proxy,
            given_keys=given_keys,
            compat=compat,
        )
        events.append(
            ServeEvent(
                request=request,
                response_definition=definition,
                status=status,
                response_headers=response_headers,
                response_body=response_body,
                was_matched=matched,
                stub_mapping=stub_mapping,
                stub_id=stub_id,
                timing=timing,
                sub_events=sub_events,
                _id=event_id,
            )
        )
    return events


@functools.cache
def _zstd() -> Any:
    """zstandard (a dependency: several times faster than zlib, and smaller), imported at the
    first spill: most stub servers (a pod's) never journal enough to spill. None without it."""
    try:
        import zstandard
    except ImportError:  # pragma: no cover - a runtime without it still journals, with zlib
        return None
    return zstandard


def _compress(raw: bytes) -> bytes:
    zstd = _zstd()
    if zstd is not None:
        return b"s" + zstd.ZstdCompressor(level=1).compress(raw)
    return b"z" + zlib.compress(raw, 1)


def _decompress(data: bytes) -> bytes:
    if data[:1] == b"s":
        return bytes(_zstd().ZstdDecompressor().decompress(data[1:]))
    return zlib.decompress(data[1:])


@dataclass(slots=True, eq=False)
class _Block:
    """Spilled events, oldest first, as one compressed pickle at `offset` in the spill store."""

    offset: int
    length: int
    count: int
    head: int = 0  # positions before it were dropped (the journal's bound), oldest first
    removed: set[int] = field(default_factory=set)  # positions in [head, count) the admin API removed

    @property
    def live(self) -> int:
        return self.count - self.head - len(self.removed)


class _SpillStore:
    """Append-only compressed blocks in an unlinked temporary file (nothing to clean up, gone
    with the process), or in memory where no temporary file can be made (a read-only sandbox)."""

    def __init__(self) -> None:
        self._file: BinaryIO | None = None
        self._memory: list[bytes] | None = None
        self.size = 0

    def append(self, data: bytes) -> int:
        if self._file is None and self._memory is None:
            import tempfile  # on the first spill, not at start-up (it pulls shutil, lzma, bz2)

            try:
                self._file = tempfile.TemporaryFile(prefix="podlab-journal-")  # noqa: SIM115 (lives with the journal)
            except OSError:
                self._memory = []
        offset = self.size
        if self._file is not None:
            self._file.seek(offset)
            self._file.write(data)
        else:
            assert self._memory is not None
            self._memory.append(data)
        self.size += len(data)
        return offset

    def read(self, offset: int, length: int) -> bytes:
        if self._file is not None:
            self._file.flush()
            return os.pread(self._file.fileno(), length, offset)
        assert self._memory is not None
        # In memory, offsets run over the blocks in order: find the one that starts there.
        start = 0
        for data in self._memory:
            if start == offset:
                return data
            start += len(data)
        raise KeyError(offset)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        self._file, self._memory, self.size = None, None, 0


class Journal:
    """Bounded, newest-first list of serve events; disabled means it records nothing.

    The newest `memory_entries` events are kept as objects; older ones are spilled, SPILL_BATCH
    at a time, as compressed blocks to a temporary file and rebuilt when the admin API reads
    them, so a long-running server under load holds a bounded amount of memory whatever the
    journal's length (docs/reference/stub-journal.md). What the admin API answers is the same
    either way: order, ids, every field."""

    # Journal entries live until a reset, and each is a few dozen objects the cyclic collector
    # would walk at every full collection (0.2-0.4 s with 100,000 entries: the p99 of a loaded
    # server). Every FREEZE_EVERY entries gc.freeze() (O(1)) moves what survived so far out of its
    # reach; refcounting still frees entries as they are dropped, only cyclic garbage made before
    # a freeze is kept, and request handling makes next to none.
    FREEZE_EVERY = 1024
    # ~1-3 KB per entry as objects, ~50-150 B per entry compressed (similar requests compress
    # well). A spill of 256 entries holds the loop ~1 ms; fewer makes blocks compress worse.
    MEMORY_ENTRIES = 2048
    SPILL_BATCH = 256
    REMEMBERED_REPORTS = 256
    RECLAIM_BYTES = 8 << 20  # a spill file smaller than this is never rewritten

    def __init__(
        self, *, enabled: bool = True, max_entries: int | None = None, memory_entries: int | None = None
    ) -> None:
        self.enabled = enabled
        self.max_entries = max_entries
        self.memory_entries = self.MEMORY_ENTRIES if memory_entries is None else max(memory_entries, 0)
        self._events: deque[ServeEvent] = deque()  # in memory, newest first
        self._blocks: deque[_Block] = deque()  # spilled, oldest first
        self._spilled = 0  # live entries in _blocks
        self._store = _SpillStore()
        self._since_freeze = 0
        # Recent "not matched" reports: a client that misses tends to miss the same way, and
        # each report is ~1 KB; equal reports share one string.
        self._reports: dict[str, str] = {}

    def __len__(self) -> int:
        return len(self._events) + self._spilled

    def shared_report(self, report: str) -> str:
        """`report`, or an equal string already held by an entry (same text, less memory)."""
        shared = self._reports.setdefault(report, report)
        if len(self._reports) > self.REMEMBERED_REPORTS:
            self._reports.pop(next(iter(self._reports)))  # oldest first
        return shared

    def add(self, event: ServeEvent) -> None:
        if not self.enabled:
            return
        if not event.was_matched:
            _compact_request(event.request)
        events = self._events
        events.appendleft(event)
        if self.max_entries is not None and len(events) + self._spilled > self.max_entries:
            self._drop_oldest()
        if len(events) > self.memory_entries + self.SPILL_BATCH - 1:
            self._spill()
        self._since_freeze += 1
        if self._since_freeze >= self.FREEZE_EVERY:
            self._since_freeze = 0
            gc.freeze()

    def _spill(self) -> None:
        """The oldest SPILL_BATCH in-memory events to one compressed block."""
        events = self._events
        batch = [events.pop() for _ in range(min(self.SPILL_BATCH, len(events)))]  # oldest first
        data = _encode_block(batch)
        self._blocks.append(_Block(self._store.append(data), len(data), len(batch)))
        self._spilled += len(batch)

    def _drop_oldest(self) -> None:
        """WireMock's --max-request-journal-entries: the oldest entry goes."""
        while self._blocks:
            block = self._blocks[0]
            while block.head < block.count and block.head in block.removed:
                block.removed.discard(block.head)  # keeps removed within [head, count)
                block.head += 1
            dropped = block.head < block.count
            if dropped:
                block.head += 1
                self._spilled -= 1
            if block.live == 0:
                self._blocks.popleft()
                self._compact_store()
            if dropped:
                return
        if self._events:
            self._events.pop()

    def _compact_store(self) -> None:
        """Reclaim the spill file once most of it is dropped entries (a bounded journal under
        constant load would otherwise grow it forever)."""
        if not self._blocks:
            self._store.close()
            return
        live = sum(block.length for block in self._blocks)
        if self._store.size < self.RECLAIM_BYTES or self._store.size < 2 * live:
            return
        fresh = _SpillStore()
        for block in self._blocks:
            block.offset = fresh.append(self._store.read(block.offset, block.length))
        self._store.close()
        self._store = fresh

    def _block_events(self, block: _Block) -> list[ServeEvent]:
        return _decode_block(self._store.read(block.offset, block.length))

    def _located(self) -> Iterator[tuple[ServeEvent, _Where]]:
        """Every event, newest first, with where it lives."""
        for event in self._events:
            yield event, None
        for block in reversed(self._blocks):
            for event, position in self._live_in(block):
                yield event, (block, position)

    def _live_in(self, block: _Block) -> Iterator[tuple[ServeEvent, int]]:
        """A block's entries not removed since it spilled, newest first, with their positions."""
        events = self._block_events(block)
        for position in range(block.count - 1, block.head - 1, -1):
            if position not in block.removed:
                yield events[position], position

    def _forget(self, where: _Where, event: ServeEvent) -> None:
        if where is None:
            self._events.remove(event)
            return
        block, position = where
        block.removed.add(position)
        self._spilled -= 1
        if block.live == 0:
            self._blocks.remove(block)
            self._compact_store()

    def clear(self) -> None:
        self._events.clear()
        self._blocks.clear()
        self._spilled = 0
        self._store.close()
        self._reports.clear()

    def events(self) -> list[ServeEvent]:
        """Newest first."""
        if not self._blocks:
            return list(self._events)
        return [event for event, _ in self._located()]

    def iter_events(self) -> Iterator[ServeEvent]:
        """Newest first, as `events()`, but spilled blocks are decoded one at a time as the
        iterator reaches them, so a streamed listing (admin/streamed.py) never holds the loop
        for the whole journal (decoding 18,000 spilled entries at once held it ~0.4 s). The
        listing is the journal as of this call: entries added meanwhile are not in it, entries
        dropped meanwhile (`--max-request-journal-entries`, DELETE) are skipped."""
        in_memory = list(self._events)
        blocks = list(reversed(self._blocks))

        def walk() -> Iterator[ServeEvent]:
            yield from in_memory
            for block in blocks:
                if not any(live is block for live in self._blocks):
                    continue  # dropped since the call: its offset may name another block now
                for event, _ in self._live_in(block):
                    yield event

        return walk()

    def select(
        self,
        *,
        since: datetime | None = None,
        unmatched_only: bool = False,
        matching_stub: str | None = None,
    ) -> list[ServeEvent]:
        out = []
        for event, _ in self._located():
            if since is not None and event.request.logged_at < since:
                continue
            if unmatched_only and event.was_matched:
                continue
            if matching_stub is not None and event.stub_id != matching_stub:
                continue
            out.append(event)
        return out

    def get(self, event_id: str) -> ServeEvent | None:
        for event, _ in self._located():
            if event.id == event_id:
                return event
        return None

    def remove(self, event_id: str) -> bool:
        for event, where in self._located():
            if event.id == event_id:
                self._forget(where, event)
                return True
        return False

    def requests_matching(self, predicate: RequestPredicate) -> list[ServeEvent]:
        """Events whose request satisfies predicate, oldest first (as /requests/find lists them)."""
        return [event for event, _ in reversed(list(self._located())) if predicate(event.request)]

    def remove_where(self, predicate: Callable[[ServeEvent], bool]) -> list[ServeEvent]:
        """Events predicate picks, newest first, taken out of the journal."""
        found = [(event, where) for event, where in self._located() if predicate(event)]
        if found:
            in_memory = {id(event) for event, where in found if where is None}
            if in_memory:
                kept = [event for event in self._events if id(event) not in in_memory]
                self._events.clear()
                self._events.extend(kept)
            for event, where in found:
                if where is not None:
                    self._forget(where, event)
        return [event for event, _ in found]
