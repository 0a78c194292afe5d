"""Deployment conditions and status (k8s pkg/controller/deployment/util/deployment_util.go,
sync.go calculateStatus / progress.go syncRolloutStatus)."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta

from podlab.controllers.util import Obj, name_of, replicas_of, resolve_int_or_percent, status_int
from podlab.k8s.timestamps import format_time, parse_time

# Condition reasons, as deployment_util.go names them.
NEW_RS_REASON = "NewReplicaSetCreated"
FOUND_NEW_RS_REASON = "FoundNewReplicaSet"
RS_UPDATED_REASON = "ReplicaSetUpdated"
NEW_RS_AVAILABLE_REASON = "NewReplicaSetAvailable"
TIMED_OUT_REASON = "ProgressDeadlineExceeded"
MIN_AVAILABLE_REASON = "MinimumReplicasAvailable"
PAUSED_REASON = "DeploymentPaused"
RESUMED_REASON = "DeploymentResumed"
MIN_UNAVAILABLE_REASON = "MinimumReplicasUnavailable"


def new_condition(ctype: str, status: str, reason: str, message: str, now: datetime) -> Obj:
    t = format_time(now)
    return {
        "type": ctype,
        "status": status,
        "lastUpdateTime": t,
        "lastTransitionTime": t,
        "reason": reason,
        "message": message,
    }


def get_condition(status: Obj, ctype: str) -> Obj | None:
    for cond in status.get("conditions") or []:
        if cond.get("type") == ctype:
            return cond
    return None


def set_condition(status: Obj, cond: Obj) -> None:
    """SetDeploymentCondition: no change for the same status and reason; keep the transition
    time when only the reason changes; the changed condition moves to the end."""
    current = get_condition(status, cond["type"])
    if (
        current is not None
        and current.get("status") == cond["status"]
        and current.get("reason") == cond["reason"]
    ):
        return
    cond = dict(cond)
    if current is not None and current.get("status") == cond["status"]:
        cond["lastTransitionTime"] = current.get("lastTransitionTime", cond["lastTransitionTime"])
    status["conditions"] = [c for c in status.get("conditions") or [] if c.get("type") != cond["type"]] + [
        cond
    ]


def remove_condition(status: Obj, ctype: str) -> None:
    status["conditions"] = [c for c in status.get("conditions") or [] if c.get("type") != ctype]


def max_unavailable(d: Obj) -> int:
    """deploymentutil.MaxUnavailable: 0 for Recreate; the resolved value capped at replicas."""
    spec = d.get("spec") or {}
    strategy = spec.get("strategy") or {}
    replicas = replicas_of(d)
    if strategy.get("type") != "RollingUpdate" or replicas == 0:
        return 0
    _, unavailable = resolve_fenceposts(d)
    return min(unavailable, replicas)


def resolve_fenceposts(d: Obj) -> tuple[int, int]:
    """(maxSurge rounded up, maxUnavailable rounded down); both 0 becomes unavailable 1."""
    rolling = ((d.get("spec") or {}).get("strategy") or {}).get("rollingUpdate") or {}
    replicas = replicas_of(d)
    surge = resolve_int_or_percent(rolling.get("maxSurge", "25%"), replicas, True)
    unavailable = resolve_int_or_percent(rolling.get("maxUnavailable", "25%"), replicas, False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable


def calculate_status(d: Obj, all_rss: list[Obj], new_rs: Obj | None, now: datetime) -> Obj:
    available = sum(status_int(rs, "availableReplicas") for rs in all_rss)
    total = sum(replicas_of(rs) for rs in all_rss)
    old_status = d.get("status") or {}
    status: Obj = {
        "observedGeneration": int((d.get("metadata") or {}).get("generation") or 0),
        "replicas": sum(status_int(rs, "replicas") for rs in all_rss),
        "updatedReplicas": status_int(new_rs, "replicas") if new_rs is not None else 0,
        "readyReplicas": sum(status_int(rs, "readyReplicas") for rs in all_rss),
        "availableReplicas": available,
        "unavailableReplicas": max(0, total - available),
        "conditions": copy.deepcopy(old_status.get("conditions") or []),
    }
    # DeploymentStatus fields are all omitempty: zero counts are not stored.
    status = {k: v for k, v in status.items() if v not in (0, [])}
    if old_status.get("collisionCount") is not None:
        status["collisionCount"] = old_status["collisionCount"]
    if available >= replicas_of(d) - max_unavailable(d):
        set_condition(
            status,
            new_condition(
                "Available", "True", MIN_AVAILABLE_REASON, "Deployment has minimum availability.", now
            ),
        )
    else:
        set_condition(
            status,
            new_condition(
                "Available",
                "False",
                MIN_UNAVAILABLE_REASON,
                "Deployment does not have minimum availability.",
                now,
            ),
        )
    return status


def deployment_complete(d: Obj, status: Obj) -> bool:
    replicas = replicas_of(d)
    return (
        status.get("updatedReplicas", 0) == replicas
        and status.get("replicas", 0) == replicas
        and status.get("availableReplicas", 0) == replicas
        and status.get("observedGeneration", 0) >= int((d.get("metadata") or {}).get("generation") or 0)
    )


def deployment_progressing(d: Obj, status: Obj) -> bool:
    old = d.get("status") or {}
    old_old = int(old.get("replicas") or 0) - int(old.get("updatedReplicas") or 0)
    new_old = status.get("replicas", 0) - status.get("updatedReplicas", 0)
    return (
        status.get("updatedReplicas", 0) > int(old.get("updatedReplicas") or 0)
        or new_old < old_old
        or status.get("readyReplicas", 0) > int(old.get("readyReplicas") or 0)
        or status.get("availableReplicas", 0) > int(old.get("availableReplicas") or 0)
    )


def deployment_timed_out(d: Obj, status: Obj, now: datetime) -> bool:
    deadline = (d.get("spec") or {}).get("progressDeadlineSeconds")
    cond = get_condition(status, "Progressing")
    if deadline is None or cond is None:
        return False
    if cond.get("reason") == NEW_RS_AVAILABLE_REASON:
        return False
    if cond.get("reason") == TIMED_OUT_REASON:
        return True
    last = parse_time(cond.get("lastUpdateTime"))
    return last is not None and last + timedelta(seconds=int(deadline)) < now


def rollout_status(d: Obj, all_rss: list[Obj], new_rs: Obj | None, now: datetime) -> Obj:
    """syncRolloutStatus: the status with Available and Progressing brought up to date."""
    status = calculate_status(d, all_rss, new_rs, now)
    has_deadline = (d.get("spec") or {}).get("progressDeadlineSeconds") is not None
    if not has_deadline:
        remove_condition(status, "Progressing")
    current = get_condition(d.get("status") or {}, "Progressing")
    complete = (
        status.get("replicas") == status.get("updatedReplicas")
        and current is not None
        and current.get("reason") == NEW_RS_AVAILABLE_REASON
    )
    subject = f'ReplicaSet "{name_of(new_rs)}"' if new_rs is not None else f'Deployment "{name_of(d)}"'
    if has_deadline and not complete:
        if deployment_complete(d, status):
            set_condition(
                status,
                new_condition(
                    "Progressing",
                    "True",
                    NEW_RS_AVAILABLE_REASON,
                    f"{subject} has successfully progressed.",
                    now,
                ),
            )
        elif deployment_progressing(d, status):
            cond = new_condition("Progressing", "True", RS_UPDATED_REASON, f"{subject} is progressing.", now)
            if current is not None:
                if current.get("status") == "True":
                    cond["lastTransitionTime"] = current.get("lastTransitionTime", cond["lastTransitionTime"])
                remove_condition(status, "Progressing")
            set_condition(status, cond)
        elif deployment_timed_out(d, status, now):
            set_condition(
                status,
                new_condition(
                    "Progressing", "False", TIMED_OUT_REASON, f"{subject} has timed out progressing.", now
                ),
            )
    return status
