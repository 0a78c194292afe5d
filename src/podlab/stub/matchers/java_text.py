"""Values rendered as text the way WireMock's JVM renders them (Double.toString, Jackson)."""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any

from podlab.stub.matchers.lenient_json import to_plain


def java_double(x: float) -> str:
    """Java's Double.toString: 1.0, 1000.0, 1.0E20, 1.5E-5, NaN, Infinity."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "-0.0" if math.copysign(1.0, x) < 0 else "0.0"
    sign = "-" if x < 0 else ""
    digits_tuple = Decimal(repr(abs(x))).as_tuple()
    digits = "".join(map(str, digits_tuple.digits)).rstrip("0") or "0"
    assert isinstance(digits_tuple.exponent, int)
    # value = 0.d1d2d3... * 10**point
    point = len(digits_tuple.digits) + digits_tuple.exponent
    if 1e-3 <= abs(x) < 1e7:
        if point <= 0:
            return f"{sign}0.{'0' * -point}{digits}"
        whole = digits[:point].ljust(point, "0")
        frac = digits[point:] or "0"
        return f"{sign}{whole}.{frac}"
    mantissa = digits[0] + "." + (digits[1:] or "0")
    return f"{sign}{mantissa}E{point - 1}"


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
    if isinstance(value, dict):
        return (
            "{"
            + ",".join(json.dumps(k, ensure_ascii=False) + ":" + jackson_compact(v) for k, v in value.items())
            + "}"
        )
    if isinstance(value, list):
        return "[" + ",".join(jackson_compact(v) for v in value) + "]"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return java_scalar_text(value)


def jackson_pretty(value: Any) -> str:
    """Jackson's DefaultPrettyPrinter layout: `"key" : value`, 2-space indent, inline arrays."""
    out: list[str] = []
    _pretty(to_plain(value), 0, out)
    return "".join(out)


def _pretty(value: Any, depth: int, out: list[str]) -> None:
    if isinstance(value, dict):
        if not value:
            out.append("{ }")
            return
        out.append("{\n")
        for n, (key, item) in enumerate(value.items()):
            out.append("  " * (depth + 1) + json.dumps(key, ensure_ascii=False) + " : ")
            _pretty(item, depth + 1, out)
            out.append(",\n" if n < len(value) - 1 else "\n")
        out.append("  " * depth + "}")
    elif isinstance(value, list):
        if not value:
            out.append("[ ]")
            return
        out.append("[ ")
        for n, item in enumerate(value):
            if n:
                out.append(", ")
            _pretty(item, depth, out)
        out.append(" ]")
    elif isinstance(value, str):
        out.append(json.dumps(value, ensure_ascii=False))
    else:
        out.append(java_scalar_text(value))
