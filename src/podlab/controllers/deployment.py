"""The Deployment reconcile (k8s pkg/controller/deployment: sync.go, rolling.go, recreate.go),
sans-IO: given a Deployment, the ReplicaSets and pods of its namespace and `now`, decide.

Like the real controller, one sync may create the new ReplicaSet and scale it in the same pass;
it works on in-memory copies and returns the writes as actions.
"""

from __future__ import annotations

import copy
from datetime import datetime

from podlab.controllers.actions import (
    DEPLOYMENTS,
    REPLICASETS,
    Action,
    CreateObject,
    PatchObject,
    SetStatus,
)
from podlab.controllers.claims import claim
from podlab.controllers.conditions import (
    FOUND_NEW_RS_REASON,
    NEW_RS_REASON,
    PAUSED_REASON,
    RESUMED_REASON,
    TIMED_OUT_REASON,
    calculate_status,
    get_condition,
    new_condition,
    resolve_fenceposts,
    rollout_status,
    set_condition,
)
from podlab.controllers.deployment_state import COMPONENT, NOT_COPIED, DeploymentSync, by_creation, is_rolling
from podlab.controllers.rollout import (
    cleanup_old,
    new_rs_replicas,
    old_pods_running,
    reconcile_new,
    reconcile_old,
)
from podlab.controllers.scaling import (
    find_active_or_latest,
    is_saturated,
    is_scaling_event,
    proportional_sizes,
)
from podlab.controllers.util import (
    DESIRED_REPLICAS,
    MAX_REPLICAS,
    POD_TEMPLATE_HASH,
    REVISION,
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
)
from podlab.k8s.names import pod_template_hash

__all__ = ["COMPONENT", "sync_deployment"]


def _create_new_rs(
    s: DeploymentSync, old_rss: list[Obj], all_rss: list[Obj], existing: list[Obj]
) -> Obj | None:
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
    annotations = {k: v for k, v in (meta(d).get("annotations") or {}).items() if k not in NOT_COPIED}
    surge = resolve_fenceposts(d)[0] if is_rolling(d) else 0
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
    replicas = new_rs_replicas(d, all_rss, None)
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


def _set_deployment_revision(s: DeploymentSync, revision: str) -> None:
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


def _found_new_rs(s: DeploymentSync, new_rs: Obj, old_rss: list[Obj]) -> None:
    """getNewReplicaSet for an existing new ReplicaSet: the Deployment's annotations (e.g.
    kubernetes.io/change-cause), revision bookkeeping, minReadySeconds, FoundNewReplicaSet."""
    wanted = max((revision_of(rs) for rs in old_rss), default=0) + 1
    annotations = meta(new_rs).setdefault("annotations", {})
    changes = {
        k: v
        for k, v in (meta(s.d).get("annotations") or {}).items()
        if k not in NOT_COPIED and annotations.get(k) != v
    }
    if revision_of(new_rs) < wanted:
        changes[REVISION] = str(wanted)
    min_ready = int((s.d.get("spec") or {}).get("minReadySeconds") or 0)
    patch: Obj = {}
    if changes:
        annotations.update(changes)
        patch["metadata"] = {"annotations": changes}
    if int((new_rs.get("spec") or {}).get("minReadySeconds") or 0) != min_ready:
        new_rs.setdefault("spec", {})["minReadySeconds"] = min_ready
        patch["spec"] = {"minReadySeconds": min_ready}
    if patch:
        s.actions.append(PatchObject(REPLICASETS, namespace_of(new_rs), name_of(new_rs), patch))
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


