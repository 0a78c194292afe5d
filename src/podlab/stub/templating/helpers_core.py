"""Handlebars.java's built-in, conditional and number helpers, as registered by WireMock.

Block forms pick `fn`/`inverse`; plain forms print `true`/`false` (or the `yes`/`no` hash values),
as Handlebars.java's `ConditionalHelpers` do.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from podlab.stub.templating.engine import MISSING, Helper, Options, get_property
from podlab.stub.templating.parser import TemplateError
from podlab.stub.templating.values import is_empty, java_class_name, java_str


def _choose(options: Options, result: bool) -> Any:
    if options.is_block:
        return options.fn() if result else options.inverse()
    if result:
        return options.hash.get("yes", True)
    return options.hash.get("no", False)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _instant(value: Any) -> datetime | None:
    """The time of a date value (helpers_date.RenderableDate or a datetime), else None."""
    if isinstance(value, datetime):
        return value
    instant = getattr(value, "instant", None)
    return instant if isinstance(instant, datetime) else None


def _equal(a: Any, b: Any) -> bool:
    # Numbers compare by value across Integer/Double (`eq 1.0 1` is true on WireMock 3.13.2);
    # anything else needs the same type and equals() (`eq 1 '1'` is false).
    if _is_number(a) and _is_number(b):
        return Decimal(str(a)) == Decimal(str(b))
    if _instant(a) is not None and _instant(b) is not None:
        return _instant(a) == _instant(b)
    if type(a) is not type(b):
        return False
    return bool(a == b)


def _compare(o: Options, a: Any, b: Any) -> int:
    """Handlebars.java's comparison: numbers by value, otherwise Comparable of one type."""
    if _is_number(a) and _is_number(b):
        left, right = Decimal(str(a)), Decimal(str(b))
        return (left > right) - (left < right)
    if isinstance(a, datetime) or hasattr(a, "instant"):  # java.util.Date is Comparable by time
        ta, tb = _instant(a), _instant(b)
        if ta is not None and tb is not None:
            return (ta > tb) - (ta < tb)
    for value in (a, b):
        if not isinstance(value, str | bool | int | float | Decimal):
            raise runtime_error(
                o, "java.lang.IllegalArgumentException", f"Not a comparable: {java_str(value)}"
            )
    if type(a) is not type(b):
        raise runtime_error(
            o,
            "java.lang.ClassCastException",
            f"class {java_class_name(b)} cannot be cast to class {java_class_name(a)}"
            + CAST_DETAIL.format(java_class_name(b), java_class_name(a)),
        )
    return (a > b) - (a < b)


def _eq(o: Options) -> Any:
    return _choose(o, _equal(o.context, o.arg(1)))


def _neq(o: Options) -> Any:
    return _choose(o, not _equal(o.context, o.arg(1)))


def _gt(o: Options) -> Any:
    return _choose(o, _compare(o, o.context, o.arg(1)) > 0)


def _gte(o: Options) -> Any:
    return _choose(o, _compare(o, o.context, o.arg(1)) >= 0)


def _lt(o: Options) -> Any:
    return _choose(o, _compare(o, o.context, o.arg(1)) < 0)


def _lte(o: Options) -> Any:
    return _choose(o, _compare(o, o.context, o.arg(1)) <= 0)


def _and(o: Options) -> Any:
    values = o.args or [o.this]
    return _choose(o, all(not is_empty(v) for v in values))


def _or(o: Options) -> Any:
    values = o.args or [o.this]
    return _choose(o, any(not is_empty(v) for v in values))


def _not(o: Options) -> Any:
    return _choose(o, is_empty(o.context))


def _if(o: Options) -> Any:
    if is_empty(o.context):
        return o.inverse()
    return o.fn() if o.is_block else ""


def _unless(o: Options) -> Any:
    if is_empty(o.context):
        return o.fn() if o.is_block else ""
    return o.inverse()


def _each(o: Options) -> Any:
    value = o.context
    items = getattr(value, "template_items", None)  # 3.x `request.path`: a list of segments
    if callable(items) and items() is not None:
        value = items()
    if is_empty(value):
        return o.inverse()
    out: list[str] = []
    if isinstance(value, Mapping):
        items = list(value.items())
        for i, (key, item) in enumerate(items):
            out.append(o.fn(item, _loop_vars(i, len(items)) | {"key": key}, (item, key)))
        return "".join(out)
    if isinstance(value, list | tuple):
        for i, item in enumerate(value):
            out.append(o.fn(item, _loop_vars(i, len(value)), (item, i)))
        return "".join(out)
    return o.fn(value)


def _loop_vars(index: int, size: int) -> dict[str, Any]:
    return {
        "index": index,
        "first": "first" if index == 0 else "",
        "last": "last" if index == size - 1 else "",
        "odd": "odd" if index % 2 else "",
        "even": "even" if index % 2 == 0 else "",
    }


def _with(o: Options) -> Any:
    if is_empty(o.context):
        return o.inverse()
    return o.fn(o.context, None, (o.context,))


def _lookup(o: Options) -> Any:
    if len(o.args) < 2:
        return o.context
    value = get_property(o.args[0], java_str(o.args[1]))
    return None if value is MISSING else value


def _log(o: Options) -> Any:
    return ""


def _integer(value: Any) -> int | None:
    try:
        return int(Decimal(java_str(value)))
    except (InvalidOperation, ValueError):
        return None


def _is_even(o: Options) -> Any:
    number = _integer(o.context)
    return o.arg(1, "even") if number is not None and number % 2 == 0 else None


def _is_odd(o: Options) -> Any:
    number = _integer(o.context)
    return o.arg(1, "odd") if number is not None and number % 2 == 1 else None


def _stripes(o: Options) -> Any:
    number = _integer(o.context)
    return o.arg(1) if number is not None and number % 2 == 0 else o.arg(2)


HELPERS: dict[str, Helper] = {
    "if": _if,
    "unless": _unless,
    "each": _each,
    "with": _with,
    "lookup": _lookup,
    "log": _log,
    "eq": _eq,
    "neq": _neq,
    "gt": _gt,
    "gte": _gte,
    "lt": _lt,
    "lte": _lte,
    "and": _and,
    "or": _or,
    "not": _not,
    "isEven": _is_even,
    "isOdd": _is_odd,
    "stripes": _stripes,
}


# The JVM's ClassCastException detail for two java.base classes.
CAST_DETAIL = " ({} and {} are in module java.base of loader 'bootstrap')"


def runtime_error(o: Options, java_class: str, message: str) -> TemplateError:
    """An exception a helper throws: WireMock answers 500 with `line:column: class: message`."""
    return TemplateError(f"{o.line}:{o.column}: {java_class}: {message}")
