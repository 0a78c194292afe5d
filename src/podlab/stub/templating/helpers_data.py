"""WireMock's data helpers: arrays, maths, variables, random values, JSON and system values."""

from __future__ import annotations

import json
import os
import random
import re
import secrets
import socket
import string
import urllib.parse
import uuid
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from podlab.stub.templating.engine import Helper, Options
from podlab.stub.templating.helpers_core import runtime_error
from podlab.stub.templating.helpers_string import error
from podlab.stub.templating.jsonout import dumps, loads
from podlab.stub.templating.jsonpath import JsonPathError, PathNotFound, compile_path
from podlab.stub.templating.values import JsonArray, JsonObject, ListOrSingle, java_str, wrap_json

_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1


def _text(value: Any) -> str:
    return "" if value is None else java_str(value)


# --- arrays ------------------------------------------------------------------------------------


def _array(o: Options) -> Any:
    return list(o.args)


def _as_list(value: Any) -> list[Any] | None:
    return list(value) if isinstance(value, list | tuple) else None


def _position(o: Options, size: int, default: str) -> int | None:
    position = o.hash.get("position", default)
    if position == "start":
        return 0
    if position == "end":
        return size
    if isinstance(position, int) and not isinstance(position, bool):
        return position
    return None


def _array_add(o: Options) -> Any:
    items = _as_list(o.arg(0))
    if items is None or len(o.args) < 2:
        return error("arrayAdd requires a list and an item")
    position = _position(o, len(items), "end")
    if position is None or not 0 <= position <= len(items):
        return error(f"position must be 'start', 'end' or an integer between 0 and {len(items)}")
    items.insert(position, o.args[1])
    return items


def _array_remove(o: Options) -> Any:
    items = _as_list(o.arg(0))
    if items is None:
        return error("arrayRemove requires a list")
    position = _position(o, len(items) - 1, "end")
    if position is None or not 0 <= position < len(items):
        return error(f"position must be 'start', 'end' or an integer between 0 and {len(items) - 1}")
    del items[position]
    return items


def _array_join(o: Options) -> Any:
    separator = _text(o.arg(0))
    prefix, suffix = _text(o.hash.get("prefix")), _text(o.hash.get("suffix"))
    if o.is_block:
        items = _as_list(o.arg(1))
        if items is None:
            return error("The parameter must be list")
        return prefix + separator.join(o.fn(item) for item in items) + suffix
    rest = o.args[1:]
    if len(rest) == 1:
        items = _as_list(rest[0])
        if items is None:
            return error("The parameter must be list")
    elif not rest:
        return error("The parameter must be list")
    else:
        items = list(rest)
    return prefix + separator.join(_text(item) for item in items) + suffix


def _range(o: Options) -> Any:
    if len(o.args) < 2 or not all(isinstance(a, int) and not isinstance(a, bool) for a in o.args[:2]):
        return error("The range helper requires both lower and upper bounds as integer parameters")
    lower, upper = o.args[0], o.args[1]
    return list(range(lower, upper + 1))


# --- maths -------------------------------------------------------------------------------------


def _to_decimal(value: Any) -> Decimal:
    if isinstance(value, float):
        return Decimal(java_str(value))  # BigDecimal.valueOf(double): the shortest digits
    try:
        return Decimal(_text(value).strip())
    except InvalidOperation:
        return Decimal(0)


def _math(o: Options) -> Any:
    if len(o.args) != 3:
        return error("All maths functions require two operands and an operator as parameters e.g. 3 '+' 2")
    left, operator, right = _to_decimal(o.args[0]), _text(o.args[1]), _to_decimal(o.args[2])
    if operator == "+":
        result = left + right
    elif operator == "-":
        result = left - right
    elif operator in ("*", "x"):
        result = left * right
    elif operator == "/":
        if right == 0:
            raise runtime_error(o, "java.lang.ArithmeticException", "/ by zero")
        # BigDecimal.divide(right, HALF_UP): the result keeps the dividend's scale.
        exponent = left.as_tuple().exponent
        scale = -exponent if isinstance(exponent, int) else 0
        result = (left / right).quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP)
    elif operator == "%":
        if right == 0:
            raise runtime_error(o, "java.lang.ArithmeticException", "Division by zero")
        result = left % right  # Decimal's % truncates like BigDecimal.remainder
    else:
        return error(f"{operator} is not a valid mathematical operator")
    exponent = result.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= 0:
        return int(result)
    return float(result)


# --- variables ---------------------------------------------------------------------------------


def _assign(o: Options) -> Any:
    name = _text(o.arg(0))
    if name:
        o.set_data(name, o.fn().strip() if o.is_block else "")
    return ""


def _val(o: Options) -> Any:
    value = o.arg(0)
    if value is None:
        value = o.hash.get("default")
    if "assign" in o.hash:
        o.set_data(_text(o.hash["assign"]), value)
        return ""
    return value


# --- random values -----------------------------------------------------------------------------

