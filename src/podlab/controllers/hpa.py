"""The horizontal pod autoscaler (k8s pkg/controller/podautoscaler: horizontal.go
reconcileAutoscaler, normalizeDesiredReplicas; replica_calculator.go GetResourceReplicas), sans-IO.

Resource metrics (cpu, memory) only, read from the node's own usage (the metrics API's source):
per metric, usage ratio = utilization / target; within the 0.1 tolerance nothing changes,
otherwise ceil(ratio x pods with metrics). Missing-metric pods count as 100% of their request
when scaling down and 0 when scaling up; unready pods as 0 when scaling up (cpu). Scale-down
uses the highest recommendation of the last 5 minutes (downscale stabilization); scale-up is
capped at max(2 x current, 4) per sync. Behaviors (spec.behavior) are not applied; object,
pods and external metrics are reported as unsupported.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from podlab.controllers.actions import Action, PatchObject, RecordEvent, SetStatus
from podlab.controllers.util import Obj, meta, name_of, namespace_of
from podlab.k8s.quantity import parse_quantity
from podlab.k8s.selectors import selector_matches
from podlab.k8s.timestamps import format_time

HPAS = ("autoscaling", "horizontalpodautoscalers")
COMPONENT = "horizontal-pod-autoscaler"
TOLERANCE = 0.1
DOWNSCALE_STABILIZATION = timedelta(minutes=5)
SCALE_UP_LIMIT_FACTOR = 2
SCALE_UP_LIMIT_MINIMUM = 4
# Targets: kind -> store key (the scale subresource's parents).
TARGETS = {
    "Deployment": ("apps", "deployments"),
    "ReplicaSet": ("apps", "replicasets"),
    "StatefulSet": ("apps", "statefulsets"),
}


@dataclass(frozen=True)
class PodUsage:
    cpu_millis: float
    memory_bytes: int


@dataclass
class Recommendations:
    """One HPA's recent (time, recommendation) samples, the controller's memory."""

    samples: list[tuple[datetime, int]] = field(default_factory=list)

    def stabilize(self, recommendation: int, now: datetime) -> int:
        """stabilizeRecommendation: the highest sample within the window (an old slot reused)."""
        cutoff = now - DOWNSCALE_STABILIZATION
        highest = recommendation
        old = -1
        for i, (at, value) in enumerate(self.samples):
            if at < cutoff:
                old = i
            elif value > highest:
                highest = value
        if old >= 0:
            self.samples[old] = (now, recommendation)
        else:
            self.samples.append((now, recommendation))
        return highest


class MetricError(Exception):
    """A metric whose replica count cannot be computed (the message is upstream's)."""


def _request(pod: Obj, resource: str) -> float:
    """calculateRequests: the pod's summed container requests, in millis (cpu) or bytes."""
    total = 0.0
    for c in (pod.get("spec") or {}).get("containers") or []:
        value = ((c.get("resources") or {}).get("requests") or {}).get(resource)
        if value is None:
            raise MetricError(
                f"missing request for {resource} in container {c.get('name')} of Pod {name_of(pod)}"
            )
        quantity = float(parse_quantity(str(value)))
        total += quantity * 1000 if resource == "cpu" else quantity
    return total


def _usage(usage: PodUsage, resource: str) -> float:
    return usage.cpu_millis if resource == "cpu" else float(usage.memory_bytes)


def _ready(pod: Obj) -> bool:
    conditions = (pod.get("status") or {}).get("conditions") or []
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)


@dataclass(frozen=True)
class Proposal:
    replicas: int
    utilization: int | None  # percent of request, for Utilization targets
    average: float  # millis (cpu) or bytes per pod


