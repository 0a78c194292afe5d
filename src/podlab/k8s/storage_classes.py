"""The default StorageClass: kind's `standard` (kind pkg/build/nodeimage/const_storage.go, served
by rancher's local-path provisioner) and the DefaultStorageClass admission plugin (k8s
plugin/pkg/admission/storage/storageclass/setdefault/admission.go)."""

from __future__ import annotations

from podlab.k8s.errors import Obj

STORAGECLASSES = ("storage.k8s.io", "storageclasses")
LOCAL_PATH = "rancher.io/local-path"
DEFAULT_CLASS = "storageclass.kubernetes.io/is-default-class"
BETA_DEFAULT_CLASS = "storageclass.beta.kubernetes.io/is-default-class"
BETA_CLASS_ANNOTATION = "volume.beta.kubernetes.io/storage-class"


def standard_class() -> Obj:
    return {
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "metadata": {"name": "standard", "annotations": {DEFAULT_CLASS: "true"}},
        "provisioner": LOCAL_PATH,
        "reclaimPolicy": "Delete",
        "volumeBindingMode": "WaitForFirstConsumer",
    }


def is_default(sc: Obj) -> bool:
    annotations = (sc.get("metadata") or {}).get("annotations") or {}
    return annotations.get(DEFAULT_CLASS) == "true" or annotations.get(BETA_DEFAULT_CLASS) == "true"


def admit_claim(pvc: Obj, classes: list[Obj]) -> None:
    """In place: a claim that names no class (nil, not "") gets the default one, the newest
    when several are marked default (getDefaultClass)."""
    spec = pvc.get("spec")
    if not isinstance(spec, dict) or spec.get("storageClassName") is not None:
        return
    if BETA_CLASS_ANNOTATION in ((pvc.get("metadata") or {}).get("annotations") or {}):
        return
    defaults = [sc for sc in classes if is_default(sc)]
    if not defaults:
        return
    newest = max(
        defaults,
        key=lambda sc: (
            str((sc.get("metadata") or {}).get("creationTimestamp", "")),
            str((sc.get("metadata") or {}).get("name", "")),
        ),
    )
    spec["storageClassName"] = (newest.get("metadata") or {}).get("name")


PVC_PROTECTION = "kubernetes.io/pvc-protection"
PV_PROTECTION = "kubernetes.io/pv-protection"


def add_protection(obj: Obj) -> None:
    """StorageObjectInUseProtection admission (plugin/pkg/admission/storage/
    storageobjectinuseprotection): a new claim or volume gets its protection finalizer."""
    finalizer = {"PersistentVolumeClaim": PVC_PROTECTION, "PersistentVolume": PV_PROTECTION}.get(
        str(obj.get("kind", ""))
    )
    meta = obj.get("metadata")
    if finalizer is None or not isinstance(meta, dict):
        return
    finalizers = list(meta.get("finalizers") or [])
    if finalizer not in finalizers:
        meta["finalizers"] = [*finalizers, finalizer]
