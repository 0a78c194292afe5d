"""The DaemonSet reconcile on podlab's one node (k8s pkg/controller/daemon/daemon_controller.go
manage/podsShouldBeOnNode/updateDaemonSetStatus, update.go rollingUpdate, util/daemonset_util.go),
sans-IO: given the DaemonSet, the pods of its namespace, the Node and `now`, decide pod creates
and deletes, the status and the events.

Each template is kept as a ControllerRevision (daemonset_history.py), so `kubectl rollout
history/undo ds` work. Not modelled: `numberMisscheduled` beyond the node-no-longer-fits case.
"""

from __future__ import annotations

import copy
from datetime import datetime

from podlab.controllers.actions import PODS, Action, CreateObject, DeleteObject, RecordEvent, SetStatus
from podlab.controllers.claims import claim
from podlab.controllers.daemonset_history import history_actions
from podlab.controllers.util import (
    Obj,
    is_pod_available,
    is_pod_ready,
    meta,
    name_of,
    namespace_of,
    owner_reference,
    resolve_int_or_percent,
    uid_of,
)
from podlab.k8s.names import pod_template_hash
from podlab.kubelet.node_fit import matches_node

COMPONENT = "daemonset-controller"
DAEMONSETS = ("apps", "daemonsets")
REVISION_HASH = "controller-revision-hash"
TEMPLATE_GENERATION = "pod-template-generation"

# util.AddOrUpdateDaemonPodTolerations: all with operator Exists.
_TOLERATIONS = (
    ("node.kubernetes.io/not-ready", "NoExecute"),
    ("node.kubernetes.io/unreachable", "NoExecute"),
    ("node.kubernetes.io/disk-pressure", "NoSchedule"),
    ("node.kubernetes.io/memory-pressure", "NoSchedule"),
    ("node.kubernetes.io/pid-pressure", "NoSchedule"),
    ("node.kubernetes.io/unschedulable", "NoSchedule"),
)
_NETWORK_UNAVAILABLE = ("node.kubernetes.io/network-unavailable", "NoSchedule")


def _spec(ds: Obj) -> Obj:
    s = ds.get("spec")
    return s if isinstance(s, dict) else {}


def template_hash(ds: Obj) -> str:
    """controller.ComputeHash(&ds.Spec.Template, ds.Status.CollisionCount)."""
    return pod_template_hash(_spec(ds).get("template") or {}, (ds.get("status") or {}).get("collisionCount"))


def _pod_spec(ds: Obj) -> Obj:
    return copy.deepcopy((_spec(ds).get("template") or {}).get("spec") or {})


def _daemon_tolerations(pod_spec: Obj) -> list[Obj]:
    wanted = list(_TOLERATIONS)
    if pod_spec.get("hostNetwork"):
        wanted.append(_NETWORK_UNAVAILABLE)
    tolerations = [dict(t) for t in pod_spec.get("tolerations") or []]
    for key, effect in wanted:
        # AddOrUpdateTolerationInPodSpec: an equal toleration already there is kept as is.
        new = {"key": key, "operator": "Exists", "effect": effect}
        if new not in tolerations:
            tolerations.append(new)
    return tolerations


def _tolerates(tolerations: list[Obj], taint: Obj) -> bool:
    """v1helper.TolerationsTolerateTaint."""
    for t in tolerations:
        if t.get("effect") and t.get("effect") != taint.get("effect"):
            continue
        if t.get("operator") == "Exists":
            if not t.get("key") or t.get("key") == taint.get("key"):
                return True
        elif t.get("key") == taint.get("key") and str(t.get("value") or "") == str(taint.get("value") or ""):
            return True
    return False


