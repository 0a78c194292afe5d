"""The Deployment reconcile (k8s pkg/controller/deployment: sync.go, rolling.go, recreate.go),
sans-IO: given a Deployment, the ReplicaSets and pods of its namespace and `now`, decide.

Like the real controller, one sync may create the new ReplicaSet and scale it in the same pass;
it works on in-memory copies and returns the writes as actions.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime

from podlab.controllers.actions import (
    DEPLOYMENTS,
    REPLICASETS,
    Action,
    CreateObject,
    DeleteObject,
    PatchObject,
    RecordEvent,
    SetStatus,
)
from podlab.controllers.claims import claim
from podlab.controllers.conditions import (
    FOUND_NEW_RS_REASON,
    NEW_RS_REASON,
    get_condition,
    max_unavailable,
    new_condition,
    resolve_fenceposts,
    rollout_status,
    set_condition,
)
from podlab.controllers.util import (
    DESIRED_REPLICAS,
    LAST_APPLIED,
    MAX_REPLICAS,
    POD_TEMPLATE_HASH,
    REVISION,
    REVISION_HISTORY,
    Obj,
    equal_ignore_hash,
    is_controlled_by,
    meta,
    name_of,
    namespace_of,
    owner_reference,
    replicas_of,
    revision_of,
    status_int,
    uid_of,
)
from podlab.k8s.names import pod_template_hash

COMPONENT = "deployment-controller"
_NOT_COPIED = {
    LAST_APPLIED,
    REVISION,
    REVISION_HISTORY,
    DESIRED_REPLICAS,
    MAX_REPLICAS,
    "deprecated.deployment.rollback.to",
}


@dataclass
class _Sync:
    """One sync's working state: in-memory copies that the actions describe."""

    d: Obj
    now: datetime
    actions: list[Action] = field(default_factory=list)

    def event(self, reason: str, message: str) -> None:
        self.actions.append(RecordEvent(self.d, "Normal", reason, message, COMPONENT))

    def scale(self, rs: Obj, replicas: int) -> None:
        """scaleReplicaSet: new replicas and the desired/max annotations, plus the event."""
        old = replicas_of(rs)
        surge = resolve_fenceposts(self.d)[0] if _is_rolling(self.d) else 0
        annotations = {
            DESIRED_REPLICAS: str(replicas_of(self.d)),
            MAX_REPLICAS: str(replicas_of(self.d) + surge),
        }
        current = meta(rs).get("annotations") or {}
        if old == replicas and all(current.get(k) == v for k, v in annotations.items()):
            return
        rs.setdefault("spec", {})["replicas"] = replicas
        meta(rs).setdefault("annotations", {}).update(annotations)
        self.actions.append(
            PatchObject(
                REPLICASETS,
                namespace_of(rs),
                name_of(rs),
                {"metadata": {"annotations": annotations}, "spec": {"replicas": replicas}},
            )
        )
        if old != replicas:
            verb = "up" if replicas > old else "down"
            self.event(
                "ScalingReplicaSet", f"Scaled {verb} replica set {name_of(rs)} from {old} to {replicas}"
            )


def _is_rolling(d: Obj) -> bool:
    return ((d.get("spec") or {}).get("strategy") or {}).get("type", "RollingUpdate") == "RollingUpdate"


def _by_creation(rss: list[Obj]) -> list[Obj]:
    return sorted(rss, key=lambda rs: (str(meta(rs).get("creationTimestamp") or ""), name_of(rs)))


def _new_rs_replicas(d: Obj, all_rss: list[Obj], new_rs: Obj | None) -> int:
    """NewRSNewReplicas."""
    desired = replicas_of(d)
    if not _is_rolling(d):
        return desired
    current_new = replicas_of(new_rs) if new_rs is not None else 0
    surge, _ = resolve_fenceposts(d)
    current_total = sum(replicas_of(rs) for rs in all_rss)
    max_total = desired + surge
    if current_total >= max_total:
        return current_new
    scale_up = min(max_total - current_total, desired - current_new)
    return current_new + scale_up


