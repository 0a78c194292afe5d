"""The disruption controller (k8s pkg/controller/disruption/disruption.go), sans-IO: a
PodDisruptionBudget's status from the pods it selects and their controllers' scale.

expectedPods and desiredHealthy follow getExpectedPodCount: an integer minAvailable needs no
controller (expected = the selected pods); maxUnavailable or a percentage needs each pod's
controller scale (Deployment, ReplicaSet, StatefulSet), and a pod without one fails the sync
("found no controller ref for pod"), leaving the budget in its fail-safe state (no disruptions).
The eviction subresource (apiserver/eviction.py) spends the budget and notes the pod in
disruptedPods; a noted pod does not count as healthy for DELETION_TIMEOUT unless it is gone.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from podlab.controllers.actions import Action, RecordEvent, SetStatus
from podlab.controllers.util import (
    Obj,
    controller_ref,
    is_pod_ready,
    meta,
    name_of,
    namespace_of,
    replicas_of,
    resolve_int_or_percent,
)
from podlab.k8s.selectors import selector_matches
from podlab.k8s.timestamps import format_time, parse_time

PDBS = ("policy", "poddisruptionbudgets")
COMPONENT = "controllermanager"
DISRUPTION_ALLOWED = "DisruptionAllowed"
SUFFICIENT_PODS = "SufficientPods"
INSUFFICIENT_PODS = "InsufficientPods"
SYNC_FAILED = "SyncFailed"
# DeletionTimeout: how long an evicted pod may take to go before it counts again.
DELETION_TIMEOUT = timedelta(minutes=2)


def selected_pods(pdb: Obj, ns_pods: list[Obj]) -> list[Obj]:
    """getPodsForPdb: the namespace's pods the selector matches (a nil selector: none)."""
    selector = (pdb.get("spec") or {}).get("selector")
    return [p for p in ns_pods if selector_matches(selector, meta(p).get("labels"))]


def _scale_of(pod: Obj, controllers: dict[tuple[str, str], Obj]) -> tuple[str, int] | str:
    """(controller uid, its scale), or the error of a pod without a known controller."""
    ref = controller_ref(pod)
    if ref is None:
        return f'found no controller ref for pod "{name_of(pod)}"'
    owner = controllers.get((str(ref.get("kind")), str(ref.get("name"))))
    if owner is None or meta(owner).get("uid") != ref.get("uid"):
        return f'found no controllers for pod "{name_of(pod)}"'
    if owner.get("kind") == "ReplicaSet":
        parent = controller_ref(owner)
        deployment = controllers.get(("Deployment", str(parent.get("name")))) if parent else None
        if deployment is not None and meta(deployment).get("uid") == (parent or {}).get("uid"):
            owner = deployment
    return str(meta(owner).get("uid")), replicas_of(owner)


def expected_scale(pods: list[Obj], controllers: dict[tuple[str, str], Obj]) -> int | str:
    """getExpectedScale: the sum of the distinct controllers' replicas, or an error."""
    scales: dict[str, int] = {}
    for pod in pods:
        found = _scale_of(pod, controllers)
        if isinstance(found, str):
            return found
        scales[found[0]] = found[1]
    return sum(scales.values())


def _healthy(pods: list[Obj], disrupted: dict[str, Any], now: datetime) -> int:
    count = 0
    for pod in pods:
        if meta(pod).get("deletionTimestamp"):
            continue
        noted = parse_time(disrupted.get(name_of(pod)))
        if noted is not None and noted + DELETION_TIMEOUT > now:
            continue
        if is_pod_ready(pod):
            count += 1
    return count


def _still_disrupted(pods: list[Obj], disrupted: dict[str, Any], now: datetime) -> dict[str, Any]:
    """buildDisruptedPodMap: entries of pods that still exist, are not yet being deleted and were
    noted less than DELETION_TIMEOUT ago."""
    live = {name_of(p): p for p in pods if not meta(p).get("deletionTimestamp")}
    out: dict[str, Any] = {}
    for name, when in disrupted.items():
        noted = parse_time(when)
        if name in live and noted is not None and noted + DELETION_TIMEOUT > now:
            out[name] = when
    return out


