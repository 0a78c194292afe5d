"""Jackson-style binding of stub JSON: the coercions WireMock accepts and the wording of what it refuses.

Every error is a 422 `InvalidInputError` naming the JSON pointer, worded as Jackson words it
(`Cannot deserialize value of type ...`, `Unrecognized field ...`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any
from uuid import UUID

from podlab.stub.jvm.errors import InvalidInputError
from podlab.stub.jvm.jsonfmt import java_double

PKG = "com.github.tomakehurst.wiremock"

JSON_TOKEN: dict[type, str] = {
    dict: "Object value (token `JsonToken.START_OBJECT`)",
    list: "Array value (token `JsonToken.START_ARRAY`)",
}


def fail(pointer: str, detail: str) -> InvalidInputError:
    return InvalidInputError.at(pointer or "/", detail)


def unknown_field(pointer: str, key: str, java_class: str) -> InvalidInputError:
    return fail(
        f"{pointer}/{key}", f'Unrecognized field "{key}" (class {java_class}), not marked as ignorable'
    )


def check_fields(obj: dict[str, Any], pointer: str, allowed: Iterable[str], java_class: str) -> None:
    known = set(allowed)
    for key in obj:
        if key not in known:
            raise unknown_field(pointer, key, java_class)


def java_number_text(value: int | float) -> str:
    """A JSON number as Jackson turns it into a Java String (Double.toString for decimals)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return java_double(value)


def bind_string(value: Any, pointer: str) -> str:
    """A String property: scalars are coerced to text as Jackson does; containers are refused."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return java_number_text(value)
    raise fail(pointer, f"Cannot deserialize value of type `java.lang.String` from {JSON_TOKEN[type(value)]}")


def bind_int(value: Any, pointer: str, java_type: str = "java.lang.Integer") -> int:
    """An Integer (or primitive int) property: numbers, decimals truncated, numeric strings."""
    if isinstance(value, bool):
        token = "VALUE_TRUE" if value else "VALUE_FALSE"
        raise fail(
            pointer,
            f"Cannot deserialize value of type `{java_type}` from Boolean value (token `JsonToken.{token}`)",
        )
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise fail(pointer, f"Cannot deserialize value of type `{java_type}` from {value}")
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"[+-]?\d+", text):
            return int(text)
        raise fail(
            pointer,
            f'Cannot deserialize value of type `{java_type}` from String "{value}": not a valid `{java_type}` value',
        )
    raise fail(pointer, f"Cannot deserialize value of type `{java_type}` from {JSON_TOKEN[type(value)]}")


def bind_bool(value: Any, pointer: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return value != 0
    if isinstance(value, str) and value in ("true", "false"):
        return value == "true"
    if isinstance(value, str):
        raise fail(
            pointer,
            f'Cannot deserialize value of type `java.lang.Boolean` from String "{value}": '
            'only "true" or "false" recognized',
        )
    shown = JSON_TOKEN.get(type(value), "Floating-point value")
    raise fail(pointer, f"Cannot deserialize value of type `java.lang.Boolean` from {shown}")


def bind_object(value: Any, pointer: str, java_type: str) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    if isinstance(value, list):
        raise fail(pointer, f"Cannot deserialize value of type `{java_type}` from {JSON_TOKEN[list]}")
    raise fail(pointer, no_scalar_creator(java_type, value))


def bind_list(value: Any, pointer: str, java_type: str) -> list[Any]:
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        raise fail(pointer, f"Cannot deserialize value of type `{java_type}` from {JSON_TOKEN[dict]}")
    raise fail(pointer, no_scalar_creator("java.util.ArrayList", value))


def no_scalar_creator(java_type: str, value: Any) -> str:
    """Jackson's wording when a value stands where a type it cannot make from it belongs (an
    object or list for a scalar; a list or object for a type made from a String, such as an enum)."""
    if isinstance(value, list):
        return f"Cannot deserialize value of type `{java_type}` from {JSON_TOKEN[list]}"
    if isinstance(value, dict):
        return (
            f"Cannot construct instance of `{java_type}` (although at least one Creator exists): "
            "cannot deserialize from Object value (no delegate- or property-based Creator)"
        )
    if isinstance(value, str):
        kind, source, shown = "String", "String", f"'{value}'"
    elif isinstance(value, bool):
        kind, source, shown = "boolean/Boolean", "boolean", "true" if value else "false"
    elif isinstance(value, int):
        kind, source, shown = "int/Int", "Number", str(value)
    else:
        kind, source, shown = "double/Double", "Number", java_number_text(value)
    return (
        f"Cannot construct instance of `{java_type}` (although at least one Creator exists): "
        f"no {kind}-argument constructor/factory method to deserialize from {source} value ({shown})"
    )


def bind_uuid(value: Any, pointer: str) -> UUID:
    text = bind_string(value, pointer)
    if len(text) != 36 or any(text[i] != "-" for i in (8, 13, 18, 23)):
        raise fail(
            pointer,
            f'Cannot deserialize value of type `java.util.UUID` from String "{text}": '
            "UUID has to be represented by standard 36-char representation",
        )
    for index, char in enumerate(text):
        if index in (8, 13, 18, 23):
            continue
        if char not in "0123456789abcdefABCDEF":
            raise fail(
                pointer,
                f'Cannot deserialize value of type `java.util.UUID` from String "{text}": '
                f"Non-hex character '{char}' (value 0x{ord(char):x}), not valid for UUID String",
            )
    return UUID(text)


def non_null(pairs: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """An object as WireMock's Jackson prints it (NON_NULL inclusion): null properties left out,
    the rest in the order given."""
    return {key: value for key, value in pairs if value is not None}


def present(obj: dict[str, Any], key: str) -> bool:
    """Jackson treats an explicit null like a missing property."""
    return obj.get(key) is not None
