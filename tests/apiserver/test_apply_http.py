"""Server-side apply over raw HTTP: the Status bodies of refused applies (no fieldManager, `force`
on another patch type, a conflict with its causes), dry run, and the Python client's manager name."""

from __future__ import annotations

import json
from typing import Any

from .conftest import Node, http

CM = "/api/v1/namespaces/default/configmaps"
APPLY = "application/apply-patch+yaml"


def cm(**data: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": data}


def test_apply_refusals_and_conflict_status(node: Node) -> None:
    status, _, raw = http(node, "PATCH", CM + "/c", cm(a="1"), content_type=APPLY)
    assert status == 422
    assert json.loads(raw)["message"] == (
        'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch'
    )
    status, _, raw = http(
        node, "PATCH", CM + "/c?force=true", {"data": {}}, content_type="application/merge-patch+json"
    )
    assert status == 422
    assert json.loads(raw)["message"] == (
        'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch'
    )

    # A dry run creates nothing.
    status, _, raw = http(
        node, "PATCH", CM + "/c?fieldManager=alice&dryRun=All", cm(a="1"), content_type=APPLY
    )
    assert status == 201 and json.loads(raw)["metadata"]["managedFields"][0]["manager"] == "alice"
    assert http(node, "GET", CM + "/c")[0] == 404

    assert http(node, "PATCH", CM + "/c?fieldManager=alice", cm(a="1"), content_type=APPLY)[0] == 201
    status, _, raw = http(node, "PATCH", CM + "/c?fieldManager=bob", cm(a="2"), content_type=APPLY)
    assert status == 409
    body = json.loads(raw)
    assert body["reason"] == "Conflict" and body["code"] == 409
    assert body["message"] == 'Apply failed with 1 conflict: conflict with "alice": .data.a'
    assert body["details"] == {
        "causes": [{"type": "FieldManagerConflict", "message": 'conflict with "alice"', "field": ".data.a"}]
    }
    status, _, raw = http(node, "PATCH", CM + "/c?fieldManager=bob&force=true", cm(a="2"), content_type=APPLY)
    assert status == 200
    entries = {e["manager"]: e for e in json.loads(raw)["metadata"]["managedFields"]}
    assert set(entries) == {"bob"}  # alice owned nothing else, so her entry goes
    assert entries["bob"]["fieldsV1"] == {"f:data": {"f:a": {}}}


def test_an_update_without_field_manager_is_the_user_agents(node: Node) -> None:
    obj = cm(a="1")
    status, _, raw = http(node, "POST", CM, obj)
    assert status == 201
    (entry,) = json.loads(raw)["metadata"]["managedFields"]
    assert entry["manager"] == "Python-urllib" and entry["operation"] == "Update"
    assert entry["fieldsV1"] == {"f:data": {".": {}, "f:a": {}}}
    # The same object again: nothing changed, the write keeps its resourceVersion.
    stored = json.loads(raw)
    status, _, raw = http(node, "PUT", CM + "/c?fieldManager=editor", stored)
    assert (
        status == 200
        and json.loads(raw)["metadata"]["resourceVersion"] == stored["metadata"]["resourceVersion"]
    )


def test_subresource_writes_are_their_own_managers(node: Node) -> None:
    path = "/apis/apps/v1/namespaces/default/deployments"
    deploy = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "d"},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": "d"}},
            "template": {
                "metadata": {"labels": {"app": "d"}},
                "spec": {"containers": [{"name": "c", "image": "busybox"}]},
            },
        },
    }
    assert http(node, "POST", path + "?fieldManager=creator", deploy)[0] == 201
    _, _, raw = http(node, "GET", path + "/d")
    live = json.loads(raw)
    live["status"] = {"replicas": 1}
    status, _, raw = http(node, "PUT", path + "/d/status?fieldManager=reporter", live)
    assert status == 200
    status, _, raw = http(
        node,
        "PATCH",
        path + "/d/scale",
        {"spec": {"replicas": 2}},
        content_type="application/merge-patch+json",
    )
    assert status == 200
    _, _, raw = http(node, "GET", path + "/d")
    entries = {
        (e["manager"], e.get("subresource", "")): e for e in json.loads(raw)["metadata"]["managedFields"]
    }
    assert set(entries) == {("creator", ""), ("reporter", "status"), ("Python-urllib", "scale")}
    assert entries[("reporter", "status")]["fieldsV1"] == {"f:status": {"f:replicas": {}}}
    assert entries[("Python-urllib", "scale")]["fieldsV1"] == {"f:spec": {"f:replicas": {}}}
    assert "f:replicas" not in entries[("creator", "")]["fieldsV1"]["f:spec"]


def test_configs_the_field_manager_refuses(node: Node) -> None:
    carrying = cm(a="1")
    carrying["metadata"]["managedFields"] = [{"manager": "x", "operation": "Apply"}]
    status, _, raw = http(node, "PATCH", CM + "/c?fieldManager=alice", carrying, content_type=APPLY)
    assert status == 400 and json.loads(raw)["message"] == "metadata.managedFields must be nil"

    svc = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "s"},
        "spec": {"ports": [{"port": 80}, {"port": 80}]},
    }
    path = "/api/v1/namespaces/default/services/s?fieldManager=alice"
    status, _, raw = http(node, "PATCH", path, svc, content_type=APPLY)
    assert status == 500
    assert json.loads(raw) == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": "failed to create typed patch object (default/s; /v1, Kind=Service): "
        '.spec.ports: duplicate entries for key [port=80,protocol="TCP"]',
        "code": 500,
    }


def test_apply_to_status(node: Node) -> None:
    path = "/apis/apps/v1/namespaces/default/deployments"
    deploy = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "s"},
        "spec": {
            "selector": {"matchLabels": {"app": "s"}},
            "template": {
                "metadata": {"labels": {"app": "s"}},
                "spec": {"containers": [{"name": "c", "image": "x"}]},
            },
        },
    }
    assert http(node, "PATCH", path + "/s?fieldManager=alice", deploy, content_type=APPLY)[0] == 201
    status_cfg = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "s"},
        "status": {"replicas": 3},
    }
    status, _, raw = http(node, "PATCH", path + "/s/status?fieldManager=ctrl", status_cfg, content_type=APPLY)
    assert status == 200 and json.loads(raw)["status"]["replicas"] == 3
    entries = {
        (e["manager"], e.get("subresource", "")): e for e in json.loads(raw)["metadata"]["managedFields"]
    }
    assert entries[("ctrl", "status")]["operation"] == "Apply"
    assert entries[("ctrl", "status")]["fieldsV1"] == {"f:status": {"f:replicas": {}}}
    status_cfg["status"]["replicas"] = 4
    status, _, raw = http(
        node, "PATCH", path + "/s/status?fieldManager=other", status_cfg, content_type=APPLY
    )
    assert status == 409
    assert json.loads(raw)["message"] == (
        'Apply failed with 1 conflict: conflict with "ctrl" with subresource "status": .status.replicas'
    )
