"""The autoscaler's algorithm, sans-IO, with the clock passed in (pkg/controller/podautoscaler)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from podlab.controllers.actions import PatchObject, RecordEvent, SetStatus
from podlab.controllers.hpa import PodUsage, Recommendations, resource_replicas, sync_hpa

T0 = datetime(2026, 12, 7, 15, 0, 0, tzinfo=UTC)
Obj = dict[str, Any]
CPU50 = {"type": "Utilization", "averageUtilization": 50}


def pod(name: str, ready: bool = True, cpu: str = "100m") -> Obj:
    return {
        "metadata": {"name": name, "namespace": "default", "uid": name, "labels": {"app": "w"}},
        "spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": cpu}}}]},
        "status": {
            "phase": "Running",
            "conditions": [{"type": "Ready", "status": "True" if ready else "False"}],
        },
    }


def usage(**millis: float) -> dict[str, PodUsage]:
    return {name: PodUsage(m, 0) for name, m in millis.items()}


def test_tolerance_keeps_the_count() -> None:
    pods = [pod("a"), pod("b")]
    assert resource_replicas(2, CPU50, "cpu", pods, usage(a=54, b=54)).replicas == 2  # ratio 1.08
    proposal = resource_replicas(2, CPU50, "cpu", pods, usage(a=100, b=100))
    assert (proposal.replicas, proposal.utilization) == (4, 100)


def test_missing_metrics_damp_a_scale_down() -> None:
    pods = [pod("a"), pod("b"), pod("c")]
    # a and b use 10% each; c has no metrics yet and counts as 100%: ratio (10+10+100)/300/0.5 = 0.8.
    assert resource_replicas(3, CPU50, "cpu", pods, usage(a=10, b=10)).replicas == 3
    # Scale-up: an unready pod counts as 0: (200+0)/200 = 1.0 -> within tolerance after rebalancing.
    assert (
        resource_replicas(2, CPU50, "cpu", [pod("a"), pod("b", ready=False)], usage(a=100, b=100)).replicas
        == 2
    )


def test_missing_request_is_an_error() -> None:
    bare = pod("a")
    bare["spec"]["containers"][0]["resources"] = {}
    try:
        resource_replicas(1, CPU50, "cpu", [bare], usage(a=5))
    except Exception as exc:
        assert str(exc) == "missing request for cpu in container c of Pod a"
    else:
        raise AssertionError("no error")


def hpa(minimum: int = 1, maximum: int = 10) -> Obj:
    return {
        "metadata": {"name": "h", "namespace": "default", "generation": 1},
        "spec": {
            "scaleTargetRef": {"kind": "Deployment", "name": "w", "apiVersion": "apps/v1"},
            "minReplicas": minimum,
            "maxReplicas": maximum,
            "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": CPU50}}],
        },
    }


def deployment(replicas: int) -> Obj:
    return {
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "w"}}},
        "status": {"replicas": replicas},
    }


def test_scale_up_event_and_conditions() -> None:
    actions = sync_hpa(hpa(), deployment(1), [pod("a")], usage(a=200), Recommendations(), T0)
    assert PatchObject(("apps", "deployments"), "default", "w", {"spec": {"replicas": 4}}) in actions
    event = next(a for a in actions if isinstance(a, RecordEvent))
    assert (
        event.message == "New size: 4; reason: cpu resource utilization (percentage of request) above target"
    )
    status = next(a.status for a in actions if isinstance(a, SetStatus))
    conds = {c["type"]: (c["status"], c["reason"]) for c in status["conditions"]}
    # 200% of request is 4x the 50% target: 4 replicas; the scale-up limit max(2x1, 4) allows it.
    assert conds == {
        "AbleToScale": ("True", "SucceededRescale"),
        "ScalingActive": ("True", "ValidMetricFound"),
        "ScalingLimited": ("False", "DesiredWithinRange"),
    }
    assert (
        status["desiredReplicas"] == 4
        and status["currentMetrics"][0]["resource"]["current"]["averageUtilization"] == 200
    )


def test_scale_down_waits_for_the_stabilization_window() -> None:
    history = Recommendations()
    pods = [pod("a"), pod("b"), pod("c"), pod("d")]
    busy = usage(a=50, b=50, c=50, d=50)
    assert not [
        a for a in sync_hpa(hpa(), deployment(4), pods, busy, history, T0) if isinstance(a, PatchObject)
    ]
    idle = usage(a=1, b=1, c=1, d=1)
    later = sync_hpa(hpa(), deployment(4), pods, idle, history, T0 + timedelta(minutes=1))
    assert not [a for a in later if isinstance(a, PatchObject)]
    status = next(a.status for a in later if isinstance(a, SetStatus))
    assert {c["type"]: c["reason"] for c in status["conditions"]}["AbleToScale"] == "ScaleDownStabilized"
    done = sync_hpa(hpa(), deployment(4), pods, idle, history, T0 + timedelta(minutes=6, seconds=1))
    patch = next(a for a in done if isinstance(a, PatchObject))
    assert patch.merge == {"spec": {"replicas": 1}}
    event = next(a for a in done if isinstance(a, RecordEvent))
    assert event.message == "New size: 1; reason: All metrics below target"


def test_limits_and_zero_replicas() -> None:
    out = sync_hpa(hpa(maximum=2), deployment(1), [pod("a")], usage(a=500), Recommendations(), T0)
    status = next(a.status for a in out if isinstance(a, SetStatus))
    assert {c["type"]: c["reason"] for c in status["conditions"]}["ScalingLimited"] == "TooManyReplicas"
    assert status["desiredReplicas"] == 2
    off = sync_hpa(hpa(), deployment(0), [], {}, Recommendations(), T0)
    status = next(a.status for a in off if isinstance(a, SetStatus))
    assert {c["type"]: c["reason"] for c in status["conditions"]}["ScalingActive"] == "ScalingDisabled"
    assert not [a for a in off if isinstance(a, PatchObject)]