def _check_paused_conditions(s: DeploymentSync) -> None:
    """checkPausedConditions: Progressing Unknown while paused, and on resume."""
    if (s.d.get("spec") or {}).get("progressDeadlineSeconds") is None:
        return
    status = s.d.setdefault("status", {})
    cond = get_condition(status, "Progressing")
    if cond is not None and cond.get("reason") == TIMED_OUT_REASON:
        return
    paused = bool((s.d.get("spec") or {}).get("paused"))
    if paused and (cond is None or cond.get("reason") != PAUSED_REASON):
        set_condition(
            status, new_condition("Progressing", "Unknown", PAUSED_REASON, "Deployment is paused", s.now)
        )
    elif not paused and cond is not None and cond.get("reason") == PAUSED_REASON:
        set_condition(
            status, new_condition("Progressing", "Unknown", RESUMED_REASON, "Deployment is resumed", s.now)
        )


def _sync_scale_only(
    s: DeploymentSync, owned: list[Obj], new_rs: Obj | None, old_rss: list[Obj], original: Obj
) -> list[Action]:
    """sync(): scale (proportionally when rolling), then a status without progress updates."""
    d = s.d
    latest = find_active_or_latest(new_rs, old_rss)
    if latest is not None:
        if replicas_of(latest) != replicas_of(d):
            s.scale(latest, replicas_of(d))
    elif is_saturated(d, new_rs):
        for rs in old_rss:
            if replicas_of(rs) > 0:
                s.scale(rs, 0)
    elif is_rolling(d):
        for rs, size in proportional_sizes(d, new_rs, old_rss):
            s.scale(rs, size)
    if (d.get("spec") or {}).get("paused"):
        cleanup_old(s, old_rss)
    status = calculate_status(d, owned, new_rs, s.now)
    if status != original:
        s.actions.append(SetStatus(DEPLOYMENTS, namespace_of(d), name_of(d), status))
    return s.actions


def sync_deployment(deployment: Obj, replicasets: list[Obj], pods: list[Obj], now: datetime) -> list[Action]:
    """One reconcile of a Deployment; `now` must be timezone-aware UTC."""
    d = copy.deepcopy(deployment)
    original_status = copy.deepcopy(d.get("status") or {})
    s = DeploymentSync(d, now)
    if meta(d).get("deletionTimestamp"):
        return []
    claimed, claims = claim(d, replicasets, REPLICASETS)
    s.actions.extend(claims)
    owned = [copy.deepcopy(rs) for rs in claimed]
    template = (d.get("spec") or {}).get("template") or {}
    matching = by_creation(
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

    _check_paused_conditions(s)
    active = [rs for rs in owned if replicas_of(rs) > 0]
    if (d.get("spec") or {}).get("paused") or (new_rs is not None and is_scaling_event(d, active)):
        return _sync_scale_only(s, owned, new_rs, old_rss, original_status)

    if is_rolling(d):
        if new_rs is None:
            new_rs = _create_new_rs(s, old_rss, owned, replicasets)
            if new_rs is None:
                return s.actions
            if new_rs not in owned:
                owned.append(new_rs)
        if reconcile_new(s, owned, new_rs):
            return done(owned, new_rs)
        if reconcile_old(s, owned, old_rss, new_rs):
            return done(owned, new_rs)
        if (
            status_int(new_rs, "availableReplicas") == replicas_of(d)
            and replicas_of(new_rs) == replicas_of(d)
            and all(replicas_of(rs) == 0 for rs in old_rss)
        ):
            cleanup_old(s, old_rss)
        return done(owned, new_rs)

    # Recreate: all old pods go before any new one starts.
    scaled = False
    for rs in old_rss:
        if replicas_of(rs) != 0:
            s.scale(rs, 0)
            scaled = True
    if scaled:
        return done(owned, new_rs)
    if old_pods_running(old_rss, ns_pods):
        return done(owned, new_rs)
    if new_rs is None:
        new_rs = _create_new_rs(s, old_rss, owned, replicasets)
        if new_rs is None:
            return s.actions
        owned.append(new_rs)
    elif replicas_of(new_rs) != replicas_of(d):
        s.scale(new_rs, replicas_of(d))
    if status_int(new_rs, "availableReplicas") == replicas_of(d):
        cleanup_old(s, old_rss)
    return done(owned, new_rs)
