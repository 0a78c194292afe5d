"""The StatefulSet reconcile (k8s pkg/controller/statefulset/stateful_set_control.go
updateStatefulSet/processReplica, stateful_set_utils.go, stateful_pod_control.go), sans-IO: given
the set, the pods, ControllerRevisions and claims of its namespace and `now`, decide the
revision to write, the claims and pods to create, the pods to delete, and the status.

Behaviour kept from Kubernetes:
- pods are `<set>-<ordinal>` with hostname = their name and subdomain = spec.serviceName, the
  labels `statefulset.kubernetes.io/pod-name`, `apps.kubernetes.io/pod-index` and
  `controller-revision-hash`; a claim `<template>-<set>-<ordinal>` is created before its pod;
- OrderedReady stops at the first pod that is missing, terminating or not Running and Ready
  (monotonic); Parallel creates and deletes without waiting;
- scale-down deletes the highest ordinal first, one at a time under OrderedReady;
- RollingUpdate deletes the highest-ordinal pod not at the update revision whose ordinal is at
  least the partition, one at a time, waiting for each recreated pod to be Running and Ready;
  OnDelete changes a pod only when the user deletes it.
Each template revision is a ControllerRevision `<set>-<hash>` owned by the set, as
`kubectl rollout history sts/x` expects.
"""

from __future__ import annotations

import copy
import json
import re
from datetime import datetime

from podlab.controllers.actions import (
    PODS,
    Action,
    CreateObject,
    DeleteObject,
    PatchObject,
    ResourceKey,
    SetStatus,
)
from podlab.controllers.claims import claim
from podlab.controllers.util import (
    Obj,
    is_pod_available,
    is_pod_ready,
    meta,
    name_of,
    namespace_of,
    owner_reference,
    replicas_of,
    uid_of,
)

COMPONENT = "statefulset-controller"
STATEFULSETS: ResourceKey = ("apps", "statefulsets")
CONTROLLERREVISIONS: ResourceKey = ("apps", "controllerrevisions")
PVCS: ResourceKey = ("", "persistentvolumeclaims")
POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name"
POD_INDEX_LABEL = "apps.kubernetes.io/pod-index"
REVISION_LABEL = "controller-revision-hash"
# rand.SafeEncodeString's alphabet: no vowels, no look-alikes.
_SAFE = "bcdfghjklmnpqrstvwxz2456789"


def _safe_encode(text: str) -> str:
    return "".join(_SAFE[b % len(_SAFE)] for b in text.encode())


def revision_data(sts: Obj) -> Obj:
    """getPatch: the part of the set a revision keeps, the template, replacing the old one whole."""
    template = copy.deepcopy((sts.get("spec") or {}).get("template") or {})
    template["$patch"] = "replace"
    return {"spec": {"template": template}}


def revision_name(sts: Obj) -> str:
    """ControllerRevisionName(set, HashControllerRevision): fnv-32a of the data, safe-encoded."""
    raw = json.dumps(revision_data(sts), sort_keys=True, separators=(",", ":")).encode()
    h = 0x811C9DC5
    for byte in raw:
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    digest = _safe_encode(str(h))
    return f"{name_of(sts)}-{digest}"


def ordinal_of(sts: Obj, pod: Obj) -> int | None:
    """getParentNameAndOrdinal: `<set>-<n>` belongs to the set; anything else does not."""
    m = re.fullmatch(re.escape(name_of(sts)) + r"-(\d+)", name_of(pod))
    return int(m.group(1)) if m else None


def _spec(sts: Obj) -> Obj:
    spec = sts.get("spec")
    return spec if isinstance(spec, dict) else {}


def claim_name(template: Obj, sts: Obj, ordinal: int) -> str:
    """getPersistentVolumeClaimName."""
    return f"{name_of(template)}-{name_of(sts)}-{ordinal}"


