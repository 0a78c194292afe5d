"""`/openapi/v2` as protobuf: the swagger document encoded as gnostic's `openapi.v2.Document`
(github.com/google/gnostic openapiv2/OpenAPIv2.proto), which client-go asks for
(`Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf`, discovery
`OpenAPISchema()`) and `kubectl explain --output=plaintext-openapiv2` reads.

Only what the served document holds is encoded (info, paths with their operations,
definitions); vendor extensions travel as gnostic does, an `Any` holding their YAML text.
Field numbers are the .proto's.
"""

from __future__ import annotations

import struct
from typing import Any

import yaml

from podlab.protowire import varint

Obj = dict[str, Any]


def _key(number: int, wire: int) -> bytes:
    return varint(number << 3 | wire)


def _bytes(number: int, data: bytes) -> bytes:
    return _key(number, 2) + varint(len(data)) + data


def _str(number: int, text: str) -> bytes:
    return _bytes(number, text.encode()) if text else b""


def _bool(number: int, value: bool) -> bytes:
    return _key(number, 0) + b"\x01" if value else b""


def _int(number: int, value: int) -> bytes:
    return _key(number, 0) + varint(value) if value else b""


def _double(number: int, value: float) -> bytes:
    return _key(number, 1) + struct.pack("<d", value)


def _any(value: Any) -> bytes:
    """gnostic's Any: field 2 `yaml`, the value as YAML."""
    return _str(2, yaml.safe_dump(value, default_flow_style=False, sort_keys=False))


def _extensions(number: int, node: Obj) -> bytes:
    out = b""
    for name, value in node.items():
        if name.startswith("x-"):
            out += _bytes(number, _str(1, name) + _bytes(2, _any(value)))
    return out


_SCHEMA_STRINGS = {"$ref": 1, "format": 2, "title": 3, "description": 4, "pattern": 13, "discriminator": 26}
_SCHEMA_DOUBLES = {"multipleOf": 6, "maximum": 7, "minimum": 9}
_SCHEMA_BOOLS = {"exclusiveMaximum": 8, "exclusiveMinimum": 10, "uniqueItems": 16, "readOnly": 27}
_SCHEMA_INTS = {
    "maxLength": 11,
    "minLength": 12,
    "maxItems": 14,
    "minItems": 15,
    "maxProperties": 17,
    "minProperties": 18,
}


def schema(node: Obj) -> bytes:
    """One `openapi.v2.Schema`, fields in the .proto's order."""
    out = b""
    for name, number in _SCHEMA_STRINGS.items():
        if isinstance(node.get(name), str):
            out += _str(number, node[name])
    if "default" in node:
        out += _bytes(5, _any(node["default"]))
    for name, number in _SCHEMA_DOUBLES.items():
        if isinstance(node.get(name), int | float):
            out += _double(number, float(node[name]))
    for name, number in _SCHEMA_BOOLS.items():
        out += _bool(number, bool(node.get(name)))
    for name, number in _SCHEMA_INTS.items():
        out += _int(number, int(node.get(name) or 0))
    for name in node.get("required", []):
        out += _str(19, name)
    for value in node.get("enum", []):
        out += _bytes(20, _any(value))
    extra = node.get("additionalProperties")
    if isinstance(extra, dict):
        out += _bytes(21, _bytes(1, schema(extra)))
    elif isinstance(extra, bool):
        out += _bytes(21, _key(2, 0) + (b"\x01" if extra else b"\x00"))
    kinds = node.get("type")
    if kinds:
        out += _bytes(22, b"".join(_str(1, k) for k in ([kinds] if isinstance(kinds, str) else kinds)))
    items = node.get("items")
    if isinstance(items, dict):
        out += _bytes(23, _bytes(1, schema(items)))
    for part in node.get("allOf", []):
        out += _bytes(24, schema(part))
    props = node.get("properties")
    if props:
        out += _bytes(25, b"".join(_bytes(1, _str(1, k) + _bytes(2, schema(v))) for k, v in props.items()))
    return out + _extensions(31, node)


def _parameter(param: Obj) -> bytes:
    if param.get("in") == "body":
        body = (
            _str(1, param.get("description", ""))
            + _str(2, param["name"])
            + _str(3, "body")
            + _bool(4, bool(param.get("required")))
            + _bytes(5, schema(param.get("schema", {})))
        )
        return _bytes(1, _bytes(1, body))  # ParametersItem.parameter → Parameter.body_parameter
    query = (
        _bool(1, bool(param.get("required")))
        + _str(2, param.get("in", "query"))
        + _str(3, param.get("description", ""))
        + _str(4, param["name"])
        + _str(6, param.get("type", ""))
        + _bool(20, bool(param.get("uniqueItems")))
    )
    # ParametersItem.parameter → Parameter.non_body_parameter → query_parameter_sub_schema
    return _bytes(1, _bytes(2, _bytes(3, query)))


def _operation(op: Obj) -> bytes:
    out = _str(5, op.get("operationId", ""))
    for media in op.get("consumes", []):
        out += _str(7, media)
    for param in op.get("parameters", []):
        out += _bytes(8, _parameter(param))
    codes = b""
    for code, response in op.get("responses", {}).items():
        body = _str(1, response.get("description", ""))
        if "schema" in response:
            body += _bytes(2, _bytes(1, schema(response["schema"])))
        codes += _bytes(1, _str(1, code) + _bytes(2, _bytes(1, body)))
    out += _bytes(9, codes)
    return out + _extensions(13, op)


_VERBS = {"get": 2, "put": 3, "post": 4, "delete": 5, "options": 6, "head": 7, "patch": 8}


def document(doc: Obj) -> bytes:
    """A swagger 2.0 document (as `openapi.v2_document` builds it) as `openapi.v2.Document`."""
    info = doc.get("info", {})
    out = _str(1, doc.get("swagger", "2.0"))
    out += _bytes(2, _str(1, info.get("title", "")) + _str(2, info.get("version", "")))
    paths = b""
    for path, item in doc.get("paths", {}).items():
        body = b"".join(_bytes(_VERBS[verb], _operation(op)) for verb, op in item.items() if verb in _VERBS)
        paths += _bytes(2, _str(1, path) + _bytes(2, body))
    out += _bytes(8, paths)
    defs = b"".join(
        _bytes(1, _str(1, name) + _bytes(2, schema(node)))
        for name, node in doc.get("definitions", {}).items()
    )
    return out + _bytes(9, defs)