_ALPHABETS = {
    "ALPHANUMERIC": string.ascii_letters + string.digits,
    "ALPHABETIC": string.ascii_letters,
    "NUMERIC": string.digits,
    "HEXADECIMAL": "0123456789abcdef",
    "ALPHANUMERIC_AND_SYMBOLS": "".join(chr(c) for c in range(33, 127)),
}


def _random_value(o: Options) -> Any:
    kind = _text(o.hash.get("type", "ALPHANUMERIC"))
    uppercase = o.hash.get("uppercase") is True
    if kind == "UUID":
        value = str(uuid.uuid4())
        return value.upper() if uppercase else value
    alphabet = _ALPHABETS.get(kind)
    if alphabet is None:
        return error(f"{kind} is not a valid type; use one of {', '.join([*_ALPHABETS, 'UUID'])}")
    length = o.hash.get("length", 36)
    if not isinstance(length, int):
        length = int(_to_decimal(length))
    value = "".join(secrets.choice(alphabet) for _ in range(max(length, 0)))
    return value.upper() if uppercase else value.lower()


def _random_int(o: Options) -> Any:
    lower = int(_to_decimal(o.hash.get("lower", _INT_MIN)))
    upper = int(_to_decimal(o.hash.get("upper", _INT_MAX)))
    if upper <= lower:
        raise runtime_error(o, "java.lang.IllegalArgumentException", "bound must be greater than origin")
    return random.randrange(lower, upper)  # nextInt(lower, upper): upper excluded


def _random_decimal(o: Options) -> Any:
    lower = float(_to_decimal(o.hash.get("lower", -1.7976931348623157e308)))
    upper = float(_to_decimal(o.hash.get("upper", 1.7976931348623157e308)))
    if upper <= lower:
        raise runtime_error(o, "java.lang.IllegalArgumentException", "bound must be greater than origin")
    # Halving keeps the span finite for the default bounds (-Double.MAX_VALUE..Double.MAX_VALUE).
    return random.uniform(lower / 2, upper / 2) * 2


def _pick_random(o: Options) -> Any:
    if not o.args:
        return error("Must specify either a single list argument or a set of single value arguments")
    items = _as_list(o.args[0]) if len(o.args) == 1 else list(o.args)
    if items is None:
        items = [o.args[0]]
    if not items:
        return ""
    if "count" in o.hash:
        count = int(_to_decimal(o.hash["count"]))
        return random.sample(items, min(max(count, 0), len(items)))
    return random.choice(items)


# --- environment -------------------------------------------------------------------------------


def _hostname(o: Options) -> Any:
    return socket.gethostname()


def _system_value(o: Options) -> Any:
    key = _text(o.hash.get("key"))
    if not key:
        return error("The key cannot be empty")
    permitted: tuple[str, ...] = getattr(o.renderer.root, "permitted_system_keys", (".*wiremock.*",))
    if not any(re.fullmatch(p, key, re.IGNORECASE) for p in permitted):
        return error(f"Access to {key} is denied")
    if _text(o.hash.get("type", "ENVIRONMENT")) == "PROPERTY":
        return o.hash.get("default")
    value = os.environ.get(key)
    return value if value is not None else o.hash.get("default")


def _form_data(o: Options) -> Any:
    body = _text(o.arg(0))
    decode = o.hash.get("urlDecode") is True
    form: dict[str, ListOrSingle] = {}
    for pair in body.split("&"):
        if not pair:
            continue
        key, _, value = pair.partition("=")
        if decode:
            key, value = urllib.parse.unquote_plus(key), urllib.parse.unquote_plus(value)
        form.setdefault(key, ListOrSingle()).append(value)
    if len(o.args) > 1:
        o.set_data(_text(o.args[1]), form)
        return ""
    return form


# --- JSON --------------------------------------------------------------------------------------


def _load_json(o: Options, text: str) -> Any:
    try:
        return loads(text)
    except json.JSONDecodeError as exc:
        # WireMock's JsonException message is its JSON error document (first line "{").
        detail = json.dumps({"errors": [{"code": 10, "title": jackson_message(exc)}]}, indent=2)
        raise runtime_error(o, "com.github.tomakehurst.wiremock.common.JsonException", detail) from None


def jackson_message(exc: json.JSONDecodeError) -> str:
    """Jackson's wording for the commonest parse failure (a bare word), Python's otherwise."""
    word = re.match(r"[A-Za-z0-9_]+", exc.doc[exc.pos :])
    if exc.msg == "Expecting value" and word:
        return (
            f"Unrecognized token '{word.group(0)}': was expecting (JSON String, Number, Array, Object "
            "or token 'null', 'true' or 'false')"
        )
    return exc.msg


def _parse_json(o: Options) -> Any:
    if o.is_block:
        parsed = _load_json(o, o.fn())
        if o.args:
            o.set_data(_text(o.args[0]), parsed)
            return ""
        return parsed
    source = o.arg(0)
    parsed = source if isinstance(source, dict | list) else _load_json(o, _text(source))
    if len(o.args) > 1:
        o.set_data(_text(o.args[1]), parsed)
        return ""
    return parsed


