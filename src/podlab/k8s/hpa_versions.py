"""autoscaling/v1 HorizontalPodAutoscaler <-> autoscaling/v2, the stored form (k8s
pkg/apis/autoscaling/v1/conversion.go), for manifests still written against v1.

v1 has one target, targetCPUUtilizationPercentage, and one reading,
currentCPUUtilizationPercentage; they map to v2's cpu Utilization metric and its current
value. Upstream also carries v2's other metrics and its conditions through v1 in
`autoscaling.alpha.kubernetes.io/*` annotations; podlab does not, so a v1 update keeps only the
cpu target.
"""

from __future__ import annotations

from typing import Any

Obj = dict[str, Any]

V1 = "autoscaling/v1"
V2 = "autoscaling/v2"
_SAME_SPEC = ("scaleTargetRef", "minReplicas", "maxReplicas")
_SAME_STATUS = ("observedGeneration", "lastScaleTime", "currentReplicas", "desiredReplicas")


def _is_cpu_utilization(metric: Obj) -> bool:
    source = metric.get("resource") or {}
    target = source.get("target") or {}
    return (
        metric.get("type") == "Resource"
        and source.get("name") == "cpu"
        and target.get("type") == "Utilization"
    )


def to_v2(hpa: Obj) -> Obj:
    spec = hpa.get("spec") or {}
    out_spec: Obj = {k: spec[k] for k in _SAME_SPEC if k in spec}
    percent = spec.get("targetCPUUtilizationPercentage")
    if percent is not None:
        out_spec["metrics"] = [
            {
                "type": "Resource",
                "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": percent}},
            }
        ]
    out: Obj = {"apiVersion": V2, "kind": "HorizontalPodAutoscaler", "spec": out_spec}
    if "metadata" in hpa:
        out["metadata"] = hpa["metadata"]
    status = hpa.get("status")
    if isinstance(status, dict):
        out["status"] = {k: status[k] for k in _SAME_STATUS if k in status}
        current = status.get("currentCPUUtilizationPercentage")
        if current is not None:
            out["status"]["currentMetrics"] = [
                {"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": current}}}
            ]
    return out


def to_v1(hpa: Obj) -> Obj:
    spec = hpa.get("spec") or {}
    out_spec: Obj = {k: spec[k] for k in _SAME_SPEC if k in spec}
    cpu = next((m for m in spec.get("metrics") or [] if _is_cpu_utilization(m)), None)
    if cpu is not None:
        out_spec["targetCPUUtilizationPercentage"] = cpu["resource"]["target"].get("averageUtilization")
    out: Obj = {"apiVersion": V1, "kind": "HorizontalPodAutoscaler", "metadata": hpa.get("metadata") or {}}
    out["spec"] = out_spec
    status = hpa.get("status") or {}
    out_status: Obj = {k: status[k] for k in _SAME_STATUS if k in status}
    out_status.setdefault("currentReplicas", 0)
    out_status.setdefault("desiredReplicas", 0)
    for metric in status.get("currentMetrics") or []:
        source = metric.get("resource") or {}
        current = (source.get("current") or {}).get("averageUtilization")
        if metric.get("type") == "Resource" and source.get("name") == "cpu" and current is not None:
            out_status["currentCPUUtilizationPercentage"] = current
    out["status"] = out_status
    return out
