"""Matchers over all values of a header, query or form parameter.

- a single string matcher is lifted: the best-scoring value wins (an absent parameter is
  matched as one `None` value, so `absent` and `doesNotContain` see it);
- `hasExactly`: as many values as matchers, and every matcher matches some value;
- `includes`: every matcher matches some value.
(WireMock's SingleMatchMultiValuePattern, ExactMatchMultiValuePattern,
IncludesMatchMultiValuePattern.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from podlab.stub.matchers.base import LiftedStringPattern, MatchResult, StringValuePattern


def best_match(pattern: StringValuePattern, values: Sequence[str | None]) -> MatchResult:
    """The nearest of `pattern.match(v)` over the values (first wins on ties)."""
    return min((pattern.match(v) for v in values), key=lambda r: r.distance)


@dataclass(frozen=True)
class SingleValue(LiftedStringPattern):
    """One string matcher applied to a multi-valued parameter."""

    def match(self, values: list[str] | None) -> MatchResult:
        return best_match(self.pattern, values if values else [None])


@dataclass(frozen=True)
class _MultipleMatch:
    """WireMock's MultipleMatchMultiValuePattern: several matchers, one name for the diff."""

    patterns: tuple[StringValuePattern, ...]

    @property
    def name(self) -> str:  # MultipleMatchMultiValuePattern.getName, as the diff shows it
        return " AND ".join(f"{p.name} {p.expected}" for p in self.patterns)

    @property
    def expected(self) -> str:
        return ""


@dataclass(frozen=True)
class HasExactly(_MultipleMatch):
    operator: str = " exactly "

    def match(self, values: list[str] | None) -> MatchResult:
        if not values:
            return MatchResult.no_match()
        each = MatchResult.aggregate(best_match(p, values) for p in self.patterns)
        return MatchResult.aggregate([MatchResult.of(len(values) == len(self.patterns)), each])

    def to_json(self) -> dict[str, Any]:
        return {"hasExactly": [p.to_json() for p in self.patterns]}


@dataclass(frozen=True)
class Includes(_MultipleMatch):
    operator: str = " including "

    def match(self, values: list[str] | None) -> MatchResult:
        if not values:
            return MatchResult.no_match()
        return MatchResult.aggregate(best_match(p, values) for p in self.patterns)

    def to_json(self) -> dict[str, Any]:
        return {"includes": [p.to_json() for p in self.patterns]}