def should_run(ds: Obj, node: Obj) -> bool:
    """NodeShouldRunDaemonPod: the node matches the nodeSelector and required node affinity, and
    every NoSchedule/NoExecute taint is tolerated (the daemon tolerations included)."""
    pod_spec = _pod_spec(ds)
    if not matches_node(pod_spec, node):
        return False
    tolerations = _daemon_tolerations(pod_spec)
    taints = (node.get("spec") or {}).get("taints") or []
    return all(
        _tolerates(tolerations, taint)
        for taint in taints
        if taint.get("effect") in ("NoSchedule", "NoExecute")
    )


def pod_from_template(ds: Obj, node_name: str) -> Obj:
    """controller.GetPodFromTemplate plus the daemon's pinning: the revision labels, a required
    node affinity on the node's name (ReplaceDaemonSetPodNodeNameNodeAffinity; nodeName is left to
    the scheduler) and the daemon tolerations."""
    template = _spec(ds).get("template") or {}
    tmeta = template.get("metadata") or {}
    labels = dict(tmeta.get("labels") or {})
    labels[REVISION_HASH] = template_hash(ds)
    labels[TEMPLATE_GENERATION] = str(meta(ds).get("generation") or 1)
    pod_meta: Obj = {
        "generateName": f"{name_of(ds)}-",
        "namespace": namespace_of(ds),
        "labels": labels,
        "ownerReferences": [owner_reference(ds)],
    }
    if tmeta.get("annotations"):
        pod_meta["annotations"] = dict(tmeta["annotations"])
    spec = _pod_spec(ds)
    affinity = spec.setdefault("affinity", {})
    node_affinity = affinity.setdefault("nodeAffinity", {})
    node_affinity["requiredDuringSchedulingIgnoredDuringExecution"] = {
        "nodeSelectorTerms": [
            {"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node_name]}]}
        ]
    }
    spec["tolerations"] = _daemon_tolerations(spec)
    return {"apiVersion": "v1", "kind": "Pod", "metadata": pod_meta, "spec": spec}


def _create(ds: Obj, node_name: str) -> CreateObject:
    return CreateObject(
        PODS,
        pod_from_template(ds, node_name),
        event=("SuccessfulCreate", "Created pod: {name}"),
        owner=ds,
        component=COMPONENT,
    )


def _delete(ds: Obj, pod: Obj) -> DeleteObject:
    return DeleteObject(
        PODS,
        namespace_of(pod),
        name_of(pod),
        uid=uid_of(pod),
        event=("SuccessfulDelete", f"Deleted pod: {name_of(pod)}"),
        owner=ds,
        component=COMPONENT,
    )


def _phase(pod: Obj) -> str:
    return str((pod.get("status") or {}).get("phase") or "")


def _is_updated(ds: Obj, pod: Obj, current: str) -> bool:
    """IsPodUpdated: the pod carries the current revision's hash."""
    return (meta(pod).get("labels") or {}).get(REVISION_HASH) == current


def _created(pod: Obj) -> str:
    return str(meta(pod).get("creationTimestamp") or "")


def _rolling(ds: Obj, pods: list[Obj], current: str, node_name: str, now: datetime) -> list[Action]:
    """rollingUpdate on one node: with maxSurge, start the new pod first and delete the old one once
    the new is available; else delete the old pod when maxUnavailable allows (an unavailable old
    pod always goes)."""
    strategy = _spec(ds).get("updateStrategy") or {}
    if strategy.get("type") != "RollingUpdate":
        return []  # OnDelete: new pods only when the user deletes old ones
    rolling = strategy.get("rollingUpdate") or {}
    min_ready = int(_spec(ds).get("minReadySeconds") or 0)
    surge = resolve_int_or_percent(rolling.get("maxSurge") or 0, 1, True)
    unavailable = resolve_int_or_percent(rolling.get("maxUnavailable") or 0, 1, True)
    old = [p for p in pods if not _is_updated(ds, p, current)]
    new = [p for p in pods if _is_updated(ds, p, current)]
    if not old:
        return []
    if surge > 0 and unavailable == 0:
        if not new:
            return [_create(ds, node_name)]
        if any(is_pod_available(p, min_ready, now) for p in new):
            return [_delete(ds, p) for p in old]
        return []
    available_old = [p for p in old if is_pod_available(p, min_ready, now)]
    if not available_old or unavailable >= 1:
        return [_delete(ds, p) for p in old]
    return []


def sync_daemonset(
    ds: Obj, pods: list[Obj], node: Obj | None, now: datetime, revisions: list[Obj] | None = None
) -> list[Action]:
    """One reconcile of a DaemonSet against the pods of its namespace and podlab's one node
    (and, when given, the ControllerRevisions of its namespace)."""
    if meta(ds).get("deletionTimestamp"):
        return []
    actions: list[Action] = []
    owned, claims = claim(ds, pods, PODS)
    actions.extend(claims)
    if revisions is not None:
        actions.extend(history_actions(ds, revisions, template_hash(ds), owned))
    node_name = name_of(node) if node is not None else ""
    wanted = node is not None and should_run(ds, node)
    live = [p for p in owned if not meta(p).get("deletionTimestamp")]
    failed = [p for p in live if _phase(p) == "Failed"]
    running = sorted((p for p in live if _phase(p) != "Failed"), key=_created)
    current = template_hash(ds)

    if not wanted:
        actions.extend(_delete(ds, p) for p in live)
    else:
        for pod in failed:
            # podsShouldBeOnNode: a failed daemon pod is killed and replaced.
            message = f"Found failed daemon pod {namespace_of(pod)}/{name_of(pod)} on node {node_name}, will try to kill it"
            actions.append(RecordEvent(ds, "Warning", "FailedDaemonPod", message, COMPONENT))
            actions.append(_delete(ds, pod))
        if not running:
            actions.append(_create(ds, node_name))
        else:
            updated = [p for p in running if _is_updated(ds, p, current)]
            old = [p for p in running if not _is_updated(ds, p, current)]
            # More than one pod of a revision on the node: the oldest stays (an old and a new
            # pod side by side is a surge in progress).
            extra = updated[1:] if len(updated) > 1 else old[1:] if not updated and len(old) > 1 else []
            if extra:
                actions.extend(_delete(ds, p) for p in extra)
            else:
                actions.extend(_rolling(ds, running, current, node_name, now))

    status = daemonset_status(ds, wanted, running if wanted else [], 0 if wanted else len(live), current, now)
    if _normalise(status) != _normalise(ds.get("status") or {}):
        actions.append(SetStatus(DAEMONSETS, namespace_of(ds), name_of(ds), status))
    return actions


def daemonset_status(
    ds: Obj, wanted: bool, running: list[Obj], misscheduled: int, current: str, now: datetime
) -> Obj:
    """updateDaemonSetStatus for one node."""
    min_ready = int(_spec(ds).get("minReadySeconds") or 0)
    desired = 1 if wanted else 0
    available = 1 if any(is_pod_available(p, min_ready, now) for p in running) else 0
    status: Obj = {
        "currentNumberScheduled": 1 if running else 0,
        "numberMisscheduled": 1 if misscheduled else 0,
        "desiredNumberScheduled": desired,
        "numberReady": 1 if any(is_pod_ready(p) for p in running) else 0,
        "observedGeneration": int(meta(ds).get("generation") or 0),
        "updatedNumberScheduled": 1 if any(_is_updated(ds, p, current) for p in running) else 0,
        "numberAvailable": available,
        "numberUnavailable": max(0, desired - available),
    }
    old = ds.get("status") or {}
    for key in ("collisionCount", "conditions"):
        if old.get(key) is not None:
            status[key] = old[key]
    return status


def _normalise(status: Obj) -> Obj:
    # DaemonSetStatus: the four counts without omitempty always show; the others omit zero.
    keep = ("currentNumberScheduled", "numberMisscheduled", "desiredNumberScheduled", "numberReady")
    return {k: v for k, v in status.items() if k in keep or v not in (0, None, [], {})}