def _create_new_rs(s: _Sync, old_rss: list[Obj], all_rss: list[Obj], existing: list[Obj]) -> Obj | None:
    d = s.d
    template = copy.deepcopy((d.get("spec") or {}).get("template") or {})
    collision = (d.get("status") or {}).get("collisionCount")
    h = pod_template_hash(template, collision)
    name = f"{name_of(d)}-{h}"
    clash = next((rs for rs in existing if name_of(rs) == name), None)
    if clash is not None:
        if is_controlled_by(clash, d) and equal_ignore_hash(clash["spec"].get("template") or {}, template):
            return clash
        # A ReplicaSet of that name is someone else's: bump collisionCount, retry next sync.
        status = copy.deepcopy(d.get("status") or {})
        status["collisionCount"] = int(collision or 0) + 1
        s.actions.append(SetStatus(DEPLOYMENTS, namespace_of(d), name_of(d), status))
        return None
    tmeta = template.setdefault("metadata", {})
    tmeta.setdefault("labels", {})[POD_TEMPLATE_HASH] = h
    selector = copy.deepcopy((d.get("spec") or {}).get("selector") or {})
    selector.setdefault("matchLabels", {})[POD_TEMPLATE_HASH] = h
    revision = max((revision_of(rs) for rs in old_rss), default=0) + 1
    annotations = {k: v for k, v in (meta(d).get("annotations") or {}).items() if k not in _NOT_COPIED}
    surge = resolve_fenceposts(d)[0] if _is_rolling(d) else 0
    annotations.update(
        {
            DESIRED_REPLICAS: str(replicas_of(d)),
            MAX_REPLICAS: str(replicas_of(d) + surge),
            REVISION: str(revision),
        }
    )
    rs: Obj = {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {
            "name": name,
            "namespace": namespace_of(d),
            "labels": dict(tmeta["labels"]),
            "annotations": annotations,
            "ownerReferences": [owner_reference(d)],
        },
        "spec": {
            "replicas": 0,
            "minReadySeconds": int((d.get("spec") or {}).get("minReadySeconds") or 0),
            "selector": selector,
            "template": template,
        },
    }
    replicas = _new_rs_replicas(d, all_rss, None)
    rs["spec"]["replicas"] = replicas
    s.actions.append(CreateObject(REPLICASETS, copy.deepcopy(rs)))
    if replicas > 0:
        s.event("ScalingReplicaSet", f"Scaled up replica set {name} from 0 to {replicas}")
    set_condition(
        d.setdefault("status", {}),
        new_condition("Progressing", "True", NEW_RS_REASON, f'Created new replica set "{name}"', s.now),
    )
    _set_deployment_revision(s, str(revision))
    return rs


def _set_deployment_revision(s: _Sync, revision: str) -> None:
    annotations = meta(s.d).setdefault("annotations", {})
    if annotations.get(REVISION) != revision:
        annotations[REVISION] = revision
        s.actions.append(
            PatchObject(
                DEPLOYMENTS,
                namespace_of(s.d),
                name_of(s.d),
                {"metadata": {"annotations": {REVISION: revision}}},
            )
        )


def _found_new_rs(s: _Sync, new_rs: Obj, old_rss: list[Obj]) -> None:
    """getNewReplicaSet for an existing new ReplicaSet: revision bookkeeping, FoundNewReplicaSet."""
    wanted = max((revision_of(rs) for rs in old_rss), default=0) + 1
    if revision_of(new_rs) < wanted:
        meta(new_rs).setdefault("annotations", {})[REVISION] = str(wanted)
        s.actions.append(
            PatchObject(
                REPLICASETS,
                namespace_of(new_rs),
                name_of(new_rs),
                {"metadata": {"annotations": {REVISION: str(wanted)}}},
            )
        )
    _set_deployment_revision(s, str(revision_of(new_rs)))
    status = s.d.setdefault("status", {})
    if (s.d.get("spec") or {}).get("progressDeadlineSeconds") is not None and get_condition(
        status, "Progressing"
    ) is None:
        set_condition(
            status,
            new_condition(
                "Progressing",
                "True",
                FOUND_NEW_RS_REASON,
                f'Found new replica set "{name_of(new_rs)}"',
                s.now,
            ),
        )


