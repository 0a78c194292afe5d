"""The scheduler's binding and the event recorder, against the real Store (no event loop)."""

from __future__ import annotations

import socket

from podlab.kubelet.clock import VirtualClock
from podlab.kubelet.events import ObjectRef, Source
from podlab.kubelet.recorder import EventRecorder
from podlab.kubelet.scheduler import Scheduler, needs_binding
from podlab.network.hostports import NO_FREE_PORTS, HostPorts, conflicts, requested_host_ports, unsupported
from podlab.network.sockets import LoopbackSockets
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


def host_port_pod(store: Store, name: str, port: int) -> dict[str, object]:
    return store.create(
        PODS,
        {
            "metadata": {"name": name},
            "spec": {
                "containers": [
                    {"name": "c", "image": "x", "ports": [{"containerPort": 80, "hostPort": port}]}
                ]
            },
        },
    )


def test_a_pod_whose_host_port_is_held_stays_pending_and_fits_once_it_is_free() -> None:
    store = Store(None)
    clock = VirtualClock()
    host_ports = HostPorts(store, LoopbackSockets())
    scheduler = Scheduler(store, clock, node_name="podlab", admission=host_ports)
    squatter = socket.socket()
    squatter.bind(("127.0.0.1", 0))
    squatter.listen(1)
    port = squatter.getsockname()[1]
    try:
        pod = host_port_pod(store, "web", port)
        assert not scheduler.schedule(pod)
        pending = store.get(PODS, "default", "web")
        assert "nodeName" not in pending["spec"]
        assert pending["status"]["phase"] == "Pending"
        assert pending["status"]["conditions"] == [
            {
                "type": "PodScheduled",
                "status": "False",
                "lastProbeTime": None,
                "lastTransitionTime": "2026-01-01T00:00:00Z",
                "reason": "Unschedulable",
                "message": NO_FREE_PORTS,
            }
        ]
        events, _ = store.list(EVENTS)
        assert [(e["type"], e["reason"], e["message"], e["source"]["component"]) for e in events] == [
            ("Warning", "FailedScheduling", NO_FREE_PORTS, "default-scheduler")
        ]
    finally:
        squatter.close()
    assert scheduler.schedule(store.get(PODS, "default", "web"))
    assert store.get(PODS, "default", "web")["spec"]["nodeName"] == "podlab"
    other = host_port_pod(store, "other", port)
    assert not scheduler.schedule(other)
    assert store.get(PODS, "default", "other")["status"]["conditions"][0]["message"] == NO_FREE_PORTS
    host_ports.release(store.get(PODS, "default", "web")["metadata"]["uid"])
    assert scheduler.schedule(store.get(PODS, "default", "other"))
    host_ports.stop()


def test_pods_of_an_earlier_run_get_their_host_ports_back_before_anything_is_scheduled() -> None:
    """A node restarted on store.db: its running pod holds its port again, a finished one not."""
    store = Store(None)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        ports = [probe.getsockname()[1]]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        ports.append(probe.getsockname()[1])
    running = host_port_pod(store, "running", ports[0])
    done = host_port_pod(store, "done", ports[1])
    for pod, phase in ((running, "Running"), (done, "Succeeded")):
        pod["spec"]["nodeName"] = "podlab"  # type: ignore[index]
        store.update(PODS, pod)
        name = {"name": pod["metadata"]["name"]}  # type: ignore[index]
        store.update(PODS, {"metadata": name, "status": {"phase": phase}}, subresource="status")
    host_ports = HostPorts(store, LoopbackSockets())
    host_ports.reserve_bound("podlab")
    scheduler = Scheduler(store, VirtualClock(), node_name="podlab", admission=host_ports)
    try:
        assert not scheduler.schedule(host_port_pod(store, "late", ports[0]))
        assert scheduler.schedule(host_port_pod(store, "next", ports[1]))
    finally:
        host_ports.stop()


def test_host_port_rules() -> None:
    pod = {
        "spec": {
            "containers": [
                {"name": "a", "ports": [{"containerPort": 80, "hostPort": 8080}, {"containerPort": 81}]},
                {
                    "name": "b",
                    "ports": [
                        {"containerPort": 53, "hostPort": 5353, "protocol": "UDP", "hostIP": "127.0.0.7"}
                    ],
                },
                {"name": "c", "ports": [{"containerPort": 9, "hostPort": 9000, "hostIP": "10.1.2.3"}]},
            ]
        }
    }
    wanted = requested_host_ports(pod)
    assert [(p.container, p.host_ip, p.host_port, p.container_port, p.protocol) for p in wanted] == [
        ("a", "127.0.0.1", 8080, 80, "TCP"),
        ("b", "127.0.0.7", 5353, 53, "UDP"),
        ("c", "127.0.0.1", 9000, 9, "TCP"),  # only the host's loopback is used
    ]
    assert unsupported(wanted) == (
        'podlab publishes only TCP host ports: hostPort 5353/UDP of container "b" cannot be served'
    )
    assert conflicts(wanted[:1], wanted[:1])
    assert not conflicts(wanted[:1], wanted[2:])
