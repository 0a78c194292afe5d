"""The persistent-volume controller and rancher's local-path provisioner, as kind runs them (k8s
pkg/controller/volume/persistentvolume/pv_controller.go; rancher/local-path-provisioner
provisioner.go; sig-storage-lib-external-provisioner controller.go), sans-IO.

A claim of a `WaitForFirstConsumer` class stays Pending until the scheduler names the node in its
`volume.kubernetes.io/selected-node` annotation; then a directory `<base>/pvc-<uid>_<ns>_<name>`
is provisioned as a hostPath PersistentVolume `pvc-<uid>` bound to the claim. When the claim is
gone the volume is Released and, with reclaim policy Delete, removed with its directory.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from podlab.controllers.actions import Action, CreateObject, DeleteObject, PatchObject, RecordEvent, SetStatus
from podlab.controllers.util import Obj, meta, name_of, namespace_of, uid_of
from podlab.k8s.storage_classes import LOCAL_PATH

PVCS = ("", "persistentvolumeclaims")
PVS = ("", "persistentvolumes")
PV_COMPONENT = "persistentvolume-controller"
PROVISIONER_COMPONENT = f"{LOCAL_PATH}_local-path-provisioner"
SELECTED_NODE = "volume.kubernetes.io/selected-node"
STORAGE_PROVISIONER = "volume.kubernetes.io/storage-provisioner"
BETA_STORAGE_PROVISIONER = "volume.beta.kubernetes.io/storage-provisioner"
WAITING = "waiting for first consumer to be created before binding"
EXTERNAL = (
    "Waiting for a volume to be created either by the external provisioner '{p}' or manually by the "
    "system administrator. If volume creation is delayed, please verify that the provisioner is "
    "running and correctly registered."
)


@dataclass(frozen=True, slots=True)
class MakeDirectory:
    """mkdir -m 0777 -p (the provisioner's setup script)."""

    path: str


@dataclass(frozen=True, slots=True)
class RemoveDirectory:
    """rm -rf (the provisioner's teardown script)."""

    path: str


VolumeAction = Action | MakeDirectory | RemoveDirectory


def volume_name(pvc: Obj) -> str:
    return f"pvc-{uid_of(pvc)}"


def volume_path(base: str, pvc: Obj) -> str:
    """lpp provisioner.go: `<base>/<pvName>_<namespace>_<pvcName>`."""
    return f"{base}/{volume_name(pvc)}_{namespace_of(pvc)}_{name_of(pvc)}"


def _event(obj: Obj, type_: str, reason: str, message: str, component: str = PV_COMPONENT) -> RecordEvent:
    return RecordEvent(obj, type_, reason, message, component)


def sync_claim(pvc: Obj, classes: dict[str, Obj], base: str, now: datetime) -> list[VolumeAction]:
    """One Pending claim: wait, say why, or provision and bind it."""
    spec = pvc.get("spec") or {}
    if meta(pvc).get("deletionTimestamp") or spec.get("volumeName"):
        return []
    class_name = spec.get("storageClassName")
    if not class_name:
        return []  # static binding only: no class, no provisioning
    sc = classes.get(class_name)
    if sc is None:
        message = f'storageclass.storage.k8s.io "{class_name}" not found'
        return [_event(pvc, "Warning", "ProvisioningFailed", message)]
    annotations = meta(pvc).get("annotations") or {}
    node = annotations.get(SELECTED_NODE)
    if sc.get("volumeBindingMode") == "WaitForFirstConsumer" and not node:
        return [_event(pvc, "Normal", "WaitForFirstConsumer", WAITING)]
    provisioner = str(sc.get("provisioner", ""))
    out: list[VolumeAction] = [_event(pvc, "Normal", "ExternalProvisioning", EXTERNAL.format(p=provisioner))]
    if provisioner != LOCAL_PATH:
        return out
    modes = list(spec.get("accessModes") or [])
    if any(m not in ("ReadWriteOnce", "ReadWriteOncePod") for m in modes):
        message = f'failed to provision volume with StorageClass "{class_name}": NodePath only supports ReadWriteOnce and ReadWriteOncePod (1.22+) access modes'
        return [*out, _event(pvc, "Warning", "ProvisioningFailed", message, PROVISIONER_COMPONENT)]
    name = volume_name(pvc)
    path = volume_path(base, pvc)
    storage = str(((spec.get("resources") or {}).get("requests") or {}).get("storage", ""))
    pv_annotations = {"pv.kubernetes.io/provisioned-by": LOCAL_PATH}
    if node:
        pv_annotations["local.path.provisioner/selected-node"] = node
    pv_spec: Obj = {
        "accessModes": modes,
        "capacity": {"storage": storage},
        "claimRef": {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "name": name_of(pvc),
            "namespace": namespace_of(pvc),
            "resourceVersion": str(meta(pvc).get("resourceVersion", "")),
            "uid": uid_of(pvc),
        },
        "hostPath": {"path": path, "type": "DirectoryOrCreate"},
        "persistentVolumeReclaimPolicy": sc.get("reclaimPolicy") or "Delete",
        "storageClassName": class_name,
        "volumeMode": spec.get("volumeMode") or "Filesystem",
    }
    if node:
        pv_spec["nodeAffinity"] = {
            "required": {
                "nodeSelectorTerms": [
                    {
                        "matchExpressions": [
                            {"key": "kubernetes.io/hostname", "operator": "In", "values": [node]}
                        ]
                    }
                ]
            }
        }
    pv = {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": {"name": name, "annotations": pv_annotations},
        "spec": pv_spec,
    }
    claim_ref = f"{namespace_of(pvc)}/{name_of(pvc)}"
    return [
        *out,
        _event(
            pvc,
            "Normal",
            "Provisioning",
            f'External provisioner is provisioning volume for claim "{claim_ref}"',
            PROVISIONER_COMPONENT,
        ),
        MakeDirectory(path),
        CreateObject(PVS, pv, component=PROVISIONER_COMPONENT),
        _event(
            pvc,
            "Normal",
            "ProvisioningSucceeded",
            f"Successfully provisioned volume {name}",
            PROVISIONER_COMPONENT,
        ),
        PatchObject(
            PVCS,
            namespace_of(pvc),
            name_of(pvc),
            {
                "metadata": {
                    "annotations": {
                        "pv.kubernetes.io/bind-completed": "yes",
                        "pv.kubernetes.io/bound-by-controller": "yes",
                        STORAGE_PROVISIONER: provisioner,
                        BETA_STORAGE_PROVISIONER: provisioner,
                    }
                },
                "spec": {"volumeName": name},
            },
        ),
        SetStatus(
            PVCS,
            namespace_of(pvc),
            name_of(pvc),
            {"phase": "Bound", "accessModes": modes, "capacity": {"storage": storage}},
        ),
    ]


def sync_volume(pv: Obj, claims: dict[str, Obj], now: datetime) -> list[VolumeAction]:
    """One volume: Bound while its claim exists; Released when it is gone, then, with reclaim
    policy Delete, deleted with its directory (the provisioner's teardown)."""
    if meta(pv).get("deletionTimestamp"):
        return []
    spec = pv.get("spec") or {}
    phase = (pv.get("status") or {}).get("phase")
    ref = spec.get("claimRef") or {}
    claim = claims.get(str(ref.get("uid", ""))) if ref else None
    if ref and claim is not None and (claim.get("spec") or {}).get("volumeName") == name_of(pv):
        return [] if phase == "Bound" else [SetStatus(PVS, "", name_of(pv), {"phase": "Bound"})]
    if not ref:
        return [] if phase == "Available" else [SetStatus(PVS, "", name_of(pv), {"phase": "Available"})]
    if claim is not None:
        return []  # provisioned, the claim's binding not yet written
    out: list[VolumeAction] = []
    if phase != "Released":
        out.append(SetStatus(PVS, "", name_of(pv), {"phase": "Released"}))
    if spec.get("persistentVolumeReclaimPolicy") == "Delete":
        path = (spec.get("hostPath") or spec.get("local") or {}).get("path")
        provisioned = (meta(pv).get("annotations") or {}).get("pv.kubernetes.io/provisioned-by") == LOCAL_PATH
        if path and provisioned:
            out.append(RemoveDirectory(str(path)))
        out.append(DeleteObject(PVS, "", name_of(pv), uid=uid_of(pv), component=PV_COMPONENT))
    return out
