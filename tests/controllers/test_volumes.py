"""Persistent-volume controller and local-path provisioner decisions (sans-IO): a claim waits
for its first consumer, a missing class is said in the PV controller's words, a selected node
provisions a pvc-<uid> hostPath volume bound to the claim, and a volume whose claim is gone is
Released and deleted with its directory (reclaim policy Delete)."""

from __future__ import annotations

from typing import Any

from podlab.controllers.actions import CreateObject, DeleteObject, PatchObject, RecordEvent, SetStatus
from podlab.controllers.volumes import (
    MakeDirectory,
    RemoveDirectory,
    release_claim,
    release_volume,
    sync_claim,
    sync_volume,
)
from podlab.k8s.storage_classes import standard_class
from podlab.kubelet.node_fit import volume_binding

from .world import T0

BASE = "/home/x/local-path-provisioner"
CLASSES = {"standard": standard_class()}


def claim(class_name: str | None = "standard", **annotations: str) -> dict[str, Any]:
    spec: dict[str, Any] = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}
    if class_name is not None:
        spec["storageClassName"] = class_name
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": "data", "namespace": "default", "uid": "u1", "annotations": annotations},
        "spec": spec,
        "status": {"phase": "Pending"},
    }


def events(actions: list[Any]) -> list[tuple[str, str, str]]:
    return [(a.type, a.reason, a.message) for a in actions if isinstance(a, RecordEvent)]


def test_a_claim_waits_for_its_first_consumer() -> None:
    assert events(sync_claim(claim(), CLASSES, [], BASE, T0)) == [
        ("Normal", "WaitForFirstConsumer", "waiting for first consumer to be created before binding")
    ]


def test_a_missing_class_is_a_provisioning_failure() -> None:
    actions = sync_claim(claim("nope"), CLASSES, [], BASE, T0)
    assert events(actions) == [
        ("Warning", "ProvisioningFailed", 'storageclass.storage.k8s.io "nope" not found')
    ]


def test_a_selected_node_provisions_and_binds() -> None:
    actions = sync_claim(claim(**{"volume.kubernetes.io/selected-node": "n1"}), CLASSES, [], BASE, T0)
    path = f"{BASE}/pvc-u1_default_data"
    assert MakeDirectory(path) in actions
    (pv,) = [a.obj for a in actions if isinstance(a, CreateObject)]
    assert pv["metadata"]["name"] == "pvc-u1"
    assert pv["metadata"]["annotations"] == {
        "pv.kubernetes.io/provisioned-by": "rancher.io/local-path",
        "local.path.provisioner/selected-node": "n1",
    }
    assert pv["spec"]["hostPath"] == {"path": path, "type": "DirectoryOrCreate"}
    assert pv["spec"]["claimRef"]["uid"] == "u1" and pv["spec"]["persistentVolumeReclaimPolicy"] == "Delete"
    (patch,) = [a for a in actions if isinstance(a, PatchObject)]
    assert patch.merge["spec"] == {"volumeName": "pvc-u1"}
    assert patch.merge["metadata"]["annotations"]["pv.kubernetes.io/bind-completed"] == "yes"
    (status,) = [a.status for a in actions if isinstance(a, SetStatus)]
    assert status == {"phase": "Bound", "accessModes": ["ReadWriteOnce"], "capacity": {"storage": "1Gi"}}
    assert [r for _, r, _ in events(actions)] == [
        "ExternalProvisioning",
        "Provisioning",
        "ProvisioningSucceeded",
    ]
    assert ("Normal", "ProvisioningSucceeded", "Successfully provisioned volume pvc-u1") in events(actions)


def test_a_volume_whose_claim_is_gone_is_released_and_deleted() -> None:
    actions = sync_claim(claim(**{"volume.kubernetes.io/selected-node": "n1"}), CLASSES, [], BASE, T0)
    (pv,) = [a.obj for a in actions if isinstance(a, CreateObject)]
    pv["metadata"]["uid"] = "pv-uid"
    bound = claim()
    bound["spec"]["volumeName"] = "pvc-u1"
    assert [a.status for a in sync_volume(pv, {"u1": bound}, T0)] == [{"phase": "Bound"}]  # type: ignore[union-attr]
    gone = sync_volume(pv, {}, T0)
    assert isinstance(gone[0], SetStatus) and gone[0].status == {"phase": "Released"}
    assert gone[1] == RemoveDirectory(f"{BASE}/pvc-u1_default_data")
    assert isinstance(gone[2], DeleteObject) and gone[2].name == "pvc-u1"
    pv["spec"]["persistentVolumeReclaimPolicy"] = "Retain"
    assert [type(a) for a in sync_volume(pv, {}, T0)] == [SetStatus]


