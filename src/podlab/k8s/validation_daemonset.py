"""DaemonSet validation (k8s pkg/apis/apps/validation/validation.go ValidateDaemonSet,
ValidateDaemonSetSpec, ValidateDaemonSetUpdateStrategy, ValidateRollingUpdateDaemonSet)."""

from __future__ import annotations

from typing import Any

from podlab.k8s import errors as fe
from podlab.k8s.errors import FieldError, GoValue, Obj
from podlab.k8s.selectors import selector_matches
from podlab.k8s.validation_apps import (
    _go_int_or_string,
    _int_or_percent_value,
    _validate_positive_int_or_percent,
    validate_selector_update,
)
from podlab.k8s.validation_meta import (
    active_deadline_forbidden,
    go_label_selector,
    nonnegative,
    selector_mismatch,
    validate_label_selector,
    validate_labels,
)
from podlab.k8s.validation_pod import validate_pod_spec

STRATEGIES = ["RollingUpdate", "OnDelete"]


def _rolling_update_errors(rolling: Obj, path: str) -> list[FieldError]:
    unavailable, surge = rolling.get("maxUnavailable"), rolling.get("maxSurge")
    errs = _validate_positive_int_or_percent(unavailable, f"{path}.maxUnavailable")
    errs.extend(_validate_positive_int_or_percent(surge, f"{path}.maxSurge"))
    for key, value in (("maxUnavailable", unavailable), ("maxSurge", surge)):
        number, percent = _int_or_percent_value(value)
        if percent and number > 100:
            errs.append(
                fe.invalid(f"{path}.{key}", _go_int_or_string(value), "must not be greater than 100%")
            )
    has_unavailable = _int_or_percent_value(unavailable)[0] != 0
    has_surge = _int_or_percent_value(surge)[0] != 0
    if has_unavailable and has_surge:
        errs.append(
            fe.invalid(
                f"{path}.maxSurge", _go_int_or_string(surge), "may not be set when maxUnavailable is non-zero"
            )
        )
    elif not has_unavailable and not has_surge:
        errs.append(fe.required(f"{path}.maxUnavailable", "cannot be 0 when maxSurge is 0"))
    return errs


def _strategy_errors(strategy: Any, path: str) -> list[FieldError]:
    if not isinstance(strategy, dict):
        return []
    kind = strategy.get("type")
    if kind == "OnDelete":
        return []
    if kind == "RollingUpdate":
        rolling = strategy.get("rollingUpdate")
        if not isinstance(rolling, dict):
            return [fe.required(f"{path}.rollingUpdate")]
        return _rolling_update_errors(rolling, f"{path}.rollingUpdate")
    # NotSupported of the whole struct, which Go prints with %#v.
    value = GoValue(
        f'apps.DaemonSetUpdateStrategy{{Type:"{kind or ""}", RollingUpdate:(*apps.RollingUpdateDaemonSet)(nil)}}'
    )
    return [fe.not_supported(path, value, STRATEGIES)]


def _spec_errors(spec: Obj, path: str) -> list[FieldError]:
    """ValidateDaemonSetSpec, in its order. A missing selector is no error of its own: it selects
    nothing, so the template's labels do not match it."""
    errs: list[FieldError] = []
    selector = spec.get("selector")
    raw_template = spec.get("template")
    template: Obj = raw_template if isinstance(raw_template, dict) else {}
    tpath = f"{path}.template"
    tmeta = template.get("metadata") or {}
    labels = tmeta.get("labels") or {}
    if selector is not None:
        errs.extend(validate_label_selector(selector, f"{path}.selector"))
    if selector is None or not selector_matches(selector, labels):
        errs.append(selector_mismatch(tmeta, tpath))
    if isinstance(selector, dict) and not (selector.get("matchLabels") or selector.get("matchExpressions")):
        errs.append(
            fe.invalid(
                f"{path}.selector", go_label_selector(selector), "empty selector is invalid for daemonset"
            )
        )
    errs.extend(validate_labels(labels, f"{tpath}.metadata.labels"))
    pod_spec = template.get("spec")
    errs.extend(validate_pod_spec(pod_spec, f"{tpath}.spec"))
    if isinstance(pod_spec, dict):
        restart = pod_spec.get("restartPolicy")
        if restart != "Always":
            errs.append(fe.not_supported(f"{tpath}.spec.restartPolicy", restart or "", ["Always"]))
        errs.extend(active_deadline_forbidden(pod_spec, tpath, "DaemonSet"))
    for field in ("minReadySeconds", "templateGeneration"):
        errs.extend(nonnegative(spec.get(field), f"{path}.{field}"))
    errs.extend(_strategy_errors(spec.get("updateStrategy"), f"{path}.updateStrategy"))
    errs.extend(nonnegative(spec.get("revisionHistoryLimit"), f"{path}.revisionHistoryLimit"))
    return errs


def validate_daemonset(obj: Obj, old: Obj | None) -> list[FieldError]:
    spec: Any = obj.get("spec")
    errs = _spec_errors(spec if isinstance(spec, dict) else {}, "spec")
    if old is not None:
        errs.extend(validate_selector_update(obj, old))
    return errs