def _reconcile_new(s: _Sync, all_rss: list[Obj], new_rs: Obj) -> bool:
    desired = replicas_of(s.d)
    current = replicas_of(new_rs)
    if current == desired:
        return False
    if current > desired:
        s.scale(new_rs, desired)
        return True
    target = _new_rs_replicas(s.d, all_rss, new_rs)
    if target != current:
        s.scale(new_rs, target)
        return True
    return False


def _reconcile_old(s: _Sync, all_rss: list[Obj], old_rss: list[Obj], new_rs: Obj) -> bool:
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
    for rs in _by_creation(old_rss):
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
        for rs in _by_creation(old_rss):
            if total_down <= 0:
                break
            if replicas_of(rs) == 0:
                continue
            down = min(replicas_of(rs), total_down)
            s.scale(rs, replicas_of(rs) - down)
            total_down -= down
            scaled += down
    return scaled > 0


def _cleanup(s: _Sync, old_rss: list[Obj]) -> None:
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


def _old_pods_running(old_rss: list[Obj], pods: list[Obj]) -> bool:
    for rs in old_rss:
        if status_int(rs, "replicas") > 0:
            return True
        for pod in pods:
            phase = (pod.get("status") or {}).get("phase")
            if is_controlled_by(pod, rs) and phase not in ("Succeeded", "Failed"):
                return True
    return False


def sync_deployment(deployment: Obj, replicasets: list[Obj], pods: list[Obj], now: datetime) -> list[Action]:
    """One reconcile of a Deployment; `now` must be timezone-aware UTC."""
    d = copy.deepcopy(deployment)
    original_status = copy.deepcopy(d.get("status") or {})
    s = _Sync(d, now)
    if meta(d).get("deletionTimestamp"):
        return []
    claimed, claims = claim(d, replicasets, REPLICASETS)
    s.actions.extend(claims)
    owned = [copy.deepcopy(rs) for rs in claimed]
    template = (d.get("spec") or {}).get("template") or {}
    matching = _by_creation(
        [rs for rs in owned if equal_ignore_hash((rs.get("spec") or {}).get("template") or {}, template)]
    )
    new_rs = matching[0] if matching else None
    old_rss = [rs for rs in owned if rs is not new_rs]
    ns_pods = [p for p in pods if namespace_of(p) == namespace_of(d)]

    def done(all_rss: list[Obj], new: Obj | None) -> list[Action]:
        status = rollout_status(d, all_rss, new, now)
        if status != original_status:
            s.actions.append(SetStatus(DEPLOYMENTS, namespace_of(d), name_of(d), status))
        return s.actions

    if new_rs is not None:
        _found_new_rs(s, new_rs, old_rss)

    if (d.get("spec") or {}).get("paused"):
        return done(owned, new_rs)

    if _is_rolling(d):
        if new_rs is None:
            new_rs = _create_new_rs(s, old_rss, owned, replicasets)
            if new_rs is None:
                return s.actions
            if new_rs not in owned:
                owned.append(new_rs)
        if _reconcile_new(s, owned, new_rs):
            return done(owned, new_rs)
        if _reconcile_old(s, owned, old_rss, new_rs):
            return done(owned, new_rs)
        if (
            status_int(new_rs, "availableReplicas") == replicas_of(d)
            and replicas_of(new_rs) == replicas_of(d)
            and all(replicas_of(rs) == 0 for rs in old_rss)
        ):
            _cleanup(s, old_rss)
        return done(owned, new_rs)

    # Recreate: all old pods go before any new one starts.
    scaled = False
    for rs in old_rss:
        if replicas_of(rs) != 0:
            s.scale(rs, 0)
            scaled = True
    if scaled:
        return done(owned, new_rs)
    if _old_pods_running(old_rss, ns_pods):
        return done(owned, new_rs)
    if new_rs is None:
        new_rs = _create_new_rs(s, old_rss, owned, replicasets)
        if new_rs is None:
            return s.actions
        owned.append(new_rs)
    elif replicas_of(new_rs) != replicas_of(d):
        s.scale(new_rs, replicas_of(d))
    if status_int(new_rs, "availableReplicas") == replicas_of(d):
        _cleanup(s, old_rss)
    return done(owned, new_rs)
