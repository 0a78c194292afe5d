"""WireMock's data helpers: arrays, maths, variables, random values, JSON and system values."""

from __future__ import annotations

import json
import math
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

from podlab.stub.jvm.jackson import jackson_syntax_error
from podlab.stub.templating.engine import Helper, Options
from podlab.stub.templating.helpers_core import CAST_DETAIL, runtime_error
from podlab.stub.templating.helpers_string import error
from podlab.stub.templating.jsonout import dumps, loads
from podlab.stub.templating.jsonpath import JsonPathError, PathNotFound, compile_path
from podlab.stub.templating.parser import TemplateError
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


def _not_a_list(o: Options, value: Any) -> TemplateError:
    java = "java.lang.String" if isinstance(value, str) else "java.lang.Object"
    return runtime_error(
        o,
        "java.lang.ClassCastException",
        f"class {java} cannot be cast to class java.util.List" + CAST_DETAIL.format(java, "java.util.List"),
    )


def _array_add(o: Options) -> Any:
    items = _as_list(o.arg(0))
    if items is None:
        raise _not_a_list(o, o.arg(0))
    if len(o.args) < 2:
        return error("arrayAdd requires a list and an item")
    position = _position(o, len(items), "end")
    if position is None or not 0 <= position <= len(items):
        return error(f"position must be 'start', 'end' or an integer between 0 and {len(items)}")
    items.insert(position, o.args[1])
    return items


def _array_remove(o: Options) -> Any:
    items = _as_list(o.arg(0))
    if items is None:
        raise _not_a_list(o, o.arg(0))
    position = _position(o, len(items) - 1, "end")
    if isinstance(position, int) and not 0 <= position < len(items):
        raise runtime_error(
            o,
            "java.lang.IndexOutOfBoundsException",
            f"Index {position} out of bounds for length {len(items)}",
        )
    if position is None:
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
    if len(o.args) < 2:
        return error("The range helper requires both lower and upper bounds as integer parameters")
    bounds = []
    for value in o.args[:2]:
        try:
            bounds.append(int(_text(value)))
        except ValueError:
            raise runtime_error(
                o, "java.lang.NumberFormatException", f'For input string: "{_text(value)}"'
            ) from None
    lower, upper = bounds
    if upper < lower:
        raise runtime_error(o, "java.lang.IllegalArgumentException", str(upper - lower + 1))
    o.allow_items(upper - lower + 1)  # before the list exists: range 1 10000000 is 670 MB
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
    if not o.args or not isinstance(o.args[0], str):
        raise runtime_error(
            o,
            "java.lang.ClassCastException",
            "class java.util.HashMap cannot be cast to class java.lang.String"
            + CAST_DETAIL.format("java.util.HashMap", "java.lang.String"),
        )
    name = o.args[0]
    if name:
        o.set_data(name, o.fn().strip() if o.is_block else "")
    return ""


def _val(o: Options) -> Any:
    value = o.context
    if value is None:
        # Observed on 3.13.2: `{{val request.query.zz or='a' default='b'}}` prints `a`;
        # `or=` alone `a`, `default=` alone `b`.
        value = o.hash["or"] if "or" in o.hash else o.hash.get("default")
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
    "ALPHANUMERIC_AND_SYMBOLS": "".join(chr(c) for c in range(33, 126)),  # random(n, 33, 126): end excluded
}
_ANY_ASCII = "".join(chr(c) for c in range(32, 127))  # randomAscii: any other type name


def _random_value(o: Options) -> Any:
    kind = _text(o.hash.get("type", "ALPHANUMERIC"))
    uppercase = o.hash.get("uppercase") is True
    if kind == "UUID":
        value = str(uuid.uuid4())
        return value.upper() if uppercase else value
    alphabet = _ALPHABETS.get(kind, _ANY_ASCII)
    length = o.hash.get("length", 36)
    if not isinstance(length, int) or isinstance(length, bool):
        raise runtime_error(
            o,
            "java.lang.ClassCastException",
            "class java.lang.String cannot be cast to class java.lang.Integer"
            + CAST_DETAIL.format("java.lang.String", "java.lang.Integer"),
        )
    o.spend_output(max(length, 0))
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
        return o.this  # Handlebars.java passes the current context as the only value
    items = _as_list(o.args[0]) if len(o.args) == 1 else list(o.args)
    if items is None:
        items = [o.args[0]]
    if not items:
        raise runtime_error(o, "java.lang.IllegalArgumentException", "bound must be positive")
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


