"""Writes src/podlab/k8s/openapi_definitions.json.gz: the upstream OpenAPI v2 `definitions` of
every kind podlab serves (and every type they reach), from which the API server builds
`/openapi/v2` and `/openapi/v3/...` (podlab.apiserver.openapi).

Source: kubernetes v1.37.0 `api/openapi-spec/swagger.json`, as carried by the PyPI package
`kubernetes-validate` 1.37.0 (Apache-2.0; directory
`kubernetes_validate/kubernetes-json-schema/v1.37.0-local/_definitions.json`). That package
re-encodes swagger.json's definitions as JSON Schema 2020-12 (openapi2jsonschema); this script
undoes its three changes so the result is swagger.json's own shape again:

- `"type": ["object", "null"]` (nullable everywhere) back to `"type": "object"`;
- the `enum` it adds to every `apiVersion` and `kind` property removed (upstream has none);
- `$ref: "#/$defs/NAME"` back to `#/definitions/NAME`; IntOrString and Quantity back to
  upstream's `{"type": "string", "format": "int-or-string"}` and `{"type": "string"}` (it
  replaces them with a `oneOf` and drops their type-level description, which kubectl explain
  never prints: it shows the field's own description).

Usage (the package is only needed to regenerate, never at run time):

    pip download --no-deps kubernetes-validate==1.37.0 -d /tmp/kv
    python tools/gen_openapi_definitions.py /tmp/kv/kubernetes_validate-1.37.0-py3-none-any.whl
"""

from __future__ import annotations

import gzip
import json
import sys
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from podlab.k8s.resources import group_versions, resources_in  # noqa: E402

OUT = ROOT / "src/podlab/k8s/openapi_definitions.json.gz"
KUBERNETES = "v1.37.0"
MEMBER = f"kubernetes_validate/kubernetes-json-schema/{KUBERNETES}-local/_definitions.json"
META = "io.k8s.apimachinery.pkg.apis.meta.v1."
# Types every group-version document of kube-apiserver carries beside its kinds (the operations'
# request and response bodies).
COMMON = [f"{META}{name}" for name in ("Status", "DeleteOptions", "WatchEvent", "APIResourceList", "Patch")]
UPSTREAM_SCALARS: dict[str, dict[str, Any]] = {
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": {"type": "string", "format": "int-or-string"},
    "io.k8s.apimachinery.pkg.api.resource.Quantity": {"type": "string"},
}


def _restore(node: Any, parent_key: str = "") -> Any:
    if isinstance(node, list):
        return [_restore(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "type" and isinstance(value, list):
            kinds = [t for t in value if t != "null"]
            out[key] = kinds[0] if len(kinds) == 1 else kinds
        elif key == "$ref":
            out[key] = value.replace("#/$defs/", "#/definitions/")
        elif key == "properties":
            out[key] = {name: _restore(prop, name) for name, prop in value.items()}
        else:
            out[key] = _restore(value, key)
    if parent_key in ("apiVersion", "kind") and out.get("type") == "string":
        out.pop("enum", None)
    return out


def _refs(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                found.add(value.rsplit("/", 1)[-1])
            else:
                found |= _refs(value)
    elif isinstance(node, list):
        for item in node:
            found |= _refs(item)
    return found


def _roots(defs: dict[str, Any]) -> list[str]:
    by_gvk: dict[tuple[str, str, str], str] = {}
    for name, schema in defs.items():
        for gvk in schema.get("x-kubernetes-group-version-kind", []):
            by_gvk[(gvk["group"], gvk["version"], gvk["kind"])] = name
    roots = list(COMMON)
    for group, version in group_versions():
        for r in resources_in(group, version):
            roots.append(by_gvk[(group, version, r.kind)])
            listed = by_gvk.get((group, version, r.kind + "List"))
            if listed:
                roots.append(listed)
            roots.extend(by_gvk[sub.kind] for sub in r.subresources if sub.kind)
    return roots


def main(wheel: str) -> None:
    with zipfile.ZipFile(wheel) as archive:
        raw = json.loads(archive.read(MEMBER))["$defs"]
    defs = {name: _restore(schema) for name, schema in raw.items()}
    for name, scalar in UPSTREAM_SCALARS.items():
        defs[name] = scalar
    keep: set[str] = set()
    todo = _roots(defs)
    while todo:
        name = todo.pop()
        if name not in keep:
            keep.add(name)
            todo.extend(_refs(defs[name]))
    doc = {
        "source": f"kubernetes {KUBERNETES} api/openapi-spec/swagger.json (via kubernetes-validate 1.37.0)",
        "kubernetes": KUBERNETES,
        "definitions": {name: defs[name] for name in sorted(keep)},
    }
    data = json.dumps(doc, separators=(",", ":"), sort_keys=True).encode()
    OUT.write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
    print(
        f"{OUT.relative_to(ROOT)}: {len(keep)} definitions, {len(data)} bytes, {OUT.stat().st_size} gzipped"
    )


if __name__ == "__main__":
    main(sys.argv[1])
