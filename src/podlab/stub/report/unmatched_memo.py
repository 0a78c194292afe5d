"""Unmatched requests answered from memory: the nearest stub and the report, per request content.

A client that misses tends to miss the same way, again and again (a probe on a wrong path, a
test retrying): ranking the near misses and rendering the "Request was not matched" report were
most of such a 404's cost with 1,000 stubs. Both are pure functions of the stubs, the request's
content and, for the report, the nearest stub's scenario state, except where a matcher reads
the clock: `before`, `after` and `equalToDateTime` compare with "now" (and `customMatcher` is
kept out too, to be safe). So a memo is used only while no stub has one of those anywhere in its
request pattern, and it belongs to one stub set (the state makes a new one when stubs change).
The answers are the ones computing them again would give (tests/stub/test_unmatched_memo.py).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from podlab.stub.model import StubMapping
    from podlab.stub.model.request import LoggedRequest

# Request-pattern keys whose matchers read the clock, or run code podlab cannot see.
CLOCK_KEYS = frozenset({"before", "after", "equalToDateTime", "customMatcher"})
# Entries kept per memo (oldest dropped first), and the largest request remembered (URL, header
# names and values, body): a key holds all of it (256 x 8 KiB at most, against a pod's memory
# budget of ~10 MiB), and a large unmatched request is rarely sent twice.
REMEMBERED = 256
MAX_KEY_BYTES = 8 * 1024

_MISSING = object()


def reads_clock(stub: StubMapping) -> bool:
    """Whether any matcher in the stub's request pattern may answer differently as time passes."""
    return _has_clock_key(stub.request.to_json())


def _has_clock_key(value: Any) -> bool:
    if isinstance(value, dict):
        return any(key in CLOCK_KEYS or _has_clock_key(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_clock_key(item) for item in value)
    return False


def request_key(req: LoggedRequest) -> Hashable | None:
    """Everything matching and the report read from a request (not its id or arrival time);
    None for a request not worth remembering."""
    size = len(req.url) + len(req.body) + sum(len(name) + len(value) for name, value in req.headers)
    if size > MAX_KEY_BYTES:
        return None
    return (
        req.method,
        req.url,
        req.absolute_url,
        req.client_ip,
        req.protocol,
        tuple(req.headers),
        req.body,
        req.browser_proxy_request,
        req.given_keys,
        req.compat,
    )


class UnmatchedMemo:
    """Remembered nearest stubs and reports for one stub set."""

    def __init__(self, stubs: Sequence[StubMapping]) -> None:
        self.enabled = not any(reads_clock(stub) for stub in stubs)
        self._nearest: dict[Hashable, StubMapping | None] = {}
        self._reports: dict[Hashable, str] = {}
        # The last request's key: `nearest` and `report` ask for the same request in turn.
        self._last: tuple[LoggedRequest | None, Hashable | None] = (None, None)

    def _key(self, req: LoggedRequest) -> Hashable | None:
        if not self.enabled:
            return None
        last, key = self._last
        if last is not req:
            key = request_key(req)
            self._last = (req, key)
        return key

    def nearest(self, req: LoggedRequest, compute: Callable[[], StubMapping | None]) -> StubMapping | None:
        key = self._key(req)
        if key is None:
            return compute()
        found = self._nearest.get(key, _MISSING)
        if found is _MISSING:
            found = compute()
            _remember(self._nearest, key, found)
        return found  # type: ignore[return-value]

    def report(
        self,
        req: LoggedRequest,
        nearest: StubMapping | None,
        scenario_state: str | None,
        compat: int,
        render: Callable[[], str],
    ) -> str:
        base = self._key(req)
        if base is None:
            return render()
        # The stub object itself is part of the key: stubs are replaced, never changed in place.
        key = (base, id(nearest), scenario_state, compat)
        found = self._reports.get(key)
        if found is None:
            found = render()
            _remember(self._reports, key, found)
        return found


def _remember(memo: dict[Hashable, Any], key: Hashable, value: Any) -> None:
    if len(memo) >= REMEMBERED:
        memo.pop(next(iter(memo)))  # oldest first
    memo[key] = value
