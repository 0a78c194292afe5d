"""PersistentVolumeClaim, PersistentVolume and StorageClass validation (k8s
pkg/apis/core/validation/validation.go ValidatePersistentVolumeClaim(Update),
ValidatePersistentVolume; pkg/apis/storage/validation/validation.go ValidateStorageClass(Update))."""

from __future__ import annotations

import copy

from podlab.k8s import errors as fe
from podlab.k8s.errors import FieldError, Obj
from podlab.k8s.validation_statefulset import ACCESS_MODES, validate_claim_spec

RECLAIM_POLICIES = ["Delete", "Retain"]
PV_RECLAIM_POLICIES = ["Delete", "Recycle", "Retain"]
BINDING_MODES = ["Immediate", "WaitForFirstConsumer"]
VOLUME_MODES = ["Block", "Filesystem"]
PVC_IMMUTABLE = "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims"
_PV_SOURCES = (
    "hostPath", "local", "nfs", "csi", "iscsi", "fc", "rbd", "cephfs", "cinder", "glusterfs",
    "flexVolume", "azureFile", "azureDisk", "vsphereVolume", "quobyte", "photonPersistentDisk",
    "portworxVolume", "scaleIO", "storageos", "gcePersistentDisk", "awsElasticBlockStore", "flocker",
)  # fmt: skip


def validate_pvc(obj: Obj, old: Obj | None) -> list[FieldError]:
    raw = obj.get("spec")
    spec: Obj = raw if isinstance(raw, dict) else {}
    errs = validate_claim_spec(spec, "spec")
    mode = spec.get("volumeMode")
    if mode is not None and mode not in VOLUME_MODES:
        errs.append(fe.not_supported("spec.volumeMode", mode, VOLUME_MODES))
    if old is not None:
        new_spec, old_spec = copy.deepcopy(spec), copy.deepcopy(old.get("spec") or {})
        if not old_spec.get("volumeName"):
            old_spec["volumeName"] = new_spec.get("volumeName")  # set once, by binding
        for s in (new_spec, old_spec):
            s.pop("volumeAttributesClassName", None)
            if old_spec.get("volumeName"):
                (s.get("resources") or {}).pop("requests", None)
        if {k: v for k, v in new_spec.items() if v is not None} != {
            k: v for k, v in old_spec.items() if v is not None
        }:
            errs.append(fe.forbidden("spec", PVC_IMMUTABLE))
    return errs


def validate_pv(obj: Obj, old: Obj | None) -> list[FieldError]:
    raw = obj.get("spec")
    spec: Obj = raw if isinstance(raw, dict) else {}
    errs: list[FieldError] = []
    modes = spec.get("accessModes") or []
    if not modes:
        errs.append(fe.required("spec.accessModes", "must specify at least 1 access mode"))
    for mode in modes:
        if mode not in ACCESS_MODES:
            errs.append(fe.not_supported("spec.accessModes", mode, ACCESS_MODES))
    capacity = spec.get("capacity") or {}
    if not capacity:
        errs.append(fe.required("spec.capacity", ""))
    elif "storage" not in capacity or len(capacity) > 1:
        errs.append(fe.not_supported("spec.capacity", sorted(capacity), ["storage"]))
    policy = spec.get("persistentVolumeReclaimPolicy")
    if policy not in PV_RECLAIM_POLICIES:
        errs.append(fe.not_supported("spec.persistentVolumeReclaimPolicy", policy, PV_RECLAIM_POLICIES))
    if not any(spec.get(source) is not None for source in _PV_SOURCES):
        errs.append(fe.required("spec", "must specify a volume type"))
    return errs


def validate_storageclass(obj: Obj, old: Obj | None) -> list[FieldError]:
    errs: list[FieldError] = []
    if not obj.get("provisioner"):
        errs.append(fe.required("provisioner", ""))
    policy = obj.get("reclaimPolicy")
    if policy not in RECLAIM_POLICIES:
        errs.append(fe.not_supported("reclaimPolicy", policy, RECLAIM_POLICIES))
    mode = obj.get("volumeBindingMode")
    if mode not in BINDING_MODES:
        errs.append(fe.not_supported("volumeBindingMode", mode, BINDING_MODES))
    if old is not None:
        if (obj.get("parameters") or {}) != (old.get("parameters") or {}):
            errs.append(fe.forbidden("parameters", "updates to parameters are forbidden."))
        if obj.get("provisioner") != old.get("provisioner"):
            errs.append(fe.forbidden("provisioner", "updates to provisioner are forbidden."))
        if obj.get("reclaimPolicy") != old.get("reclaimPolicy"):
            errs.append(fe.forbidden("reclaimPolicy", "updates to reclaimPolicy are forbidden."))
        if obj.get("volumeBindingMode") != old.get("volumeBindingMode"):
            errs.append(fe.invalid("volumeBindingMode", mode, "field is immutable"))
    return errs
