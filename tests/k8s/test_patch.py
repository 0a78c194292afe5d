"""Strategic merge patch as kubectl apply sends it; JSON merge patch; JSON patch."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from podlab.k8s import PatchError, json_merge_patch, json_patch, strategic_merge_patch


def _live() -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "wiremock", "labels": {"app": "wiremock"}, "finalizers": ["a"]},
        "spec": {
            "replicas": 1,
            "strategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"},
            },
            "template": {
                "metadata": {"labels": {"app": "wiremock"}},
                "spec": {
                    "containers": [
                        {
                            "name": "wiremock",
                            "image": "wiremock/wiremock:2.35.0",
                            "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                            "env": [{"name": "A", "value": "a"}, {"name": "KEEP", "value": "k"}],
                            "readinessProbe": {"httpGet": {"path": "/", "port": 8080}},
                            "terminationMessagePath": "/dev/termination-log",
                        }
                    ],
                    "volumes": [{"name": "m", "configMap": {"name": "cm", "defaultMode": 420}}],
                },
            },
        },
    }


def test_kubectl_apply_patch_from_reference() -> None:
    # docs/reference/kube-api-surface.md §6: the SMP kubectl sent for a changed Deployment.
    patch = {
        "spec": {
            "replicas": 2,
            "template": {
                "spec": {
                    "$setElementOrder/containers": [{"name": "wiremock"}, {"name": "sidecar"}],
                    "containers": [
                        {
                            "$setElementOrder/ports": [{"containerPort": 9090}],
                            "env": [{"name": "A", "value": "b"}],
                            "image": "wiremock/wiremock:3.0.0",
                            "name": "wiremock",
                            "ports": [{"containerPort": 9090}, {"$patch": "delete", "containerPort": 8080}],
                            "readinessProbe": None,
                        },
                        {"image": "busybox", "name": "sidecar"},
                    ],
                }
            },
        }
    }
    live = _live()
    out = strategic_merge_patch(live, patch, "Deployment")
    assert live == _live()  # not mutated
    spec = out["spec"]
    assert spec["replicas"] == 2
    containers = spec["template"]["spec"]["containers"]
    assert [c["name"] for c in containers] == ["wiremock", "sidecar"]
    main = containers[0]
    assert main["image"] == "wiremock/wiremock:3.0.0"
    assert main["ports"] == [{"containerPort": 9090}]
    assert main["env"] == [{"name": "A", "value": "b"}, {"name": "KEEP", "value": "k"}]
    assert "readinessProbe" not in main
    assert main["terminationMessagePath"] == "/dev/termination-log"  # server-set fields survive
    assert containers[1] == {"image": "busybox", "name": "sidecar"}
    assert spec["template"]["spec"]["volumes"] == _live()["spec"]["template"]["spec"]["volumes"]


def test_set_element_order_reorders_and_keeps_server_only_items() -> None:
    live = _live()
    live["spec"]["template"]["spec"]["containers"].append({"name": "b", "image": "b"})
    live["spec"]["template"]["spec"]["containers"].append({"name": "c", "image": "c"})
    patch = {
        "spec": {"template": {"spec": {"$setElementOrder/containers": [{"name": "c"}, {"name": "wiremock"}]}}}
    }
    out = strategic_merge_patch(live, patch, "Deployment")
    assert [c["name"] for c in out["spec"]["template"]["spec"]["containers"]] == ["c", "b", "wiremock"]


def test_patch_replace_and_delete_directives() -> None:
    live = _live()
    patch = {
        "spec": {
            "template": {"spec": {"containers": [{"$patch": "replace"}, {"name": "only", "image": "x"}]}}
        }
    }
    out = strategic_merge_patch(live, patch, "Deployment")
    assert out["spec"]["template"]["spec"]["containers"] == [{"name": "only", "image": "x"}]
    out = strategic_merge_patch(
        live, {"spec": {"strategy": {"$patch": "replace", "type": "Recreate"}}}, "Deployment"
    )
    assert out["spec"]["strategy"] == {"type": "Recreate"}
    out = strategic_merge_patch(live, {"metadata": {"labels": {"$patch": "delete"}}}, "Deployment")
    assert "labels" not in out["metadata"]
    out = strategic_merge_patch(
        live, {"spec": {"template": {"spec": {"volumes": [{"name": "m", "$patch": "delete"}]}}}}, "Deployment"
    )
    assert out["spec"]["template"]["spec"]["volumes"] == []


def test_retain_keys_clears_other_strategy_fields() -> None:
    patch = {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate", "rollingUpdate": None}}}
    out = strategic_merge_patch(_live(), patch, "Deployment")
    assert out["spec"]["strategy"] == {"type": "Recreate"}
    # volumes are merge,retainKeys: switching the source of a volume drops the old one
    patch2 = {
        "spec": {
            "template": {
                "spec": {"volumes": [{"name": "m", "$retainKeys": ["emptyDir", "name"], "emptyDir": {}}]}
            }
        }
    }
    out2 = strategic_merge_patch(_live(), patch2, "Deployment")
    assert out2["spec"]["template"]["spec"]["volumes"] == [{"name": "m", "emptyDir": {}}]


def test_primitive_lists_and_atomic_lists() -> None:
    out = strategic_merge_patch(_live(), {"metadata": {"finalizers": ["b"]}}, "Deployment")
    assert out["metadata"]["finalizers"] == ["a", "b"]
    out = strategic_merge_patch(
        _live(), {"metadata": {"$deleteFromPrimitiveList/finalizers": ["a"]}}, "Deployment"
    )
    assert out["metadata"]["finalizers"] == []
    live = _live()
    live["spec"]["template"]["spec"]["containers"][0]["args"] = ["--a", "--b"]
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "wiremock", "args": ["--verbose"]}]}}}}
    out = strategic_merge_patch(live, patch, "Deployment")
    assert out["spec"]["template"]["spec"]["containers"][0]["args"] == ["--verbose"]


def test_labels_map_merge_and_null_delete() -> None:
    out = strategic_merge_patch(_live(), {"metadata": {"labels": {"app": None, "tier": "x"}}}, "Deployment")
    assert out["metadata"]["labels"] == {"tier": "x"}


def test_configmap_data_merge() -> None:
    live = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "1", "b": "2"}}
    out = strategic_merge_patch(live, {"data": {"a": None, "c": "3"}}, "ConfigMap")
    assert out["data"] == {"b": "2", "c": "3"}


def test_smp_errors() -> None:
    with pytest.raises(PatchError, match="does not contain declared merge key: name"):
        strategic_merge_patch(
            _live(), {"spec": {"template": {"spec": {"containers": [{"image": "x"}]}}}}, "Deployment"
        )
    with pytest.raises(PatchError, match="Unknown patch type"):
        strategic_merge_patch(_live(), {"spec": {"$patch": "explode"}}, "Deployment")


def test_json_merge_patch_rfc7386_examples() -> None:
    original = {"a": "b", "c": {"d": "e", "f": "g"}}
    assert json_merge_patch(original, {"a": "z", "c": {"f": None}}) == {"a": "z", "c": {"d": "e"}}
    assert json_merge_patch({"a": [{"b": "c"}]}, {"a": [1]}) == {"a": [1]}
    assert json_merge_patch({"a": "foo"}, "bar") == "bar"
    assert json_merge_patch({}, {"a": {"bb": {"ccc": None}}}) == {"a": {"bb": {}}}


def test_json_patch_rfc6902() -> None:
    doc = {"metadata": {"labels": {"a/b": "1"}}, "spec": {"replicas": 1, "list": [1, 2]}}
    ops: list[dict[str, Any]] = [
        {"op": "replace", "path": "/spec/replicas", "value": 3},
        {"op": "add", "path": "/spec/list/-", "value": 3},
        {"op": "add", "path": "/spec/list/0", "value": 0},
        {"op": "remove", "path": "/metadata/labels/a~1b"},
        {"op": "copy", "from": "/spec/replicas", "path": "/spec/copied"},
        {"op": "move", "from": "/spec/copied", "path": "/spec/moved"},
        {"op": "test", "path": "/spec/moved", "value": 3},
    ]
    out = json_patch(doc, ops)
    assert out == {"metadata": {"labels": {}}, "spec": {"replicas": 3, "list": [0, 1, 2, 3], "moved": 3}}
    before = copy.deepcopy(doc)
    with pytest.raises(PatchError):
        json_patch(
            doc,
            [
                {"op": "replace", "path": "/spec/replicas", "value": 9},
                {"op": "test", "path": "/spec/replicas", "value": 1},
            ],
        )
    assert doc == before  # all or nothing
    with pytest.raises(PatchError):
        json_patch(doc, [{"op": "remove", "path": "/nope"}])
