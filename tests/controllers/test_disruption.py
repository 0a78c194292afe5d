"""The disruption controller's status and the eviction decision, sans-IO, as upstream computes
them (pkg/controller/disruption, pkg/registry/core/pod/storage/eviction.go)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from podlab.controllers.actions import RecordEvent, SetStatus
from podlab.controllers.disruption import sync_pdb
from podlab.k8s.pdb_eviction import MANY_BUDGETS, VIOLATION, Evict, Refuse, decide

NOW = datetime(2026, 12, 7, 15, 0, 0, tzinfo=UTC)
Obj = dict[str, Any]


def rs(name: str = "web-1", replicas: int = 3) -> Obj:
    return {
        "kind": "ReplicaSet",
        "metadata": {"name": name, "namespace": "default", "uid": "rs"},
        "spec": {"replicas": replicas},
    }


def pod(name: str, ready: bool = True, owner: bool = True) -> Obj:
    meta: Obj = {"name": name, "namespace": "default", "labels": {"app": "web"}}
    if owner:
        meta["ownerReferences"] = [{"kind": "ReplicaSet", "name": "web-1", "uid": "rs", "controller": True}]
    return {
        "metadata": meta,
        "status": {
            "phase": "Running",
            "conditions": [{"type": "Ready", "status": "True" if ready else "False"}],
        },
    }


def pdb(**spec: Any) -> Obj:
    return {
        "kind": "PodDisruptionBudget",
        "metadata": {"name": "b", "namespace": "default", "generation": 1},
        "spec": {"selector": {"matchLabels": {"app": "web"}}, **spec},
    }


def status_of(actions: list[Any]) -> Obj:
    return next(a.status for a in actions if isinstance(a, SetStatus))


def test_int_min_available_counts_selected_pods() -> None:
    status = status_of(sync_pdb(pdb(minAvailable=2), [pod("a"), pod("b"), pod("c", ready=False)], {}, NOW))
    assert (status["currentHealthy"], status["desiredHealthy"], status["expectedPods"]) == (2, 2, 3)
    assert status["disruptionsAllowed"] == 0
    assert status["conditions"][0]["reason"] == "InsufficientPods"


def test_max_unavailable_uses_the_controller_scale() -> None:
    controllers = {("ReplicaSet", "web-1"): rs(replicas=4)}
    status = status_of(sync_pdb(pdb(maxUnavailable="50%"), [pod("a"), pod("b"), pod("c")], controllers, NOW))
    assert (status["expectedPods"], status["desiredHealthy"], status["disruptionsAllowed"]) == (4, 2, 1)
    cond = status["conditions"][0]
    assert (cond["status"], cond["reason"], cond["observedGeneration"]) == ("True", "SufficientPods", 1)


def test_pod_without_controller_fails_safe() -> None:
    actions = sync_pdb(pdb(maxUnavailable=1), [pod("a", owner=False)], {}, NOW)
    status = status_of(actions)
    assert status["disruptionsAllowed"] == 0
    assert status["conditions"][0]["reason"] == "SyncFailed"
    reasons = [a.reason for a in actions if isinstance(a, RecordEvent)]
    assert reasons == ["NoControllerRef", "CalculateExpectedPodCountFailed"]


def test_recently_evicted_pod_is_not_healthy() -> None:
    budget = pdb(minAvailable=1)
    budget["status"] = {"disruptedPods": {"a": "2026-12-07T14:59:30Z", "gone": "2026-12-07T14:59:30Z"}}
    status = status_of(sync_pdb(budget, [pod("a"), pod("b")], {}, NOW))
    assert status["currentHealthy"] == 1 and status["disruptedPods"] == {"a": "2026-12-07T14:59:30Z"}
    later = status_of(sync_pdb(budget, [pod("a"), pod("b")], {}, NOW + timedelta(minutes=2)))
    assert later["currentHealthy"] == 2 and "disruptedPods" not in later


def test_no_pods_event() -> None:
    actions = sync_pdb(pdb(minAvailable=1), [], {}, NOW)
    assert (
        RecordEvent(actions[0].involved, "Normal", "NoPods", "No matching pods found", "controllermanager")
        in actions
    )  # type: ignore[union-attr]


def budget_with(allowed: int, healthy: int = 2, desired: int = 2, generation: int = 1) -> Obj:
    b = pdb(minAvailable=desired)
    b["metadata"]["generation"] = generation
    b["status"] = {
        "disruptionsAllowed": allowed,
        "currentHealthy": healthy,
        "desiredHealthy": desired,
        "observedGeneration": 1,
        "conditions": [{"type": "DisruptionAllowed", "status": "True" if allowed else "False"}],
    }
    return b


def test_eviction_decisions() -> None:
    refused = decide(pod("a"), [budget_with(0)], NOW)
    assert isinstance(refused, Refuse) and refused.status["code"] == 429
    assert refused.status["message"] == VIOLATION
    stale = decide(pod("a"), [budget_with(1, generation=2)], NOW)
    assert isinstance(stale, Refuse) and stale.status["details"]["retryAfterSeconds"] == 10
    two = decide(pod("a"), [budget_with(1), budget_with(1)], NOW)
    assert isinstance(two, Refuse) and (two.status["code"], two.status["message"]) == (500, MANY_BUDGETS)
    allowed = decide(pod("a"), [budget_with(1)], NOW)
    assert isinstance(allowed, Evict) and allowed.budget_status is not None
    assert allowed.budget_status["disruptionsAllowed"] == 0
    assert allowed.budget_status["disruptedPods"] == {"a": "2026-12-07T15:00:00Z"}
    assert allowed.budget_status["conditions"][0]["reason"] == "InsufficientPods"
    # An unready pod while the budget is met spends nothing; a pending pod ignores budgets.
    assert decide(pod("a", ready=False), [budget_with(0, healthy=2, desired=1)], NOW) == Evict()
    pending = pod("a")
    pending["status"]["phase"] = "Pending"
    assert decide(pending, [budget_with(0)], NOW) == Evict()
    assert decide(pod("a"), [], NOW) == Evict()