def resource_replicas(
    current: int, target: Obj, resource: str, pods: list[Obj], usage: dict[str, PodUsage]
) -> Proposal:
    """GetResourceReplicas / GetRawResourceReplicas with their missing/unready pod rebalancing."""
    live = [
        p
        for p in pods
        if not meta(p).get("deletionTimestamp") and (p.get("status") or {}).get("phase") != "Failed"
    ]
    if not live:
        raise MetricError("no pods returned by selector while calculating replica count")
    with_metrics = {name_of(p): p for p in live if str(meta(p).get("uid")) in usage}
    if not with_metrics:
        raise MetricError(
            f"unable to get metrics for resource {resource}: no metrics returned from resource metrics API"
        )
    unready = {n for n, p in with_metrics.items() if resource == "cpu" and not _ready(p)}
    missing = [p for p in live if name_of(p) not in with_metrics]
    ready = {n: p for n, p in with_metrics.items() if n not in unready}
    values = {n: _usage(usage[str(meta(p).get("uid"))], resource) for n, p in ready.items()}
    utilization_target = target.get("averageUtilization")
    is_utilization = utilization_target is not None
    if is_utilization:
        requests = {name_of(p): _request(p, resource) for p in live}
    else:
        per_pod = float(parse_quantity(str(target.get("averageValue") or "0")))
        per_pod = per_pod * 1000 if resource == "cpu" else per_pod
        if per_pod <= 0:
            raise MetricError(f"invalid average value target for resource {resource}")

    def ratio_of(vals: dict[str, float]) -> tuple[float, int]:
        """(usage ratio, utilization percent) of the given per-pod values."""
        if not is_utilization:
            return (sum(vals.values()) / len(vals)) / per_pod, 0
        req = sum(requests[n] for n in vals)
        if req <= 0:
            raise MetricError("no metrics returned matched known pods")
        util = int(sum(vals.values()) * 100 / req)
        return util / float(utilization_target or 1), util

    if not values:
        raise MetricError("did not receive metrics for targeted pods (pods might be unready)")
    ratio, util = ratio_of(values)
    average = sum(values.values()) / len(values)
    keep = Proposal(current, util if is_utilization else None, average)
    if not missing and not unready:
        if abs(1.0 - ratio) <= TOLERANCE:
            return keep
        return Proposal(math.ceil(ratio * len(values)), keep.utilization, average)
    for p in missing:
        # Scaling down, a pod without metrics counts as using all it asked for; up, nothing.
        full = requests[name_of(p)] if is_utilization else per_pod
        values[name_of(p)] = full if ratio < 1.0 else 0.0
    if ratio > 1.0:
        for n in unready:
            values[n] = 0.0
    new_ratio, _ = ratio_of(values)
    flipped = (ratio < 1.0 and new_ratio > 1.0) or (ratio > 1.0 and new_ratio < 1.0)
    if abs(1.0 - new_ratio) <= TOLERANCE or flipped:
        return keep
    desired = math.ceil(new_ratio * len(values))
    if (new_ratio < 1.0 and desired > current) or (new_ratio > 1.0 and desired < current):
        return keep
    return Proposal(desired, keep.utilization, average)


def _condition(
    conditions: list[Obj], type_: str, status: str, reason: str, message: str, now: datetime
) -> None:
    """setCondition: the transition time moves only when the status does."""
    for cond in conditions:
        if cond["type"] == type_:
            if cond["status"] != status:
                cond["lastTransitionTime"] = format_time(now)
            cond.update(status=status, reason=reason, message=message)
            return
    conditions.append(
        {
            "type": type_,
            "status": status,
            "lastTransitionTime": format_time(now),
            "reason": reason,
            "message": message,
        }
    )


def _metric_name(metric: Obj) -> str:
    source = metric.get("resource") or {}
    if (source.get("target") or {}).get("type") == "Utilization":
        return f"{source.get('name')} resource utilization (percentage of request)"
    return f"{source.get('name')} resource"


def _selector_of(target: Obj) -> Obj | None:
    return (target.get("spec") or {}).get("selector")