def disruption_condition(status: Obj, generation: int, now: datetime, failure: str = "") -> Obj:
    """UpdateDisruptionAllowedCondition (and the fail-safe's SyncFailed): a metav1.Condition,
    its transition time kept while its status stays."""
    allowed = int(status.get("disruptionsAllowed") or 0) > 0
    reason = SYNC_FAILED if failure else (SUFFICIENT_PODS if allowed else INSUFFICIENT_PODS)
    state = "True" if allowed and not failure else "False"
    old = next((c for c in status.get("conditions") or [] if c.get("type") == DISRUPTION_ALLOWED), None)
    since = old.get("lastTransitionTime") if old is not None and old.get("status") == state else None
    return {
        "type": DISRUPTION_ALLOWED,
        "status": state,
        "observedGeneration": generation,
        "lastTransitionTime": since or format_time(now),
        "reason": reason,
        "message": failure,
    }


def desired_and_expected(
    pdb: Obj, pods: list[Obj], controllers: dict[tuple[str, str], Obj]
) -> tuple[int, int] | str:
    """getExpectedPodCount: (desiredHealthy, expectedCount), or the sync error."""
    spec = pdb.get("spec") or {}
    if spec.get("maxUnavailable") is not None:
        expected = expected_scale(pods, controllers)
        if isinstance(expected, str):
            return expected
        unavailable = resolve_int_or_percent(spec["maxUnavailable"], expected, True)
        return max(0, expected - unavailable), expected
    low = spec.get("minAvailable")
    if isinstance(low, int):
        return low, len(pods)
    if isinstance(low, str):
        expected = expected_scale(pods, controllers)
        if isinstance(expected, str):
            return expected
        return resolve_int_or_percent(low, expected, True), expected
    return 0, len(pods)


def sync_pdb(
    pdb: Obj, ns_pods: list[Obj], controllers: dict[tuple[str, str], Obj], now: datetime
) -> list[Action]:
    """One budget's status write (when it changed), and its NoPods / sync-failure events."""
    pods = selected_pods(pdb, ns_pods)
    actions: list[Action] = []
    if not pods:
        actions.append(RecordEvent(pdb, "Normal", "NoPods", "No matching pods found", COMPONENT))
    old = pdb.get("status") or {}
    generation = int(meta(pdb).get("generation") or 0)
    counts = desired_and_expected(pdb, pods, controllers)
    if isinstance(counts, str):
        # failSafe: no disruptions until the controller can compute the budget.
        reason = "NoControllerRef" if counts.startswith("found no controller ref") else "NoControllers"
        actions.append(RecordEvent(pdb, "Warning", reason, counts, COMPONENT))
        failed = f"Failed to calculate the number of expected pods: {counts}"
        actions.append(RecordEvent(pdb, "Warning", "CalculateExpectedPodCountFailed", failed, COMPONENT))
        status = {**old, "disruptionsAllowed": 0, "observedGeneration": generation}
        status["conditions"] = [disruption_condition(status, generation, now, counts)]
    else:
        desired, expected = counts
        disrupted = _still_disrupted(pods, old.get("disruptedPods") or {}, now)
        healthy = _healthy(pods, disrupted, now)
        allowed = healthy - desired
        status = {
            "currentHealthy": healthy,
            "desiredHealthy": desired,
            "expectedPods": expected,
            "disruptionsAllowed": allowed if expected > 0 and allowed > 0 else 0,
            "observedGeneration": generation,
        }
        if disrupted:
            status["disruptedPods"] = disrupted
        status["conditions"] = [disruption_condition(status, generation, now)]
    if status != old:
        actions.append(SetStatus(PDBS, namespace_of(pdb), name_of(pdb), status))
    return actions
