"""Leaf matchers of the stub server: string, multi-value and body (content) patterns.

    parse_string_pattern(obj, pointer)       -> StringValuePattern
    parse_multi_value_pattern(obj, pointer)  -> MultiValuePattern
    parse_content_pattern(obj, pointer)      -> ContentPattern

Each pattern has `name`, `expected`, `match(...) -> MatchResult` and `to_json()` (WireMock's
normalised form). Invalid input raises podlab.stub.jvm.errors.InvalidInputError.
"""

from typing import TYPE_CHECKING, Any

from podlab.stub.matchers.base import (
    ContentPattern,
    MatchResult,
    MultiValuePattern,
    StringValuePattern,
)
from podlab.stub.matchers.java_regex import JavaRegexError, compile_java_regex
from podlab.stub.matchers.parse import (
    parse_content_pattern,
    parse_multi_value_pattern,
    parse_string_pattern,
)

if TYPE_CHECKING:
    from podlab.stub.matchers.jsonpath import JsonPathError, PathNotFound, compile_path, read

_JSONPATH_NAMES = frozenset({"JsonPathError", "PathNotFound", "compile_path", "read"})


def __getattr__(name: str) -> Any:
    # JSONPath (its parser's module is ~10 ms of imports) loads with its first user, not at start.
    if name in _JSONPATH_NAMES:
        from podlab.stub.matchers import jsonpath

        return getattr(jsonpath, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ContentPattern",
    "JavaRegexError",
    "JsonPathError",
    "MatchResult",
    "MultiValuePattern",
    "PathNotFound",
    "StringValuePattern",
    "compile_java_regex",
    "compile_path",
    "parse_content_pattern",
    "parse_multi_value_pattern",
    "parse_string_pattern",
    "read",
]
