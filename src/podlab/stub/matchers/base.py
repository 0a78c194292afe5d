"""Match results and the three matcher shapes (string value, multi-value, body content).

A matcher is a frozen value: it is built once from a stub's JSON by `parse.py`, then asked
`match(value)` for each request. Nothing here reads a clock except the date-time matchers'
`now` expressions, which take the clock as an injectable callable.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True, slots=True)
class MatchResult:
    """How far a value is from what a matcher expects: 0.0 exact ... 1.0 total miss.

    WireMock keeps `isExactMatch` and `getDistance` separately; here exact means distance 0, so
    every matcher returns 0.0 for a match and a strictly positive distance for a miss (see
    `partial`).
    """

    distance: float
    # None: exact iff the distance is 0. True for WireMock's exact matches that still report a
    # distance (equalTo with caseInsensitive scores the raw strings: "ABC" vs "abc" is 1.0), which
    # rank a near miss holding them as WireMock does.
    exact_flag: bool | None = None

    @property
    def is_exact_match(self) -> bool:
        return self.distance == 0 if self.exact_flag is None else self.exact_flag

    @staticmethod
    def exact() -> MatchResult:
        return EXACT

    @staticmethod
    def no_match() -> MatchResult:
        return NO_MATCH

    @staticmethod
    def of(is_match: bool) -> MatchResult:
        return EXACT if is_match else NO_MATCH

    @staticmethod
    def partial(distance: float) -> MatchResult:
        """A miss at `distance`; never 0 (a miss that WireMock scores 0 would read as a match)."""
        return MatchResult(min(1.0, max(distance, MIN_MISS_DISTANCE)))

    @staticmethod
    def exact_at(distance: float) -> MatchResult:
        """A match that WireMock still scores at `distance` (see `exact_flag`)."""
        return EXACT if distance == 0 else MatchResult(distance, exact_flag=True)

    @staticmethod
    def aggregate(results: Iterable[MatchResult]) -> MatchResult:
        """WireMock's MatchResult.aggregate: exact if all are, distance the mean."""
        items = list(results)
        if not items:
            return EXACT
        mean = sum(r.distance for r in items) / len(items)
        if all(r.is_exact_match for r in items):
            return MatchResult.exact_at(mean)
        return MatchResult.inexact(mean)

    @staticmethod
    def aggregate_weighted(results: Iterable[tuple[MatchResult, float]]) -> MatchResult:
        """WireMock's aggregateWeighted: sum(distance * weight) / sum(weight)."""
        items = list(results)
        if not items:
            return EXACT
        total = sum(r.distance * w for r, w in items)
        weights = sum(w for _, w in items)
        if all(r.is_exact_match for r, _ in items):
            return MatchResult.exact_at(total / weights if weights else 0.0)
        return MatchResult.inexact(total / weights if weights else 1.0)

    @staticmethod
    def inexact(distance: float) -> MatchResult:
        """An aggregate that is no match, at WireMock's mean distance as it is: its parts are
        misses already, so a mean of 0 (a date miss WireMock scores 0 years away, alone) stays 0
        (seen on 2.35.1: `before` 2026-01-01 against that instant is a near miss at 0.0), and a
        NaN mean (2.35.1's equalTo "" against "") stays NaN."""
        if distance != distance or distance == 0:
            return MatchResult(distance, exact_flag=False)
        return MatchResult.partial(distance)


def java_order(distance: float) -> tuple[bool, float]:
    """Sort key for distances as Java's Double.compare orders them: NaN (2.35.1's equalTo ""
    against "") after every number, NaNs equal to each other."""
    nan = distance != distance
    return nan, 0.0 if nan else distance


# A miss whose computed distance is 0 (e.g. a date one second too late is 0 years away) still
# has to sort after every exact match; this is the smallest distance a miss reports.
MIN_MISS_DISTANCE = 1e-6
EXACT = MatchResult(0.0)
NO_MATCH = MatchResult(1.0)


@runtime_checkable
class StringValuePattern(Protocol):
    """A matcher for one string value: header, query parameter, cookie, JSONPath result..."""

    @property
    def name(self) -> str:  # operator as written: "equalTo", "matches", ...
        ...

    @property
    def expected(self) -> str:  # the value shown in diffs
        ...

    def match(self, value: str | None) -> MatchResult:  # None = absent
        ...

    def to_json(self) -> dict[str, Any]: ...


@runtime_checkable
class MultiValuePattern(Protocol):
    """A matcher for all values of a header, query or form parameter."""

    @property
    def name(self) -> str: ...

    @property
    def expected(self) -> str: ...

    def match(self, values: list[str] | None) -> MatchResult: ...

    def to_json(self) -> dict[str, Any]: ...


@runtime_checkable
class ContentPattern(Protocol):
    """A `bodyPatterns` entry."""

    @property
    def name(self) -> str: ...

    @property
    def expected(self) -> str: ...

    def match(self, body: bytes) -> MatchResult: ...

    def to_json(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class LiftedStringPattern:
    """A string matcher lifted to another shape (multi-value or body pattern): it shows, prints
    and serialises as the matcher it wraps; subclasses say how it sees the values."""

    pattern: StringValuePattern

    @property
    def name(self) -> str:
        return self.pattern.name

    @property
    def expected(self) -> str:
        return self.pattern.expected

    def to_json(self) -> dict[str, Any]:
        return self.pattern.to_json()
