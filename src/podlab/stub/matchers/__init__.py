"""Leaf matchers of the stub server: string, multi-value and body (content) patterns.

    parse_string_pattern(obj, pointer)       -> StringValuePattern
    parse_multi_value_pattern(obj, pointer)  -> MultiValuePattern
    parse_content_pattern(obj, pointer)      -> ContentPattern

Each pattern has `name`, `expected`, `match(...) -> MatchResult` and `to_json()` (WireMock's
normalised form). Invalid input raises podlab.stub.jvm.errors.InvalidInputError.
"""

from podlab.stub.matchers.base import (
    ContentPattern,
    MatchResult,
    MultiValuePattern,
    StringValuePattern,
)
from podlab.stub.matchers.java_regex import JavaRegexError, compile_java_regex
from podlab.stub.matchers.jsonpath import JsonPathError, PathNotFound, compile_path, read
from podlab.stub.matchers.parse import (
    parse_content_pattern,
    parse_multi_value_pattern,
    parse_string_pattern,
)

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
