"""StatefulSet controller decisions (sans-IO): names and identity, OrderedReady gated by
readiness, Parallel, reverse-order scale-down, claims before pods, RollingUpdate with a
partition, OnDelete, and the status `kubectl rollout status` reads."""

from __future__ import annotations

import copy
from typing import Any

from podlab.controllers.actions import CreateObject, DeleteObject, PatchObject, SetStatus
from podlab.controllers.statefulset import (
    CONTROLLERREVISIONS,
    PVCS,
    REVISION_LABEL,
    revision_data,
    revision_name,
    sync_statefulset,
)
from podlab.k8s import apply_defaults

from .world import T0

UID = "sts-uid"


def sts(replicas: int = 3, image: str = "nginx:1", **spec: Any) -> dict[str, Any]:
    status = spec.pop("status", {})
    obj = {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": "web", "namespace": "default", "uid": UID, "generation": 1},
        "spec": {
            "replicas": replicas,
            "serviceName": "web",
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "c", "image": image}]},
            },
            **spec,
        },
    }
    obj = apply_defaults(obj)
    obj["status"] = status
    return obj


def revision(s: dict[str, Any], number: int = 1) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "ControllerRevision",
        "metadata": {
            "name": revision_name(s),
            "namespace": "default",
            "ownerReferences": [{"uid": UID, "controller": True, "kind": "StatefulSet", "name": "web"}],
        },
        "data": revision_data(s),
        "revision": number,
    }


def pod(
    s: dict[str, Any], ordinal: int, *, ready: bool = True, rev: str | None = None, **meta: Any
) -> dict[str, Any]:
    name = f"web-{ordinal}"
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": "default",
            "uid": f"uid-{name}",
            "labels": {"app": "web", REVISION_LABEL: rev or revision_name(s)},
            "ownerReferences": [{"uid": UID, "controller": True, "kind": "StatefulSet", "name": "web"}],
            **meta,
        },
        "spec": {},
        "status": {
            "phase": "Running",
            "conditions": [{"type": "Ready", "status": "True" if ready else "False"}],
        },
    }


def creates(actions: list[Any], key: tuple[str, str] = ("", "pods")) -> list[dict[str, Any]]:
    return [a.obj for a in actions if isinstance(a, CreateObject) and a.key == key]


def deletes(actions: list[Any]) -> list[str]:
    return [a.name for a in actions if isinstance(a, DeleteObject)]


def status_of(actions: list[Any]) -> dict[str, Any]:
    return next(a.status for a in actions if isinstance(a, SetStatus))


def test_first_sync_writes_a_revision_and_creates_web_0_only() -> None:
    s = sts()
    actions = sync_statefulset(s, [], [], [], T0)
    (rev,) = creates(actions, CONTROLLERREVISIONS)
    assert rev["metadata"]["name"] == revision_name(s) and rev["revision"] == 1
    (created,) = creates(actions)
    m = created["metadata"]
    assert m["name"] == "web-0"
    assert m["labels"] == {
        "app": "web",
        "statefulset.kubernetes.io/pod-name": "web-0",
        "apps.kubernetes.io/pod-index": "0",
        REVISION_LABEL: revision_name(s),
    }
    assert created["spec"]["hostname"] == "web-0" and created["spec"]["subdomain"] == "web"
    event = next(a for a in actions if isinstance(a, CreateObject) and a.key == ("", "pods")).event
    assert event == ("SuccessfulCreate", "create Pod web-0 in StatefulSet web successful")


def test_ordered_ready_waits_for_web_0_to_be_ready() -> None:
    s = sts()
    revs = [revision(s)]
    assert creates(sync_statefulset(s, [pod(s, 0, ready=False)], revs, [], T0)) == []
    (created,) = creates(sync_statefulset(s, [pod(s, 0)], revs, [], T0))
    assert created["metadata"]["name"] == "web-1"


def test_parallel_creates_every_missing_pod_at_once() -> None:
    s = sts(podManagementPolicy="Parallel")
    names = [p["metadata"]["name"] for p in creates(sync_statefulset(s, [], [revision(s)], [], T0))]
    assert names == ["web-0", "web-1", "web-2"]


def test_scale_down_deletes_the_highest_ordinal_first_one_at_a_time() -> None:
    s = sts(replicas=1)
    pods = [pod(s, 0), pod(s, 1), pod(s, 2)]
    actions = sync_statefulset(s, pods, [revision(s)], [], T0)
    assert deletes(actions) == ["web-2"]
    event = next(a for a in actions if isinstance(a, DeleteObject)).event
    assert event == ("SuccessfulDelete", "delete Pod web-2 in StatefulSet web successful")
    pods[2]["metadata"]["deletionTimestamp"] = "2026-11-28T06:00:00Z"
    assert deletes(sync_statefulset(s, pods, [revision(s)], [], T0)) == []


def test_a_failed_pod_is_deleted_to_be_recreated() -> None:
    s = sts(replicas=1)
    failed = pod(s, 0)
    failed["status"]["phase"] = "Failed"
    assert deletes(sync_statefulset(s, [failed], [revision(s)], [], T0)) == ["web-0"]


