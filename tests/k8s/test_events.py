"""One Event builder: the kubelet's and the controllers' events have one shape."""

from __future__ import annotations

from datetime import UTC, datetime

from podlab.controllers import make_event as controller_event
from podlab.k8s.events import make_event, object_reference
from podlab.kubelet.events import ObjectRef, Source
from podlab.kubelet.events import make_event as kubelet_event

T0 = datetime(2026, 11, 28, 5, 32, 7, 250000, tzinfo=UTC)
POD = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "web", "namespace": "ns1", "uid": "u1", "resourceVersion": "7"},
}


def test_builder_fields() -> None:
    event = make_event(
        object_reference(POD, "spec.containers{c}"),
        "Warning",
        "BackOff",
        "m",
        T0,
        component="kubelet",
        host="n1",
    )
    assert event["metadata"] == {
        "name": f"web.{int(T0.replace(microsecond=0).timestamp()) * 10**9 + 250_000_000:x}",
        "namespace": "ns1",
    }
    assert event["involvedObject"] == {
        "kind": "Pod",
        "namespace": "ns1",
        "name": "web",
        "uid": "u1",
        "apiVersion": "v1",
        "resourceVersion": "7",
        "fieldPath": "spec.containers{c}",
    }
    assert event["firstTimestamp"] == event["lastTimestamp"] == "2026-11-28T05:32:07Z"
    assert event["source"] == {"component": "kubelet", "host": "n1"}
    assert (event["reportingComponent"], event["reportingInstance"]) == ("kubelet", "n1")
    assert (event["count"], event["eventTime"], event["type"]) == (1, None, "Warning")


def test_kubelet_and_controller_events_share_the_shape() -> None:
    from_kubelet = kubelet_event(ObjectRef.for_pod(POD), Source("kubelet", "n1"), "Normal", "Pulled", "m", T0)
    from_controller = controller_event(POD, "Normal", "SuccessfulCreate", "m", "replicaset-controller", T0)
    assert from_kubelet.keys() == from_controller.keys()
    assert from_kubelet["involvedObject"] == from_controller["involvedObject"]
    assert from_controller["source"] == {"component": "replicaset-controller"}
    assert from_controller["reportingInstance"] == ""
