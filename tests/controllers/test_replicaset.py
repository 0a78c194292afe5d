"""ReplicaSet decisions: pod creation from the template, deletion ranking, status."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from podlab.controllers import (
    CreateObject,
    DeleteObject,
    PatchObject,
    SetStatus,
    pods_to_delete,
    sync_replicaset,
)

from .world import T0

RS: dict[str, Any] = {
    "apiVersion": "apps/v1",
    "kind": "ReplicaSet",
    "metadata": {"name": "web-7c5ddbdf54", "namespace": "default", "uid": "rs-uid", "generation": 2},
    "spec": {
        "replicas": 2,
        "minReadySeconds": 10,
        "selector": {"matchLabels": {"app": "web", "pod-template-hash": "7c5ddbdf54"}},
        "template": {
            "metadata": {
                "labels": {"app": "web", "pod-template-hash": "7c5ddbdf54"},
                "annotations": {"a": "b"},
            },
            "spec": {"containers": [{"name": "c", "image": "nginx"}]},
        },
    },
}


def _pod(
    name: str,
    *,
    phase: str = "Running",
    ready_since: float | None = None,
    created: float = 0,
    restarts: int = 0,
    **meta: Any,
) -> dict[str, Any]:
    conditions = []
    if ready_since is not None:
        conditions.append(
            {
                "type": "Ready",
                "status": "True",
                "lastTransitionTime": (T0 + timedelta(seconds=ready_since)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
        )
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": "default",
            "uid": f"uid-{name}",
            "labels": {"app": "web", "pod-template-hash": "7c5ddbdf54"},
            "creationTimestamp": (T0 + timedelta(seconds=created)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "ownerReferences": [
                {
                    "apiVersion": "apps/v1",
                    "kind": "ReplicaSet",
                    "name": "web-7c5ddbdf54",
                    "uid": "rs-uid",
                    "controller": True,
                }
            ],
            **meta,
        },
        "spec": {"nodeName": "podlab"},
        "status": {
            "phase": phase,
            "conditions": conditions,
            "containerStatuses": [{"name": "c", "restartCount": restarts}],
        },
    }


def test_creates_missing_pods_from_template() -> None:
    actions = sync_replicaset(RS, [], T0)
    creates = [a for a in actions if isinstance(a, CreateObject)]
    assert len(creates) == 2
    pod = creates[0].obj
    assert pod["metadata"]["generateName"] == "web-7c5ddbdf54-"
    assert pod["metadata"]["labels"] == {"app": "web", "pod-template-hash": "7c5ddbdf54"}
    assert pod["metadata"]["annotations"] == {"a": "b"}
    assert pod["metadata"]["ownerReferences"][0]["uid"] == "rs-uid"
    assert pod["spec"] == {"containers": [{"name": "c", "image": "nginx"}]}
    assert creates[0].event == ("SuccessfulCreate", "Created pod: {name}")
    status = next(a for a in actions if isinstance(a, SetStatus)).status
    assert status == {"replicas": 0, "observedGeneration": 2}


def test_ignores_pods_of_others_and_terminal_or_deleting_pods() -> None:
    stranger = _pod("x")
    stranger["metadata"]["ownerReferences"][0]["uid"] = "other"
    done = _pod("done", phase="Succeeded")
    deleting = _pod("bye", deletionTimestamp="2026-11-28T06:00:30Z")
    actions = sync_replicaset(RS, [stranger, done, deleting, _pod("a")], T0)
    assert sum(isinstance(a, CreateObject) for a in actions) == 1


def test_status_counts_ready_and_available_with_min_ready_seconds() -> None:
    pods = [_pod("a", ready_since=0), _pod("b", ready_since=-20)]
    status = next(
        a for a in sync_replicaset(RS, pods, T0 + timedelta(seconds=5)) if isinstance(a, SetStatus)
    ).status
    assert status == {
        "replicas": 2,
        "fullyLabeledReplicas": 2,
        "readyReplicas": 2,
        "availableReplicas": 1,
        "observedGeneration": 2,
    }
    rs = dict(RS, status=status)
    assert [a for a in sync_replicaset(rs, pods, T0 + timedelta(seconds=5)) if isinstance(a, SetStatus)] == []


def test_scale_down_deletes_least_valuable_pods_first() -> None:
    pods = [
        _pod("old-ready", ready_since=-3600, created=-4000),
        _pod("pending", phase="Pending", created=-10),
        _pod("unready", created=-3600),
        _pod("new-ready", ready_since=-5, created=-10),
    ]
    rs = dict(RS, spec=dict(RS["spec"], replicas=1))
    deletes = [a for a in sync_replicaset(rs, pods, T0) if isinstance(a, DeleteObject)]
    assert [a.name for a in deletes] == ["pending", "unready", "new-ready"]
    assert deletes[0].event == ("SuccessfulDelete", "Deleted pod: pending")


def test_ranking_rules() -> None:
    # unassigned < assigned
    unassigned = _pod("u", ready_since=-100)
    unassigned["spec"]["nodeName"] = ""
    assert [
        p["metadata"]["name"] for p in pods_to_delete([_pod("a", ready_since=-100), unassigned], 1, T0)
    ] == ["u"]
    # higher restart count goes first when ready since the same time
    a, b = _pod("a", ready_since=-100, restarts=0), _pod("b", ready_since=-100, restarts=5)
    assert [p["metadata"]["name"] for p in pods_to_delete([a, b], 1, T0)] == ["b"]
    # ready times in the same log2 bucket: the UID decides (LogarithmicScaleDown), not restarts
    a, b = _pod("a", ready_since=-100, restarts=0), _pod("b", ready_since=-101, restarts=5)
    assert [p["metadata"]["name"] for p in pods_to_delete([b, a], 1, T0)] == ["a"]
    # deletion cost annotation: lower cost first
    cheap = _pod("cheap", ready_since=-100, annotations={"controller.kubernetes.io/pod-deletion-cost": "-5"})
    assert [p["metadata"]["name"] for p in pods_to_delete([_pod("a", ready_since=-100), cheap], 1, T0)] == [
        "cheap"
    ]
    # ready for less time goes first (different log2 buckets)
    assert [
        p["metadata"]["name"]
        for p in pods_to_delete([_pod("long", ready_since=-10000), _pod("short", ready_since=-10)], 1, T0)
    ] == ["short"]


def test_adopts_matching_orphans_and_releases_mismatched_pods() -> None:
    orphan = _pod("orphan", ready_since=-100)
    orphan["metadata"]["ownerReferences"] = []
    relabelled = _pod("relabelled", ready_since=-100)
    relabelled["metadata"]["labels"] = {"app": "debug"}
    actions = sync_replicaset(RS, [orphan, relabelled], T0)
    patches = {a.name: a.merge for a in actions if isinstance(a, PatchObject)}
    assert patches["orphan"]["metadata"]["ownerReferences"][0]["uid"] == "rs-uid"
    assert patches["relabelled"] == {"metadata": {"ownerReferences": None}}
    # the orphan now counts; one more pod is needed for 2 replicas
    assert sum(isinstance(a, CreateObject) for a in actions) == 1
