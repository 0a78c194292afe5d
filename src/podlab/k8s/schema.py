"""Field types of the served kinds (schema.yaml) and strict field validation.

The same table gives strategic merge patch its list merge keys (patch.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from podlab.k8s import openapi_schema
from podlab.k8s.errors import Obj
from podlab.k8s.quantity import is_quantity

SCALARS = frozenset({"string", "int", "bool", "number", "intorstr", "quantity", "time", "any", "map"})


@dataclass(frozen=True)
class FieldType:
    """One field's type: a scalar, a named struct, a map of T, or a list of T."""

    name: str  # scalar name or struct type name (the element type for lists and maps)
    is_list: bool = False
    is_map: bool = False
    merge_key: str | None = None  # lists: patchMergeKey ("name"); "" for a merged scalar set
    retain_keys: bool = False

    @property
    def is_struct(self) -> bool:
        return self.name not in SCALARS


def parse_type(spec: str) -> FieldType:
    retain = spec.endswith("!retainKeys")
    spec = spec.removesuffix("!retainKeys")
    if spec.startswith("[]"):
        elem, _, key = spec[2:].partition("@")
        merge_key = None if not key else ("" if key == "set" else key)
        return FieldType(elem, is_list=True, merge_key=merge_key, retain_keys=retain)
    if spec.startswith("map:"):
        return FieldType(spec[4:], is_map=True)
    return FieldType(spec, retain_keys=retain)


@dataclass(frozen=True)
class Schema:
    kinds: dict[str, str]
    types: dict[str, dict[str, FieldType]]

    def struct(self, name: str) -> dict[str, FieldType] | None:
        return self.types.get(name)


@cache
def schema() -> Schema:
    text = resources.files("podlab.k8s").joinpath("schema.yaml").read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    types = {
        name: {field: parse_type(str(spec)) for field, spec in fields.items()}
        for name, fields in raw["types"].items()
    }
    for name, fields in types.items():
        for field, ftype in fields.items():
            if ftype.is_struct and ftype.name not in types:
                raise ValueError(f"schema.yaml: {name}.{field} names unknown type {ftype.name}")
    return Schema(kinds=dict(raw["kinds"]), types=types)


def root_type(kind: str) -> str | None:
    return schema().kinds.get(kind)


def _walk(value: Any, type_name: str, path: str, out: list[str], prune: bool = False) -> None:
    fields = schema().struct(type_name)
    if fields is None or not isinstance(value, dict):
        return
    for key, child in list(value.items()):
        child_path = f"{path}.{key}" if path else str(key)
        ftype = fields.get(key) if isinstance(key, str) else None
        if ftype is None:
            out.append(child_path)
            if prune:
                del value[key]
            continue
        if not ftype.is_struct or child is None:
            continue
        if ftype.is_list:
            if isinstance(child, list):
                for i, item in enumerate(child):
                    _walk(item, ftype.name, f"{child_path}[{i}]", out, prune)
        elif ftype.is_map:
            if isinstance(child, dict):
                for k, item in child.items():
                    _walk(item, ftype.name, f"{child_path}[{k}]", out, prune)
        else:
            _walk(child, ftype.name, child_path, out, prune)


def unknown_fields(obj: Obj, *, prune: bool = False) -> list[str]:
    """Paths of fields the kind does not have, as the server's fieldValidation=Strict names them.

    Upstream's own definitions decide (openapi_schema.py: the ones /openapi/v3 serves), so the
    answer matches kube-apiserver's decoder; schema.yaml only for kinds upstream has no type for.

    Paths have no leading dot ("spec.template.spec.containers[0].foo"); the message is
    `unknown field "<path>"` (see `unknown_field_message`). A kind podlab does not know gives [].
    With prune=True they are also removed, in place: what Go's decoder does by decoding into the
    typed struct, so under fieldValidation Warn (the server default) and Ignore an unknown field
    is dropped, never stored or echoed back.
    """
    upstream = openapi_schema.unknown_fields(obj, prune=prune)
    if upstream is not None:
        return upstream
    # Kinds upstream defines no type for (the client-side `v1 List`): this table.
    kind = obj.get("kind")
    root = root_type(kind) if isinstance(kind, str) else None
    if root is None:
        return []
    out: list[str] = []
    _walk(obj, root, "", out, prune)
    return out