_JSON_EXCEPTION = "com.github.tomakehurst.wiremock.common.JsonException"
# What Jackson says when a Map is bound from a scalar (`parseJson` of `22`), by the scalar's type.
_SCALAR_TOKEN = {
    bool: "Boolean value (token `JsonToken.VALUE_{}`)",
    int: "Integer value (token `JsonToken.VALUE_NUMBER_INT`)",
    float: "Floating-point value (token `JsonToken.VALUE_NUMBER_FLOAT`)",
    str: "String value (token `JsonToken.VALUE_STRING`)",
}


def json_exception(o: Options, detail: str | None, pointer: str | None = None) -> TemplateError:
    """WireMock's JsonException: its message is its JSON error document. 3.13.2's 500 body
    shows the first line only, "{"; 2.35.1's error page the whole document (seen on the jars,
    bench/stub_fuzz.py)."""
    if o.renderer.compat == 3 or detail is None:
        return runtime_error(o, _JSON_EXCEPTION, "{")
    source = "{ }" if pointer is None else '{\n      "pointer" : ' + json.dumps(pointer) + "\n    }"
    document = (
        '{\n  "errors" : [ {\n    "code" : 10,\n    "source" : '
        + source
        + ',\n    "title" : "Error parsing JSON",\n    "detail" : '
        + json.dumps(detail, ensure_ascii=False)
        + "\n  } ]\n}"
    )
    return runtime_error(o, _JSON_EXCEPTION, document)


def _load_json(o: Options, text: str) -> Any:
    try:
        return loads(text)
    except json.JSONDecodeError:
        raise json_exception(o, jackson_syntax_error(text, 2) if o.renderer.compat == 2 else None) from None


def jackson_message(exc: json.JSONDecodeError) -> str:
    """Jackson's wording for the commonest parse failure (a bare word), Python's otherwise."""
    word = re.match(r"[A-Za-z0-9_]+", exc.doc[exc.pos :])
    if exc.msg == "Expecting value" and word:
        return (
            f"Unrecognized token '{word.group(0)}': was expecting (JSON String, Number, Array, Object "
            "or token 'null', 'true' or 'false')"
        )
    return exc.msg


def _parse_json_text(o: Options, text: str) -> Any:
    """WireMock's ParseJsonHelper: blank text or `{}` (spaces ignored) is an empty map."""
    if re.sub(r"\s", "", text) in ("", "{}"):
        return {}
    stripped = text.strip()
    parsed = _load_json(o, stripped)
    if not isinstance(parsed, list if stripped.startswith("[") and stripped.endswith("]") else dict):
        # read as a Map (or a List): a bare number or string fails to bind, as in WireMock
        token = _SCALAR_TOKEN.get(type(parsed))
        detail = None
        if token is not None and not (isinstance(parsed, float) and not math.isfinite(parsed)):
            found = token.format("TRUE" if parsed is True else "FALSE")
            detail = f"Cannot deserialize value of type `java.util.LinkedHashMap<java.lang.String,java.lang.Object>` from {found}"
        raise json_exception(o, detail, "/")
    return parsed


def _parse_json(o: Options) -> Any:
    if o.is_block:
        parsed = _parse_json_text(o, o.fn())
        if o.args:
            o.set_data(_text(o.args[0]), parsed)
            return ""
        return parsed
    source = o.arg(0)
    if source is None and o.args:  # a null context (e.g. no request body): an empty map
        return {}
    parsed = source if isinstance(source, dict | list) else _parse_json_text(o, _text(source))
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
    # An empty string is no String to it either: observed on 3.13.2, `{{formatJson ''}}` and
    # `{{formatJson request.body}}` for a request without a body print the error below.
    if not isinstance(source, str) or (source == "" and not o.is_block):
        return error("formatJson should take a block of JSON to format or a single parameter of type String")
    try:
        value = loads(source)
    except json.JSONDecodeError as exc:
        raise runtime_error(
            o, "wiremock.com.fasterxml.jackson.core.JsonParseException", jackson_message(exc)
        ) from None
    if _text(o.hash.get("format", "pretty")) == "compact":
        return dumps(value, pretty=False)
    return dumps(value, pretty=True)


def _json_path(o: Options) -> Any:
    if len(o.args) < 2:
        return error("The JSONPath cannot be empty")
    source, expression = o.args[0], _text(o.args[1])
    try:
        path = compile_path(expression)
    except JsonPathError:
        return error(f"{expression} is not a valid JSONPath expression")
    if o.renderer.compat == 2 and source in (None, ""):  # 2.35.1 hands it to JsonPath.parse
        raise TemplateError(
            f"{o.line}:{o.column}: java.lang.IllegalArgumentException: json string can not be null or empty"
        )
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


def _read_json(text: str) -> tuple[bool, Any]:
    try:
        return True, loads(text)
    except json.JSONDecodeError:
        return False, None


