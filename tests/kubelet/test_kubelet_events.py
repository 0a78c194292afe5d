"""client-go event correlation: dedup counts, similar-event aggregation, spam filter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from podlab.kubelet.events import COMBINED_PREFIX, EventCorrelator, ObjectRef, Source, make_event

POD = {"metadata": {"name": "liveness-exec", "namespace": "default", "uid": "u1", "resourceVersion": "7"}}
KUBELET = Source("kubelet", "podlab")
T0 = datetime(2026, 11, 28, 5, 32, 7, tzinfo=UTC)


def ev(
    reason: str, message: str, seconds: float, container: str | None = "liveness", type_: str = "Warning"
) -> dict[str, Any]:
    return make_event(
        ObjectRef.for_pod(POD, container), KUBELET, type_, reason, message, T0 + timedelta(seconds=seconds)
    )


def test_event_shape() -> None:
    e = ev("Unhealthy", "Liveness probe failed: x", 0)
    assert e["involvedObject"] == {
        "kind": "Pod",
        "namespace": "default",
        "name": "liveness-exec",
        "uid": "u1",
        "apiVersion": "v1",
        "resourceVersion": "7",
        "fieldPath": "spec.containers{liveness}",
    }
    assert e["source"] == {"component": "kubelet", "host": "podlab"}
    assert e["firstTimestamp"] == e["lastTimestamp"] == "2026-11-28T05:32:07Z"
    assert e["count"] == 1 and e["type"] == "Warning"
    assert e["metadata"]["name"].startswith("liveness-exec.")
    int(e["metadata"]["name"].split(".")[1], 16)  # hex unix nanos


def test_events_of_one_instant_get_distinct_names() -> None:
    # A VirtualClock stands still while Pulled, Created and Started are recorded: distinct
    # objects, named within the same microsecond.
    names = [
        ev(reason, "m", 0, type_="Normal")["metadata"]["name"] for reason in ("Pulled", "Created", "Started")
    ]
    assert len(set(names)) == 3
    assert len({int(name.split(".")[1], 16) // 1000 for name in names}) == 1


def test_identical_events_count_up_on_one_object() -> None:
    c = EventCorrelator()
    first = c.correlate(ev("Unhealthy", "Liveness probe failed: boom", 35), 35)
    second = c.correlate(ev("Unhealthy", "Liveness probe failed: boom", 40), 40)
    third = c.correlate(ev("Unhealthy", "Liveness probe failed: boom", 45), 45)
    assert not first.is_update and second.is_update and third.is_update
    assert third.event["count"] == 3
    assert third.event["metadata"]["name"] == first.event["metadata"]["name"]
    assert third.event["firstTimestamp"] == "2026-11-28T05:32:42Z"
    assert third.event["lastTimestamp"] == "2026-11-28T05:32:52Z"


def test_field_path_and_reason_separate_events() -> None:
    c = EventCorrelator()
    c.correlate(ev("Unhealthy", "m", 0), 0)
    other_container = c.correlate(ev("Unhealthy", "m", 1, container="sidecar"), 1)
    other_reason = c.correlate(ev("Killing", "m", 2, type_="Normal"), 2)
    assert not other_container.is_update and not other_reason.is_update


def test_similar_events_are_combined_after_ten_messages() -> None:
    c = EventCorrelator()
    results = [c.correlate(ev("Unhealthy", f"Readiness probe failed: attempt {i}", i), i) for i in range(12)]
    assert all(not r.event["message"].startswith(COMBINED_PREFIX) for r in results[:9])
    assert results[9].event["message"] == COMBINED_PREFIX + "Readiness probe failed: attempt 9"
    assert not results[9].is_update
    assert results[10].is_update and results[10].event["count"] == 2
    assert results[11].event["metadata"]["name"] == results[9].event["metadata"]["name"]
    # After 10 quiet minutes the group starts over.
    fresh = c.correlate(ev("Unhealthy", "Readiness probe failed: later", 1000), 1000)
    assert not fresh.event["message"].startswith(COMBINED_PREFIX)


def test_spam_filter_burst_25_then_one_per_five_minutes() -> None:
    c = EventCorrelator()
    kept = [not c.correlate(ev("Unhealthy", "same", 0.01 * i), 0.01 * i).skip for i in range(30)]
    assert kept == [True] * 25 + [False] * 5
    assert not c.correlate(ev("Unhealthy", "same", 310), 310).skip
    assert c.correlate(ev("Unhealthy", "same", 311), 311).skip


def test_caches_are_bounded_like_client_go_lru() -> None:
    c = EventCorrelator()
    for i in range(5000):
        pod = {"metadata": {"name": f"p{i}", "namespace": "default", "uid": f"u{i}"}}
        event = make_event(ObjectRef.for_pod(pod, "c"), KUBELET, "Warning", "Unhealthy", "m", T0)
        c.correlate(event, float(i))
    assert len(c._observed) == len(c._aggregates) == len(c._buckets) == 4096
