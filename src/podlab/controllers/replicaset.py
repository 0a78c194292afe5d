"""The ReplicaSet reconcile (k8s pkg/controller/replicaset/replica_set.go), sans-IO: given the
ReplicaSet, the pods of its namespace and `now`, decide creates, deletes and the status."""

from __future__ import annotations

import copy
from datetime import datetime

from podlab.controllers.actions import PODS, REPLICASETS, Action, CreateObject, DeleteObject, SetStatus
from podlab.controllers.claims import claim
from podlab.controllers.ranking import pods_to_delete
from podlab.controllers.util import (
    Obj,
    is_pod_active,
    is_pod_available,
    is_pod_ready,
    meta,
    name_of,
    namespace_of,
    owner_reference,
    replicas_of,
    uid_of,
)

# replica_set.go BurstReplicas: at most this many creates or deletes per sync.
BURST_REPLICAS = 500
COMPONENT = "replicaset-controller"


def pod_from_template(rs: Obj) -> Obj:
    """controller.GetPodFromTemplate: labels, annotations, finalizers from the template, generateName."""
    template = (rs.get("spec") or {}).get("template") or {}
    tmeta = template.get("metadata") or {}
    pod_meta: Obj = {
        "generateName": f"{name_of(rs)}-",
        "namespace": namespace_of(rs),
        "labels": copy.deepcopy(tmeta.get("labels") or {}),
        "ownerReferences": [owner_reference(rs)],
    }
    if tmeta.get("annotations"):
        pod_meta["annotations"] = copy.deepcopy(tmeta["annotations"])
    if tmeta.get("finalizers"):
        pod_meta["finalizers"] = list(tmeta["finalizers"])
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": pod_meta,
        "spec": copy.deepcopy(template.get("spec") or {}),
    }


def replicaset_status(rs: Obj, active: list[Obj], now: datetime) -> Obj:
    """calculateStatus: counts over the active pods, conditions kept."""
    spec = rs.get("spec") or {}
    template_labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
    min_ready = int(spec.get("minReadySeconds") or 0)
    status: Obj = {
        "replicas": len(active),
        "fullyLabeledReplicas": sum(
            1
            for p in active
            if all((meta(p).get("labels") or {}).get(k) == v for k, v in template_labels.items())
        ),
        "readyReplicas": sum(1 for p in active if is_pod_ready(p)),
        "availableReplicas": sum(1 for p in active if is_pod_available(p, min_ready, now)),
        "observedGeneration": int(meta(rs).get("generation") or 0),
    }
    conditions = (rs.get("status") or {}).get("conditions")
    if conditions:
        status["conditions"] = conditions
    return status


def _normalise(status: Obj) -> Obj:
    # The API omits zero counts (omitempty); compare in that form so an unchanged status is no write.
    # ReplicaSetStatus.replicas is the one field without omitempty.
    return {k: v for k, v in status.items() if k == "replicas" or v not in (0, None, [], {})}


def sync_replicaset(rs: Obj, pods: list[Obj], now: datetime) -> list[Action]:
    """One reconcile of a ReplicaSet against the pods of its namespace."""
    actions: list[Action] = []
    if meta(rs).get("deletionTimestamp"):
        return actions
    owned, claims = claim(rs, pods, PODS)
    actions.extend(claims)
    active = [p for p in owned if is_pod_active(p)]
    diff = len(active) - replicas_of(rs)
    if diff < 0:
        for _ in range(min(-diff, BURST_REPLICAS)):
            actions.append(
                CreateObject(
                    PODS, pod_from_template(rs), event=("SuccessfulCreate", "Created pod: {name}"), owner=rs
                )
            )
    elif diff > 0:
        for pod in pods_to_delete(active, min(diff, BURST_REPLICAS), now):
            actions.append(
                DeleteObject(
                    PODS,
                    namespace_of(pod),
                    name_of(pod),
                    uid=uid_of(pod),
                    event=("SuccessfulDelete", f"Deleted pod: {name_of(pod)}"),
                    owner=rs,
                )
            )
    status = _normalise(replicaset_status(rs, active, now))
    if status != _normalise(rs.get("status") or {}):
        actions.append(SetStatus(REPLICASETS, namespace_of(rs), name_of(rs), status))
    return actions
