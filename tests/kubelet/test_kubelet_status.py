"""Pod status: phase, conditions with lastTransitionTime, container statuses."""

from __future__ import annotations

from typing import Any

import pytest

from podlab.kubelet.backoff import Backoff
from podlab.kubelet.pod_worker import PodWorker
from podlab.kubelet.probe_results import Result
from podlab.kubelet.status import build_status, image_id, normalize_image, pod_phase

UID = "5d3c5b0e-1111-2222-3333-444455556666"


def worker(policy: str = "Always", **container: Any) -> PodWorker:
    pod = {
        "metadata": {"name": "web", "namespace": "default", "uid": UID},
        "spec": {"restartPolicy": policy, "containers": [{"name": "web", "image": "nginx", **container}]},
    }
    w = PodWorker(pod, Backoff())
    w.sandbox_ready = True
    return w


def status(w: PodWorker, now: str, readiness: dict[str, Result] | None = None, previous: Any = None) -> Any:
    ready = readiness or {}
    return build_status(
        w,
        readiness=ready.get,
        startup=lambda _cid: None,
        previous=previous,
        now=now,
        pod_ip="127.244.0.2",
        host_ip="127.0.0.1",
        start_time="2026-01-01T00:00:00Z",
    )


def cond(st: Any, type_: str) -> Any:
    return next(c for c in st["conditions"] if c["type"] == type_)


def test_creating() -> None:
    w = worker()
    st = status(w, "2026-01-01T00:00:01Z")
    assert st["phase"] == "Pending"
    assert [c["type"] for c in st["conditions"]] == [
        "PodReadyToStartContainers",
        "Initialized",
        "Ready",
        "ContainersReady",
        "PodScheduled",
    ]
    cs = st["containerStatuses"][0]
    assert cs["state"] == {"waiting": {"reason": "ContainerCreating"}}
    assert cs["lastState"] == {}
    assert (cs["ready"], cs["started"], cs["restartCount"]) == (False, False, 0)
    assert (cs["image"], cs["imageID"]) == ("nginx", "")  # the spec, until the runtime has it
    assert "containerID" not in cs
    assert cond(st, "Ready") == {
        "type": "Ready",
        "status": "False",
        "lastProbeTime": None,
        "lastTransitionTime": "2026-01-01T00:00:01Z",
        "reason": "ContainersNotReady",
        "message": "containers with unready status: [web]",
    }
    assert st["podIP"] == "127.244.0.2" and st["podIPs"] == [{"ip": "127.244.0.2"}]
    assert st["qosClass"] == "BestEffort"


def test_running_ready_and_last_transition_time_kept() -> None:
    w = worker()
    st1 = status(w, "2026-01-01T00:00:01Z")
    w.on_started("web", "containerd://abc", 1.0, "2026-01-01T00:00:02Z")
    st2 = status(w, "2026-01-01T00:00:02Z", previous=st1)
    assert st2["phase"] == "Running"
    assert cond(st2, "Ready")["status"] == "True" and "reason" not in cond(st2, "Ready")
    assert cond(st2, "Ready")["lastTransitionTime"] == "2026-01-01T00:00:02Z"
    # Unchanged conditions keep their time, so an identical status is not rewritten.
    assert cond(st2, "Initialized")["lastTransitionTime"] == "2026-01-01T00:00:01Z"
    st3 = status(w, "2026-01-01T00:05:00Z", previous=st2)
    assert st3 == st2
    cs = st2["containerStatuses"][0]
    assert cs["state"] == {"running": {"startedAt": "2026-01-01T00:00:02Z"}}
    assert cs["containerID"] == "containerd://abc"
    assert cs["image"] == "docker.io/library/nginx:latest"
    assert cs["imageID"].startswith("docker.io/library/nginx@sha256:")


def test_readiness_probe_gates_ready() -> None:
    w = worker(readinessProbe={"httpGet": {"path": "/", "port": 80}})
    w.on_started("web", "c1", 1.0, "t")
    st = status(w, "t1", {"c1": Result.FAILURE})
    assert st["containerStatuses"][0]["ready"] is False
    assert st["containerStatuses"][0]["started"] is True
    assert cond(st, "ContainersReady")["message"] == "containers with unready status: [web]"
    st = status(w, "t2", {"c1": Result.SUCCESS}, previous=st)
    assert cond(st, "Ready")["status"] == "True"


