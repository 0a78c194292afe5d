"""The PersistentVolumeClaim, PersistentVolume and StorageClass Tables (k8s
pkg/printers/internalversion/printers.go printPersistentVolumeClaim, printPersistentVolume,
printStorageClass)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from podlab.k8s.errors import Obj
from podlab.k8s.printers_common import AGE, NAME, Column, age_of, as_obj, meta_of, name_of

DEFAULT_CLASS = "storageclass.kubernetes.io/is-default-class"
BETA_DEFAULT_CLASS = "storageclass.beta.kubernetes.io/is-default-class"
# GetAccessModesAsString's order.
_MODES = (
    ("ReadWriteOnce", "RWO"),
    ("ReadOnlyMany", "ROX"),
    ("ReadWriteMany", "RWX"),
    ("ReadWriteOncePod", "RWOP"),
)
UNSET = "<unset>"


def access_modes(modes: Any) -> str:
    present = set(modes or [])
    return ",".join(short for mode, short in _MODES if mode in present)


def _storage(resources: Any) -> str:
    return str(as_obj(resources).get("storage", ""))


PVC_COLUMNS: list[Column] = [
    NAME,
    ("Status", "string", 0, "Phase represents the current phase of PersistentVolumeClaim."),
    (
        "Volume",
        "string",
        0,
        "VolumeName is the binding reference to the PersistentVolume backing this claim.",
    ),
    ("Capacity", "string", 0, "Capacity represents the actual resources of the underlying volume."),
    (
        "Access Modes",
        "string",
        0,
        "AccessModes contains the actual access modes the volume backing the PVC has.",
    ),
    ("StorageClass", "string", 0, "StorageClassName is the name of the StorageClass required by the claim."),
    (
        "VolumeAttributesClass",
        "string",
        0,
        "VolumeAttributesClassName may be used to set the VolumeAttributesClass used by this claim.",
    ),
    AGE,
    ("VolumeMode", "string", 1, "VolumeMode defines what type of volume is required by the claim."),
]


def pvc_row(obj: Obj, now: datetime) -> list[Any]:
    spec, status = as_obj(obj.get("spec")), as_obj(obj.get("status"))
    phase = "Terminating" if meta_of(obj).get("deletionTimestamp") else str(status.get("phase", ""))
    bound = bool(spec.get("volumeName"))
    return [
        name_of(obj),
        phase,
        str(spec.get("volumeName", "")),
        _storage(status.get("capacity")) if bound else "",
        access_modes(status.get("accessModes")) if bound else "",
        str(spec.get("storageClassName") or ""),
        str(spec.get("volumeAttributesClassName") or UNSET),
        age_of(obj, now),
        str(spec.get("volumeMode") or ""),
    ]


PV_COLUMNS: list[Column] = [
    NAME,
    (
        "Capacity",
        "string",
        0,
        "capacity is the description of the persistent volume's resources and capacity.",
    ),
    ("Access Modes", "string", 0, "accessModes contains all ways the volume can be mounted."),
    (
        "Reclaim Policy",
        "string",
        0,
        "persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim.",
    ),
    (
        "Status",
        "string",
        0,
        "phase indicates if a volume is available, bound to a claim, or released by a claim.",
    ),
    (
        "Claim",
        "string",
        0,
        "claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim.",
    ),
    (
        "StorageClass",
        "string",
        0,
        "storageClassName is the name of StorageClass to which this persistent volume belongs.",
    ),
    (
        "VolumeAttributesClass",
        "string",
        0,
        "Name of VolumeAttributesClass to which this persistent volume belongs.",
    ),
    ("Reason", "string", 0, "reason is a brief CamelCase string that describes any failure."),
    AGE,
    (
        "VolumeMode",
        "string",
        1,
        "volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.",
    ),
]


def pv_row(obj: Obj, now: datetime) -> list[Any]:
    spec, status = as_obj(obj.get("spec")), as_obj(obj.get("status"))
    ref = as_obj(spec.get("claimRef"))
    claim = f"{ref.get('namespace', '')}/{ref.get('name', '')}" if ref else ""
    phase = "Terminating" if meta_of(obj).get("deletionTimestamp") else str(status.get("phase", ""))
    return [
        name_of(obj),
        _storage(spec.get("capacity")),
        access_modes(spec.get("accessModes")),
        str(spec.get("persistentVolumeReclaimPolicy", "")),
        phase,
        claim,
        str(spec.get("storageClassName") or ""),
        str(spec.get("volumeAttributesClassName") or UNSET),
        str(status.get("reason", "")),
        age_of(obj, now),
        str(spec.get("volumeMode") or ""),
    ]


STORAGECLASS_COLUMNS: list[Column] = [
    NAME,
    ("Provisioner", "string", 0, "provisioner indicates the type of the provisioner."),
    (
        "ReclaimPolicy",
        "string",
        0,
        "reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class.",
    ),
    (
        "VolumeBindingMode",
        "string",
        0,
        "volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.",
    ),
    (
        "AllowVolumeExpansion",
        "string",
        0,
        "allowVolumeExpansion shows whether the storage class allow volume expand.",
    ),
    AGE,
]


def is_default_class(obj: Obj) -> bool:
    annotations = as_obj(meta_of(obj).get("annotations"))
    return annotations.get(DEFAULT_CLASS) == "true" or annotations.get(BETA_DEFAULT_CLASS) == "true"


def storageclass_row(obj: Obj, now: datetime) -> list[Any]:
    name = name_of(obj) + (" (default)" if is_default_class(obj) else "")
    return [
        name,
        str(obj.get("provisioner", "")),
        str(obj.get("reclaimPolicy") or "Delete"),
        str(obj.get("volumeBindingMode") or "Immediate"),
        "true" if obj.get("allowVolumeExpansion") else "false",
        age_of(obj, now),
    ]