def _drop_nulls(value: Any) -> Any:
    # WireMock's object mapper writes maps without null entries, and a one-value ListOrSingle as
    # that value.
    if isinstance(value, ListOrSingle):
        return _drop_nulls(value[0]) if len(value) == 1 else [_drop_nulls(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_drop_nulls(v) for v in value]
    return value


def _to_json(o: Options) -> Any:
    return dumps(_drop_nulls(o.context), pretty=True)


def _format_json(o: Options) -> Any:
    source = o.fn() if o.is_block else o.arg(0)
    if isinstance(source, dict | list):
        value = source
    else:
        try:
            value = loads(_text(source))
        except json.JSONDecodeError as exc:
            raise runtime_error(
                o, "wiremock.com.fasterxml.jackson.core.JsonParseException", jackson_message(exc)
            ) from None
    if _text(o.hash.get("format", "pretty")) == "compact":
        return dumps(value, pretty=False)
    return dumps(value, pretty=True)


def _json_source(o: Options, value: Any) -> Any:
    if isinstance(value, dict | list):
        return value
    return _load_json(o, _text(value))


def _json_path(o: Options) -> Any:
    if len(o.args) < 2:
        return error("The JSONPath cannot be empty")
    source, expression = o.args[0], _text(o.args[1])
    try:
        path = compile_path(expression)
    except JsonPathError:
        return error(f"{expression} is not a valid JSONPath expression")
    if isinstance(source, dict | list):
        document = source
    else:
        try:
            document = json.loads(_text(source))
        except json.JSONDecodeError:
            return o.hash.get("default", "")
    try:
        result = path.evaluate(document)
    except PathNotFound:
        return o.hash.get("default", "")
    if result is None:
        return o.hash.get("default", "")
    return wrap_json(result)


def _json_merge(o: Options) -> Any:
    base = _json_source(o, o.arg(0))
    patch = _json_source(o, o.fn() if o.is_block else o.arg(1))
    return dumps(_merge(base, patch), pretty=False)


def _merge(base: Any, patch: Any) -> Any:
    if isinstance(base, dict) and isinstance(patch, dict):
        merged = dict(base)
        for key, value in patch.items():
            merged[key] = _merge(merged[key], value) if key in merged else value
        return merged
    return patch


def _json_remove(o: Options) -> Any:
    document = _json_source(o, o.arg(0))
    expression = _text(o.arg(1))
    match = re.fullmatch(r"\$((?:\.[^.\[\]]+|\[\d+\]|\['[^']*'\])+)", expression)
    if match is None:
        return error(f"{expression} is not a valid JSONPath expression")
    parts = re.findall(r"\.([^.\[\]]+)|\[(\d+)\]|\['([^']*)'\]", match.group(1))
    keys: list[str | int] = [int(i) if i else (name or quoted) for name, i, quoted in parts]
    target = document
    for key in keys[:-1]:
        try:
            target = target[key]
        except (KeyError, IndexError, TypeError):
            return dumps(document, pretty=False)
    last = keys[-1]
    if isinstance(target, dict) and isinstance(last, str):
        target.pop(last, None)
    elif isinstance(target, list) and isinstance(last, int) and last < len(target):
        del target[last]
    return dumps(document, pretty=False)


def _json_array_add(o: Options) -> Any:
    document = _json_source(o, o.arg(0))
    item = _json_source(o, o.fn() if o.is_block else o.arg(1))
    target = document
    if "jsonPath" in o.hash:
        try:
            target = compile_path(_text(o.hash["jsonPath"])).evaluate(document)
        except (JsonPathError, PathNotFound):
            return error(f"{_text(o.hash['jsonPath'])} did not match an array")
    if not isinstance(target, list):
        return error("Target JSON is not an array")
    if isinstance(item, list) and o.hash.get("flatten") is True:
        target.extend(item)
    else:
        target.append(item)
    max_items = o.hash.get("maxItems")
    if isinstance(max_items, int) and len(target) > max_items:
        del target[: len(target) - max_items]
    return dumps(document, pretty=False)


HELPERS: dict[str, Helper] = {
    "array": _array,
    "arrayAdd": _array_add,
    "arrayRemove": _array_remove,
    "arrayJoin": _array_join,
    "range": _range,
    "math": _math,
    "assign": _assign,
    "val": _val,
    "randomValue": _random_value,
    "randomInt": _random_int,
    "randomDecimal": _random_decimal,
    "pickRandom": _pick_random,
    "hostname": _hostname,
    "systemValue": _system_value,
    "formData": _form_data,
    "parseJson": _parse_json,
    "toJson": _to_json,
    "formatJson": _format_json,
    "jsonPath": _json_path,
    "jsonMerge": _json_merge,
    "jsonRemove": _json_remove,
    "jsonArrayAdd": _json_array_add,
}

__all__ = ["HELPERS", "JsonArray", "JsonObject", "runtime_error"]