def test_crash_loop_shows_waiting_with_last_state() -> None:
    w = worker()
    w.on_started("web", "c1", 1.0, "t1")
    w.on_exited("web", "c1", 2.0, "t2", 1, "Error")
    w.on_started("web", "c2", 3.0, "t3")
    w.on_exited("web", "c2", 4.0, "t4", 1, "Error")
    w.records["web"].waiting_reason = "CrashLoopBackOff"
    w.records["web"].waiting_message = "back-off 10s restarting failed container=web pod=web_default(uid)"
    st = status(w, "t5")
    cs = st["containerStatuses"][0]
    assert st["phase"] == "Running"
    assert cs["state"]["waiting"]["reason"] == "CrashLoopBackOff"
    assert cs["lastState"]["terminated"] == {
        "exitCode": 1,
        "reason": "Error",
        "startedAt": "t3",
        "finishedAt": "t4",
        "containerID": "c2",
    }
    assert cs["restartCount"] == 1


def test_never_failed_and_on_failure_succeeded() -> None:
    w = worker("Never")
    w.on_started("web", "c1", 1.0, "t1")
    w.on_exited("web", "c1", 2.0, "t2", 137, "Error")
    st = status(w, "t3")
    assert st["phase"] == "Failed"
    assert cond(st, "Ready")["reason"] == "PodFailed" and "message" not in cond(st, "Ready")
    assert st["containerStatuses"][0]["state"]["terminated"]["exitCode"] == 137
    w = worker("OnFailure")
    w.on_started("web", "c1", 1.0, "t1")
    w.on_exited("web", "c1", 2.0, "t2", 0, "Completed")
    st = status(w, "t3")
    assert st["phase"] == "Succeeded"
    assert cond(st, "ContainersReady")["reason"] == "PodCompleted"
    # Terminal phases stick.
    assert status(w, "t4", previous=st)["phase"] == "Succeeded"


@pytest.mark.parametrize(
    ("policy", "codes", "phase"),
    [
        ("Always", [0], "Running"),
        ("OnFailure", [1], "Running"),
        ("OnFailure", [0], "Succeeded"),
        ("Never", [0], "Succeeded"),
        ("Never", [2], "Failed"),
    ],
)
def test_phase_table(policy: str, codes: list[int], phase: str) -> None:
    statuses = [{"state": {"terminated": {"exitCode": c}}} for c in codes]
    assert pod_phase(policy, statuses, terminal=False) == phase


def test_sandbox_not_ready_condition() -> None:
    w = worker()
    w.sandbox_ready = False
    assert cond(status(w, "t"), "PodReadyToStartContainers")["status"] == "False"


@pytest.mark.parametrize(
    ("image", "normal"),
    [
        ("nginx", "docker.io/library/nginx:latest"),
        ("wiremock/wiremock:2.35.0", "docker.io/wiremock/wiremock:2.35.0"),
        ("registry.k8s.io/busybox:1.27.2", "registry.k8s.io/busybox:1.27.2"),
        ("localhost:5000/app", "localhost:5000/app:latest"),
    ],
)
def test_normalize_image(image: str, normal: str) -> None:
    assert normalize_image(image) == normal


def test_image_id_is_stable_and_digest_shaped() -> None:
    assert image_id("wiremock/wiremock:2.35.0") == image_id("wiremock/wiremock:2.35.0")
    repo, digest = image_id("wiremock/wiremock:2.35.0").split("@")
    assert repo == "docker.io/wiremock/wiremock"
    assert digest.startswith("sha256:") and len(digest) == 7 + 64


