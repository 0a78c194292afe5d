"""JSON text as WireMock's Jackson writes it, for values that may hold `Decimal`s.

WireMock parses template JSON with BigDecimal floats, so `1.50` stays `1.50` through
`parseJson`/`formatJson`/`toJson`; podlab.stub.jsonfmt (floats only) would print `1.5`.
Layout is Jackson's DefaultPrettyPrinter, as in jsonfmt.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from podlab.stub.templating.values import java_double_str

_escape = json.JSONEncoder(ensure_ascii=False).encode


def loads(text: str) -> Any:
    """Parse JSON keeping decimal literals exact (Jackson's USE_BIG_DECIMAL_FOR_FLOATS)."""
    return json.loads(text, parse_float=Decimal)


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return format(value, "f") if -7 <= value.adjusted() < 21 else str(value).replace("e+", "E")
    if isinstance(value, float):
        return java_double_str(value)
    return str(_escape(str(value)))


def dumps(value: Any, *, pretty: bool) -> str:
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
