"""Values rendered as text the way WireMock's JVM renders them (Double.toString, Jackson)."""

from __future__ import annotations

from typing import Any

from podlab.stub.jvm.jsonfmt import dumps, java_double, java_text
from podlab.stub.matchers.lenient_json import to_plain

__all__ = ["jackson_compact", "jackson_pretty", "java_double", "java_scalar_text"]


def java_scalar_text(value: Any) -> str:
    """A JSON scalar as WireMock hands it to a string matcher (strings raw, no quotes, decimals
    as the doubles Jackson read them as)."""
    return java_text(value, big_decimals=False)


def jackson_compact(value: Any) -> str:
    """Jackson's compact output: `{"a":1,"b":[1,2]}`, decimals as Java doubles."""
    return dumps(to_plain(value), pretty=False)


def jackson_pretty(value: Any) -> str:
    """Jackson's DefaultPrettyPrinter layout: `"key" : value`, 2-space indent, inline arrays."""
    return dumps(to_plain(value), pretty=True)
