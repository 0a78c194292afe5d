"""The OpenAPI documents: `/openapi/v2` (swagger 2.0) and `/openapi/v3` (index + one document
per served group-version), built from upstream's own type definitions.

The schemas are kube-apiserver's, not podlab's: `k8s/openapi_definitions.json.gz` holds the
`definitions` of Kubernetes v1.37.0 `api/openapi-spec/swagger.json` for every served kind and
every type they reach (tools/gen_openapi_definitions.py says how it was made). That is what
`kubectl explain` prints and what kubectl's client-side strategic merge reads its merge keys
from. The `paths` are generated from the kind registry (one entry per verb a kind serves):
kubectl reads from them only whether PATCH takes `fieldValidation` (then it leaves
`--validate=strict` to the server) and which GVK an operation belongs to.

v2 → v3 differs as kube-apiserver's converter does: refs point into `#/components/schemas/`,
and a ref with a description beside it is wrapped in `allOf` (OpenAPI 3.0 ignores siblings of
`$ref`).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import time
from dataclasses import dataclass
from functools import cache
from typing import Any

from podlab import kube_version
from podlab.k8s.openapi_schema import definition_name, definitions
from podlab.k8s.resources import ResourceInfo

from . import discovery, openapi_protobuf

Obj = dict[str, Any]
META = "io.k8s.apimachinery.pkg.apis.meta.v1."
# Beside its kinds, every group-version document of kube-apiserver carries the request and
# response bodies its operations share.
COMMON = (
    f"{META}Status",
    f"{META}DeleteOptions",
    f"{META}WatchEvent",
    f"{META}APIResourceList",
    f"{META}Patch",
)
PATCH_TYPES = (
    "application/apply-patch+yaml",
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/strategic-merge-patch+json",
)
_WRITE_PARAMS = ("dryRun", "fieldManager", "fieldValidation")


@dataclass(frozen=True, slots=True)
class Served:
    """One document as sent: JSON bytes, their gzip, and the ETag kube-openapi computes
    (upper-case hex SHA-512 of the JSON bytes, k8s.io/kube-openapi pkg/handler3)."""

    body: bytes
    gzipped: bytes
    etag: str
    built: float  # epoch seconds: Last-Modified, as kube-openapi stamps a spec when it is set

    @classmethod
    def of(cls, doc: Obj) -> Served:
        body = json.dumps(doc, separators=(",", ":")).encode()
        etag = hashlib.sha512(body).hexdigest().upper()
        return cls(body, gzip.compress(body, compresslevel=6, mtime=0), etag, time.time())


def _refs(node: Any, out: set[str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                out.add(value.rsplit("/", 1)[-1])
            else:
                _refs(value, out)
    elif isinstance(node, list):
        for item in node:
            _refs(item, out)


def _closure(roots: list[str]) -> list[str]:
    defs, keep, todo = definitions(), set[str](), list(roots)
    while todo:
        name = todo.pop()
        if name in keep or name not in defs:
            continue
        keep.add(name)
        found: set[str] = set()
        _refs(defs[name], found)
        todo.extend(found)
    return sorted(keep)


def _roots(resources_in_gv: list[ResourceInfo]) -> list[str]:
    roots: list[str] = list(COMMON)
    for r in resources_in_gv:
        for gvk in (
            (r.group, r.version, r.kind),
            (r.group, r.version, r.kind + "List"),
            *(sub.kind for sub in r.subresources if sub.kind),
        ):
            name = definition_name(*gvk)
            if name is not None:
                roots.append(name)
    return roots


# -- paths --------------------------------------------------------------------------------------
def _gv_path(group: str, version: str) -> str:
    return f"apis/{group}/{version}" if group else f"api/{version}"


def _operation(
    r: ResourceInfo, action: str, verb_id: str, body_kind: str | None, ref: str, *, v3: bool
) -> Obj:
    params: list[Obj] = []
    if action in ("post", "put", "patch"):
        for name in _WRITE_PARAMS:
            param: Obj = {"name": name, "in": "query", "uniqueItems": True}
            if v3:
                param["schema"] = {"type": "string", "uniqueItems": True}
                del param["uniqueItems"]
            else:
                param["type"] = "string"
            params.append(param)
    response: Obj = {"description": "OK"}
    body = definition_name(r.group, r.version, body_kind) if body_kind else None
    if body is not None:
        schema = {"$ref": f"{ref}{body}"}
        if v3:
            response["content"] = {"application/json": {"schema": schema}}
        else:
            response["schema"] = schema
    op: Obj = {
        "operationId": f"{verb_id}{r.kind}",
        "x-kubernetes-action": verb_id,
        "x-kubernetes-group-version-kind": {"group": r.group, "version": r.version, "kind": r.kind},
        "responses": {"200": response},
    }
    request = _request_body(action, body)
    if request is not None:
        media_types, schema_name = request
        request_schema = {"$ref": f"{ref}{schema_name}"}
        if v3:
            op["requestBody"] = {
                "content": {media: {"schema": request_schema} for media in media_types},
                "required": action != "delete",
            }
        else:
            params.append(
                {"name": "body", "in": "body", "required": action != "delete", "schema": request_schema}
            )
            if action == "patch":
                op["consumes"] = list(media_types)
    if params:
        op["parameters"] = params
    return op


def _request_body(action: str, kind_schema: str | None) -> tuple[tuple[str, ...], str] | None:
    """What a write's body is, as kube-apiserver documents it: the kind for create/replace, a
    `meta/v1 Patch` in one of the patch media types, `DeleteOptions` for delete. kubectl's
    client-side apply builds its strategic merge patch from these schemas only when the PATCH
    operation lists `application/strategic-merge-patch+json` (kubectl/pkg/cmd/apply/patcher.go)."""
    if action == "patch":
        return PATCH_TYPES, f"{META}Patch"
    if action == "delete":
        return ("*/*",), f"{META}DeleteOptions"
    if action in ("post", "put") and kind_schema is not None:
        return ("*/*",), kind_schema
    return None


def _paths(resources_in_gv: list[ResourceInfo], *, v3: bool) -> Obj:
    ref = "#/components/schemas/" if v3 else "#/definitions/"
    paths: Obj = {}
    for r in resources_in_gv:
        prefix = "/" + _gv_path(r.group, r.version)
        scope = f"{prefix}/namespaces/{{namespace}}" if r.namespaced else prefix
        collection: Obj = {}
        item: Obj = {}
        verbs = set(r.verbs)
        if "list" in verbs:
            collection["get"] = _operation(r, "get", "list", r.kind + "List", ref, v3=v3)
        if "create" in verbs:
            collection["post"] = _operation(r, "post", "post", r.kind, ref, v3=v3)
        if "get" in verbs:
            item["get"] = _operation(r, "get", "get", r.kind, ref, v3=v3)
        if "update" in verbs:
            item["put"] = _operation(r, "put", "put", r.kind, ref, v3=v3)
        if "patch" in verbs:
            item["patch"] = _operation(r, "patch", "patch", r.kind, ref, v3=v3)
        if "delete" in verbs:
            item["delete"] = _operation(r, "delete", "delete", None, ref, v3=v3)
        if collection:
            paths[f"{scope}/{r.plural}"] = collection
        if item:
            paths[f"{scope}/{r.plural}/{{name}}"] = item
    return paths


# -- schemas ------------------------------------------------------------------------------------
def _v3(node: Any) -> Any:
    """One swagger 2.0 schema as OpenAPI 3.0: refs into components, `allOf` around a ref that has
    siblings (kube-openapi's v3 output does the same)."""
    if isinstance(node, list):
        return [_v3(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _v3(value) for key, value in node.items() if key != "$ref"}
    if "$ref" not in node:
        return out
    ref = {"$ref": node["$ref"].replace("#/definitions/", "#/components/schemas/")}
    if not out:
        return ref
    return {"allOf": [ref], **out}


def _info() -> Obj:
    return {"title": "Kubernetes", "version": kube_version.current().git_version}


def v3_document(group: str, version: str) -> Obj | None:
    found = discovery.resources_in(group, version)
    if not found:
        return None
    defs = definitions()
    schemas = {name: _v3(defs[name]) for name in _closure(_roots(found))}
    return {
        "openapi": "3.0.0",
        "info": _info(),
        "paths": _paths(found, v3=True),
        "components": {"schemas": schemas},
    }


def v2_document() -> Obj:
    every: list[ResourceInfo] = []
    for group, version in discovery.group_versions():
        every.extend(discovery.resources_in(group, version))
    defs = definitions()
    return {
        "swagger": "2.0",
        "info": _info(),
        "paths": _paths(every, v3=False),
        "definitions": {name: defs[name] for name in _closure(_roots(every))},
    }


# -- served bytes (built once per process and version) ------------------------------------------
@cache
def _v3_served(group: str, version: str, git_version: str) -> Served | None:
    doc = v3_document(group, version)
    return Served.of(doc) if doc is not None else None


def v3_served(group: str, version: str) -> Served | None:
    return _v3_served(group, version, kube_version.current().git_version)


@cache
def _v2_served(git_version: str) -> Served:
    return Served.of(v2_document())


def v2_served() -> Served:
    return _v2_served(kube_version.current().git_version)


@cache
def _v2_protobuf(git_version: str) -> Served:
    as_json = v2_served()
    body = openapi_protobuf.document(v2_document())
    # kube-openapi's protobuf form carries the JSON form's ETag (one etagCache for both).
    return Served(body, gzip.compress(body, compresslevel=6, mtime=0), as_json.etag, as_json.built)


def v2_protobuf() -> Served:
    """`/openapi/v2` as gnostic's `openapi.v2.Document` (openapi_protobuf.py)."""
    return _v2_protobuf(kube_version.current().git_version)


def server_relative_url(group: str, version: str, etag: str) -> str:
    return f"/openapi/v3/{_gv_path(group, version)}?hash={etag}"


@cache
def _index_served(git_version: str) -> Served:
    paths: Obj = {}
    for group, version in discovery.group_versions():
        served = v3_served(group, version)
        assert served is not None
        paths[_gv_path(group, version)] = {
            "serverRelativeURL": server_relative_url(group, version, served.etag)
        }
    return Served.of({"paths": paths})


def index_served() -> Served:
    """`/openapi/v3`: each served group-version and the URL of its current document."""
    return _index_served(kube_version.current().git_version)
