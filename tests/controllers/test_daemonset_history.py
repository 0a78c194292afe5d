"""A DaemonSet's ControllerRevisions, sans-IO (pkg/controller/daemon/update.go)."""

from __future__ import annotations

from typing import Any

from podlab.controllers.actions import CreateObject, DeleteObject, PatchObject
from podlab.controllers.daemonset_history import history_actions, revision_data

Obj = dict[str, Any]


def ds(limit: int | None = None) -> Obj:
    spec: Obj = {"template": {"metadata": {"labels": {"app": "a"}}, "spec": {"containers": [{"name": "c"}]}}}
    if limit is not None:
        spec["revisionHistoryLimit"] = limit
    return {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": "agent", "namespace": "default", "uid": "u1", "annotations": {"note": "x"}},
        "spec": spec,
    }


def revision(hash_: str, number: int) -> Obj:
    return {
        "metadata": {
            "name": f"agent-{hash_}",
            "namespace": "default",
            "uid": f"r{number}",
            "labels": {"controller-revision-hash": hash_},
            "ownerReferences": [{"uid": "u1", "kind": "DaemonSet", "name": "agent", "controller": True}],
        },
        "revision": number,
    }


def test_first_revision_snapshots_the_template() -> None:
    (create,) = history_actions(ds(), [], "h1", [])
    assert isinstance(create, CreateObject)
    obj = create.obj
    assert obj["metadata"]["name"] == "agent-h1" and obj["revision"] == 1
    assert obj["metadata"]["labels"] == {"app": "a", "controller-revision-hash": "h1"}
    assert obj["metadata"]["annotations"] == {"note": "x"}
    assert obj["metadata"]["ownerReferences"][0]["uid"] == "u1"
    assert obj["data"] == revision_data(ds())
    assert list(obj["data"]["spec"]["template"]) == ["$patch", "metadata", "spec"]  # Go's sorted keys


def test_rollback_renumbers_and_old_revisions_are_trimmed() -> None:
    assert history_actions(ds(), [revision("h1", 1), revision("h2", 2)], "h1", []) == [
        PatchObject(("apps", "controllerrevisions"), "default", "agent-h1", {"revision": 3})
    ]
    many = [revision(f"h{i}", i) for i in range(1, 5)]
    running = [{"metadata": {"labels": {"controller-revision-hash": "h1"}}}]
    out = history_actions(ds(limit=1), many, "h4", running)
    # h1 still runs a pod; of h2 and h3 only the newest one stays.
    assert out == [DeleteObject(("apps", "controllerrevisions"), "default", "agent-h2", uid="r2")]
