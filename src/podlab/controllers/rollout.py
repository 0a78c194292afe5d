"""RollingUpdate and Recreate steps (k8s pkg/controller/deployment/rolling.go, recreate.go,
sync.go cleanupDeployment, util NewRSNewReplicas)."""

from __future__ import annotations

from podlab.controllers.actions import REPLICASETS, DeleteObject
from podlab.controllers.conditions import max_unavailable, resolve_fenceposts
from podlab.controllers.deployment_state import DeploymentSync, by_creation, is_rolling
from podlab.controllers.util import (
    Obj,
    is_controlled_by,
    meta,
    name_of,
    namespace_of,
    replicas_of,
    revision_of,
    status_int,
    uid_of,
)


def new_rs_replicas(d: Obj, all_rss: list[Obj], new_rs: Obj | None) -> int:
    """NewRSNewReplicas."""
    desired = replicas_of(d)
    if not is_rolling(d):
        return desired
    current_new = replicas_of(new_rs) if new_rs is not None else 0
    surge, _ = resolve_fenceposts(d)
    current_total = sum(replicas_of(rs) for rs in all_rss)
    max_total = desired + surge
    if current_total >= max_total:
        return current_new
    scale_up = min(max_total - current_total, desired - current_new)
    return current_new + scale_up


def reconcile_new(s: DeploymentSync, all_rss: list[Obj], new_rs: Obj) -> bool:
    desired = replicas_of(s.d)
    current = replicas_of(new_rs)
    if current == desired:
        return False
    if current > desired:
        s.scale(new_rs, desired)
        return True
    target = new_rs_replicas(s.d, all_rss, new_rs)
    if target != current:
        s.scale(new_rs, target)
        return True
    return False


def reconcile_old(s: DeploymentSync, all_rss: list[Obj], old_rss: list[Obj], new_rs: Obj) -> bool:
    """reconcileOldReplicaSets: first unhealthy old replicas, then healthy ones above minAvailable."""
    old_count = sum(replicas_of(rs) for rs in old_rss)
    if old_count == 0:
        return False
    all_count = sum(replicas_of(rs) for rs in all_rss)
    min_available = replicas_of(s.d) - max_unavailable(s.d)
    new_unavailable = replicas_of(new_rs) - status_int(new_rs, "availableReplicas")
    max_scaled_down = all_count - min_available - new_unavailable
    if max_scaled_down <= 0:
        return False
    scaled = 0
    # cleanupUnhealthyReplicas: old replicas that are not available go first.
    for rs in by_creation(old_rss):
        if scaled >= max_scaled_down:
            break
        if replicas_of(rs) == 0:
            continue
        unhealthy = replicas_of(rs) - status_int(rs, "availableReplicas")
        if unhealthy <= 0:
            continue
        down = min(max_scaled_down - scaled, unhealthy)
        s.scale(rs, replicas_of(rs) - down)
        scaled += down
    # scaleDownOldReplicaSetsForRollingUpdate
    available = sum(status_int(rs, "availableReplicas") for rs in all_rss)
    if available > min_available:
        total_down = min(available - min_available, max_scaled_down - scaled)
        for rs in by_creation(old_rss):
            if total_down <= 0:
                break
            if replicas_of(rs) == 0:
                continue
            down = min(replicas_of(rs), total_down)
            s.scale(rs, replicas_of(rs) - down)
            total_down -= down
            scaled += down
    return scaled > 0


def cleanup_old(s: DeploymentSync, old_rss: list[Obj]) -> None:
    """cleanupDeployment: delete the oldest empty old ReplicaSets beyond revisionHistoryLimit."""
    limit = (s.d.get("spec") or {}).get("revisionHistoryLimit")
    if limit is None:
        return
    empty = [
        rs
        for rs in old_rss
        if replicas_of(rs) == 0 and status_int(rs, "replicas") == 0 and not meta(rs).get("deletionTimestamp")
    ]
    excess = len(empty) - int(limit)
    for rs in sorted(empty, key=lambda r: (revision_of(r), str(meta(r).get("creationTimestamp") or "")))[
        : max(0, excess)
    ]:
        s.actions.append(DeleteObject(REPLICASETS, namespace_of(rs), name_of(rs), uid=uid_of(rs)))


def old_pods_running(old_rss: list[Obj], pods: list[Obj]) -> bool:
    for rs in old_rss:
        if status_int(rs, "replicas") > 0:
            return True
        for pod in pods:
            phase = (pod.get("status") or {}).get("phase")
            if is_controlled_by(pod, rs) and phase not in ("Succeeded", "Failed"):
                return True
    return False
