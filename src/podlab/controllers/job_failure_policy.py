"""A Job's podFailurePolicy (k8s pkg/controller/job/pod_failure_policy.go matchPodFailurePolicy),
sans-IO: which rule a failed pod matches, first match wins.

FailJob fails the Job at once with the rule's message; Ignore keeps the failure out of
status.failed and the backoff limit; Count is the default; FailIndex (with backoffLimitPerIndex)
fails the pod's index at once (job.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Obj = dict[str, Any]


@dataclass(frozen=True, slots=True)
class PolicyMatch:
    action: str | None  # FailJob | Ignore | Count | FailIndex; None: no rule matched
    counts: bool  # whether the failure counts toward status.failed and backoffLimit
    message: str | None = None  # FailJob's condition message


_NO_MATCH = PolicyMatch(None, True)


def _terminated_matching(statuses: list[Obj], requirement: Obj) -> Obj | None:
    """getMatchingContainerFromList: a terminated container with a non-zero exit code the
    operator accepts (and of the named container, when one is named)."""
    name = requirement.get("containerName")
    values = set(requirement.get("values") or [])
    for cs in statuses:
        terminated = (cs.get("state") or {}).get("terminated")
        if not terminated or (name is not None and name != cs.get("name")):
            continue
        code = int(terminated.get("exitCode") or 0)
        if code == 0:
            continue
        if (code in values) == (requirement.get("operator") == "In"):
            return cs
    return None


def _on_exit_codes(pod: Obj, requirement: Obj) -> Obj | None:
    status = pod.get("status") or {}
    return _terminated_matching(status.get("containerStatuses") or [], requirement) or _terminated_matching(
        status.get("initContainerStatuses") or [], requirement
    )


def _on_pod_conditions(pod: Obj, patterns: list[Obj]) -> Obj | None:
    for cond in (pod.get("status") or {}).get("conditions") or []:
        for pattern in patterns:
            if cond.get("type") == pattern.get("type") and cond.get("status") == pattern.get(
                "status", "True"
            ):
                return dict(cond)
    return None


def match_pod_failure_policy(policy: Obj | None, pod: Obj) -> PolicyMatch:
    if not policy:
        return _NO_MATCH
    meta = pod.get("metadata") or {}
    where = f"{meta.get('namespace', '')}/{meta.get('name', '')}"
    for index, rule in enumerate(policy.get("rules") or []):
        action = str(rule.get("action") or "")
        message: str | None = None
        if rule.get("onExitCodes") is not None:
            cs = _on_exit_codes(pod, rule["onExitCodes"])
            if cs is None:
                continue
            code = int(((cs.get("state") or {}).get("terminated") or {}).get("exitCode") or 0)
            message = (
                f"Container {cs.get('name', '')} for pod {where} failed with exit code {code} "
                f"matching {action} rule at index {index}"
            )
        elif rule.get("onPodConditions"):
            cond = _on_pod_conditions(pod, rule["onPodConditions"])
            if cond is None:
                continue
            message = (
                f"Pod {where} has condition {cond.get('type', '')} matching {action} rule at index {index}"
            )
        else:
            continue
        if action == "Ignore":
            return PolicyMatch(action, False)
        if action == "FailJob":
            return PolicyMatch(action, True, message)
        if action in ("Count", "FailIndex"):
            return PolicyMatch(action, True)
    return _NO_MATCH
