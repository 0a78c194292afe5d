"""Create-or-update and delete of manifest objects through the node's API, kubectl-style output."""

from __future__ import annotations

import copy
from typing import Any

from podlab.k8s import apply_defaults, resource_for

from .client import ApiClient, ApiError, object_path
from .manifests import Manifest

Obj = dict[str, Any]


def _display_name(obj: Obj) -> str:
    """kubectl's `kind.group/name`, e.g. deployment.apps/wiremock, configmap/wiremock-mappings."""
    api_version = str(obj["apiVersion"])
    group = api_version.split("/")[0] if "/" in api_version else ""
    kind = str(obj["kind"]).lower()
    return f"{kind}.{group}/{obj['metadata']['name']}" if group else f"{kind}/{obj['metadata']['name']}"


def _namespaced(obj: Obj) -> Obj:
    obj = copy.deepcopy(obj)
    info = resource_for(str(obj["apiVersion"]), str(obj["kind"]))
    if info.namespaced:
        obj.setdefault("metadata", {}).setdefault("namespace", "default")
    return obj


def apply_one(client: ApiClient, obj: Obj) -> str:
    """Create the object, or replace what the manifest sets on the existing one."""
    obj = _namespaced(obj)
    path = object_path(obj)
    try:
        current = client.request("GET", path)
    except ApiError as exc:
        if exc.code != 404:
            raise
        collection = path.rsplit("/", 1)[0]
        client.request("POST", collection, obj, query={"fieldValidation": "Strict"})
        return f"{_display_name(obj)} created"
    desired = copy.deepcopy(current)
    for key, value in obj.items():
        if key in ("metadata", "status"):
            continue
        desired[key] = value
    for key in ("labels", "annotations"):
        if key in obj["metadata"]:
            desired["metadata"][key] = obj["metadata"][key]
    for key in set(current) - set(obj) - {"metadata", "status", "apiVersion", "kind"}:
        desired.pop(key, None)
    if _same(current, desired):
        return f"{_display_name(obj)} unchanged"
    client.request("PUT", path, desired, query={"fieldValidation": "Strict"})
    return f"{_display_name(obj)} configured"


def _same(current: Obj, desired: Obj) -> bool:
    """Whether applying would change nothing the user set (defaults filled by the server aside)."""
    desired = apply_defaults(copy.deepcopy(desired))
    return all(current.get(key) == value for key, value in desired.items() if key != "metadata") and all(
        (current["metadata"].get(key) or {}) == (desired["metadata"].get(key) or {})
        for key in ("labels", "annotations")
    )


def apply_all(client: ApiClient, manifests: list[Manifest]) -> list[str]:
    return [apply_one(client, m.obj) for m in manifests]


def delete_all(client: ApiClient, manifests: list[Manifest]) -> list[str]:
    lines = []
    for manifest in manifests:
        obj = _namespaced(manifest.obj)
        try:
            client.request("DELETE", object_path(obj), {"propagationPolicy": "Background"})
            lines.append(f"{_display_name(obj)} deleted")
        except ApiError as exc:
            if exc.code != 404:
                raise
            lines.append(f"Error from server (NotFound): {exc}")
    return lines
