"""The scheduler's binding and the event recorder, against the real Store (no event loop)."""

from __future__ import annotations

from podlab.kubelet.clock import VirtualClock
from podlab.kubelet.events import ObjectRef, Source
from podlab.kubelet.recorder import EventRecorder
from podlab.kubelet.scheduler import Scheduler, needs_binding
from podlab.store import Store

PODS = ("", "pods")
EVENTS = ("", "events")


def test_bind_sets_node_condition_and_event() -> None:
    store = Store(None)
    pod = store.create(
        PODS, {"metadata": {"name": "web"}, "spec": {"containers": [{"name": "c", "image": "x"}]}}
    )
    scheduler = Scheduler(store, VirtualClock(), node_name="podlab")
    assert needs_binding(pod)
    assert scheduler.bind(pod)
    bound = store.get(PODS, "default", "web")
    assert bound["spec"]["nodeName"] == "podlab"
    assert bound["status"]["phase"] == "Pending"
    assert bound["status"]["conditions"] == [
        {
            "type": "PodScheduled",
            "status": "True",
            "lastProbeTime": None,
            "lastTransitionTime": "2026-01-01T00:00:00Z",
        }
    ]
    events, _ = store.list(EVENTS)
    assert [(e["reason"], e["message"], e["source"]["component"]) for e in events] == [
        ("Scheduled", "Successfully assigned default/web to podlab", "default-scheduler")
    ]
    assert not needs_binding(bound)


def test_bind_loses_to_a_concurrent_change() -> None:
    store = Store(None)
    stale = store.create(
        PODS, {"metadata": {"name": "web"}, "spec": {"containers": [{"name": "c", "image": "x"}]}}
    )
    fresh = dict(stale, metadata={**stale["metadata"], "labels": {"a": "b"}})
    store.update(PODS, fresh)
    assert not Scheduler(store, VirtualClock(), node_name="podlab").bind(stale)
    assert "nodeName" not in store.get(PODS, "default", "web")["spec"]


def test_needs_binding_skips_other_schedulers_and_deleted_pods() -> None:
    assert not needs_binding({"metadata": {}, "spec": {"schedulerName": "my-scheduler"}})
    assert not needs_binding({"metadata": {"deletionTimestamp": "x"}, "spec": {}})
    assert not needs_binding({"metadata": {}, "spec": {"nodeName": "elsewhere"}})


def test_recorder_updates_the_same_event_object() -> None:
    store = Store(None)
    clock = VirtualClock()
    recorder = EventRecorder(store, clock, Source("kubelet", "podlab"))
    pod = {"metadata": {"name": "p", "namespace": "default", "uid": "u"}}
    ref = ObjectRef.for_pod(pod, "c")
    recorder.emit(ref, "Warning", "Unhealthy", "Liveness probe failed: boom")
    clock._now = 5.0  # virtual time moves; no loop needed for wall()/now()
    recorder.emit(ref, "Warning", "Unhealthy", "Liveness probe failed: boom")
    recorder.emit(ref, "Normal", "Killing", "Container c failed liveness probe, will be restarted")
    events, _ = store.list(EVENTS)
    by_reason = {e["reason"]: e for e in events}
    assert len(events) == 2
    assert by_reason["Unhealthy"]["count"] == 2
    assert by_reason["Unhealthy"]["firstTimestamp"] == "2026-01-01T00:00:00Z"
    assert by_reason["Unhealthy"]["lastTimestamp"] == "2026-01-01T00:00:05Z"
