"""The plain string operators: equalTo, contains, doesNotContain, matches, doesNotMatch,
absent, anything. Semantics and distances follow WireMock 3.13's `*Pattern` classes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from podlab.stub.matchers.base import MatchResult
from podlab.stub.matchers.bounded_regex import BoundedPattern
from podlab.stub.matchers.distance import normalised_levenshtein
from podlab.stub.matchers.java_regex import compile_java_regex


@dataclass(frozen=True)
class EqualTo:
    value: str
    case_insensitive: bool | None = None  # None: not written in the stub (to_json omits it)
    # 2.35.1 divides the edit distance by the longer length even when both are empty: "" against
    # "" is an exact match at distance NaN (near misses show "NaN"; seen on the 2.35.1 jar).
    empty_is_nan: bool = field(default=False, compare=False, repr=False)
    name: str = field(default="equalTo", init=False)

    @property
    def expected(self) -> str:
        return self.value

    def match(self, value: str | None) -> MatchResult:
        if value is None:
            return MatchResult.no_match()
        if value == self.value:
            if self.empty_is_nan and not value:
                return MatchResult(float("nan"), exact_flag=True)
            return MatchResult.exact()
        # WireMock scores case-insensitive matches and misses on the raw strings.
        distance = normalised_levenshtein(self.value, value)
        if self.case_insensitive and _equals_ignore_case(value, self.value):
            return MatchResult.exact_at(distance)
        return MatchResult.partial(distance)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"equalTo": self.value}
        if self.case_insensitive is not None:
            out["caseInsensitive"] = self.case_insensitive
        return out


@dataclass(frozen=True)
class Contains:
    value: str
    name: str = field(default="contains", init=False)

    @property
    def expected(self) -> str:
        return self.value

    def match(self, value: str | None) -> MatchResult:
        return MatchResult.of(value is not None and self.value in value)

    def to_json(self) -> dict[str, Any]:
        return {"contains": self.value}


@dataclass(frozen=True)
class DoesNotContain:
    value: str
    name: str = field(default="doesNotContain", init=False)

    @property
    def expected(self) -> str:
        return self.value

    def match(self, value: str | None) -> MatchResult:
        # NegativeContainsPattern: an absent value does not contain anything.
        return MatchResult.of(value is None or self.value not in value)

    def to_json(self) -> dict[str, Any]:
        return {"doesNotContain": self.value}


@dataclass(frozen=True)
class _RegexPattern:
    """A Java regex operand, compiled once when the stub is read (a bad one fails the stub)."""

    regex: str
    compiled: BoundedPattern = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "compiled", compile_java_regex(self.regex))

    @property
    def expected(self) -> str:
        return self.regex


@dataclass(frozen=True)
class Matches(_RegexPattern):
    """Whole-value Java regex (`Matcher.matches()`), compiled with DOTALL like WireMock."""

    name: str = field(default="matches", init=False)

    def match(self, value: str | None) -> MatchResult:
        return MatchResult.of(value is not None and self.compiled.matches(value))

    def to_json(self) -> dict[str, Any]:
        return {"matches": self.regex}


@dataclass(frozen=True)
class DoesNotMatch(_RegexPattern):
    name: str = field(default="doesNotMatch", init=False)

    def match(self, value: str | None) -> MatchResult:
        # NegativeRegexPattern: an absent value matches (observed on WireMock 3.13.2).
        return MatchResult.of(value is None or not self.compiled.matches(value))

    def to_json(self) -> dict[str, Any]:
        return {"doesNotMatch": self.regex}


@dataclass(frozen=True)
class Absent:
    """`{"absent": true}` (WireMock accepts any operand and always writes back `true`)."""

    name: str = field(default="absent", init=False)

    @property
    def expected(self) -> str:
        return "(absent)"

    def match(self, value: str | None) -> MatchResult:
        return MatchResult.of(value is None)

    def to_json(self) -> dict[str, Any]:
        return {"absent": True}


@dataclass(frozen=True)
class Anything:
    """`{"anything": ...}`: always matches; written back as `{"anything": "anything"}`."""

    name: str = field(default="anything", init=False)

    @property
    def expected(self) -> str:
        return "anything"

    def match(self, value: str | None) -> MatchResult:
        return MatchResult.exact()

    def to_json(self) -> dict[str, Any]:
        return {"anything": "anything"}


def _equals_ignore_case(a: str, b: str) -> bool:
    """Java's String.equalsIgnoreCase: same length, each char equal after upper- or lower-casing."""
    return len(a) == len(b) and all(
        x == y or x.upper() == y.upper() or x.lower() == y.lower() for x, y in zip(a, b, strict=True)
    )
