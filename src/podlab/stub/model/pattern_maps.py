"""The matcher maps and lists of a request pattern (headers, parameters, cookies, bodies) as
WireMock binds them, and how a body pattern sees a body."""

from __future__ import annotations

from typing import Any

from podlab.stub.jvm.jsonfmt import compact
from podlab.stub.matchers import (
    ContentPattern,
    MatchResult,
    MultiValuePattern,
    StringValuePattern,
    parse_content_pattern,
    parse_multi_value_pattern,
    parse_string_pattern,
)
from podlab.stub.model.binding import PKG, bind_list, bind_object, fail, present


def match_body(pattern: ContentPattern, body: bytes, text: str) -> MatchResult:
    """A body pattern against a body: string matchers see the text (charset-aware), or null
    for an empty body, as WireMock's RequestPattern hands them; binaryEqualTo sees the bytes."""
    inner = getattr(pattern, "pattern", None)  # the string matcher a body pattern wraps
    if isinstance(inner, StringValuePattern):
        return inner.match(text if text else None)
    return pattern.match(body)


def multi_map(
    obj: dict[str, Any], key: str, pointer: str, *, compat: int = 3
) -> dict[str, MultiValuePattern] | None:
    """A name -> matcher map. Error pointers carry the names unescaped, as Jackson's do.
    `compat=2` refuses hasExactly/includes, which 2.35 does not know."""
    if not present(obj, key):
        return None
    here = f"{pointer}/{key}"
    raw = bind_object(
        obj[key], here, f"java.util.LinkedHashMap<java.lang.String,{PKG}.matching.MultiValuePattern>"
    )
    out = {}
    for name, value in raw.items():
        if compat == 2 and isinstance(value, dict) and ("hasExactly" in value or "includes" in value):
            raise fail(f"{here}/{name}", f"{compact(value)} is not a valid match operation")
        out[name] = parse_multi_value_pattern(value, f"{here}/{name}", compat=compat)
    return out


def string_map(
    obj: dict[str, Any], key: str, pointer: str, *, compat: int = 3
) -> dict[str, StringValuePattern] | None:
    if not present(obj, key):
        return None
    here = f"{pointer}/{key}"
    raw = bind_object(
        obj[key], here, f"java.util.LinkedHashMap<java.lang.String,{PKG}.matching.StringValuePattern>"
    )
    return {name: parse_string_pattern(value, f"{here}/{name}", compat=compat) for name, value in raw.items()}


def content_list(
    obj: dict[str, Any], key: str, pointer: str, *, compat: int = 3
) -> list[ContentPattern] | None:
    if not present(obj, key):
        return None
    here = f"{pointer}/{key}"
    raw = bind_list(obj[key], here, f"java.util.ArrayList<{PKG}.matching.ContentPattern<java.lang.Object>>")
    return [parse_content_pattern(item, f"{here}/{index}", compat=compat) for index, item in enumerate(raw)]
