"""Parse request bodies the way WireMock's Jackson mapper does for matching.

Jackson there reads the first JSON value and ignores whatever follows (`{"a":1} trailing`
matches), accepts single-quoted strings (`{'a':1}`) and comments (`/* */`, `//`), but not
NaN, unquoted names, leading zeros or trailing commas: all observed on WireMock 3.13.2.
Numbers come back as `int` or `Decimal` so that 1.5 and 1.5000 compare equal without float
rounding.
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import lru_cache
from typing import Any


def _reject_constant(name: str) -> Any:
    raise ValueError(f"Non-standard token '{name}'")


_DECODER = json.JSONDecoder(parse_float=Decimal, parse_constant=_reject_constant)


def parse_json(text: str) -> Any:
    """The first JSON value in `text`; ValueError if there is none."""
    stripped = text.lstrip("\ufeff \t\r\n")
    try:
        value, _ = _DECODER.raw_decode(stripped)
        return value
    except json.JSONDecodeError:
        if "'" not in stripped and "/" not in stripped:
            raise
    value, _ = _DECODER.raw_decode(_requote(stripped).lstrip("\ufeff \t\r\n"))
    return value


_NOT_JSON = object()


def parse_json_cached(text: str) -> Any:
    """parse_json for request bodies, memoised: every JSON matcher of every stub parses the same
    body, so one parse serves them all. Callers must not mutate the result. ValueError if not JSON.
    """
    value = _parse_or_marker(text)
    if value is _NOT_JSON:
        raise ValueError("not JSON")
    return value


@lru_cache(maxsize=32)
def _parse_or_marker(text: str) -> Any:
    try:
        return parse_json(text)
    except ValueError:
        return _NOT_JSON


def _requote(text: str) -> str:
    """Rewrite single-quoted strings as double-quoted ones and drop comments (outside strings)."""
    out: list[str] = []
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(text[i : j + 1])
            i = j + 1
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
            out.append(" ")
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif c == "'":
            j = i + 1
            chars: list[str] = []
            while j < n and text[j] != "'":
                if text[j] == "\\" and j + 1 < n:
                    chars.append(text[j : j + 2])
                    j += 2
                    continue
                chars.append('\\"' if text[j] == '"' else text[j])
                j += 1
            out.append('"' + "".join(chars) + '"')
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def to_plain(value: Any) -> Any:
    """Decimals back to floats (Jackson reads JSON decimals as Double), lists and dicts recursed."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list):
        return [to_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    return value