def test_scheduler_volume_binding() -> None:
    pod = {
        "metadata": {"namespace": "default"},
        "spec": {"volumes": [{"name": "d", "persistentVolumeClaim": {"claimName": "data"}}]},
    }
    preemption = "preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling."
    assert volume_binding(pod, lambda ns, n: None, CLASSES.get) == (
        f'0/1 nodes are available: persistentvolumeclaim "data" not found. {preemption}',
        [],
    )
    waiting = claim()
    assert volume_binding(pod, lambda ns, n: waiting, CLASSES.get) == (None, [waiting])
    assert volume_binding(pod, lambda ns, n: claim("nope"), CLASSES.get) == (
        f"0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims. {preemption}",
        [],
    )
    bound = claim()
    bound["spec"]["volumeName"] = "pvc-u1"
    assert volume_binding(pod, lambda ns, n: bound, CLASSES.get) == (None, [])


def static_pv(name: str, size: str, class_name: str = "", **spec: Any) -> dict[str, Any]:
    return {
        "metadata": {"name": name, "uid": f"uid-{name}"},
        "spec": {
            "accessModes": ["ReadWriteOnce"],
            "capacity": {"storage": size},
            "storageClassName": class_name,
            "hostPath": {"path": f"/srv/{name}"},
            "persistentVolumeReclaimPolicy": "Retain",
            **spec,
        },
        "status": {"phase": "Available"},
    }


def test_a_claim_without_a_class_binds_the_smallest_volume_that_fits() -> None:
    volumes = [
        static_pv("big", "10Gi"),
        static_pv("small", "2Gi"),
        static_pv("tiny", "500Mi"),
        static_pv("other", "1Gi", "fast"),
    ]
    actions = sync_claim(claim(""), CLASSES, volumes, BASE, T0)
    pv_patch, pvc_patch, status = actions
    assert isinstance(pv_patch, PatchObject) and pv_patch.name == "small"
    assert pv_patch.merge["spec"]["claimRef"]["uid"] == "u1"
    assert isinstance(pvc_patch, PatchObject) and pvc_patch.merge["spec"] == {"volumeName": "small"}
    assert isinstance(status, SetStatus) and status.status["capacity"] == {"storage": "2Gi"}
    assert events(sync_claim(claim(""), CLASSES, [static_pv("tiny", "500Mi")], BASE, T0)) == [
        (
            "Normal",
            "FailedBinding",
            "no persistent volumes available for this claim and no storage class is set",
        )
    ]


def test_protection_finalizers_wait_for_the_last_user() -> None:
    deleting = claim()
    deleting["metadata"].update(
        deletionTimestamp="2026-11-28T06:00:00Z", finalizers=["kubernetes.io/pvc-protection"]
    )
    user = {
        "metadata": {"name": "p", "namespace": "default"},
        "spec": {"volumes": [{"name": "d", "persistentVolumeClaim": {"claimName": "data"}}]},
        "status": {"phase": "Running"},
    }
    assert release_claim(deleting, [user]) == []
    user["status"]["phase"] = "Succeeded"
    (patch,) = release_claim(deleting, [user])
    assert isinstance(patch, PatchObject) and patch.merge == {"metadata": {"finalizers": None}}
    pv = static_pv("v", "1Gi")
    pv["metadata"].update(
        deletionTimestamp="2026-11-28T06:00:00Z", finalizers=["kubernetes.io/pv-protection"]
    )
    pv["status"]["phase"] = "Bound"
    assert release_volume(pv) == []
    pv["status"]["phase"] = "Released"
    assert [a.name for a in release_volume(pv)] == ["v"]  # type: ignore[union-attr]