def _current_metric(metric: Obj, proposal: Proposal) -> Obj:
    name = (metric.get("resource") or {}).get("name")
    average = f"{round(proposal.average)}m" if name == "cpu" else str(round(proposal.average))
    current: Obj = {"averageValue": average}
    if proposal.utilization is not None:
        current["averageUtilization"] = proposal.utilization
    return {"type": "Resource", "resource": {"name": name, "current": current}}


def sync_hpa(
    hpa: Obj,
    target: Obj | None,
    ns_pods: list[Obj],
    usage: dict[str, PodUsage],
    history: Recommendations,
    now: datetime,
) -> list[Action]:
    """One reconcileAutoscaler pass: the status, and the scale write with its event."""
    spec, old = hpa.get("spec") or {}, hpa.get("status") or {}
    conditions: list[Obj] = [dict(c) for c in old.get("conditions") or []]
    ref = spec.get("scaleTargetRef") or {}
    actions: list[Action] = []
    status: Obj = {k: v for k, v in old.items() if k == "lastScaleTime"}
    status["observedGeneration"] = meta(hpa).get("generation", 1)
    if target is None:
        message = f'{str(ref.get("kind", "")).lower()}s.apps "{ref.get("name")}" not found'
        _condition(
            conditions,
            "AbleToScale",
            "False",
            "FailedGetScale",
            f"the HPA controller was unable to get the target's current scale: {message}",
            now,
        )
        actions.append(RecordEvent(hpa, "Warning", "FailedGetScale", message, COMPONENT))
        status.update(
            currentReplicas=old.get("currentReplicas", 0),
            desiredReplicas=old.get("desiredReplicas", 0),
            conditions=conditions,
        )
        return actions + _status_action(hpa, old, status)
    current = int((target.get("spec") or {}).get("replicas", 1))
    current_status = int((target.get("status") or {}).get("replicas", 0))
    _condition(
        conditions,
        "AbleToScale",
        "True",
        "SucceededGetScale",
        "the HPA controller was able to get the target's current scale",
        now,
    )
    minimum, maximum = int(spec.get("minReplicas", 1)), int(spec.get("maxReplicas", 1))
    desired, reason, rescale = current, "", False
    metrics_out: list[Obj] = []
    if current == 0 and minimum != 0:
        desired = 0
        _condition(
            conditions,
            "ScalingActive",
            "False",
            "ScalingDisabled",
            "scaling is disabled since the replica count of the target is zero",
            now,
        )
    elif current > maximum:
        reason, desired = "Current number of replicas above Spec.MaxReplicas", maximum
    elif current < minimum:
        reason, desired = "Current number of replicas below Spec.MinReplicas", minimum
    else:
        pods = [p for p in ns_pods if selector_matches(_selector_of(target), meta(p).get("labels"))]
        proposed, proposed_name, failure = -1, "", ""
        for metric in spec.get("metrics") or []:
            if metric.get("type") != "Resource":
                failure = failure or f"podlab serves only Resource metrics, not {metric.get('type')}"
                continue
            source = metric.get("resource") or {}
            try:
                proposal = resource_replicas(
                    current_status or current,
                    source.get("target") or {},
                    str(source.get("name")),
                    pods,
                    usage,
                )
            except MetricError as exc:
                text = f"failed to get {source.get('name')} utilization: {exc}"
                failure = failure or text
                _condition(
                    conditions,
                    "ScalingActive",
                    "False",
                    "FailedGetResourceMetric",
                    f"the HPA was unable to compute the replica count: {text}",
                    now,
                )
                actions.append(RecordEvent(hpa, "Warning", "FailedGetResourceMetric", text, COMPONENT))
                metrics_out.append(
                    {"type": "Resource", "resource": {"name": source.get("name"), "current": {}}}
                )
                continue
            metrics_out.append(_current_metric(metric, proposal))
            if proposal.replicas > proposed:
                proposed, proposed_name = proposal.replicas, _metric_name(metric)
        if proposed < 0 or (failure and proposed < current):
            status.update(
                currentReplicas=current_status,
                desiredReplicas=old.get("desiredReplicas", 0),
                conditions=conditions,
            )
            if metrics_out:
                status["currentMetrics"] = metrics_out
            return actions + _status_action(hpa, old, status)
        _condition(
            conditions,
            "ScalingActive",
            "True",
            "ValidMetricFound",
            f"the HPA was able to successfully calculate a replica count from {proposed_name}",
            now,
        )
        desired = proposed
        if desired > current:
            reason = f"{proposed_name} above target"
        elif desired < current:
            reason = "All metrics below target"
        desired = _normalize(conditions, history, current, desired, minimum, maximum, now)
    rescale = desired != current and not (current == 0 and minimum != 0)
    if rescale:
        name = str(ref.get("name"))
        actions.append(
            PatchObject(
                TARGETS[str(ref.get("kind"))], namespace_of(hpa), name, {"spec": {"replicas": desired}}
            )
        )
        _condition(
            conditions,
            "AbleToScale",
            "True",
            "SucceededRescale",
            f"the HPA controller was able to update the target scale to {desired}",
            now,
        )
        actions.append(
            RecordEvent(
                hpa, "Normal", "SuccessfulRescale", f"New size: {desired}; reason: {reason}", COMPONENT
            )
        )
        status["lastScaleTime"] = format_time(now)
    status.update(currentReplicas=current_status, desiredReplicas=desired)
    if metrics_out:
        status["currentMetrics"] = metrics_out
    status["conditions"] = conditions
    return actions + _status_action(hpa, old, status)


