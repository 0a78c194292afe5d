"""matchesJsonPath: a JSONPath expression, alone or with a sub-matcher for its result.

Observed on WireMock 3.13.2:
- alone, it matches when the path yields something: not `null`, not `[]`, not `{}`; a body
  that is not JSON, or a missing member, never matches;
- with a sub-matcher: empty text, XML (starting with `<`) or a broken object or array never
  matches, not even `absent`; other text that is not JSON is a string without members (only
  `absent` matches), as is no body at all; a missing or empty result matches only `absent`;
  `equalToJson` sees the
  whole result as JSON; other matchers see each element of a list result (best one wins), an
  object as Jackson pretty JSON, numbers as Java prints them (`1.0`, `1.0E20`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from podlab.stub.matchers.base import MatchResult, StringValuePattern
from podlab.stub.matchers.java_text import jackson_compact, jackson_pretty, java_scalar_text
from podlab.stub.matchers.json_equal import EqualToJson
from podlab.stub.matchers.jsonpath import CompiledPath, PathNotFound, read
from podlab.stub.matchers.lenient_json import parse_json_cached

_NOTHING = object()


def evaluate(path: CompiledPath, document: Any) -> Any:
    """The path's result, or _NOTHING when the path is not there."""
    try:
        return read(path, document)
    except PathNotFound:
        return _NOTHING
    except (TypeError, ValueError, ArithmeticError):  # e.g. comparing odd types in a filter
        return _NOTHING


@dataclass(frozen=True)
class MatchesJsonPath:
    expression: str
    # None: an expression JsonPath cannot compile, which 2.35.1 takes and never matches (it
    # compiles on each match and counts the exception as no match; seen on the 2.35.1 jar: `$[`)
    path: CompiledPath | None = field(compare=False, repr=False)
    sub: StringValuePattern | None = None
    # 2.35.1 hands no body to JsonPath.read as null, which throws: no match, even for `absent`
    # (3.x reads no body as a string without members, where `absent` matches)
    no_body_fails: bool = field(default=False, compare=False, repr=False)
    name: str = field(default="matchesJsonPath", init=False)

    @property
    def expected(self) -> str:
        return self.expression

    def match(self, value: str | None) -> MatchResult:
        if self.path is None or (value is None and self.no_body_fails):
            return MatchResult.no_match()
        document: Any = _NOTHING
        if value is not None:
            try:
                document = parse_json_cached(value)
            except ValueError:
                if _fails_in_json_path(value):
                    return MatchResult.no_match()  # WireMock does not ask the sub-matcher
        return self.match_document(document)

    def match_document(self, document: Any) -> MatchResult:
        """Match an already-parsed JSON document (also used for stub metadata)."""
        if self.path is None:
            return MatchResult.no_match()
        result = _NOTHING if document is _NOTHING else evaluate(self.path, document)
        if self.sub is None:
            return MatchResult.of(_present(result))
        if result is _NOTHING or result is None or result == [] or result == {}:
            return MatchResult.of(self.sub.name == "absent")
        if isinstance(self.sub, EqualToJson):
            return self.sub.match_parsed(result)
        if isinstance(result, list):
            return min((self.sub.match(_element_text(v)) for v in result), key=lambda r: r.distance)
        if isinstance(result, dict):
            return self.sub.match(jackson_pretty(result))
        return self.sub.match(java_scalar_text(result))

    def to_json(self) -> dict[str, Any]:
        if self.sub is None:
            return {"matchesJsonPath": self.expression}
        return {"matchesJsonPath": {"expression": self.expression, **self.sub.to_json()}}


def _fails_in_json_path(text: str) -> bool:
    """Text podlab cannot parse that WireMock's JsonPath refuses too: empty, XML (WireMock skips
    text starting with `<`), or a broken object or array. Other text json-smart reads as a
    string, in which every path is missing, so `absent` matches (all recorded from 3.13.2)."""
    stripped = text.lstrip("".join(chr(c) for c in range(33)))  # Java's trim
    return not stripped or stripped[0] in "<{["


def _present(result: Any) -> bool:
    if result is _NOTHING or result is None:
        return False
    if isinstance(result, list | dict):
        return bool(result)
    return True


def _element_text(value: Any) -> str:
    if isinstance(value, list | dict):
        return jackson_compact(value)
    return java_scalar_text(value)
