"""Create-or-update and delete of manifest objects through the node's API, kubectl-style output."""

from __future__ import annotations

import copy
import json
from typing import Any

from podlab.k8s import resource_for

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


LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


def _with_last_applied(obj: Obj) -> Obj:
    """The object carrying kubectl's last-applied annotation (compact JSON of the manifest)."""
    annotated = copy.deepcopy(obj)
    annotations = annotated["metadata"].setdefault("annotations", {})
    annotations[LAST_APPLIED] = json.dumps(obj, sort_keys=True, separators=(",", ":")) + "\n"
    return annotated


def apply_one(client: ApiClient, obj: Obj) -> str:
    """Create the object, or replace what the manifest sets on the existing one.

    As `kubectl apply` does, the manifest is recorded in the last-applied annotation, so a
    re-apply of the same manifest is "unchanged" whatever the server defaulted or controllers set.
    """
    obj = _namespaced(obj)
    path = object_path(obj)
    desired_meta = _with_last_applied(obj)
    try:
        current = client.request("GET", path)
    except ApiError as exc:
        if exc.code != 404:
            raise
        collection = path.rsplit("/", 1)[0]
        client.request("POST", collection, desired_meta, query={"fieldValidation": "Strict"})
        return f"{_display_name(obj)} created"
    current_annotations = current["metadata"].get("annotations") or {}
    if current_annotations.get(LAST_APPLIED) == desired_meta["metadata"]["annotations"][LAST_APPLIED]:
        return f"{_display_name(obj)} unchanged"
    desired = copy.deepcopy(current)
    for key, value in obj.items():
        if key in ("metadata", "status"):
            continue
        desired[key] = value
    desired["metadata"]["labels"] = obj["metadata"].get("labels") or {}
    desired["metadata"]["annotations"] = desired_meta["metadata"]["annotations"]
    for key in set(current) - set(obj) - {"metadata", "status", "apiVersion", "kind"}:
        desired.pop(key, None)
    client.request("PUT", path, desired, query={"fieldValidation": "Strict"})
    return f"{_display_name(obj)} configured"


def apply_all(client: ApiClient, manifests: list[Manifest]) -> list[str]:
    return [apply_one(client, m.obj) for m in manifests]


def delete_all(client: ApiClient, manifests: list[Manifest]) -> tuple[list[str], list[str]]:
    """(deleted lines, errors): as `kubectl delete -f`, a missing object does not stop the rest."""
    lines: list[str] = []
    errors: list[str] = []
    for manifest in manifests:
        obj = _namespaced(manifest.obj)
        try:
            client.request("DELETE", object_path(obj), {"propagationPolicy": "Background"})
            lines.append(f"{_display_name(obj)} deleted")
        except ApiError as exc:
            if exc.code != 404:
                raise
            errors.append(f'Error from server (NotFound): error when deleting "{manifest.source}": {exc}')
    return lines, errors
