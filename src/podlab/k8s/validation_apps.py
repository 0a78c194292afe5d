"""Deployment and ReplicaSet validation (k8s pkg/apis/apps/validation/validation.go)."""

from __future__ import annotations

from typing import Any

from podlab.k8s import errors as fe
from podlab.k8s import names
from podlab.k8s.errors import FieldError, GoValue, Obj
from podlab.k8s.selectors import selector_matches
from podlab.k8s.validation_meta import (
    active_deadline_forbidden,
    go_label_selector,
    nonnegative,
    selector_mismatch,
    validate_label_selector,
    validate_labels,
)
from podlab.k8s.validation_pod import validate_pod_spec


def _int_or_percent_value(value: Any) -> tuple[int, bool]:
    """(number, is_percent) of an IntOrString; unparsable percent strings count as 0."""
    if isinstance(value, str):
        digits = value[:-1] if value.endswith("%") else value
        return (int(digits) if digits.isdigit() else 0), value.endswith("%")
    return (int(value) if isinstance(value, int) else 0), False


def _go_int_or_string(value: Any) -> Any:
    # IntOrString implements fmt.Stringer, so errors print it bare: 25% or 0.
    return GoValue(str(value))


def _validate_positive_int_or_percent(value: Any, path: str) -> list[FieldError]:
    if isinstance(value, str):
        msgs = names.is_percent(value)
        if msgs:
            return [fe.invalid(path, value, m) for m in msgs]
    number, _ = _int_or_percent_value(value)
    return nonnegative(number, path)


def _validate_strategy(strategy: Any, path: str) -> list[FieldError]:
    if not isinstance(strategy, dict):
        return []
    kind = strategy.get("type")
    rolling = strategy.get("rollingUpdate")
    if kind == "Recreate":
        if rolling is not None:
            return [
                fe.forbidden(
                    f"{path}.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'"
                )
            ]
        return []
    if kind == "RollingUpdate":
        if not isinstance(rolling, dict):
            return [fe.required(f"{path}.rollingUpdate", "this should be defaulted and never be nil")]
        errs: list[FieldError] = []
        unavailable, surge = rolling.get("maxUnavailable"), rolling.get("maxSurge")
        errs.extend(_validate_positive_int_or_percent(unavailable, f"{path}.rollingUpdate.maxUnavailable"))
        errs.extend(_validate_positive_int_or_percent(surge, f"{path}.rollingUpdate.maxSurge"))
        if _int_or_percent_value(unavailable)[0] == 0 and _int_or_percent_value(surge)[0] == 0:
            errs.append(
                fe.invalid(
                    f"{path}.rollingUpdate.maxUnavailable",
                    _go_int_or_string(unavailable),
                    "may not be 0 when `maxSurge` is 0",
                )
            )
        number, percent = _int_or_percent_value(unavailable)
        if percent and number > 100:
            errs.append(
                fe.invalid(
                    f"{path}.rollingUpdate.maxUnavailable",
                    _go_int_or_string(unavailable),
                    "must not be greater than 100%",
                )
            )
        return errs
    return [fe.not_supported(f"{path}.type", kind, ["Recreate", "RollingUpdate"])]


def _validate_selector(spec: Obj, path: str) -> list[FieldError]:
    selector = spec.get("selector")
    if selector is None:
        return [fe.required(f"{path}.selector", "")]
    errs = validate_label_selector(selector, f"{path}.selector")
    if not (selector.get("matchLabels") or selector.get("matchExpressions")):
        errs.append(
            fe.invalid(
                f"{path}.selector", go_label_selector(selector), "empty selector is invalid for deployment"
            )
        )
    return errs


def template_label_errors(spec: Obj, template: Obj, path: str) -> list[FieldError]:
    """The template's labels: valid, and matched by the workload's selector (the check the
    ReplicaSet, Deployment and StatefulSet template validations share)."""
    errs: list[FieldError] = []
    meta = template.get("metadata") or {}
    labels = meta.get("labels") or {}
    selector = spec.get("selector")
    has_selector = isinstance(selector, dict) and (
        selector.get("matchLabels") or selector.get("matchExpressions")
    )
    if has_selector and not selector_matches(selector, labels):
        errs.append(selector_mismatch(meta, path))
    errs.extend(validate_labels(labels, f"{path}.metadata.labels"))
    return errs


def _validate_template(spec: Obj, path: str) -> list[FieldError]:
    """ValidatePodTemplateSpecForReplicaSet."""
    template = spec.get("template")
    if not isinstance(template, dict):
        return [fe.required(path, "")]
    errs = template_label_errors(spec, template, path)
    pod_spec = template.get("spec")
    errs.extend(validate_pod_spec(pod_spec, f"{path}.spec"))
    if isinstance(pod_spec, dict):
        restart = pod_spec.get("restartPolicy")
        if restart in ("OnFailure", "Never"):
            errs.append(fe.not_supported(f"{path}.spec.restartPolicy", restart, ["Always"]))
        errs.extend(active_deadline_forbidden(pod_spec, path, "ReplicaSet"))
    return errs


def validate_deployment_spec(spec: Any, path: str = "spec") -> list[FieldError]:
    if not isinstance(spec, dict):
        return [fe.required(f"{path}.selector", "")]
    errs = nonnegative(spec.get("replicas", 0), f"{path}.replicas")
    errs.extend(_validate_selector(spec, path))
    errs.extend(_validate_template(spec, f"{path}.template"))
    errs.extend(_validate_strategy(spec.get("strategy"), f"{path}.strategy"))
    min_ready = spec.get("minReadySeconds", 0) or 0
    errs.extend(nonnegative(min_ready, f"{path}.minReadySeconds"))
    errs.extend(nonnegative(spec.get("revisionHistoryLimit"), f"{path}.revisionHistoryLimit"))
    deadline = spec.get("progressDeadlineSeconds")
    if isinstance(deadline, int):
        errs.extend(nonnegative(deadline, f"{path}.progressDeadlineSeconds"))
        if deadline <= min_ready:
            errs.append(
                fe.invalid(
                    f"{path}.progressDeadlineSeconds", deadline, "must be greater than minReadySeconds"
                )
            )
    return errs


def validate_replicaset_spec(spec: Any, path: str = "spec") -> list[FieldError]:
    if not isinstance(spec, dict):
        return [fe.required(f"{path}.selector", "")]
    errs = nonnegative(spec.get("replicas", 0), f"{path}.replicas")
    errs.extend(nonnegative(spec.get("minReadySeconds", 0), f"{path}.minReadySeconds"))
    errs.extend(_validate_selector(spec, path))
    errs.extend(_validate_template(spec, f"{path}.template"))
    return errs


def validate_selector_update(new: Obj, old: Obj) -> list[FieldError]:
    """apps/v1 selectors are immutable after creation."""
    new_sel = (new.get("spec") or {}).get("selector")
    old_sel = (old.get("spec") or {}).get("selector")
    if new_sel != old_sel:
        return [fe.invalid("spec.selector", go_label_selector(new_sel), "field is immutable")]
    return []
