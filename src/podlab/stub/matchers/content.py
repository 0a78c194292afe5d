"""Body (content) patterns: string matchers applied to the body decoded as UTF-8, plus
binaryEqualTo on the raw bytes."""

from __future__ import annotations

from dataclasses import dataclass

from podlab.stub.matchers.base import LiftedStringPattern, MatchResult


@dataclass(frozen=True)
class StringContent(LiftedStringPattern):
    """A string-value matcher used as a `bodyPatterns` entry."""

    def match(self, body: bytes) -> MatchResult:
        # WireMock matches the body as a string (UTF-8 unless the Content-Type says otherwise);
        # an empty body is "", never absent.
        return self.pattern.match(body.decode("utf-8", errors="replace"))
