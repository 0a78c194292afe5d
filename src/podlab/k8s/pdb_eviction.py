"""Whether the eviction subresource may delete a pod, and what it writes to the pod's budget
(k8s pkg/registry/core/pod/storage/eviction.go: canIgnorePDB, checkAndDecrement), no I/O.

The answers carry upstream's words: kubectl drain prints the 429 message and retries.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from podlab.k8s.selectors import selector_matches
from podlab.k8s.timestamps import format_time

Obj = dict[str, Any]

VIOLATION = "Cannot evict pod as it would violate the pod's disruption budget."
MANY_BUDGETS = (
    "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support."
)
DISRUPTION_BUDGET_CAUSE = "DisruptionBudget"


@dataclass(frozen=True)
class Refuse:
    """Answer this Status; touch nothing."""

    status: Obj


@dataclass(frozen=True)
class Evict:
    """Delete the pod; first write `budget_status` to the budget when not None."""

    budget: Obj | None = None
    budget_status: Obj | None = None


def _status(code: int, reason: str, message: str, details: Obj | None) -> Obj:
    body: Obj = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
    }
    if reason:
        body["reason"] = reason
    if details is not None:
        body["details"] = details
    body["code"] = code
    return body


def _too_many_requests(cause: str, retry_after: int) -> Refuse:
    details: Obj = {"causes": [{"reason": DISRUPTION_BUDGET_CAUSE, "message": cause}]}
    if retry_after:
        details["retryAfterSeconds"] = retry_after
    return Refuse(_status(429, "TooManyRequests", VIOLATION, details))


def _is_ready(pod: Obj) -> bool:
    conditions = (pod.get("status") or {}).get("conditions") or []
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)


def can_ignore_budget(pod: Obj) -> bool:
    """canIgnorePDB: terminal, pending or already terminating pods are deleted directly."""
    phase = (pod.get("status") or {}).get("phase")
    return phase in ("Succeeded", "Failed", "Pending") or bool(
        (pod.get("metadata") or {}).get("deletionTimestamp")
    )


def budgets_for(pod: Obj, budgets: list[Obj]) -> list[Obj]:
    """getPodDisruptionBudgets: the namespace's budgets whose selector matches the pod."""
    labels = (pod.get("metadata") or {}).get("labels") or {}
    return [b for b in budgets if selector_matches((b.get("spec") or {}).get("selector"), labels)]


def decide(pod: Obj, ns_budgets: list[Obj], now: datetime, *, dry_run: bool = False) -> Evict | Refuse:
    if can_ignore_budget(pod):
        return Evict()
    matching = budgets_for(pod, ns_budgets)
    if len(matching) > 1:
        return Refuse(_status(500, "", MANY_BUDGETS, None))
    if not matching:
        return Evict()
    budget = matching[0]
    spec, status = budget.get("spec") or {}, budget.get("status") or {}
    healthy, desired = int(status.get("currentHealthy") or 0), int(status.get("desiredHealthy") or 0)
    # An unready pod does not count as healthy: evicting it spends nothing.
    spare = spec.get("unhealthyPodEvictionPolicy") == "AlwaysAllow" or (healthy >= desired and desired > 0)
    if not _is_ready(pod) and spare:
        return Evict()
    name = str((budget.get("metadata") or {}).get("name", ""))
    if int(status.get("observedGeneration") or 0) < int(
        (budget.get("metadata") or {}).get("generation") or 0
    ):
        return _too_many_requests(f"The disruption budget {name} is still being processed by the server.", 10)
    allowed = int(status.get("disruptionsAllowed") or 0)
    if allowed <= 0:
        return _too_many_requests(
            f"The disruption budget {name} needs {desired} healthy pods and has {healthy} currently", 0
        )
    if dry_run:
        return Evict()
    new = copy.deepcopy(status)
    new["disruptionsAllowed"] = allowed - 1
    if allowed - 1 == 0:
        for cond in new.get("conditions") or []:
            if cond.get("type") == "DisruptionAllowed" and cond.get("status") == "True":
                cond.update(status="False", reason="InsufficientPods", lastTransitionTime=format_time(now))
    # The controller must not count the pod as healthy while it goes (disruptedPods).
    pod_name = str((pod.get("metadata") or {}).get("name", ""))
    new["disruptedPods"] = {**(new.get("disruptedPods") or {}), pod_name: format_time(now)}
    return Evict(budget, new)
