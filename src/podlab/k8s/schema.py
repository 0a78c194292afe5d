"""Field types of the served kinds (schema.yaml) and strict field validation.

The same table gives strategic merge patch its list merge keys (patch.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from podlab.k8s.errors import Obj

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


def _walk(value: Any, type_name: str, path: str, out: list[str]) -> None:
    fields = schema().struct(type_name)
    if fields is None or not isinstance(value, dict):
        return
    for key, child in value.items():
        child_path = f"{path}.{key}" if path else str(key)
        ftype = fields.get(key) if isinstance(key, str) else None
        if ftype is None:
            out.append(child_path)
            continue
        if not ftype.is_struct or child is None:
            continue
        if ftype.is_list:
            if isinstance(child, list):
                for i, item in enumerate(child):
                    _walk(item, ftype.name, f"{child_path}[{i}]", out)
        elif ftype.is_map:
            if isinstance(child, dict):
                for k, item in child.items():
                    _walk(item, ftype.name, f"{child_path}[{k}]", out)
        else:
            _walk(child, ftype.name, child_path, out)


def unknown_fields(obj: Obj) -> list[str]:
    """Paths of fields the kind does not have, as the server's fieldValidation=Strict names them.

    Paths have no leading dot ("spec.template.spec.containers[0].foo"); the message is
    `unknown field "<path>"` (see `unknown_field_message`). A kind podlab does not know gives [].
    """
    kind = obj.get("kind")
    root = root_type(kind) if isinstance(kind, str) else None
    if root is None:
        return []
    out: list[str] = []
    _walk(obj, root, "", out)
    return out


def unknown_field_message(path: str) -> str:
    return f'unknown field "{path}"'