def claims_for(sts: Obj, ordinal: int) -> list[Obj]:
    """getPersistentVolumeClaims: one claim per template, labelled with the selector's labels."""
    out: list[Obj] = []
    selector_labels = (_spec(sts).get("selector") or {}).get("matchLabels") or {}
    for template in _spec(sts).get("volumeClaimTemplates") or []:
        tmeta = template.get("metadata") or {}
        labels = {**(tmeta.get("labels") or {}), **selector_labels}
        claim_meta: Obj = {"name": claim_name(template, sts, ordinal), "namespace": namespace_of(sts)}
        if labels:
            claim_meta["labels"] = labels
        if tmeta.get("annotations"):
            claim_meta["annotations"] = copy.deepcopy(tmeta["annotations"])
        retention = _spec(sts).get("persistentVolumeClaimRetentionPolicy") or {}
        if retention.get("whenDeleted") == "Delete":
            ref = owner_reference(sts)
            ref.pop("controller")
            claim_meta["ownerReferences"] = [ref]
        spec = copy.deepcopy(template.get("spec") or {})
        out.append(
            {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": claim_meta, "spec": spec}
        )
    return out


def new_pod(sts: Obj, template: Obj, revision: str, ordinal: int) -> Obj:
    """newStatefulSetPod + updateIdentity + updateStorage: the pod for one ordinal."""
    tmeta = template.get("metadata") or {}
    name = f"{name_of(sts)}-{ordinal}"
    labels = {
        **(tmeta.get("labels") or {}),
        POD_NAME_LABEL: name,
        POD_INDEX_LABEL: str(ordinal),
        REVISION_LABEL: revision,
    }
    pod_meta: Obj = {
        "name": name,
        "namespace": namespace_of(sts),
        "labels": labels,
        "ownerReferences": [owner_reference(sts)],
    }
    if tmeta.get("annotations"):
        pod_meta["annotations"] = copy.deepcopy(tmeta["annotations"])
    spec = copy.deepcopy(template.get("spec") or {})
    spec["hostname"] = name
    if _spec(sts).get("serviceName"):
        spec["subdomain"] = _spec(sts)["serviceName"]
    volumes = [v for v in spec.get("volumes") or []]
    for claim_template in _spec(sts).get("volumeClaimTemplates") or []:
        volume = {
            "name": name_of(claim_template),
            "persistentVolumeClaim": {"claimName": claim_name(claim_template, sts, ordinal)},
        }
        volumes = [v for v in volumes if v.get("name") != volume["name"]] + [volume]
    if volumes:
        spec["volumes"] = volumes
    return {"apiVersion": "v1", "kind": "Pod", "metadata": pod_meta, "spec": spec}


def _terminating(pod: Obj) -> bool:
    return bool(meta(pod).get("deletionTimestamp"))


def _running_and_ready(pod: Obj) -> bool:
    return (pod.get("status") or {}).get("phase") == "Running" and is_pod_ready(pod)


def _finished(pod: Obj) -> bool:
    return (pod.get("status") or {}).get("phase") in ("Failed", "Succeeded")


def _revision_of(pod: Obj) -> str:
    return str((meta(pod).get("labels") or {}).get(REVISION_LABEL, ""))


def _template_of(revision: Obj) -> Obj:
    template = copy.deepcopy(((revision.get("data") or {}).get("spec") or {}).get("template") or {})
    template.pop("$patch", None)
    return template


def _status(sts: Obj, pods: list[Obj], current: str, update: str, now: datetime, previous: Obj) -> Obj:
    """computeReplicaStatus, then completeRollingUpdate."""
    min_ready = int(_spec(sts).get("minReadySeconds") or 0)
    status: Obj = {
        "observedGeneration": int(meta(sts).get("generation") or 0),
        "replicas": 0,
        "readyReplicas": 0,
        "currentReplicas": 0,
        "updatedReplicas": 0,
        "currentRevision": current,
        "updateRevision": update,
        "collisionCount": int(previous.get("collisionCount") or 0),
        "availableReplicas": 0,
    }
    for pod in pods:
        status["replicas"] += 1
        if _running_and_ready(pod):
            status["readyReplicas"] += 1
            if is_pod_available(pod, min_ready, now):
                status["availableReplicas"] += 1
        if not _terminating(pod):
            if _revision_of(pod) == current:
                status["currentReplicas"] += 1
            if _revision_of(pod) == update:
                status["updatedReplicas"] += 1
    rolling = ((_spec(sts).get("updateStrategy") or {}).get("type") or "RollingUpdate") == "RollingUpdate"
    if rolling and status["updatedReplicas"] == status["replicas"] == status["readyReplicas"]:
        status["currentReplicas"] = status["updatedReplicas"]
        status["currentRevision"] = update
    if previous.get("conditions"):
        status["conditions"] = previous["conditions"]
    # readyReplicas, currentReplicas, updatedReplicas are omitempty; the others are always written.
    return {
        k: v
        for k, v in status.items()
        if v != 0 or k in ("replicas", "availableReplicas", "collisionCount", "observedGeneration")
    }


def _claims_go_with(sts: Obj, pod: Obj, ordinal: int, claims: dict[str, Obj]) -> list[Action]:
    """whenScaled: Delete (stateful_set_utils.go updateClaimOwnerRefForSetAndPod): a condemned
    pod's claims get an owner reference to the pod, so garbage collection deletes them with it."""
    retention = _spec(sts).get("persistentVolumeClaimRetentionPolicy") or {}
    if retention.get("whenScaled") != "Delete":
        return []
    ref = {"apiVersion": "v1", "kind": "Pod", "name": name_of(pod), "uid": uid_of(pod)}
    out: list[Action] = []
    for template in _spec(sts).get("volumeClaimTemplates") or []:
        found = claims.get(claim_name(template, sts, ordinal))
        if found is None:
            continue
        refs = list(meta(found).get("ownerReferences") or [])
        if any(r.get("uid") == ref["uid"] for r in refs):
            continue
        out.append(
            PatchObject(
                PVCS, namespace_of(found), name_of(found), {"metadata": {"ownerReferences": [*refs, ref]}}
            )
        )
    return out


def sync_statefulset(
    sts: Obj, pods: list[Obj], revisions: list[Obj], claims: list[Obj], now: datetime
) -> list[Action]:
    """One reconcile of a StatefulSet against the pods, revisions and claims of its namespace."""
    actions: list[Action] = []
    if meta(sts).get("deletionTimestamp"):
        return actions
    spec = _spec(sts)
    sts_name = name_of(sts)
    owned, patches = claim(sts, [p for p in pods if ordinal_of(sts, p) is not None], PODS)
    actions.extend(patches)
    own_revisions = {
        name_of(r): r
        for r in revisions
        if any(ref.get("uid") == uid_of(sts) for ref in meta(r).get("ownerReferences") or [])
    }
    update = revision_name(sts)
    newest = max((int(r.get("revision") or 0) for r in own_revisions.values()), default=0)
    if update in own_revisions and int(own_revisions[update].get("revision") or 0) < newest:
        # An equivalent older revision (a rollback) becomes the newest (getStatefulSetRevisions).
        actions.append(PatchObject(CONTROLLERREVISIONS, namespace_of(sts), update, {"revision": newest + 1}))
    if update not in own_revisions:
        number = 1 + max((int(r.get("revision") or 0) for r in own_revisions.values()), default=0)
        revision = {
            "apiVersion": "apps/v1",
            "kind": "ControllerRevision",
            "metadata": {
                "name": update,
                "namespace": namespace_of(sts),
                "labels": {
                    **((spec.get("template") or {}).get("metadata") or {}).get("labels", {}),
                    REVISION_LABEL: update,
                },
                "ownerReferences": [owner_reference(sts)],
            },
            "data": revision_data(sts),
            "revision": number,
        }
        actions.append(CreateObject(CONTROLLERREVISIONS, revision, component=COMPONENT))
        own_revisions[update] = revision
    previous = sts.get("status") or {}
    current = str(previous.get("currentRevision") or "")
    if current not in own_revisions:
        current = update
    start = int((spec.get("ordinals") or {}).get("start") or 0)
    replicas = replicas_of(sts)
    strategy = spec.get("updateStrategy") or {}
    rolling = (strategy.get("type") or "RollingUpdate") == "RollingUpdate"
    partition = int((strategy.get("rollingUpdate") or {}).get("partition") or 0)
    monotonic = spec.get("podManagementPolicy", "OrderedReady") != "Parallel"
    by_ordinal: dict[int, Obj] = {}
    for pod in owned:
        ordinal = ordinal_of(sts, pod)
        if ordinal is not None:
            by_ordinal[ordinal] = pod
    wanted = range(start, start + replicas)
    condemned = sorted((o for o in by_ordinal if o not in wanted), reverse=True)
    existing_claims = {(namespace_of(c), name_of(c)) for c in claims}
    claims_by_name = {name_of(c): c for c in claims if namespace_of(c) == namespace_of(sts)}

    def pod_event(verb: str, pod_name: str) -> tuple[str, str]:
        reason = "SuccessfulCreate" if verb == "create" else "SuccessfulDelete"
        return reason, f"{verb} Pod {pod_name} in StatefulSet {sts_name} successful"

    def delete(pod: Obj) -> DeleteObject:
        return DeleteObject(
            PODS,
            namespace_of(pod),
            name_of(pod),
            uid=uid_of(pod),
            event=pod_event("delete", name_of(pod)),
            owner=sts,
            component=COMPONENT,
        )

    def create(ordinal: int) -> list[Action]:
        # newVersionedStatefulSetPod: below the partition a pod keeps the current revision.
        use = current if rolling and ordinal - start < partition else update
        template = _template_of(own_revisions[use]) if use != update else spec.get("template") or {}
        pod = new_pod(sts, template, use, ordinal)
        out: list[Action] = []
        for pvc in claims_for(sts, ordinal):
            if (namespace_of(pvc), name_of(pvc)) in existing_claims:
                continue
            message = f"create Claim {name_of(pvc)} Pod {name_of(pod)} in StatefulSet {sts_name} success"
            out.append(
                CreateObject(PVCS, pvc, event=("SuccessfulCreate", message), owner=sts, component=COMPONENT)
            )
        out.append(
            CreateObject(
                PODS,
                pod,
                event=pod_event("create", name_of(pod)),
                owner=sts,
                component=COMPONENT,
                failure=f"create Pod {name_of(pod)} in StatefulSet {sts_name} failed error: {{error}}",
            )
        )
        return out

    blocked = False
    for ordinal in wanted:
        found = by_ordinal.get(ordinal)
        if found is None:
            actions.extend(create(ordinal))
            if monotonic:
                blocked = True
                break
            continue
        pod = found
        if _finished(pod) and not _terminating(pod):
            # A Failed or Succeeded pod is deleted, and recreated under its name once gone.
            actions.append(delete(pod))
            if monotonic:
                blocked = True
                break
            continue
        if monotonic and (_terminating(pod) or not _running_and_ready(pod)):
            blocked = True  # "StatefulSet is waiting for Pod to be Running and Ready"
            break
        min_ready = int(spec.get("minReadySeconds") or 0)
        if monotonic and not is_pod_available(pod, min_ready, now):
            blocked = True
            break
    if not blocked:
        for ordinal in condemned:
            pod = by_ordinal[ordinal]
            if _terminating(pod):
                if monotonic:
                    blocked = True
                    break
                continue
            actions.extend(_claims_go_with(sts, pod, ordinal, claims_by_name))
            actions.append(delete(pod))
            if monotonic:
                blocked = True
                break
    if not blocked and rolling and not condemned:
        for ordinal in sorted(
            (o for o in by_ordinal if o in wanted and o >= start + partition), reverse=True
        ):
            pod = by_ordinal[ordinal]
            if _revision_of(pod) != update and not _terminating(pod):
                actions.append(delete(pod))
                break
            if not _running_and_ready(pod):
                break  # wait for an unhealthy pod on update
    status = _status(sts, list(by_ordinal.values()), current, update, now, previous)
    if status != previous:
        actions.append(SetStatus(STATEFULSETS, namespace_of(sts), sts_name, status))
    return actions
