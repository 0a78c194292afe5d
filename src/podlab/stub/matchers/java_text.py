"""Values rendered as text the way WireMock's JVM renders them (Double.toString, Jackson)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from podlab.stub.jsonfmt import dumps, java_double
from podlab.stub.matchers.lenient_json import to_plain

__all__ = ["jackson_compact", "jackson_pretty", "java_double", "java_scalar_text"]


def java_scalar_text(value: Any) -> str:
    """A JSON scalar as WireMock hands it to a string matcher (strings raw, no quotes)."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):
        return java_double(float(value))
    return str(value)


def jackson_compact(value: Any) -> str:
    """Jackson's compact output: `{"a":1,"b":[1,2]}`, decimals as Java doubles."""
    return dumps(to_plain(value), pretty=False)


def jackson_pretty(value: Any) -> str:
    """Jackson's DefaultPrettyPrinter layout: `"key" : value`, 2-space indent, inline arrays."""
    return dumps(to_plain(value), pretty=True)
