"""core/v1 <-> events.k8s.io/v1 Event conversion and the strict events.k8s.io/v1 checks."""

from __future__ import annotations

from podlab.k8s.event_versions import to_core, to_events_v1, validate_events_v1

CORE = {
    "apiVersion": "v1",
    "kind": "Event",
    "metadata": {"name": "p.1", "namespace": "default"},
    "involvedObject": {"kind": "Pod", "name": "p", "namespace": "default"},
    "reason": "Started",
    "message": "Started container c",
    "source": {"component": "kubelet", "host": "podlab"},
    "firstTimestamp": "2026-12-07T15:00:00Z",
    "lastTimestamp": "2026-12-07T15:00:01Z",
    "count": 2,
    "type": "Normal",
    "eventTime": None,
    "reportingComponent": "kubelet",
    "reportingInstance": "podlab",
}


def test_core_to_events_v1_and_back() -> None:
    ext = to_events_v1(CORE)
    assert ext == {
        "apiVersion": "events.k8s.io/v1",
        "kind": "Event",
        "eventTime": None,
        "metadata": CORE["metadata"],
        "regarding": CORE["involvedObject"],
        "reason": "Started",
        "note": "Started container c",
        "deprecatedSource": CORE["source"],
        "deprecatedFirstTimestamp": "2026-12-07T15:00:00Z",
        "deprecatedLastTimestamp": "2026-12-07T15:00:01Z",
        "deprecatedCount": 2,
        "type": "Normal",
        "reportingController": "kubelet",
        "reportingInstance": "podlab",
    }
    assert to_core(ext) == CORE


def test_strict_create_checks() -> None:
    new_style = {**to_core(to_events_v1(CORE)), "eventTime": "2026-12-07T15:00:00.000000Z"}
    texts = [str(e) for e in validate_events_v1(new_style, None)]
    assert texts == [
        "action: Required value",
        'firstTimestamp: Invalid value: "": needs to be unset',
        'lastTimestamp: Invalid value: "": needs to be unset',
        'count: Invalid value: "": needs to be unset',
        'source: Invalid value: "": needs to be unset',
    ]
    bad_series = {**new_style, "series": {"count": 1}}
    assert 'series.count: Invalid value: "": should be at least 2' in [
        str(e) for e in validate_events_v1(bad_series, None)
    ]
    assert "series.lastObservedTime: Required value" in [str(e) for e in validate_events_v1(bad_series, None)]


def test_hpa_v1_is_the_cpu_target_of_v2() -> None:
    from podlab.k8s.hpa_versions import to_v1, to_v2

    v1 = {
        "apiVersion": "autoscaling/v1",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "h"},
        "spec": {
            "scaleTargetRef": {"kind": "Deployment", "name": "w"},
            "minReplicas": 1,
            "maxReplicas": 3,
            "targetCPUUtilizationPercentage": 60,
        },
    }
    v2 = to_v2(v1)
    assert v2["spec"]["metrics"] == [
        {
            "type": "Resource",
            "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 60}},
        }
    ]
    v2["status"] = {
        "currentReplicas": 2,
        "desiredReplicas": 3,
        "currentMetrics": [
            {"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 90}}}
        ],
        "conditions": [{"type": "AbleToScale"}],
    }
    back = to_v1(v2)
    assert back["spec"] == v1["spec"]
    assert back["status"] == {
        "currentReplicas": 2,
        "desiredReplicas": 3,
        "currentCPUUtilizationPercentage": 90,
    }
