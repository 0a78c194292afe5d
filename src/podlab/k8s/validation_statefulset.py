"""StatefulSet validation (k8s pkg/apis/apps/validation/validation.go ValidateStatefulSetSpec,
ValidateStatefulSetUpdate, validatePersistentVolumeClaimTemplates)."""

from __future__ import annotations

from typing import Any

from podlab.k8s import errors as fe
from podlab.k8s.errors import FieldError, GoValue, Obj
from podlab.k8s.quantity import parse_quantity
from podlab.k8s.validation_apps import template_label_errors
from podlab.k8s.validation_meta import (
    active_deadline_forbidden,
    go_label_selector,
    nonnegative,
    validate_label_selector,
    validate_labels,
)

POLICIES = ["OrderedReady", "Parallel"]
STRATEGIES = ["OnDelete", "RollingUpdate"]
RETENTION = ["Retain", "Delete"]
ACCESS_MODES = ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"]
# ValidateStatefulSetUpdate: what may change after creation.
MUTABLE = (
    "replicas",
    "ordinals",
    "template",
    "updateStrategy",
    "persistentVolumeClaimRetentionPolicy",
    "minReadySeconds",
)
UPDATE_FORBIDDEN = (
    "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', "
    "'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"
)


def validate_claim_spec(spec: Any, path: str) -> list[FieldError]:
    """ValidatePersistentVolumeClaimSpec's checks a claim template or a claim meets most often."""
    if not isinstance(spec, dict):
        spec = {}
    errs: list[FieldError] = []
    modes = spec.get("accessModes") or []
    if not modes:
        errs.append(fe.required(f"{path}.accessModes", "at least 1 access mode is required"))
    for mode in modes:
        if mode not in ACCESS_MODES:
            errs.append(fe.not_supported(f"{path}.accessModes", mode, ACCESS_MODES))
    if "ReadWriteOncePod" in modes and len(modes) > 1:
        errs.append(
            fe.forbidden(f"{path}.accessModes", "may not use ReadWriteOncePod with other access modes")
        )
    requests = (spec.get("resources") or {}).get("requests") or {}
    if "storage" not in requests:
        errs.append(fe.required(f"{path}.resources[storage]", ""))
    else:
        try:
            size = parse_quantity(requests["storage"])
        except ValueError:
            size = None  # the quantity's own error is the decoder's
        if size is not None and size <= 0:
            errs.append(
                fe.invalid(
                    f"{path}.resources[storage]", str(requests["storage"]), "must be greater than zero"
                )
            )
    return errs


def _validate_claim_templates(templates: Any, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    for i, template in enumerate(templates if isinstance(templates, list) else []):
        p = f"{path}[{i}]"
        meta = template.get("metadata") if isinstance(template, dict) else None
        if not isinstance(meta, dict) or not meta.get("name"):
            errs.append(fe.required(f"{p}.metadata.name", "name or generateName is required"))
        else:
            errs.extend(validate_labels(meta.get("labels") or {}, f"{p}.metadata.labels"))
        errs.extend(validate_claim_spec((template or {}).get("spec"), f"{p}.spec"))
    return errs


def _validate_template(spec: Obj, path: str) -> list[FieldError]:
    template = spec.get("template")
    if not isinstance(template, dict):
        return [fe.required(path, "")]
    errs = template_label_errors(spec, template, path)
    # ValidatePodTemplateSpecForStatefulSet does not validate the pod spec (its volumes would
    # miss the claim templates' names); the pods the controller creates are validated instead.
    pod_spec = template.get("spec")
    if isinstance(pod_spec, dict):
        restart = pod_spec.get("restartPolicy")
        if restart in ("OnFailure", "Never"):
            errs.append(fe.not_supported(f"{path}.spec.restartPolicy", restart, ["Always"]))
        errs.extend(active_deadline_forbidden(pod_spec, path, "StatefulSet"))
    return errs


def validate_statefulset_spec(spec: Any, path: str = "spec") -> list[FieldError]:
    if not isinstance(spec, dict):
        return [fe.required(f"{path}.selector", "")]
    errs: list[FieldError] = []
    policy = spec.get("podManagementPolicy")
    if policy not in POLICIES:
        errs.append(fe.not_supported(f"{path}.podManagementPolicy", policy, POLICIES))
    strategy = spec.get("updateStrategy") or {}
    kind = strategy.get("type")
    rolling = strategy.get("rollingUpdate")
    if kind == "OnDelete":
        if rolling is not None:
            errs.append(
                fe.invalid(
                    f"{path}.updateStrategy.rollingUpdate",
                    GoValue(repr(rolling)),
                    "only allowed for updateStrategy 'RollingUpdate'",
                )
            )
    elif kind == "RollingUpdate":
        if isinstance(rolling, dict):
            errs.extend(
                nonnegative(rolling.get("partition", 0), f"{path}.updateStrategy.rollingUpdate.partition")
            )
    else:
        errs.append(fe.not_supported(f"{path}.updateStrategy", kind, STRATEGIES))
    retention = spec.get("persistentVolumeClaimRetentionPolicy") or {}
    for field in ("whenDeleted", "whenScaled"):
        value = retention.get(field)
        if value not in RETENTION:
            errs.append(
                fe.not_supported(f"{path}.persistentVolumeClaimRetentionPolicy.{field}", value, RETENTION)
            )
    ordinals = spec.get("ordinals")
    if isinstance(ordinals, dict):
        errs.extend(nonnegative(ordinals.get("start", 0), f"{path}.ordinals.start"))
    errs.extend(nonnegative(spec.get("replicas", 0), f"{path}.replicas"))
    errs.extend(nonnegative(spec.get("minReadySeconds", 0), f"{path}.minReadySeconds"))
    selector = spec.get("selector")
    if selector is None:
        errs.append(fe.required(f"{path}.selector", ""))
    else:
        errs.extend(validate_label_selector(selector, f"{path}.selector"))
        if not (selector.get("matchLabels") or selector.get("matchExpressions")):
            errs.append(
                fe.invalid(
                    f"{path}.selector",
                    go_label_selector(selector),
                    "empty selector is invalid for statefulset",
                )
            )
    errs.extend(_validate_template(spec, f"{path}.template"))
    errs.extend(_validate_claim_templates(spec.get("volumeClaimTemplates"), f"{path}.volumeClaimTemplates"))
    return errs


def validate_statefulset(obj: Obj, old: Obj | None) -> list[FieldError]:
    spec = obj.get("spec")
    errs = validate_statefulset_spec(spec)
    if old is not None and isinstance(spec, dict):
        old_spec = old.get("spec") or {}
        rest = {k: v for k, v in spec.items() if k not in MUTABLE}
        old_rest = {k: v for k, v in old_spec.items() if k not in MUTABLE}
        if rest != old_rest:
            errs.append(fe.forbidden("spec", UPDATE_FORBIDDEN))
    return errs
