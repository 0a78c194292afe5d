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
from podlab.k8s.quantity import parse_quantity
from podlab.k8s.selectors import selector_matches
from podlab.k8s.storage_classes import LOCAL_PATH, PV_PROTECTION, PVC_PROTECTION

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


def _quantity(value: object) -> float:
    try:
        return float(parse_quantity(str(value)))
    except ValueError:
        return 0.0


def _claimed_by(pv: Obj, pvc: Obj) -> bool:
    ref = (pv.get("spec") or {}).get("claimRef") or {}
    if not ref:
        return False
    same = ref.get("name") == name_of(pvc) and ref.get("namespace") == namespace_of(pvc)
    return same and ref.get("uid") in (None, "", uid_of(pvc))


def find_volume(pvc: Obj, volumes: list[Obj]) -> Obj | None:
    """findMatchingVolume (pv_controller / persistentvolume index.go): an Available volume of the
    claim's class and mode, with its access modes and at least its storage, matching its
    selector; one pre-bound to this claim first, then the smallest."""
    spec = pvc.get("spec") or {}
    want = _quantity(((spec.get("resources") or {}).get("requests") or {}).get("storage", "0"))
    modes = set(spec.get("accessModes") or [])
    candidates: list[tuple[int, float, Obj]] = []
    for pv in volumes:
        pv_spec = pv.get("spec") or {}
        if meta(pv).get("deletionTimestamp"):
            continue
        prebound = _claimed_by(pv, pvc)
        if pv_spec.get("claimRef") and not prebound:
            continue
        if (pv_spec.get("storageClassName") or "") != (spec.get("storageClassName") or ""):
            continue
        if (pv_spec.get("volumeMode") or "Filesystem") != (spec.get("volumeMode") or "Filesystem"):
            continue
        if not modes <= set(pv_spec.get("accessModes") or []):
            continue
        size = _quantity((pv_spec.get("capacity") or {}).get("storage", "0"))
        selector = spec.get("selector")
        if size < want or (
            selector is not None and not selector_matches(selector, meta(pv).get("labels") or {})
        ):
            continue
        candidates.append((0 if prebound else 1, size, pv))
    if not candidates:
        return None
    return min(candidates, key=lambda c: (c[0], c[1]))[2]


def bind(pvc: Obj, pv: Obj) -> list[VolumeAction]:
    """bindVolumeToClaim then bindClaimToVolume, and the claim's status."""
    pv_spec = pv.get("spec") or {}
    claim_ref = {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "name": name_of(pvc),
        "namespace": namespace_of(pvc),
        "resourceVersion": str(meta(pvc).get("resourceVersion", "")),
        "uid": uid_of(pvc),
    }
    return [
        PatchObject(
            PVS,
            "",
            name_of(pv),
            {
                "metadata": {"annotations": {"pv.kubernetes.io/bound-by-controller": "yes"}},
                "spec": {"claimRef": claim_ref},
            },
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
                    }
                },
                "spec": {"volumeName": name_of(pv)},
            },
        ),
        SetStatus(
            PVCS,
            namespace_of(pvc),
            name_of(pvc),
            {
                "phase": "Bound",
                "accessModes": list(pv_spec.get("accessModes") or []),
                "capacity": dict(pv_spec.get("capacity") or {}),
            },
        ),
    ]


def sync_claim(
    pvc: Obj, classes: dict[str, Obj], volumes: list[Obj], base: str, now: datetime
) -> list[VolumeAction]:
    """One Pending claim: bind it to a volume that fits, or wait, say why, or provision one."""
    spec = pvc.get("spec") or {}
    if meta(pvc).get("deletionTimestamp"):
        return []
    if spec.get("volumeName"):
        # Named by the user (or bound by us, the status not yet written): bind to that volume.
        named = next((v for v in volumes if name_of(v) == spec["volumeName"]), None)
        if named is None or ((named.get("spec") or {}).get("claimRef") and not _claimed_by(named, pvc)):
            return []
        return bind(pvc, named)
    class_name = spec.get("storageClassName") or ""
    sc = classes.get(class_name) if class_name else None
    annotations = meta(pvc).get("annotations") or {}
    node = annotations.get(SELECTED_NODE)
    delayed = sc is not None and sc.get("volumeBindingMode") == "WaitForFirstConsumer"
    if not delayed or node:
        match = find_volume(pvc, volumes)
        if match is not None:
            return bind(pvc, match)
    if not class_name:
        message = "no persistent volumes available for this claim and no storage class is set"
        return [_event(pvc, "Normal", "FailedBinding", message)]
    if sc is None:
        message = f'storageclass.storage.k8s.io "{class_name}" not found'
        return [_event(pvc, "Warning", "ProvisioningFailed", message)]
    if delayed and not node:
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


def _without(obj: Obj, key: tuple[str, str], finalizer: str) -> PatchObject:
    kept = [f for f in meta(obj).get("finalizers") or [] if f != finalizer]
    return PatchObject(key, namespace_of(obj), name_of(obj), {"metadata": {"finalizers": kept or None}})


def release_claim(pvc: Obj, pods: list[Obj]) -> list[Action]:
    """The pvc-protection controller: a claim being deleted loses its finalizer once no pod of
    its namespace that has not finished uses it."""
    if not meta(pvc).get("deletionTimestamp") or PVC_PROTECTION not in (meta(pvc).get("finalizers") or []):
        return []
    for pod in pods:
        if namespace_of(pod) != namespace_of(pvc):
            continue
        if (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
            continue
        for volume in (pod.get("spec") or {}).get("volumes") or []:
            if (volume.get("persistentVolumeClaim") or {}).get("claimName") == name_of(pvc):
                return []
    return [_without(pvc, PVCS, PVC_PROTECTION)]


def release_volume(pv: Obj) -> list[Action]:
    """The pv-protection controller: a volume being deleted loses its finalizer once unbound."""
    if not meta(pv).get("deletionTimestamp") or PV_PROTECTION not in (meta(pv).get("finalizers") or []):
        return []
    if (pv.get("status") or {}).get("phase") == "Bound":
        return []
    return [_without(pv, PVS, PV_PROTECTION)]