def _status_action(hpa: Obj, old: Obj, status: Obj) -> list[Action]:
    return [] if status == old else [SetStatus(HPAS, namespace_of(hpa), name_of(hpa), status)]


def _normalize(
    conditions: list[Obj],
    history: Recommendations,
    current: int,
    desired: int,
    minimum: int,
    maximum: int,
    now: datetime,
) -> int:
    """normalizeDesiredReplicas and convertDesiredReplicasWithRules."""
    stabilized = history.stabilize(desired, now)
    if stabilized != desired:
        _condition(
            conditions,
            "AbleToScale",
            "True",
            "ScaleDownStabilized",
            "recent recommendations were higher than current one, applying the highest recent recommendation",
            now,
        )
    else:
        _condition(
            conditions,
            "AbleToScale",
            "True",
            "ReadyForNewScale",
            "recommended size matches current size",
            now,
        )
    up_limit = max(SCALE_UP_LIMIT_FACTOR * current, SCALE_UP_LIMIT_MINIMUM)
    if maximum > up_limit:
        ceiling, limit_reason, limit_message = (
            up_limit,
            "ScaleUpLimit",
            "the desired replica count is increasing faster than the maximum scale rate",
        )
    else:
        ceiling, limit_reason, limit_message = (
            maximum,
            "TooManyReplicas",
            "the desired replica count is more than the maximum replica count",
        )
    if stabilized < minimum:
        out, limit_reason, limit_message = (
            minimum,
            "TooFewReplicas",
            "the desired replica count is less than the minimum replica count",
        )
    elif stabilized > ceiling:
        out = ceiling
    else:
        out, limit_reason, limit_message = (
            stabilized,
            "DesiredWithinRange",
            "the desired count is within the acceptable range",
        )
    _condition(
        conditions,
        "ScalingLimited",
        "False" if out == stabilized else "True",
        limit_reason,
        limit_message,
        now,
    )
    return out


def pod_usage(usages: list[Any]) -> dict[str, PodUsage]:
    """Per pod uid, the summed usage of its containers (runtime ContainerUsage rows)."""
    out: dict[str, PodUsage] = {}
    for u in usages:
        uid = u.ref.pod_uid
        prev = out.get(uid, PodUsage(0.0, 0))
        out[uid] = PodUsage(
            prev.cpu_millis + u.usage.cpu_nanocores / 1e6, prev.memory_bytes + u.usage.memory_bytes
        )
    return out
