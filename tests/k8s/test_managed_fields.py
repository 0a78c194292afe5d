"""Field sets, managedFields and server-side apply (k8s/fieldpaths.py, k8s/managed_fields.py).

Expected sets and messages are what kube-apiserver answers for the same requests (the
fieldsV1 shapes of `kubectl apply --server-side` and `kubectl run`, structured-merge-diff's
merge order, the conflict wording of the apiserver's fieldmanager conflict.go).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from podlab.k8s import fieldpaths, managed_fields
from podlab.k8s.managed_fields import ApplyConflict

NOW = "2026-12-07T10:00:00Z"
LATER = "2026-12-07T10:05:00Z"


def deployment(replicas: int = 2, **extra: Any) -> dict[str, Any]:
    container: dict[str, Any] = {"name": "app", "image": "busybox", "ports": [{"containerPort": 80}]}
    container.update(extra)
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [container]}},
        },
    }


def apply(live: dict[str, Any] | None, config: dict[str, Any], manager: str = "kubectl", **kw: Any) -> Any:
    return managed_fields.apply(
        live,
        config,
        kind="Deployment",
        api_version="apps/v1",
        manager=manager,
        force=kw.get("force", False),
        now=kw.get("now", NOW),
    )


def update(old: Any, new: Any, manager: str, kind: str = "Deployment", api_version: str = "apps/v1") -> Any:
    return managed_fields.record_update(
        old, new, kind=kind, api_version=api_version, manager=manager, subresource=None, now=NOW
    )


def entry(obj: dict[str, Any], manager: str) -> dict[str, Any]:
    return next(e for e in obj["metadata"]["managedFields"] if e["manager"] == manager)


def test_applied_set_encodes_as_kube_apiserver_does() -> None:
    obj = apply(None, deployment())
    (only,) = obj["metadata"]["managedFields"]
    assert {k: only[k] for k in ("manager", "operation", "apiVersion", "time", "fieldsType")} == {
        "manager": "kubectl",
        "operation": "Apply",
        "apiVersion": "apps/v1",
        "time": NOW,
        "fieldsType": "FieldsV1",
    }
    # Maps own their keys only; list items own themselves ("."); the selector is atomic; container
    # ports are keyed by containerPort and the defaulted protocol.
    assert only["fieldsV1"] == {
        "f:metadata": {"f:labels": {"f:app": {}}},
        "f:spec": {
            "f:replicas": {},
            "f:selector": {},
            "f:template": {
                "f:metadata": {"f:labels": {"f:app": {}}},
                "f:spec": {
                    "f:containers": {
                        'k:{"name":"app"}': {
                            ".": {},
                            "f:image": {},
                            "f:name": {},
                            "f:ports": {
                                'k:{"containerPort":80,"protocol":"TCP"}': {".": {}, "f:containerPort": {}}
                            },
                        }
                    }
                },
            },
        },
    }


def test_update_on_create_owns_what_the_zero_object_lacks() -> None:
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "web", "labels": {"run": "web"}},
        "spec": {
            "containers": [{"name": "web", "image": "busybox", "resources": {}}],
            "restartPolicy": "Always",
            "securityContext": {},
        },
        "status": {"phase": "Pending"},
    }
    out = update(None, pod, "kubectl-run", kind="Pod", api_version="v1")
    (only,) = out["metadata"]["managedFields"]
    assert only["operation"] == "Update"
    assert only["fieldsV1"] == {
        "f:metadata": {"f:labels": {".": {}, "f:run": {}}},
        "f:spec": {
            "f:containers": {'k:{"name":"web"}': {".": {}, "f:image": {}, "f:name": {}, "f:resources": {}}},
            "f:restartPolicy": {},
            "f:securityContext": {},
        },
    }


def test_conflict_with_an_updater_names_it_with_its_api_version() -> None:
    live = update(None, deployment(2), "kubectl-client-side-apply")
    with pytest.raises(ApplyConflict) as err:
        apply(copy.deepcopy(live), deployment(3))
    assert str(err.value) == (
        'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas'
    )
    assert err.value.causes() == [
        {
            "type": "FieldManagerConflict",
            "message": 'conflict with "kubectl-client-side-apply" using apps/v1',
            "field": ".spec.replicas",
        }
    ]


def test_several_conflicts_are_listed_by_manager() -> None:
    live = apply(None, deployment(2), manager="ci")
    with pytest.raises(ApplyConflict) as err:
        apply(live, deployment(3, image="nginx"), manager="kubectl")
    assert str(err.value) == (
        'Apply failed with 2 conflicts: conflicts with "ci":\n'
        "- .spec.replicas\n"
        '- .spec.template.spec.containers[name="app"].image'
    )


def test_same_value_is_shared_and_force_takes_over() -> None:
    live = apply(None, deployment(2), manager="ci")
    shared = apply(copy.deepcopy(live), deployment(2), manager="kubectl")
    assert entry(shared, "ci")["fieldsV1"]["f:spec"]["f:replicas"] == {}
    assert entry(shared, "kubectl")["fieldsV1"]["f:spec"]["f:replicas"] == {}
    forced = apply(copy.deepcopy(shared), deployment(5), manager="kubectl", force=True, now=LATER)
    assert forced["spec"]["replicas"] == 5
    assert "f:replicas" not in entry(forced, "ci")["fieldsV1"]["f:spec"]
    assert entry(forced, "kubectl")["time"] == LATER


def test_fields_dropped_from_the_config_are_removed_unless_someone_else_owns_them() -> None:
    live = apply(None, deployment(2, command=["sleep", "1"]))
    dropped = deployment(2)
    del dropped["metadata"]["labels"]
    out = apply(copy.deepcopy(live), dropped, now=LATER)
    assert "labels" not in out["metadata"]
    assert "command" not in out["spec"]["template"]["spec"]["containers"][0]
    # A label another manager also owns stays (shared ownership).
    both = update(copy.deepcopy(live), _with_label(live, "team", "a"), "kubectl-label")
    assert "f:team" in entry(both, "kubectl-label")["fieldsV1"]["f:metadata"]["f:labels"]
    out = apply(copy.deepcopy(both), dropped, now=LATER)
    assert out["metadata"]["labels"] == {"team": "a"}


def _with_label(obj: dict[str, Any], key: str, value: str) -> dict[str, Any]:
    out = copy.deepcopy(obj)
    out["metadata"]["labels"][key] = value
    return out


def test_an_update_takes_the_fields_it_changes() -> None:
    live = apply(None, deployment(2))
    scaled = copy.deepcopy(live)
    scaled["spec"]["replicas"] = 4
    out = managed_fields.record_update(
        live,
        scaled,
        kind="Deployment",
        api_version="apps/v1",
        manager="kubectl",
        subresource="scale",
        now=LATER,
    )
    scale = next(e for e in out["metadata"]["managedFields"] if e.get("subresource") == "scale")
    assert scale["fieldsV1"] == {"f:spec": {"f:replicas": {}}}
    assert scale["operation"] == "Update"
    with pytest.raises(ApplyConflict) as err:
        apply(out, deployment(2))
    assert str(err.value) == (
        'Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using apps/v1: .spec.replicas'
    )


def test_untracked_objects_stay_untracked_until_applied() -> None:
    live = deployment(2)
    changed = deployment(3)
    assert "managedFields" not in update(live, changed, "kubectl-edit")["metadata"]
    out = apply(live, deployment(2))
    assert {e["manager"] for e in out["metadata"]["managedFields"]} == {"before-first-apply", "kubectl"}


def test_merge_keeps_server_only_items_in_place() -> None:
    desc = fieldpaths.root("Deployment")
    live = {"spec": {"template": {"spec": {"containers": [{"name": "a"}, {"name": "b", "image": "x"}]}}}}
    config = {"spec": {"template": {"spec": {"containers": [{"name": "b", "image": "y"}, {"name": "c"}]}}}}
    merged = fieldpaths.merge(live, config, desc)
    assert merged["spec"]["template"]["spec"]["containers"] == [
        {"name": "a"},
        {"name": "b", "image": "y"},
        {"name": "c"},
    ]


def test_fields_v1_round_trip_and_path_strings() -> None:
    tree = {
        "f:metadata": {"f:finalizers": {".": {}, 'v:"a"': {}}},
        "f:spec": {"f:ports": {'k:{"port":80,"protocol":"TCP"}': {".": {}, "f:port": {}}}},
    }
    paths = fieldpaths.from_fields_v1(tree)
    assert fieldpaths.to_fields_v1(paths) == tree
    strings = sorted(fieldpaths.path_string(p) for p in paths)
    assert strings == [
        ".metadata.finalizers",
        '.metadata.finalizers[="a"]',
        '.spec.ports[port=80,protocol="TCP"]',
        '.spec.ports[port=80,protocol="TCP"].port',
    ]


def test_item_without_its_key_is_refused() -> None:
    config = deployment(2)
    del config["spec"]["template"]["spec"]["containers"][0]["name"]
    with pytest.raises(fieldpaths.FieldPathError) as err:
        apply(None, config)
    assert str(err.value) == (
        ".spec.template.spec.containers: element 0: associative list with keys has an element that omits key "
        'field "name" (and doesn\'t have default value)'
    )


def test_a_config_repeating_an_item_is_refused() -> None:
    config = deployment(2, env=[{"name": "FOO", "value": "1"}, {"name": "FOO", "value": "2"}])
    with pytest.raises(fieldpaths.FieldPathError) as err:
        apply(None, config)
    assert (
        str(err.value)
        == '.spec.template.spec.containers[name="app"].env: duplicate entries for key [name="FOO"]'
    )


def test_what_admission_adds_on_create_is_nobodys() -> None:
    sent = {
        "kind": "Pod",
        "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "c", "image": "busybox"}]},
    }
    stored = copy.deepcopy(sent)
    stored["spec"].update(
        serviceAccountName="default", priority=0, tolerations=[{"key": "k", "operator": "Exists"}]
    )
    out = managed_fields.record_update(
        None,
        stored,
        kind="Pod",
        api_version="v1",
        manager="kubectl-run",
        subresource=None,
        now=NOW,
        sent=sent,
    )
    assert set(out["metadata"]["managedFields"][0]["fieldsV1"]["f:spec"]) == {"f:containers"}


# structured-merge-diff typed/merge_test.go (live, config, merged): its set-list cases on
# metadata.finalizers (a set), its two-key associative-list cases on container ports (keys
# containerPort and protocol; its key "a"/"b"/"c" spelt as protocols, its id as the port).
SET_CASES = [
    ("abc", "ab", "abc"),
    ("ab", "abc", "abc"),
    ("abc", "", "abc"),
    ("", "abc", "abc"),
    ("ab", "ba", "ba"),
    ("abc", "def", "abcdef"),
    ("abc", "cdef", "abcdef"),
    ("abcgf", "cdef", "abcgdef"),
    ("abc", "defxyz", "abcdefxyz"),
    ("cdef", "ace", "acdef"),
    ("abcxyz", "def", "abcxyzdef"),
    ("abcxyz", "defxyz", "abcdefxyz"),
    ("cagf", "cfag", "cfag"),
    ("abcd", "defa", "bcdefa"),
    ("cdefghij", "2h3e4kl", "cdfg2hij3e4kl"),
    ("abcdefghij", "1b2h3e4kl", "a1bcdfg2hij3e4kl"),
]


@pytest.mark.parametrize(("live", "config", "merged"), SET_CASES)
def test_set_merge_order_as_structured_merge_diff(live: str, config: str, merged: str) -> None:
    desc = fieldpaths.root("Pod")
    out = fieldpaths.merge(
        {"metadata": {"finalizers": list(live)}}, {"metadata": {"finalizers": list(config)}}, desc
    )
    assert "".join(out["metadata"]["finalizers"]) == merged


PROTOCOL = {"a": "TCP", "b": "UDP", "c": "SCTP"}
KEYED_CASES = [
    ("a1", "a1", "a1"),
    ("a1", "a2", "a1 a2"),
    ("a1 b1", "a1 a2", "a1 b1 a2"),
    ("b2", "a1 b2 c3", "a1 b2 c3"),
    ("a1 b2 c3", "c3 b2", "a1 c3 b2"),
    ("a1 b2 c3", "c3 a1", "b2 c3 a1"),
]


def _ports(spec: str) -> list[dict[str, Any]]:
    return [{"containerPort": int(item[1]), "protocol": PROTOCOL[item[0]]} for item in spec.split()]


@pytest.mark.parametrize(("live", "config", "merged"), KEYED_CASES)
def test_keyed_merge_order_as_structured_merge_diff(live: str, config: str, merged: str) -> None:
    desc = fieldpaths.root("Pod")

    def pod(spec: str) -> dict[str, Any]:
        return {"spec": {"containers": [{"name": "c", "ports": _ports(spec)}]}}

    out = fieldpaths.merge(pod(live), pod(config), desc)
    assert out["spec"]["containers"][0]["ports"] == _ports(merged)


def test_an_update_moves_its_time_only_when_it_changes_something() -> None:
    live = update(None, deployment(2), "kubectl-create")
    same = managed_fields.record_update(
        live,
        copy.deepcopy(live),
        kind="Deployment",
        api_version="apps/v1",
        manager="kubectl-create",
        subresource=None,
        now=LATER,
    )
    assert entry(same, "kubectl-create")["time"] == NOW
    scaled = copy.deepcopy(live)
    scaled["spec"]["replicas"] = 5
    out = managed_fields.record_update(
        live,
        scaled,
        kind="Deployment",
        api_version="apps/v1",
        manager="kubectl-create",
        subresource=None,
        now=LATER,
    )
    assert entry(out, "kubectl-create")["time"] == LATER


def test_update_managers_are_capped_at_ten() -> None:
    obj: dict[str, Any] = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {}}
    obj = managed_fields.record_update(
        None,
        obj,
        kind="ConfigMap",
        api_version="v1",
        manager="m00",
        subresource=None,
        now="2026-12-07T10:00:00Z",
    )
    for i in range(1, 12):
        new = copy.deepcopy(obj)
        new["data"][f"k{i:02}"] = "v"
        obj = managed_fields.record_update(
            obj,
            new,
            kind="ConfigMap",
            api_version="v1",
            manager=f"m{i:02}",
            subresource=None,
            now=f"2026-12-07T10:{i:02}:00Z",
        )
    managers = [e["manager"] for e in obj["metadata"]["managedFields"]]
    assert len(managers) == 10
    # The three oldest (m00 owns the empty data it created) merge into one bucket with the
    # newest of their times; the other nine stay.
    assert managers == ["ancient-changes", *(f"m{i:02}" for i in range(3, 12))]
    ancient = entry(obj, "ancient-changes")
    assert ancient["fieldsV1"] == {"f:data": {".": {}, "f:k01": {}, "f:k02": {}}}
    assert ancient["time"] == "2026-12-07T10:02:00Z"
