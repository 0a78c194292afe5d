"""JSON text for templates: parsed with BigDecimal floats, written by podlab.stub.jsonfmt.

WireMock parses template JSON with BigDecimal floats, so `1.50` stays `1.50` through
`parseJson`/`formatJson`/`toJson`.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from podlab.stub.jvm.jsonfmt import dumps

__all__ = ["dumps", "loads"]


def loads(text: str) -> Any:
    """Parse JSON keeping decimal literals exact (Jackson's USE_BIG_DECIMAL_FOR_FLOATS)."""
    return json.loads(text, parse_float=Decimal)
