"""and / or / not over string matchers (WireMock's LogicalAnd, LogicalOr, NotPattern)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from podlab.stub.matchers.base import MatchResult, StringValuePattern, java_order


@dataclass(frozen=True)
class And:
    operands: tuple[StringValuePattern, ...]
    name: str = field(default="and", init=False)

    @property
    def expected(self) -> str:
        return " AND ".join(f"{p.name} {p.expected}" for p in self.operands)

    def match(self, value: str | None) -> MatchResult:
        return MatchResult.aggregate(p.match(value) for p in self.operands)

    def to_json(self) -> dict[str, Any]:
        return {"and": [p.to_json() for p in self.operands]}


@dataclass(frozen=True)
class Or:
    operands: tuple[StringValuePattern, ...]
    name: str = field(default="or", init=False)

    @property
    def expected(self) -> str:
        return " OR ".join(f"{p.name} {p.expected}" for p in self.operands)

    def match(self, value: str | None) -> MatchResult:
        # exact if any operand is; the distance the nearest operand's either way, NaN last
        # (Java's sorted(): 2.35.1's equalTo "" against "" is an exact match at NaN). A date
        # operand can match while scoring far (e.g. `before 2030` against `1`, the year 1), so
        # the nearest operand need not be the matching one (3.13.2 serves `or: [before
        # 2030-01-01T00:00:00Z, equalTo 2026-01-01T00:00:00Z]` for `?q=1&q=22`).
        results = [p.match(value) for p in self.operands]
        nearest = min(results, key=lambda r: java_order(r.distance))
        if not nearest.is_exact_match and any(r.is_exact_match for r in results):
            return MatchResult.exact_at(nearest.distance)
        return nearest

    def to_json(self) -> dict[str, Any]:
        return {"or": [p.to_json() for p in self.operands]}


@dataclass(frozen=True)
class Not:
    operand: StringValuePattern
    name: str = field(default="not", init=False)

    @property
    def expected(self) -> str:
        return self.operand.expected

    def match(self, value: str | None) -> MatchResult:
        # NotPattern inverts exactness; its distance is 0 or 1, never partial.
        return MatchResult.of(not self.operand.match(value).is_exact_match)

    def to_json(self) -> dict[str, Any]:
        return {"not": self.operand.to_json()}
