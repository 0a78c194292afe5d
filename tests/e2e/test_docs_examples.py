"""The Kubernetes docs' probe examples on a real node: events, timeline, kubectl's view.

Reference: docs/reference/kubelet-probes.md §10 ("Configure Liveness, Readiness and
Startup Probes"). http-liveness.yaml and startup-probe.yaml run unchanged from examples/probes/;
exec-liveness runs shrunk (tests/e2e/manifests/docs/exec-liveness-fast.yaml) and, in the slow
test, unchanged. All pods start together on one node for the module.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from .conftest import ROOT, wait_for
from .test_probe_catalogue import (
    MANIFESTS,
    Cluster,
    container_status,
    describe_events,
    find_event,
    get_pod,
    hold,
    is_ready,
    last_terminated,
    lived,
    never_restarted,
    pod_events,
    restarts,
    running,
    seconds,
    start_cluster,
    stop_cluster,
    wait_pod,
)

EXAMPLES = ROOT / "examples" / "probes"
# kubectl 1.37 prints "successThreshold=1 failureThreshold=3", earlier ones "#success=1 #failure=3".
THRESHOLDS = r"(#success=1 #failure={f}|successThreshold=1 failureThreshold={f})"


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    cluster = start_cluster(
        tmp_path_factory.mktemp("docs"),
        MANIFESTS / "docs" / "exec-liveness-fast.yaml",
        EXAMPLES / "http-liveness.yaml",
        EXAMPLES / "startup-probe.yaml",
        EXAMPLES / "exec-liveness.yaml",
        EXAMPLES / "grpc-liveness.yaml",
        EXAMPLES / "tcp-liveness-readiness.yaml",
    )
    yield cluster
    stop_cluster(cluster)


def _events_when_restarted(docs: Cluster, name: str, timeout: float) -> tuple[Any, list[Any]]:
    """The pod and its events read right after the first restart shows."""
    pod = wait_pod(docs.api, name, lambda p: restarts(p) >= 1, timeout=timeout, what="restartCount 1")
    return pod, pod_events(docs.api, name)


def _one(events: list[Any], reason: str, message: str) -> Any:
    event = find_event(events, reason, message)
    assert event is not None, f"no {reason} {message!r}; got {describe_events(events)}"
    return event


def test_exec_liveness_shrunk_timeline(docs: Cluster) -> None:
    name = "liveness-exec-fast"
    pod, events = _events_when_restarted(docs, name, timeout=40)
    unhealthy = _one(
        events,
        "Unhealthy",
        "Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory\n",
    )
    killing = _one(events, "Killing", "Container liveness failed liveness probe, will be restarted")
    assert unhealthy.type == "Warning" and killing.type == "Normal"
    # failureThreshold 3: three identical failures, aggregated into one Event, then the kill.
    assert unhealthy.count == 3, describe_events(events)
    first = last_terminated(pod)
    assert seconds(unhealthy.first_timestamp, first.started_at) >= 4, "failed while /tmp/healthy existed"
    assert 1 <= seconds(killing.first_timestamp, unhealthy.first_timestamp) <= 5
    # sh ignores SIGTERM as PID 1: SIGKILL after the 3 s grace, exit 137, reason Error.
    assert (first.exit_code, first.reason) == (137, "Error"), first
    assert lived(first) >= 8, first
    # "RESTARTS increments as soon as a failed container comes back to the running state."
    assert running(pod) and restarts(pod) == 1

    describe = docs.node.kubectl("describe", "pod", name).stdout
    assert re.search(
        r"Warning\s+Unhealthy\s+\S+ \(x3 over \S+\)\s+kubelet\s+(spec\.containers\{liveness\}: )?"
        r"Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory\n",
        describe,
    ), describe
    assert re.search(
        r"Normal\s+Killing\s+\S+\s+kubelet\s+(spec\.containers\{liveness\}: )?"
        r"Container liveness failed liveness probe, will be restarted",
        describe,
    ), describe
    assert re.search(r"Last State:\s+Terminated\n\s+Reason:\s+Error\n\s+Exit Code:\s+137", describe), describe
    assert re.search(
        r"Liveness:\s+exec \[cat /tmp/healthy\] delay=2s timeout=1s period=1s " + THRESHOLDS.format(f=3),
        describe,
    ), describe
    table = docs.node.kubectl("get", "pod", name).stdout
    assert re.search(rf"{name}\s+1/1\s+Running\s+1 \(\d+s ago\)", table), table


def test_http_liveness_example(docs: Cluster) -> None:
    name = "liveness-http"
    pod, events = _events_when_restarted(docs, name, timeout=45)
    unhealthy = _one(events, "Unhealthy", "Liveness probe failed: HTTP probe failed with statuscode: 500")
    _one(events, "Killing", "Container liveness failed liveness probe, will be restarted")
    assert unhealthy.count == 3, describe_events(events)
    first = last_terminated(pod)
    # "the first ones succeed; after 10 s they fail"
    assert seconds(unhealthy.first_timestamp, first.started_at) >= 10, (unhealthy, first)
    # agnhost is a Go program without a SIGTERM handler: exit 2 at once, not SIGKILL later.
    assert (first.exit_code, first.reason) == (2, "Error"), first
    assert lived(first) < 25, first

    describe = docs.node.kubectl("describe", "pod", name).stdout
    assert re.search(
        r"Liveness:\s+http-get http://:8080/healthz delay=3s timeout=1s period=3s " + THRESHOLDS.format(f=3),
        describe,
    ), describe


def test_startup_probe_example(docs: Cluster) -> None:
    name = "slow-starter"
    pod = wait_pod(docs.api, name, is_ready, timeout=30, what="Ready")
    cs = container_status(pod)
    assert cs.started and restarts(pod) == 0
    events = pod_events(docs.api, name)
    startup = _one(
        events,
        "Unhealthy",
        "Startup probe failed: cat: can't open '/tmp/started': No such file or directory\n",
    )
    # sleep 8 at 1 s period: several failures, far from failureThreshold 30.
    assert startup.count >= 5, describe_events(events)
    assert not [e for e in events if "Liveness" in (e.message or "") or e.reason == "Killing"], (
        describe_events(events)
    )
    # Liveness (period 5) takes over once startup passed: it keeps succeeding.
    docs.recorder.observe(name, 14, lambda p: restarts(p) == 0, "restartCount 0")
    assert not [e for e in pod_events(docs.api, name) if "Liveness" in (e.message or "")]

    describe = docs.node.kubectl("describe", "pod", name).stdout
    assert re.search(
        r"Startup:\s+exec \[cat /tmp/started\] delay=0s timeout=1s period=1s " + THRESHOLDS.format(f=30),
        describe,
    ), describe
    assert re.search(
        r"Liveness:\s+exec \[cat /tmp/started\] delay=0s timeout=1s period=5s " + THRESHOLDS.format(f=3),
        describe,
    ), describe


def test_grpc_liveness_example(docs: Cluster) -> None:
    """The docs' gRPC example, with agnhost's health server standing in for etcd."""
    name = "grpc-health"
    # Delay 10 s, period 10 s: the first probe runs at 10 s and must find the server SERVING.
    docs.recorder.observe(name, 12, never_restarted, "restartCount 0")
    events = pod_events(docs.api, name)
    assert not [e for e in events if e.type == "Warning"], describe_events(events)
    describe = docs.node.kubectl("describe", "pod", name).stdout
    # kubectl prints the port as "<pod>:PORT" and then the service, "" by API defaulting.
    assert re.search(
        r"Liveness:\s+grpc <pod>:5000  delay=10s timeout=1s period=10s " + THRESHOLDS.format(f=3), describe
    ), describe


def test_tcp_liveness_readiness_example(docs: Cluster) -> None:
    """The docs' goproxy example, mapped to a local TCP server by annotation: Ready after the
    15 s initial delay (first readiness probe on the 10 s ticker after it), never restarted."""
    name = "goproxy"
    pod = wait_pod(docs.api, name, is_ready, timeout=40, what="goproxy Ready")
    started = container_status(pod).state.running.started_at
    ready_at = next(c.last_transition_time for c in pod.status.conditions if c.type == "Ready")
    assert (ready_at - started).total_seconds() >= 15
    assert restarts(pod) == 0
    events = pod_events(docs.api, name)
    assert not [e for e in events if e.type == "Warning"], describe_events(events)


@pytest.mark.slow
def test_exec_liveness_example_unchanged(docs: Cluster) -> None:
    """The docs' own timeline: no failure within 30 s, three failures, the kill, then a 30 s grace."""
    name = "liveness-exec"

    def killing() -> Any:
        return find_event(
            pod_events(docs.api, name),
            "Killing",
            "Container liveness failed liveness probe, will be restarted",
        )

    kill = wait_for(killing, timeout=75, what="Killing liveness-exec")
    events = pod_events(docs.api, name)
    unhealthy = _one(
        events,
        "Unhealthy",
        "Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory\n",
    )
    assert unhealthy.count == 3, describe_events(events)
    pod = get_pod(docs.api, name)
    started = container_status(pod).state.running.started_at
    # Probes at 5, 10, ... 30 s find the file; the failures come at about 35, 40 and 45 s.
    assert seconds(unhealthy.first_timestamp, started) >= 30, (unhealthy.first_timestamp, started)
    assert 8 <= seconds(kill.first_timestamp, unhealthy.first_timestamp) <= 12
    # sh ignores SIGTERM as PID 1: the container keeps running into its 30 s grace period.
    hold(
        lambda: (p := get_pod(docs.api, name)) and running(p) and restarts(p) == 0, 3, "running after Killing"
    )