def unknown_field_message(path: str) -> str:
    return f'unknown field "{path}"'


# ---- field types -----------------------------------------------------------------------------
# The API server decodes JSON into Go structs and answers 400 for a value of the wrong JSON type
# (`json: cannot unmarshal number into Go struct field EnvVar...value of type string`). podlab
# checks the same against schema.yaml before anything else looks at the object, so a quoted
# number or a map where a list belongs is reported with its full path, not a crash.

_SCALAR_EXPECTED = {
    "string": "a string",
    "int": "an integer",
    "bool": "a boolean (true or false)",
    "number": "a number",
    "intorstr": "an integer or a string",
    "quantity": "a quantity (a number or a string such as 500m or 1Gi)",
    "time": "a timestamp string (RFC 3339)",
    "map": "an object of string values",
}


def _scalar_ok(name: str, value: Any) -> bool:
    if name == "any":
        return True
    if name in ("string", "time"):
        return isinstance(value, str)
    if name == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "bool":
        return isinstance(value, bool)
    if name == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if name == "intorstr":
        return isinstance(value, int | str) and not isinstance(value, bool)
    if name == "quantity":
        return isinstance(value, int | float | str) and not isinstance(value, bool)
    if name == "map":
        return isinstance(value, dict)
    return True


def _expected(name: str, value: Any) -> str:
    text = _SCALAR_EXPECTED.get(name, "an object")
    if name == "string" and isinstance(value, int | float | bool):
        text += " (quote it in YAML)"
    return text


def _type_walk(value: Any, type_name: str, path: str, out: list[tuple[str, Any, str]]) -> None:
    fields = schema().struct(type_name)
    if fields is None:
        return
    if not isinstance(value, dict):
        out.append((path, value, "an object"))
        return
    for key, child in value.items():
        ftype = fields.get(key) if isinstance(key, str) else None
        if ftype is None or child is None:
            continue
        child_path = f"{path}.{key}" if path else str(key)
        _check_value(child, ftype, child_path, out)


def _check_element(value: Any, name: str, path: str, out: list[tuple[str, Any, str]]) -> None:
    if name in SCALARS:
        if not _scalar_ok(name, value):
            out.append((path, value, _expected(name, value)))
        elif name == "quantity" and not is_quantity(value):
            out.append((path, value, ""))  # detail: quantity.FORMAT_ERROR
        elif name == "map":
            for k, v in value.items():
                if v is not None and not isinstance(v, str):
                    out.append((f"{path}[{k}]", v, _expected("string", v)))
    else:
        _type_walk(value, name, path, out)


def _check_value(value: Any, ftype: FieldType, path: str, out: list[tuple[str, Any, str]]) -> None:
    if ftype.is_list:
        if not isinstance(value, list):
            out.append((path, value, "a list"))
            return
        for i, item in enumerate(value):
            if item is not None:
                _check_element(item, ftype.name, f"{path}[{i}]", out)
            elif ftype.is_struct:
                out.append((f"{path}[{i}]", item, "an object"))
    elif ftype.is_map:
        if not isinstance(value, dict):
            out.append((path, value, "an object"))
            return
        for k, item in value.items():
            if item is not None:
                _check_element(item, ftype.name, f"{path}[{k}]", out)
    else:
        _check_element(value, ftype.name, path, out)


def type_errors(obj: Obj) -> list[tuple[str, Any, str]]:
    """(path, value, what was expected) for every field whose JSON type is wrong."""
    kind = obj.get("kind")
    root = root_type(kind) if isinstance(kind, str) else None
    if root is None:
        return []
    out: list[tuple[str, Any, str]] = []
    _type_walk(obj, root, "", out)
    return out
