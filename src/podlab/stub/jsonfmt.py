"""JSON text exactly as WireMock's Jackson writes it.

Admin bodies and the verbose log use Jackson's DefaultPrettyPrinter: objects indent by two spaces
per level with `"key" : value`, arrays stay inline (`[ 1, 2 ]`, `[ {` ... `}, {` ... `} ]`) and
empty containers print as `{ }` and `[ ]`. The stdlib's `indent=` output differs in all three
respects, so the printer is written out here.
"""

from __future__ import annotations

import json
import math
from typing import Any

_escape = json.JSONEncoder(ensure_ascii=False).encode


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value == int(value) and abs(value) < 1e7:
            return f"{value:.1f}"  # Java's Double.toString: 5.0, not 5
        return repr(value).replace("e+", "E").replace("e-", "E-")
    return _escape(str(value))


def _write(value: Any, nesting: int, out: list[str]) -> None:
    if isinstance(value, dict):
        if not value:
            out.append("{ }")
            return
        inner = "  " * (nesting + 1)
        out.append("{")
        first = True
        for key, item in value.items():
            out.append("\n" + inner if first else ",\n" + inner)
            first = False
            out.append(_escape(str(key)))
            out.append(" : ")
            _write(item, nesting + 1, out)
        out.append("\n" + "  " * nesting + "}")
    elif isinstance(value, list | tuple):
        if not value:
            out.append("[ ]")
            return
        out.append("[ ")
        for index, item in enumerate(value):
            if index:
                out.append(", ")
            # Jackson's array indenter is inline, so arrays do not deepen the nesting.
            _write(item, nesting, out)
        out.append(" ]")
    else:
        out.append(_scalar(value))


def pretty(value: Any) -> str:
    """Jackson's default pretty printing (no trailing newline)."""
    out: list[str] = []
    _write(value, 0, out)
    return "".join(out)


def compact(value: Any) -> str:
    """Jackson's compact form, as `jsonBody` is served: `{"a":1}`."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
