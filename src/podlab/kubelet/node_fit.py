"""Whether a pod fits the one node, as kube-scheduler's filters word it (sans-IO).

Only the filters whose failure a one-node cluster can meet (pkg/scheduler/framework/plugins):
- VolumeBinding's PreFilter: a `persistentVolumeClaim` volume whose claim does not exist is
  `persistentvolumeclaim "NAME" not found`; one being deleted is `... is being deleted`; an
  unbound claim whose class binds at once (Immediate, or no such class) is `pod has unbound
  immediate PersistentVolumeClaims`; unbound `WaitForFirstConsumer` claims are returned for the
  scheduler to name the node in (`volume_binding`);
- NodeAffinity: `nodeSelector` and the required node affinity
  (`requiredDuringSchedulingIgnoredDuringExecution`) against the node's labels and name.
The FailedScheduling message is the scheduler's FitError for 1.37, preemption summary included.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Obj = Mapping[str, Any]

NODE_AFFINITY_MISMATCH = "node(s) didn't match Pod's node affinity/selector"
PREEMPTION = "preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling."


def unschedulable_message(pod: Obj, node: Obj, claim_exists: Any = None) -> str | None:
    """The FailedScheduling message for `pod` on `node`, or None when it fits.

    `claim_exists(namespace, name) -> bool`; None: no claim exists."""
    spec = pod.get("spec") or {}
    namespace = (pod.get("metadata") or {}).get("namespace", "default")
    for volume in spec.get("volumes") or []:
        claim = (volume.get("persistentVolumeClaim") or {}).get("claimName")
        if claim and not (claim_exists and claim_exists(namespace, claim)):
            # A PreFilter failure: no node is counted, the reason is the plugin's own.
            return f'0/1 nodes are available: persistentvolumeclaim "{claim}" not found. {PREEMPTION}'
    if not matches_node(spec, node):
        return f"0/1 nodes are available: 1 {NODE_AFFINITY_MISMATCH}. {PREEMPTION}"
    return None


UNBOUND_IMMEDIATE = "pod has unbound immediate PersistentVolumeClaims"


def volume_binding(
    pod: Obj,
    get_claim: Callable[[str, str], dict[str, Any] | None],
    get_class: Callable[[str], Obj | None],
) -> tuple[str | None, list[dict[str, Any]]]:
    """(the FailedScheduling message, or None; the unbound WaitForFirstConsumer claims), as
    VolumeBinding's PreFilter and volume binder (GetPodVolumeClaims, IsDelayBindingMode) see them."""
    namespace = (pod.get("metadata") or {}).get("namespace", "default")
    delayed: list[dict[str, Any]] = []
    immediate = False
    for volume in (pod.get("spec") or {}).get("volumes") or []:
        name = (volume.get("persistentVolumeClaim") or {}).get("claimName")
        if not name:
            continue
        claim = get_claim(namespace, name)
        if claim is None:
            return f'0/1 nodes are available: persistentvolumeclaim "{name}" not found. {PREEMPTION}', []
        if (claim.get("metadata") or {}).get("deletionTimestamp"):
            return (
                f'0/1 nodes are available: persistentvolumeclaim "{name}" is being deleted. {PREEMPTION}',
                [],
            )
        spec = claim.get("spec") or {}
        if spec.get("volumeName"):
            continue
        class_name = spec.get("storageClassName")
        sc = get_class(class_name) if class_name else None
        if sc is not None and sc.get("volumeBindingMode") == "WaitForFirstConsumer":
            delayed.append(claim)
        else:
            immediate = True
    if immediate:
        return f"0/1 nodes are available: {UNBOUND_IMMEDIATE}. {PREEMPTION}", []
    return None, delayed


def matches_node(spec: Obj, node: Obj) -> bool:
    meta = node.get("metadata") or {}
    labels = {str(k): str(v) for k, v in (meta.get("labels") or {}).items()}
    selector = spec.get("nodeSelector") or {}
    if any(labels.get(str(k)) != str(v) for k, v in selector.items()):
        return False
    required = ((spec.get("affinity") or {}).get("nodeAffinity") or {}).get(
        "requiredDuringSchedulingIgnoredDuringExecution"
    )
    if not required:
        return True
    fields = {"metadata.name": str(meta.get("name", ""))}
    # Terms are ORed; within a term every expression must hold. An empty term matches nothing.
    return any(_term(term, labels, fields) for term in required.get("nodeSelectorTerms") or [])


def _term(term: Obj, labels: dict[str, str], fields: dict[str, str]) -> bool:
    exprs = term.get("matchExpressions") or []
    field_exprs = term.get("matchFields") or []
    if not exprs and not field_exprs:
        return False
    return all(_expr(e, labels) for e in exprs) and all(_expr(e, fields) for e in field_exprs)


def _expr(expr: Obj, values: dict[str, str]) -> bool:
    key, op = str(expr.get("key", "")), expr.get("operator")
    wanted = [str(v) for v in expr.get("values") or []]
    present = key in values
    value = values.get(key, "")
    if op == "In":
        return present and value in wanted
    if op == "NotIn":
        return not present or value not in wanted
    if op == "Exists":
        return present
    if op == "DoesNotExist":
        return not present
    if op in ("Gt", "Lt") and present and len(wanted) == 1:
        try:
            have, bound = int(value), int(wanted[0])
        except ValueError:
            return False
        return have > bound if op == "Gt" else have < bound
    return False