def test_claims_are_created_before_their_pod_and_reused() -> None:
    template = {
        "metadata": {"name": "data"},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
    }
    s = sts(replicas=1, volumeClaimTemplates=[template])
    actions = sync_statefulset(s, [], [revision(s)], [], T0)
    keys = [a.key for a in actions if isinstance(a, CreateObject)]
    assert keys == [PVCS, ("", "pods")]
    (claim,) = creates(actions, PVCS)
    assert claim["metadata"]["name"] == "data-web-0"
    assert claim["metadata"]["labels"] == {"app": "web"}
    assert "ownerReferences" not in claim["metadata"]  # Retain/Retain
    event = next(a for a in actions if isinstance(a, CreateObject) and a.key == PVCS).event
    assert event == ("SuccessfulCreate", "create Claim data-web-0 Pod web-0 in StatefulSet web success")
    (created,) = creates(actions)
    assert {"name": "data", "persistentVolumeClaim": {"claimName": "data-web-0"}} in created["spec"][
        "volumes"
    ]
    existing = [{"metadata": {"name": "data-web-0", "namespace": "default"}}]
    assert creates(sync_statefulset(s, [], [revision(s)], existing, T0), PVCS) == []


def test_rolling_update_replaces_the_highest_ordinal_first_and_respects_the_partition() -> None:
    old = sts()
    new = sts(image="nginx:2")
    new["status"] = {"currentRevision": revision_name(old)}
    revs = [revision(old), revision(new, 2)]
    pods = [pod(old, i) for i in range(3)]
    assert deletes(sync_statefulset(new, pods, revs, [], T0)) == ["web-2"]
    pods[2] = pod(new, 2, ready=False)
    assert deletes(sync_statefulset(new, pods, revs, [], T0)) == []  # waits for Ready
    pods[2] = pod(new, 2)
    assert deletes(sync_statefulset(new, pods, revs, [], T0)) == ["web-1"]
    partitioned = copy.deepcopy(new)
    partitioned["spec"]["updateStrategy"]["rollingUpdate"]["partition"] = 2
    assert deletes(sync_statefulset(partitioned, pods, revs, [], T0)) == []
    status = status_of(sync_statefulset(partitioned, pods, revs, [], T0))
    assert status["updatedReplicas"] == 1 and status["currentReplicas"] == 2
    assert status["currentRevision"] == revision_name(old) and status["updateRevision"] == revision_name(new)


def test_below_the_partition_a_recreated_pod_keeps_the_current_revision() -> None:
    old = sts()
    new = sts(image="nginx:2", updateStrategy={"type": "RollingUpdate", "rollingUpdate": {"partition": 2}})
    new["status"] = {"currentRevision": revision_name(old)}
    revs = [revision(old), revision(new, 2)]
    (created,) = creates(sync_statefulset(new, [], revs, [], T0))
    assert created["metadata"]["labels"][REVISION_LABEL] == revision_name(old)
    assert created["spec"]["containers"][0]["image"] == "nginx:1"


def test_on_delete_never_deletes_for_an_update() -> None:
    old = sts()
    new = sts(image="nginx:2", updateStrategy={"type": "OnDelete"})
    new["status"] = {"currentRevision": revision_name(old)}
    pods = [pod(old, i) for i in range(3)]
    assert deletes(sync_statefulset(new, pods, [revision(old), revision(new, 2)], [], T0)) == []


def test_status_when_the_rollout_is_complete() -> None:
    s = sts()
    pods = [pod(s, i) for i in range(3)]
    status = status_of(sync_statefulset(s, pods, [revision(s)], [], T0))
    assert status == {
        "observedGeneration": 1,
        "replicas": 3,
        "readyReplicas": 3,
        "currentReplicas": 3,
        "updatedReplicas": 3,
        "currentRevision": revision_name(s),
        "updateRevision": revision_name(s),
        "collisionCount": 0,
        "availableReplicas": 3,
    }


def test_when_scaled_delete_gives_a_condemned_pods_claims_to_the_pod() -> None:
    template = {
        "metadata": {"name": "data"},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
    }
    s = sts(
        replicas=1,
        volumeClaimTemplates=[template],
        persistentVolumeClaimRetentionPolicy={"whenDeleted": "Delete", "whenScaled": "Delete"},
    )
    claims = [{"metadata": {"name": f"data-web-{i}", "namespace": "default"}} for i in range(2)]
    actions = sync_statefulset(s, [pod(s, 0), pod(s, 1)], [revision(s)], claims, T0)
    (patch,) = [a for a in actions if isinstance(a, PatchObject)]
    assert patch.name == "data-web-1"
    assert patch.merge == {
        "metadata": {
            "ownerReferences": [{"apiVersion": "v1", "kind": "Pod", "name": "web-1", "uid": "uid-web-1"}]
        }
    }
    assert deletes(actions) == ["web-1"]
    (claim,) = creates(sync_statefulset(s, [], [revision(s)], [], T0), PVCS)
    assert [r["kind"] for r in claim["metadata"]["ownerReferences"]] == ["StatefulSet"]  # whenDeleted


def test_a_rollback_makes_the_equivalent_revision_the_newest() -> None:
    old, new = sts(), sts(image="nginx:2")
    actions = sync_statefulset(old, [], [revision(old, 1), revision(new, 2)], [], T0)
    (bump,) = [a for a in actions if isinstance(a, PatchObject)]
    assert (
        bump.key == CONTROLLERREVISIONS and bump.name == revision_name(old) and bump.merge == {"revision": 3}
    )
