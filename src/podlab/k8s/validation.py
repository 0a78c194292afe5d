"""validate(obj, old): create and update validation for the served kinds."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from podlab.k8s import errors as fe
from podlab.k8s import names
from podlab.k8s.errors import FieldError, Obj
from podlab.k8s.quantity import FORMAT_ERROR as QUANTITY_FORMAT_ERROR
from podlab.k8s.resources import RESOURCES
from podlab.k8s.schema import type_errors
from podlab.k8s.validation_apps import (
    validate_deployment_spec,
    validate_replicaset_spec,
    validate_selector_update,
)
from podlab.k8s.validation_autoscaling import validate_hpa
from podlab.k8s.validation_batch import validate_job
from podlab.k8s.validation_coordination import validate_lease
from podlab.k8s.validation_cronjob import validate_cronjob
from podlab.k8s.validation_daemonset import validate_daemonset
from podlab.k8s.validation_discovery import validate_endpoints, validate_endpointslice
from podlab.k8s.validation_meta import NameCheck, validate_object_meta, validate_object_meta_update
from podlab.k8s.validation_networking import validate_ingress, validate_ingressclass, validate_networkpolicy
from podlab.k8s.validation_pod import validate_pod_spec, validate_pod_update
from podlab.k8s.validation_policy import validate_pdb
from podlab.k8s.validation_rbac import path_segment_name, validate_rbac
from podlab.k8s.validation_service import validate_service_spec
from podlab.k8s.validation_statefulset import validate_statefulset
from podlab.k8s.validation_storage import validate_pv, validate_pvc, validate_storageclass

MAX_SECRET_SIZE = 1 * 1024 * 1024  # api.MaxSecretSize, also the ConfigMap limit
_IMMUTABLE = "field is immutable when `immutable` is set"

_NAME_CHECKS: dict[str, NameCheck] = {
    "Namespace": names.is_dns1123_label,
    "Service": names.is_dns1035_label,
    # rbac's minimalNameRequirements: any path segment (`system:discovery`).
    "Role": path_segment_name,
    "ClusterRole": path_segment_name,
    "RoleBinding": path_segment_name,
    "ClusterRoleBinding": path_segment_name,
}
_NAMESPACED = {r.kind: r.namespaced for r in RESOURCES}


def _validate_data_bags(obj: Obj, bags: tuple[str, str], *, base64_values: bool) -> list[FieldError]:
    errs: list[FieldError] = []
    first, second = (obj.get(bags[0]) or {}), (obj.get(bags[1]) or {})
    total = 0
    for bag, other, other_name in ((first, second, bags[1]), (second, first, bags[0])):
        name = bags[0] if bag is first else bags[1]
        for key, value in bag.items():
            path = f"{name}[{key}]"
            errs.extend(fe.invalid(path, key, m) for m in names.is_config_map_key(str(key)))
            if key in other and bag is first:
                errs.append(fe.invalid(path, key, f"duplicate of key present in {other_name}"))
            text = "" if value is None else str(value)
            if base64_values or bag is second:
                try:
                    total += len(base64.b64decode(text, validate=True))
                except (binascii.Error, ValueError):
                    errs.append(
                        fe.invalid(
                            path,
                            "<secret contents redacted>" if base64_values else key,
                            "illegal base64 data",
                        )
                    )
            else:
                total += len(text.encode())
    if total > MAX_SECRET_SIZE:
        errs.append(fe.FieldError("Too long", "", fe.OMIT, f"must have at most {MAX_SECRET_SIZE} bytes"))
    return errs


def _validate_immutable_update(new: Obj, old: Obj, fields: tuple[str, ...]) -> list[FieldError]:
    errs: list[FieldError] = []
    if old.get("immutable") is True:
        if new.get("immutable") is not True:
            errs.append(fe.forbidden("immutable", _IMMUTABLE))
        for name in fields:
            if (new.get(name) or None) != (old.get(name) or None):
                errs.append(fe.forbidden(name, _IMMUTABLE))
    return errs


def _validate_kind(obj: Obj, old: Obj | None) -> list[FieldError]:
    kind = obj.get("kind")
    errs: list[FieldError] = []
    spec: Any = obj.get("spec")
    if kind == "Pod":
        errs.extend(validate_pod_spec(spec, "spec"))
        if old is not None:
            errs.extend(validate_pod_update(obj, old))
    elif kind == "Deployment":
        errs.extend(validate_deployment_spec(spec))
        if old is not None:
            errs.extend(validate_selector_update(obj, old))
    elif kind == "ReplicaSet":
        errs.extend(validate_replicaset_spec(spec))
        if old is not None:
            errs.extend(validate_selector_update(obj, old))
    elif kind == "Job":
        errs.extend(validate_job(obj, old))
    elif kind == "CronJob":
        errs.extend(validate_cronjob(obj, old))
    elif kind == "DaemonSet":
        errs.extend(validate_daemonset(obj, old))
    elif kind == "StatefulSet":
        errs.extend(validate_statefulset(obj, old))
    elif kind == "PersistentVolumeClaim":
        errs.extend(validate_pvc(obj, old))
    elif kind == "PersistentVolume":
        errs.extend(validate_pv(obj, old))
    elif kind == "StorageClass":
        errs.extend(validate_storageclass(obj, old))
    elif kind == "Service":
        errs.extend(validate_service_spec(spec))
    elif kind in ("Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"):
        errs.extend(validate_rbac(obj, old))
    elif kind == "EndpointSlice":
        errs.extend(validate_endpointslice(obj, old))
    elif kind == "Endpoints":
        errs.extend(validate_endpoints(obj))
    elif kind == "PodDisruptionBudget":
        errs.extend(validate_pdb(obj))
    elif kind == "HorizontalPodAutoscaler":
        errs.extend(validate_hpa(obj))
    elif kind == "NetworkPolicy":
        errs.extend(validate_networkpolicy(obj))
    elif kind == "Ingress":
        errs.extend(validate_ingress(obj))
    elif kind == "IngressClass":
        errs.extend(validate_ingressclass(obj, old))
    elif kind == "Lease":
        errs.extend(validate_lease(obj))
    elif kind == "ConfigMap":
        if old is not None:
            errs.extend(_validate_immutable_update(obj, old, ("data", "binaryData")))
        errs.extend(_validate_data_bags(obj, ("data", "binaryData"), base64_values=False))
    elif kind == "Secret":
        if old is not None:
            errs.extend(_validate_immutable_update(obj, old, ("data",)))
            if obj.get("type") != old.get("type"):
                errs.append(fe.invalid("type", obj.get("type"), "field is immutable"))
        errs.extend(_validate_data_bags(obj, ("data", "stringData"), base64_values=True))
    return errs


def validate(obj: Obj, old: Obj | None = None) -> list[FieldError]:
    """Field errors of a (defaulted) object, and of its change from `old` when updating.

    Values of the wrong JSON type are reported first and alone (the API server cannot decode
    such an object at all); the other rules assume well-typed input.
    """
    wrong = type_errors(obj)
    if wrong:
        return [
            fe.invalid(path, value, f"must be {expected}" if expected else QUANTITY_FORMAT_ERROR)
            for path, value, expected in wrong
        ]
    kind = str(obj.get("kind", ""))
    errs = validate_object_meta(
        obj.get("metadata"), _NAMESPACED.get(kind, True), _NAME_CHECKS.get(kind, names.is_dns1123_subdomain)
    )
    if old is not None:
        errs.extend(validate_object_meta_update(obj, old))
    errs.extend(_validate_kind(obj, old))
    return errs