def test_init_container_status_and_initialized_condition() -> None:
    pod: dict[str, Any] = {
        "metadata": {"name": "web", "namespace": "default", "uid": UID},
        "spec": {
            "restartPolicy": "Always",
            "initContainers": [{"name": "setup", "image": "busybox"}],
            "containers": [{"name": "web", "image": "nginx"}],
        },
    }
    w = PodWorker(pod, Backoff())
    w.sandbox_ready = True
    st = status(w, "t0")
    assert st["phase"] == "Pending"
    assert st["containerStatuses"][0]["state"] == {"waiting": {"reason": "PodInitializing"}}
    assert cond(st, "Initialized")["status"] == "False"
    assert cond(st, "Initialized")["reason"] == "ContainersNotInitialized"
    assert cond(st, "Initialized")["message"] == "containers with incomplete status: [setup]"
    w.on_started("setup", "s1", 1.0, "t1")
    w.on_exited("setup", "s1", 2.0, "t2", 0, "Completed")
    st = status(w, "t2", previous=st)
    init = st["initContainerStatuses"][0]
    assert init["state"]["terminated"]["reason"] == "Completed"
    assert (init["ready"], init["started"]) == (True, False)
    assert cond(st, "Initialized")["status"] == "True"
    never: dict[str, Any] = {**pod, "spec": {**pod["spec"], "restartPolicy": "Never"}}
    w = PodWorker(never, Backoff())
    w.on_started("setup", "s1", 1.0, "t1")
    w.on_exited("setup", "s1", 2.0, "t2", 1, "Error")
    assert status(w, "t3")["phase"] == "Failed"


def test_sidecar_status_readiness_and_phase() -> None:
    pod = {
        "metadata": {"name": "web", "namespace": "default", "uid": UID},
        "spec": {
            "restartPolicy": "OnFailure",
            "initContainers": [
                {
                    "name": "proxy",
                    "image": "envoy",
                    "restartPolicy": "Always",
                    "readinessProbe": {"tcpSocket": {"port": 1}},
                }
            ],
            "containers": [{"name": "web", "image": "nginx"}],
        },
    }
    w = PodWorker(pod, Backoff())
    w.sandbox_ready = True
    w.on_started("proxy", "p1", 1.0, "t1")
    st = status(w, "t1")
    assert cond(st, "Initialized")["status"] == "True"  # a started sidecar counts as initialized
    assert st["phase"] == "Pending"  # web not started yet
    w.on_started("web", "w1", 2.0, "t2")
    st = status(w, "t2", previous=st)
    assert st["phase"] == "Running"
    proxy = st["initContainerStatuses"][0]
    assert (proxy["started"], proxy["ready"]) == (True, False)
    assert cond(st, "Ready")["message"] == "containers with unready status: [proxy]"
    st = status(w, "t3", {"p1": Result.SUCCESS}, previous=st)
    assert cond(st, "Ready")["status"] == "True"
    w.on_exited("web", "w1", 4.0, "t4", 0, "Completed")
    w.on_exited("proxy", "p1", 4.5, "t4", 143, "Error")
    assert status(w, "t5")["phase"] == "Succeeded"  # the sidecar's exit does not fail the pod


def test_readiness_gates_hold_ready_and_foreign_conditions_are_kept() -> None:
    pod = {
        "metadata": {"name": "web", "namespace": "default", "uid": UID},
        "spec": {
            "readinessGates": [{"conditionType": "example.com/lb-ready"}],
            "containers": [{"name": "web", "image": "nginx"}],
        },
    }
    w = PodWorker(pod, Backoff())
    w.sandbox_ready = True
    w.on_started("web", "c1", 1.0, "t1")

    def build(foreign: list[Any]) -> Any:
        return build_status(
            w,
            readiness=lambda _c: None,
            startup=lambda _c: None,
            previous=None,
            now="t2",
            pod_ip=None,
            host_ip="127.0.0.1",
            start_time="t0",
            foreign=foreign,
        )

    st = build([])
    assert cond(st, "ContainersReady")["status"] == "True"
    assert (cond(st, "Ready")["status"], cond(st, "Ready")["reason"]) == ("False", "ReadinessGatesNotReady")
    assert (
        cond(st, "Ready")["message"]
        == 'corresponding condition of pod readiness gate "example.com/lb-ready" does not exist.'
    )
    gate = {
        "type": "example.com/lb-ready",
        "status": "True",
        "lastProbeTime": None,
        "lastTransitionTime": "t1",
    }
    st = build([gate])
    assert cond(st, "Ready")["status"] == "True"
    assert st["conditions"][-1] == gate  # kept as its owner wrote it
