"""Upstream's type definitions of the served kinds (Kubernetes v1.37.0 swagger.json, trimmed;
see tools/gen_openapi_definitions.py) and the unknown-field walk over them.

These are the facts `/openapi/v2` and `/openapi/v3` serve (apiserver/openapi.py) and that
`kubectl explain` prints, so strict field validation reads the same ones: a field kubectl
explains is never refused as unknown, and a misspelt one deep inside (affinity, volumes) is
found as kube-apiserver's decoder finds it.
"""

from __future__ import annotations

import gzip
import json
from functools import cache
from importlib import resources
from typing import Any

Obj = dict[str, Any]
_REF = "#/definitions/"


@cache
def definitions() -> dict[str, Obj]:
    raw = resources.files("podlab.k8s").joinpath("openapi_definitions.json.gz").read_bytes()
    loaded: dict[str, Obj] = json.loads(gzip.decompress(raw))["definitions"]
    return loaded


@cache
def _by_gvk() -> dict[tuple[str, str, str], str]:
    index: dict[tuple[str, str, str], str] = {}
    for name, schema in definitions().items():
        for gvk in schema.get("x-kubernetes-group-version-kind", []):
            index[(gvk["group"], gvk["version"], gvk["kind"])] = name
    return index


def definition_name(group: str, version: str, kind: str) -> str | None:
    """The upstream definition of a kind (`io.k8s.api.core.v1.Pod`), None if none is shipped."""
    return _by_gvk().get((group, version, kind))


def root_definition(obj: Obj) -> str | None:
    """The definition an object's `apiVersion` and `kind` name, if upstream has one."""
    api_version, kind = obj.get("apiVersion"), obj.get("kind")
    if not isinstance(api_version, str) or not isinstance(kind, str):
        return None
    group, _, version = api_version.rpartition("/")
    return definition_name(group, version, kind)


def _resolve(schema: Obj) -> Obj:
    defs = definitions()
    while "$ref" in schema:
        schema = defs[schema["$ref"].removeprefix(_REF)]
    return schema


def _walk(value: Any, schema: Obj, path: str, out: list[str], prune: bool) -> None:
    schema = _resolve(schema)
    if isinstance(value, list):
        items = schema.get("items")
        if items is not None:
            for i, item in enumerate(value):
                _walk(item, items, f"{path}[{i}]", out, prune)
        return
    if not isinstance(value, dict):
        return
    props = schema.get("properties")
    if props is None:
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):  # a map: any key, each value of one type
            for key, item in value.items():
                _walk(item, extra, f"{path}[{key}]", out, prune)
        return  # free-form (RawExtension, FieldsV1): anything goes
    for key, child in list(value.items()):
        child_path = f"{path}.{key}" if path else str(key)
        field = props.get(key) if isinstance(key, str) else None
        if field is None:
            out.append(child_path)
            if prune:
                del value[key]
        elif child is not None:
            _walk(child, field, child_path, out, prune)


def unknown_fields(obj: Obj, *, prune: bool = False) -> list[str] | None:
    """Paths of the fields upstream's type does not have ("spec.template.spec.containers[0].foo"),
    or None when upstream has no definition for the object's apiVersion and kind."""
    root = root_definition(obj)
    if root is None:
        return None
    out: list[str] = []
    _walk(obj, {"$ref": _REF + root}, "", out, prune)
    return out
