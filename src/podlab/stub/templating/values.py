"""Values as Handlebars.java and WireMock's template model see them.

Templates print objects with Java's `toString()` and test them with Handlebars.java's emptiness
rules, and WireMock hands templates a few types whose identity matters (a query value is a
`ListOrSingle`, so `eq request.query.a 'x'` is false while `eq request.query.a.[0] 'x'` is true:
conformance case tpl-eq-non-string-quirk-28). This module holds those types and the two rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from podlab.stub.jvm.javahash import java_hash_order
from podlab.stub.jvm.jsonfmt import java_double, java_text

__all__ = [
    "JavaEnum",
    "JsonArray",
    "JsonObject",
    "ListOrSingle",
    "is_empty",
    "java_class_name",
    "java_double_str",
    "java_hash_order",  # WireMock keeps query parameters in a HashMap: `{{request.query}}` prints in its order
    "java_str",
    "render_str",
    "wrap_json",
]


class ListOrSingle(list[Any]):
    """WireMock's `ListOrSingle`/`MultiValue`: a list that prints as its first element.

    Deliberately unequal to a plain string (list equality), as in WireMock.
    """

    def __str__(self) -> str:
        return java_str(self[0]) if self else ""


class UrlPath(list[Any]):
    """WireMock 2.35.1's `request.path` (its UrlPath): the decoded path's segments, a list
    (`contains request.path 'a'` looks for a segment `a`, `{{#each}}` walks them), printed as
    the decoded path (`/x%20y` prints `/x y`; seen on the 2.35.1 jar)."""

    def __init__(self, decoded_path: str) -> None:
        super().__init__(segment for segment in decoded_path.split("/") if segment)
        self.path = decoded_path

    def __str__(self) -> str:
        return self.path


class JsonObject(dict[str, Any]):
    """A JSON object from `jsonPath`: prints as Jackson's pretty JSON, still navigable."""

    def __str__(self) -> str:
        from podlab.stub.templating.jsonout import dumps

        return dumps(self, pretty=True)


class JsonArray(list[Any]):
    """A JSON array from `jsonPath`: prints as compact JSON (`[{"x":1},2]`), still iterable."""

    def __str__(self) -> str:
        from podlab.stub.templating.jsonout import dumps

        return dumps(self, pretty=False)


def wrap_json(value: Any) -> Any:
    """Mark parsed JSON containers so they print as WireMock's `jsonPath` results do."""
    if isinstance(value, dict):
        return JsonObject({k: wrap_json(v) for k, v in value.items()})
    if isinstance(value, list):
        return JsonArray(wrap_json(v) for v in value)
    return value


class JavaEnum:
    """An enum-like value (`request.method` is a `RequestMethod`): prints its name, equals only itself."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"JavaEnum({self.name!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, JavaEnum) and other.name == self.name

    def __hash__(self) -> int:
        return hash(("JavaEnum", self.name))


# Double.toString: `6.0`, `3.5`, `1.0E10`, `1.0E-5`, `NaN`, `Infinity` (the one implementation).
java_double_str = java_double


def java_str(value: Any) -> str:
    """Java's `String.valueOf` for the values templates handle (None prints as "null")."""
    if value is None or isinstance(value, str | int | float):
        return java_text(value)
    if isinstance(value, Decimal):
        return _big_decimal_str(value)
    if isinstance(value, ListOrSingle | JsonObject | JsonArray | UrlPath):
        return str(value)
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{java_str(k)}={java_str(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(java_str(v) for v in value) + "]"
    return str(value)


def java_class_name(value: Any) -> str:
    """The Java class a template value has in WireMock, as its exception messages name it."""
    if isinstance(value, bool):
        return "java.lang.Boolean"
    if isinstance(value, int):
        return "java.lang.Integer"
    if isinstance(value, float | Decimal):
        return "java.lang.Double"
    if isinstance(value, str):
        return "java.lang.String"
    return "java.lang.Object"


def render_str(value: Any) -> str:
    """What `{{value}}` writes: nothing for null, `toString()` otherwise (WireMock does not HTML-escape)."""
    if value is None:
        return ""
    return java_str(value)


def _big_decimal_str(value: Decimal) -> str:
    # BigDecimal.toString uses plain notation for the exponents WireMock's math produces.
    text = format(value, "f")
    return text


def is_empty(value: Any) -> bool:
    """Handlebars.java `Handlebars.Utils.isEmpty`: null, false, "", empty collections and zero."""
    if value is None or value is False:
        return True
    if isinstance(value, str):
        return value == ""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float | Decimal):
        return value == 0
    if isinstance(value, Mapping):
        return len(value) == 0
    if isinstance(value, list | tuple):
        return len(value) == 0
    return False
