"""resource.Quantity parsing (apimachinery pkg/api/resource/quantity.go), enough to check and
compare the quantities of resource requests and limits. Written here because no maintained
Python package parses Kubernetes quantities with its exact grammar."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

# The message the API server answers for a malformed quantity (quantity.go ErrFormatWrong).
FORMAT_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"

_SUFFIXES = {
    "": Decimal(1),
    "n": Decimal("1e-9"),
    "u": Decimal("1e-6"),
    "m": Decimal("1e-3"),
    "k": Decimal("1e3"),
    "M": Decimal("1e6"),
    "G": Decimal("1e9"),
    "T": Decimal("1e12"),
    "P": Decimal("1e15"),
    "E": Decimal("1e18"),
    "Ki": Decimal(2**10),
    "Mi": Decimal(2**20),
    "Gi": Decimal(2**30),
    "Ti": Decimal(2**40),
    "Pi": Decimal(2**50),
    "Ei": Decimal(2**60),
}
_GRAMMAR = re.compile(r"([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(.*)")
_EXPONENT = re.compile(r"[eE]([-+]?[0-9]+)")


def parse_quantity(value: str | int | float) -> Decimal:
    """The quantity's value; ValueError(FORMAT_ERROR) when it does not parse."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(FORMAT_ERROR)
    if isinstance(value, int | float):
        return Decimal(str(value))
    match = _GRAMMAR.fullmatch(value.strip()) if value.strip() == value else None
    if match is None:
        raise ValueError(FORMAT_ERROR)
    number, suffix = match.groups()
    try:
        base = Decimal(number)
    except InvalidOperation as exc:
        raise ValueError(FORMAT_ERROR) from exc
    if suffix in _SUFFIXES:
        return base * _SUFFIXES[suffix]
    exponent = _EXPONENT.fullmatch(suffix)
    if exponent is None:
        raise ValueError(FORMAT_ERROR)
    return base.scaleb(int(exponent.group(1)))


def is_quantity(value: object) -> bool:
    try:
        parse_quantity(value)  # type: ignore[arg-type]
    except ValueError:
        return False
    return True
