"""The shipped upstream definitions (k8s/openapi_definitions.json.gz): swagger.json's own shape,
every served kind present, and the unknown-field walk over them."""

from __future__ import annotations

from typing import Any

from podlab.apiserver.openapi import v3_document
from podlab.k8s.openapi_schema import definition_name, definitions, unknown_fields
from podlab.k8s.resources import group_versions, resources_in


def _nodes(node: Any, key: str = "") -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    if isinstance(node, dict):
        out.append((key, node))
        for k, v in node.items():
            out.extend(_nodes(v, k))
    elif isinstance(node, list):
        for v in node:
            out.extend(_nodes(v, key))
    return out


def test_every_served_kind_and_subresource_kind_is_shipped() -> None:
    for group, version in group_versions():
        for r in resources_in(group, version):
            assert definition_name(group, version, r.kind), r.kind
            for sub in r.subresources:
                if sub.kind:
                    assert definition_name(*sub.kind), sub.kind
    assert len(definitions()) < 400  # trimmed to what the served kinds reach (upstream has 862)


def test_definitions_have_swagger_json_shape_again() -> None:
    defs = definitions()
    for key, node in _nodes(defs):
        if "$ref" in node:
            target = node["$ref"]
            assert target.startswith("#/definitions/") and target.removeprefix("#/definitions/") in defs
        assert not isinstance(node.get("type"), list), key  # no JSON-Schema nullable unions
        if key in ("apiVersion", "kind") and node.get("type") == "string":
            assert "enum" not in node  # kubernetes-validate's addition, not upstream's
    assert defs["io.k8s.apimachinery.pkg.util.intstr.IntOrString"] == {
        "type": "string",
        "format": "int-or-string",
    }
    probe = defs["io.k8s.api.core.v1.Container"]["properties"]["livenessProbe"]
    assert probe["$ref"] == "#/definitions/io.k8s.api.core.v1.Probe"
    assert probe["description"].startswith("Periodic probe of container liveness.")


def test_v3_wraps_described_refs_in_allof() -> None:
    doc = v3_document("", "v1")
    assert doc is not None
    probe = doc["components"]["schemas"]["io.k8s.api.core.v1.Container"]["properties"]["livenessProbe"]
    assert probe["allOf"] == [{"$ref": "#/components/schemas/io.k8s.api.core.v1.Probe"}]
    assert probe["description"].startswith("Periodic probe")
    assert v3_document("widgets.example.com", "v1") is None


def test_unknown_fields_paths_maps_and_free_form() -> None:
    obj = {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": "s", "labels": {"a": "b"}, "managedFields": [{"fieldsV1": {"f:x": {}}}]},
        "spec": {
            "template": {
                "spec": {"containers": [{"name": "c", "resources": {"limits": {"cpu": "1"}}, "x": 1}]}
            },
            "volumeClaimTemplates": [{"spec": {"resources": {"requests": {"storage": "1Gi"}}, "y": 2}}],
            "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Delete"},
        },
    }
    assert unknown_fields(obj) == [
        "spec.template.spec.containers[0].x",
        "spec.volumeClaimTemplates[0].spec.y",
    ]
    assert unknown_fields({"apiVersion": "v1", "kind": "List", "items": []}) is None
    assert unknown_fields({"kind": "Pod"}) is None