def _json_merge(o: Options) -> Any:
    # Messages are WireMock's JsonMergeHelper's.
    base_text = o.arg(0)
    if not isinstance(base_text, str):
        return error("Base JSON parameter must be a string")
    ok, base = _read_json(base_text)
    if not ok:
        return error(f"Base JSON is not valid JSON ('{base_text}')")
    if not isinstance(base, dict):
        return error(f"Base JSON is not a JSON object ('{base_text}')")
    patch_text = o.fn() if o.is_block else o.arg(1)
    if not isinstance(patch_text, str):
        return error("JSON to merge must be a string")
    ok, patch = _read_json(patch_text)
    if not ok:
        return error(f"JSON to merge is not valid JSON ('{patch_text}')")
    if not isinstance(patch, dict):
        return error(f"JSON to merge is not a JSON object ('{patch_text}')")
    return dumps(_merge(base, patch), pretty=False)


def _merge(base: Any, patch: Any) -> Any:
    if isinstance(base, dict) and isinstance(patch, dict):
        merged = dict(base)
        for key, value in patch.items():
            merged[key] = _merge(merged[key], value) if key in merged else value
        return merged
    return patch


_SIMPLE_PATH = re.compile(r"\$((?:\.[^.\[\]]+|\[-?\d+\]|\['[^']*'\])+)")


def _json_remove(o: Options) -> Any:
    # Messages are WireMock's JsonRemoveHelper's.
    source = o.arg(0)
    if not isinstance(source, str):
        return error("Input JSON must be a string")
    if source == "null":
        return source
    if len(o.args) != 2:
        return error("A single JSONPath expression parameter must be supplied")
    expression = o.args[1]
    if not isinstance(expression, str):
        return error("JSONPath parameter must be a string")
    ok, document = _read_json(source)
    if not ok:
        return error(f"Input JSON string is not valid JSON ('{source}')")
    path = expression if expression.startswith("$") else "$." + expression
    try:
        if not expression:
            raise JsonPathError(expression)
        compile_path(path)
    except JsonPathError:
        return error(f"JSONPath parameter is not a valid JSONPath expression ('{expression}')")
    match = _SIMPLE_PATH.fullmatch(path)
    if match is None:
        # Wildcards, filters and deep scans are not deletable here; leave the document as is.
        return dumps(document, pretty=False)
    parts = re.findall(r"\.([^.\[\]]+)|\[(-?\d+)\]|\['([^']*)'\]", match.group(1))
    keys: list[str | int] = [int(i) if i else (name or quoted) for name, i, quoted in parts]
    target = document
    for key in keys[:-1]:
        try:
            target = target[key]
        except (KeyError, IndexError, TypeError):
            return source  # PathNotFoundException: the input, untouched
    last = keys[-1]
    if isinstance(target, dict) and isinstance(last, str):
        target.pop(last, None)
    elif isinstance(target, list) and isinstance(last, int) and -len(target) <= last < len(target):
        del target[last]
    return dumps(document, pretty=False)


def _json_array_add(o: Options) -> Any:
    # Messages are WireMock's JsonArrayAddHelper's.
    source = o.arg(0)
    if not isinstance(source, str):
        return error("Base JSON must be a string")
    ok, document = _read_json(source)
    if not ok:
        return error(f"Base JSON is not valid JSON ('{source}')")
    path_text = o.hash.get("jsonPath")
    if path_text is not None and not isinstance(path_text, str):
        return error("jsonPath option must be a string")
    target: Any = document
    if path_text is not None:
        try:
            if not path_text:
                raise JsonPathError(path_text)
            target = compile_path(path_text).evaluate(document)
        except PathNotFound:
            target = None
        except JsonPathError:
            return error(f"jsonPath option is not valid JSONPath expression ('{path_text}')")
    if not isinstance(target, list):
        detail = f"'{source}'" if path_text is None else f"root: '{source}', jsonPath: '{path_text}'"
        return error(f"Target JSON is not a JSON array ({detail})")
    item_text = o.fn() if o.is_block else o.arg(1)
    if not isinstance(item_text, str):
        return error("Item-to-add JSON must be a string")
    ok, item = _read_json(item_text)
    if not ok:
        return error(f"Item-to-add JSON is not valid JSON ('{item_text}')")
    flatten = o.hash.get("flatten", False)
    if not isinstance(flatten, bool):
        return error("flatten option must be a boolean")
    if flatten and isinstance(item, list):
        target.extend(item)
    else:
        target.append(item)
    max_items = o.hash.get("maxItems")
    if max_items is not None:
        if not isinstance(max_items, int) or isinstance(max_items, bool):
            return error("maxItems option must be an integer")
        if max_items < 0:
            return error("maxItems option integer must be positive")
        if len(target) > max_items:
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
