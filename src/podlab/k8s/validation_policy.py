"""PodDisruptionBudget validation (k8s pkg/apis/policy/validation/validation.go
ValidatePodDisruptionBudgetSpec)."""

from __future__ import annotations

from podlab.k8s import errors as fe
from podlab.k8s.errors import FieldError, Obj
from podlab.k8s.validation_apps import (
    _go_int_or_string,
    _int_or_percent_value,
    _validate_positive_int_or_percent,
)
from podlab.k8s.validation_meta import validate_label_selector

UNHEALTHY_POD_EVICTION_POLICIES = ["AlwaysAllow", "IfHealthyBudget"]


def _budget_errors(value: object, path: str) -> list[FieldError]:
    errs = _validate_positive_int_or_percent(value, path)
    number, percent = _int_or_percent_value(value)
    if percent and number > 100:
        errs.append(fe.invalid(path, _go_int_or_string(value), "must not be greater than 100%"))
    return errs


def validate_pdb(obj: Obj) -> list[FieldError]:
    spec = obj.get("spec") or {}
    if not isinstance(spec, dict):
        return []
    errs: list[FieldError] = []
    low, high = spec.get("minAvailable"), spec.get("maxUnavailable")
    if low is not None and high is not None:
        # Upstream prints the whole Go spec struct (pointers included) as the value; omitted here.
        errs.append(fe.invalid("spec", fe.OMIT, "minAvailable and maxUnavailable cannot be both set"))
    if low is not None:
        errs.extend(_budget_errors(low, "spec.minAvailable"))
    if high is not None:
        errs.extend(_budget_errors(high, "spec.maxUnavailable"))
    errs.extend(validate_label_selector(spec.get("selector"), "spec.selector"))
    policy = spec.get("unhealthyPodEvictionPolicy")
    if policy is not None and policy not in UNHEALTHY_POD_EVICTION_POLICIES:
        errs.append(
            fe.not_supported("spec.unhealthyPodEvictionPolicy", policy, UNHEALTHY_POD_EVICTION_POLICIES)
        )
    return errs
