"""HorizontalPodAutoscaler (autoscaling/v2) validation (k8s pkg/apis/autoscaling/validation/
validation.go ValidateHorizontalPodAutoscalerSpec, ValidateCrossVersionObjectReference,
validateMetricSpec for Resource metrics)."""

from __future__ import annotations

from typing import Any

from podlab.k8s import errors as fe
from podlab.k8s.errors import FieldError, Obj

METRIC_TYPES = ["ContainerResource", "External", "Object", "Pods", "Resource"]
TARGET_TYPES = ["AverageValue", "Utilization", "Value"]


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _reference_errors(ref: Any, path: str) -> list[FieldError]:
    ref = ref if isinstance(ref, dict) else {}
    errs: list[FieldError] = []
    for key in ("kind", "name"):
        value = str(ref.get(key) or "")
        if not value:
            errs.append(fe.required(f"{path}.{key}", ""))
        elif "/" in value or "%" in value or value in (".", ".."):
            errs.append(fe.invalid(f"{path}.{key}", value, "may not contain '/'"))
    return errs


def _metric_errors(metric: Obj, path: str) -> list[FieldError]:
    kind = metric.get("type")
    if not kind:
        return [fe.required(f"{path}.type", "must specify a metric source type")]
    if kind not in METRIC_TYPES:
        return [fe.not_supported(f"{path}.type", kind, METRIC_TYPES)]
    if kind != "Resource":
        return []
    source = metric.get("resource")
    if not isinstance(source, dict):
        return [fe.required(f"{path}.resource", "must populate information for the given metric source")]
    errs: list[FieldError] = []
    if not source.get("name"):
        errs.append(fe.required(f"{path}.resource.name", "must specify a resource name"))
    target = source.get("target") or {}
    ttype = target.get("type")
    if not ttype:
        errs.append(fe.required(f"{path}.resource.target.type", "must specify a metric target type"))
    elif ttype not in TARGET_TYPES:
        errs.append(fe.not_supported(f"{path}.resource.target.type", ttype, TARGET_TYPES))
    utilization = _int(target.get("averageUtilization"))
    if utilization is not None and utilization < 1:
        errs.append(
            fe.invalid(f"{path}.resource.target.averageUtilization", utilization, "must be greater than 0")
        )
    if ttype == "Utilization" and utilization is None:
        errs.append(
            fe.required(
                f"{path}.resource.target.averageUtilization",
                "must set averageUtilization when type is Utilization",
            )
        )
    return errs


def validate_hpa(obj: Obj) -> list[FieldError]:
    spec = obj.get("spec") or {}
    if not isinstance(spec, dict):
        return []
    errs: list[FieldError] = []
    low, high = _int(spec.get("minReplicas")), _int(spec.get("maxReplicas")) or 0
    if low is not None and low < 1:
        errs.append(fe.invalid("spec.minReplicas", low, "must be greater than or equal to 1"))
    if high < 1:
        errs.append(fe.invalid("spec.maxReplicas", high, "must be greater than 0"))
    if low is not None and high < low:
        errs.append(fe.invalid("spec.maxReplicas", high, "must be greater than or equal to `minReplicas`"))
    errs.extend(_reference_errors(spec.get("scaleTargetRef"), "spec.scaleTargetRef"))
    for i, metric in enumerate(spec.get("metrics") or []):
        errs.extend(_metric_errors(metric if isinstance(metric, dict) else {}, f"spec.metrics[{i}]"))
    return errs
