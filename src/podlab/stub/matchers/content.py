"""Body (content) patterns: string matchers applied to the body decoded as UTF-8, plus
binaryEqualTo on the raw bytes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from podlab.stub.matchers.base import MatchResult, StringValuePattern


@dataclass(frozen=True)
class StringContent:
    """A string-value matcher used as a `bodyPatterns` entry."""

    pattern: StringValuePattern

    @property
    def name(self) -> str:
        return self.pattern.name

    @property
    def expected(self) -> str:
        return self.pattern.expected

    def match(self, body: bytes) -> MatchResult:
        # WireMock matches the body as a string (UTF-8 unless the Content-Type says otherwise);
        # an empty body is "", never absent.
        return self.pattern.match(body.decode("utf-8", errors="replace"))

    def to_json(self) -> dict[str, Any]:
        return self.pattern.to_json()
