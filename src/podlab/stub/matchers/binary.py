"""binaryEqualTo: the body's bytes equal a base64 operand (bodyPatterns only)."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

from podlab.stub.matchers.base import MatchResult


@dataclass(frozen=True)
class BinaryEqualTo:
    base64_value: str
    value: bytes = field(compare=False, repr=False)
    name: str = field(default="binaryEqualTo", init=False)

    @property
    def expected(self) -> str:
        return self.base64_value

    def match(self, body: bytes) -> MatchResult:
        return MatchResult.of(body == self.value)

    def to_json(self) -> dict[str, Any]:
        return {"binaryEqualTo": self.base64_value}


def decode_base64(text: str) -> bytes:
    """java.util.Base64's basic decoder: ValueError naming the first illegal character."""
    for ch in text.rstrip("="):
        if not (ch.isascii() and (ch.isalnum() or ch in "+/")):
            raise ValueError(f"Illegal base64 character {ord(ch):x}")
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
