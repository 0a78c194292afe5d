"""JSON text exactly as WireMock's Jackson writes it: the one JSON writer of podlab.stub.

Admin bodies, the verbose log, diffs, matchers and templates all print JSON through `dumps`.
Jackson's DefaultPrettyPrinter indents objects by two spaces per level with `"key" : value`,
keeps arrays inline (`[ 1, 2 ]`, `[ {` ... `}, {` ... `} ]`) and prints empty containers as `{ }`
and `[ ]`; the stdlib's `indent=` output differs in all three respects, and it prints floats as
Python does (`1e-05`) where Java prints `1.0E-5`, so the writer is written out here.
Floats print as Java's Double.toString; `Decimal`s (templates parse JSON with BigDecimal) print
as written.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any

_escape = json.JSONEncoder(ensure_ascii=False).encode


def java_double(x: float) -> str:
    """Java's Double.toString: 1.0, 1000.0, 1.0E20, 1.5E-5, NaN, Infinity."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "-0.0" if math.copysign(1.0, x) < 0 else "0.0"
    sign = "-" if x < 0 else ""
    # repr gives the shortest round-tripping digits, as Java does; only the layout differs.
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


def big_decimal(value: Decimal) -> str:
    """A JSON decimal read as BigDecimal and written back by Jackson (`1.50` stays `1.50`)."""
    return format(value, "f") if -7 <= value.adjusted() < 21 else str(value).replace("e+", "E")


def java_text(value: Any, *, big_decimals: bool = True) -> str:
    """A JSON value as Java's String.valueOf prints it: `null`, `true`, `5`, `1.0E-5`, strings
    as they are. `big_decimals=False`: a Decimal was read by Jackson as a double."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return big_decimal(value) if big_decimals else java_double(float(value))
    if isinstance(value, float):
        return java_double(value)
    return str(value)


def _scalar(value: Any) -> str:
    if value is None or isinstance(value, int | float | Decimal):
        return java_text(value)
    return str(_escape(str(value)))


def dumps(value: Any, *, pretty: bool) -> str:
    """Jackson's pretty (DefaultPrettyPrinter, no trailing newline) or compact (`{"a":1}`) form."""
    out: list[str] = []
    _write(value, 0, out, pretty)
    return "".join(out)


def _write(value: Any, nesting: int, out: list[str], pretty: bool) -> None:
    if isinstance(value, dict):
        if not value:
            out.append("{ }" if pretty else "{}")
            return
        out.append("{")
        for index, (key, item) in enumerate(value.items()):
            if pretty:
                out.append(("\n" if index == 0 else ",\n") + "  " * (nesting + 1))
                out.append(_escape(str(key)) + " : ")
            else:
                out.append(("" if index == 0 else ",") + _escape(str(key)) + ":")
            _write(item, nesting + 1, out, pretty)
        out.append("\n" + "  " * nesting + "}" if pretty else "}")
    elif isinstance(value, list | tuple):
        if not value:
            out.append("[ ]" if pretty else "[]")
            return
        out.append("[ " if pretty else "[")
        for index, item in enumerate(value):
            if index:
                out.append(", " if pretty else ",")
            _write(item, nesting, out, pretty)  # Jackson's arrays indent inline
        out.append(" ]" if pretty else "]")
    else:
        out.append(_scalar(value))


def pretty_at(value: Any, nesting: int) -> str:
    """The pretty form of `value` as it prints `nesting` levels deep (an item of a streamed list)."""
    out: list[str] = []
    _write(value, nesting, out, True)
    return "".join(out)


def pretty(value: Any) -> str:
    """Jackson's default pretty printing (no trailing newline)."""
    return dumps(value, pretty=True)


def compact(value: Any) -> str:
    """Jackson's compact form, as `jsonBody` is served: `{"a":1}`."""
    return dumps(value, pretty=False)


def integral_floats_as_ints(value: Any) -> Any:
    """`2.0` as `2`, all through a JSON value: 2.35.1 (its Jackson setup) writes a number with
    no fraction as an integer, in a stub's JSON and in its report. Only within a long's range,
    as Jackson keeps larger ones as doubles."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2.0**63:
        return int(value)
    if isinstance(value, dict):
        return {key: integral_floats_as_ints(item) for key, item in value.items()}
    if isinstance(value, list):
        return [integral_floats_as_ints(item) for item in value]
    return value
