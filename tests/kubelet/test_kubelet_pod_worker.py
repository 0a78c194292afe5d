"""computePodActions, kills, grace periods, restart policy and CrashLoopBackOff, in virtual time."""

from __future__ import annotations

from typing import Any

import pytest

from podlab.kubelet.backoff import Backoff
from podlab.kubelet.pod_worker import (
    EmitEvent,
    KillContainer,
    PodWorker,
    StartContainer,
    WakeAt,
    kill_grace_period,
)
from podlab.kubelet.probe_results import Result

UID = "0b8fc1a6-6c1f-4f43-9d43-4c1f0f8a1e11"


def make_pod(policy: str = "Always", grace: int | None = None, **container: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "restartPolicy": policy,
        "containers": [{"name": "wiremock", "image": "wiremock/wiremock:2.35.0", **container}],
    }
    if grace is not None:
        spec["terminationGracePeriodSeconds"] = grace
    return {
        "metadata": {"name": "wiremock-7c5ddbdf54-x2k9q", "namespace": "default", "uid": UID},
        "spec": spec,
    }


POD_REF = f"wiremock-7c5ddbdf54-x2k9q_default({UID})"


def none(_cid: str) -> Result | None:
    return None


class Harness:
    """Drives a PodWorker the way pod_runner.py does, with scripted container lifetimes."""

    def __init__(self, pod: dict[str, Any]) -> None:
        self.w = PodWorker(pod, Backoff())
        self.w.sandbox_ready = True
        self.seq = 0
        self.liveness: dict[str, Result] = {}

    def sync(self, now: float) -> list[Any]:
        actions = self.w.sync(now, self.liveness.get, none)
        for a in actions:
            if isinstance(a, KillContainer):
                self.exit(now, 137)
            elif isinstance(a, StartContainer):
                self.start(now)
        if any(isinstance(a, StartContainer | KillContainer) for a in actions):
            self.w.finish_action("wiremock")
        return actions

    def start(self, now: float) -> str:
        self.seq += 1
        cid = f"containerd://{self.seq:064x}"
        self.w.on_started("wiremock", cid, now, f"t{now}")
        return cid

    def exit(self, now: float, code: int = 1) -> None:
        cur = self.w.records["wiremock"].current
        assert cur is not None
        self.w.on_exited("wiremock", cur.container_id, now, f"t{now}", code, "Error" if code else "Completed")

    @property
    def rec(self) -> Any:
        return self.w.records["wiremock"]


def starts(actions: list[Any]) -> bool:
    return any(isinstance(a, StartContainer) for a in actions)


def test_first_sync_starts_and_nothing_before_the_sandbox_is_ready() -> None:
    w = PodWorker(make_pod(), Backoff())
    assert w.sync(0, none, none) == []
    w.sandbox_ready = True
    assert w.sync(0, none, none) == [StartContainer("wiremock")]
    # In flight: a second sync does not start it twice.
    assert w.sync(0.1, none, none) == []


@pytest.mark.parametrize(
    ("policy", "exit_code", "restarts"),
    [
        ("Always", 0, True),
        ("Always", 1, True),
        ("OnFailure", 0, False),
        ("OnFailure", 1, True),
        ("Never", 0, False),
        ("Never", 1, False),
    ],
)
def test_restart_policy(policy: str, exit_code: int, restarts: bool) -> None:
    h = Harness(make_pod(policy))
    h.sync(0)
    h.exit(5, exit_code)
    assert starts(h.sync(5)) is restarts
    assert h.rec.restart_count == (1 if restarts else 0)


def test_crash_loop_backoff_sequence_0_10_20_to_300() -> None:
    h = Harness(make_pod())
    h.sync(0)
    now, delays = 0.0, []
    for _ in range(9):
        now += 1  # each instance crashes after a second
        h.exit(now)
        crashed_at = now
        actions = h.sync(now)
        while not starts(actions):
            wake = next(a.at for a in actions if isinstance(a, WakeAt))
            now = wake
            actions = h.sync(now)
        delays.append(now - crashed_at)
    assert delays == [0, 10, 20, 40, 80, 160, 300, 300, 300]
    assert h.rec.restart_count == 9


def test_backoff_waiting_reason_message_and_event() -> None:
    h = Harness(make_pod())
    h.sync(0)
    h.exit(1)
    h.sync(1)  # immediate first restart
    h.exit(2)
    actions = h.sync(2)
    assert actions == [
        EmitEvent(
            "Warning",
            "BackOff",
            f"Back-off restarting failed container wiremock in pod {POD_REF}",
            "wiremock",
        ),
        WakeAt(12),
    ]
    assert h.rec.waiting_reason == "CrashLoopBackOff"
    assert h.rec.waiting_message == f"back-off 10s restarting failed container=wiremock pod={POD_REF}"
    assert h.sync(11.9)[-1] == WakeAt(12)
    assert starts(h.sync(12))
    assert h.rec.waiting_reason is None


def test_backoff_resets_after_ten_minutes_of_running() -> None:
    h = Harness(make_pod())
    h.sync(0)
    now = 0.0
    for _ in range(3):  # build the backoff up to 40 s (restarts after 0, 10 and 20 s)
        now += 1
        h.exit(now)
        actions = h.sync(now)
        while not starts(actions):
            now = next(a.at for a in actions if isinstance(a, WakeAt))
            actions = h.sync(now)
    assert h.w.backoff.get(h.w.backoff_key("wiremock")) == 40
    now += 601  # this instance ran for more than 10 minutes
    h.exit(now)
    assert starts(h.sync(now))  # restarted at once ...
    assert h.w.backoff.get(h.w.backoff_key("wiremock")) == 10  # ... and the ladder starts over


@pytest.mark.parametrize(
    ("policy", "message", "restarts"),
    [
        ("Always", "Container wiremock failed liveness probe, will be restarted", True),
        ("OnFailure", "Container wiremock failed liveness probe, will be restarted", True),
        ("Never", "Container wiremock failed liveness probe", False),
    ],
)
def test_liveness_failure_kills_with_kubelet_message(policy: str, message: str, restarts: bool) -> None:
    h = Harness(make_pod(policy, livenessProbe={"httpGet": {"path": "/", "port": 8080}}))
    h.sync(0)
    cid = h.rec.current.container_id
    h.liveness[cid] = Result.FAILURE
    actions = h.sync(45)
    assert actions[0] == KillContainer("wiremock", cid, 30, message)
    assert starts(actions) is restarts
    assert h.rec.restart_count == (1 if restarts else 0)


def test_startup_failure_kill_message() -> None:
    pod = make_pod(startupProbe={"exec": {"command": ["false"]}})
    w = PodWorker(pod, Backoff())
    w.sandbox_ready = True
    w.sync(0, none, none)
    w.on_started("wiremock", "c1", 0, "t0")
    w.finish_action("wiremock")
    actions = w.sync(30, none, lambda cid: Result.FAILURE)
    assert actions[0] == KillContainer(
        "wiremock", "c1", 30, "Container wiremock failed startup probe, will be restarted"
    )


def test_liveness_restart_is_immediate_when_the_container_outlived_its_backoff() -> None:
    h = Harness(make_pod(livenessProbe={"exec": {"command": ["true"]}}))
    h.sync(0)
    for n in range(1, 4):  # killed by liveness every 60 s: longer than any backoff so far
        h.liveness[h.rec.current.container_id] = Result.FAILURE
        assert starts(h.sync(60.0 * n))
    assert h.rec.restart_count == 3


def test_liveness_kill_of_a_short_lived_container_waits_in_backoff() -> None:
    h = Harness(make_pod(livenessProbe={"exec": {"command": ["true"]}}))
    h.sync(0)
    h.exit(1)
    h.sync(1)  # first crash: immediate restart, backoff entry at 10 s
    h.exit(2)
    h.sync(12)  # second crash: restarted at 12 after 10 s, backoff now 20 s
    h.liveness[h.rec.current.container_id] = Result.FAILURE
    actions = h.sync(13)  # killed 1 s later; the previous exit (t=2) is 11 s ago < 20 s
    assert isinstance(actions[0], KillContainer)
    assert not starts(actions)
    assert h.rec.waiting_reason == "CrashLoopBackOff"


@pytest.mark.parametrize(
    ("pod_grace", "probe_grace", "deletion_grace", "reason", "expected"),
    [
        (None, None, None, "liveness", 30),  # pod default
        (500, 5, None, "liveness", 5),  # probe-level override (e2e #18)
        (500, 5, None, "startup", 500),  # the liveness probe's grace is not the startup probe's
        (0, None, None, "liveness", 2),  # 2 s minimum
        (500, 5, 7, "liveness", 7),  # deletion grace wins
        (500, 5, 1, None, 2),  # deletion grace, raised to the minimum
    ],
)
def test_kill_grace_period(
    pod_grace: int | None,
    probe_grace: int | None,
    deletion_grace: int | None,
    reason: str | None,
    expected: int,
) -> None:
    probe: dict[str, Any] = {"httpGet": {"path": "/healthz", "port": 8080}}
    if probe_grace is not None:
        probe["terminationGracePeriodSeconds"] = probe_grace
    pod = make_pod(grace=pod_grace, livenessProbe=probe, startupProbe={"exec": {"command": ["true"]}})
    if deletion_grace is not None:
        pod["metadata"]["deletionGracePeriodSeconds"] = deletion_grace
        pod["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    assert kill_grace_period(pod, pod["spec"]["containers"][0], reason) == expected


def test_deletion_stops_containers_and_never_restarts() -> None:
    h = Harness(make_pod(grace=30))
    h.sync(0)
    cid = h.rec.current.container_id
    pod = make_pod(grace=30)
    pod["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:30Z"
    pod["metadata"]["deletionGracePeriodSeconds"] = 30
    h.w.update_pod(pod)
    actions = h.w.sync(5, none, none)
    assert actions == [KillContainer("wiremock", cid, 30, "Stopping container wiremock")]
    assert not h.w.all_stopped()
    h.exit(6, 143)
    h.w.finish_action("wiremock")
    assert h.w.sync(7, none, none) == []
    assert h.w.all_stopped()


def test_start_error_is_an_exited_instance_with_exit_code_128() -> None:
    w = PodWorker(make_pod(), Backoff())
    w.sandbox_ready = True
    w.sync(0, none, none)
    inst = w.on_start_error("wiremock", "c0", 0, "t0", "failed to create containerd task: ...")
    w.finish_action("wiremock")
    assert (inst.exit_code, inst.reason, inst.restart_count) == (128, "StartError", 0)
    assert inst.terminated_json()["startedAt"] == "1970-01-01T00:00:00Z"
    assert w.sync(1, none, none) == [StartContainer("wiremock")]  # first restart immediate
    w.on_start_error("wiremock", "c1", 1, "t1", "again")
    w.finish_action("wiremock")
    assert w.records["wiremock"].restart_count == 1
    assert isinstance(w.sync(2, none, none)[0], EmitEvent)  # now in CrashLoopBackOff


def test_image_pull_backoff() -> None:
    w = PodWorker(make_pod(), Backoff())
    w.sandbox_ready = True
    w.sync(0, none, none)
    w.on_image_pull_failed("wiremock", 0, "no local program for image")
    w.finish_action("wiremock")
    actions = w.sync(1, none, none)
    assert actions == [
        EmitEvent("Normal", "BackOff", 'Back-off pulling image "wiremock/wiremock:2.35.0"', "wiremock"),
        WakeAt(10),
    ]
    rec = w.records["wiremock"]
    assert rec.waiting_reason == "ImagePullBackOff"
    assert (
        rec.waiting_message
        == 'Back-off pulling image "wiremock/wiremock:2.35.0": ErrImagePull: no local program for image'
    )
    assert w.sync(10, none, none) == [StartContainer("wiremock")]


def test_config_error_retry_waits() -> None:
    w = PodWorker(make_pod(), Backoff())
    w.sandbox_ready = True
    w.sync(0, none, none)
    w.on_waiting("wiremock", "CreateContainerConfigError", 'configmap "x" not found', retry_at=10)
    w.finish_action("wiremock")
    assert w.sync(5, none, none) == [WakeAt(10)]
    assert w.sync(10, none, none) == [StartContainer("wiremock")]


def test_changed_container_definition_restarts_even_with_never() -> None:
    h = Harness(make_pod("Never"))
    h.sync(0)
    cid = h.rec.current.container_id
    changed = make_pod("Never")
    changed["spec"]["containers"][0]["image"] = "wiremock/wiremock:3.0.0"
    h.w.update_pod(changed)
    actions = h.sync(5)
    assert actions[0] == KillContainer(
        "wiremock", cid, 30, "Container wiremock definition changed, will be restarted"
    )
    assert starts(actions)


def init_pod(policy: str = "Always") -> dict[str, Any]:
    pod = make_pod(policy)
    pod["spec"]["initContainers"] = [
        {"name": "init-a", "image": "busybox"},
        {"name": "init-b", "image": "busybox"},
    ]
    return pod


def test_init_containers_run_in_order_before_regular_ones() -> None:
    w = PodWorker(init_pod(), Backoff())
    w.sandbox_ready = True
    assert w.records["wiremock"].waiting_reason == "PodInitializing"
    assert w.sync(0, none, none) == [StartContainer("init-a")]
    w.on_started("init-a", "a1", 0, "t0")
    w.finish_action("init-a")
    assert w.sync(1, none, none) == []  # init-a still running
    w.on_exited("init-a", "a1", 2, "t2", 0, "Completed")
    assert w.sync(2, none, none) == [StartContainer("init-b")]
    w.on_started("init-b", "b1", 2, "t2")
    w.finish_action("init-b")
    w.on_exited("init-b", "b1", 3, "t3", 0, "Completed")
    assert w.sync(3, none, none) == [StartContainer("wiremock")]
    assert w.initialized


def test_failed_init_container_restarts_with_backoff_or_fails_the_pod() -> None:
    w = PodWorker(init_pod(), Backoff())
    w.sandbox_ready = True
    w.sync(0, none, none)
    w.on_started("init-a", "a1", 0, "t0")
    w.finish_action("init-a")
    w.on_exited("init-a", "a1", 1, "t1", 1, "Error")
    assert w.sync(1, none, none) == [StartContainer("init-a")]  # first restart immediate
    w.on_started("init-a", "a2", 1, "t1")
    w.finish_action("init-a")
    w.on_exited("init-a", "a2", 2, "t2", 1, "Error")
    actions = w.sync(2, none, none)
    assert isinstance(actions[0], EmitEvent) and actions[0].reason == "BackOff"
    never = PodWorker(init_pod("Never"), Backoff())
    never.sandbox_ready = True
    never.sync(0, none, none)
    never.on_started("init-a", "a1", 0, "t0")
    never.finish_action("init-a")
    never.on_exited("init-a", "a1", 1, "t1", 1, "Error")
    assert never.sync(1, none, none) == []


def sidecar_pod(policy: str = "Always", **sidecar: Any) -> dict[str, Any]:
    pod = make_pod(policy)
    pod["spec"]["initContainers"] = [
        {"name": "proxy", "image": "busybox", "restartPolicy": "Always", **sidecar}
    ]
    return pod


def test_sidecar_only_needs_to_start_then_keeps_restarting() -> None:
    w = PodWorker(sidecar_pod("Never"), Backoff())
    w.sandbox_ready = True
    assert w.sync(0, none, none) == [StartContainer("proxy")]
    w.on_started("proxy", "p1", 0, "t0")
    w.finish_action("proxy")
    assert w.sync(1, none, none) == [StartContainer("wiremock")]  # running is enough
    w.on_started("wiremock", "w1", 1, "t1")
    w.finish_action("wiremock")
    w.on_exited("proxy", "p1", 2, "t2", 1, "Error")
    # Restarted even though the pod's restartPolicy is Never.
    assert w.sync(2, none, none) == [StartContainer("proxy")]


def test_sidecar_waits_for_its_startup_probe() -> None:
    w = PodWorker(sidecar_pod(startupProbe={"exec": {"command": ["true"]}}), Backoff())
    w.sandbox_ready = True
    w.sync(0, none, none)
    w.on_started("proxy", "p1", 0, "t0")
    w.finish_action("proxy")
    assert w.sync(1, none, none) == []
    assert w.sync(2, none, lambda cid: Result.SUCCESS) == [StartContainer("wiremock")]


def test_sidecars_are_stopped_when_the_app_is_done() -> None:
    w = PodWorker(sidecar_pod("OnFailure"), Backoff())
    w.sandbox_ready = True
    w.sync(0, none, none)
    w.on_started("proxy", "p1", 0, "t0")
    w.finish_action("proxy")
    w.sync(1, none, none)
    w.on_started("wiremock", "w1", 1, "t1")
    w.finish_action("wiremock")
    w.on_exited("wiremock", "w1", 5, "t5", 0, "Completed")
    assert w.sync(5, none, none) == [KillContainer("proxy", "p1", 30, "Stopping container proxy")]
    w.on_exited("proxy", "p1", 6, "t6", 143, "Error")
    w.finish_action("proxy")
    assert w.sync(6, none, none) == []  # not restarted: the pod is finished


def two_sidecars_running(grace: int | None = None) -> tuple[PodWorker, dict[str, Any]]:
    """A pod with sidecars `first` and `second` and the app, all started at t=0."""
    pod = make_pod(grace=grace)
    pod["spec"]["initContainers"] = [
        {"name": "first", "image": "busybox", "restartPolicy": "Always"},
        {"name": "second", "image": "busybox", "restartPolicy": "Always"},
    ]
    w = PodWorker(pod, Backoff())
    w.sandbox_ready = True
    for name in ("first", "second", "wiremock"):
        assert w.sync(0, none, none) == [StartContainer(name)]
        w.on_started(name, f"{name}-1", 0, "t0")
        w.finish_action(name)
    return w, pod


def test_deletion_stops_the_app_before_its_sidecars_in_reverse_order() -> None:
    w, pod = two_sidecars_running()
    deleting = dict(
        pod, metadata={**pod["metadata"], "deletionTimestamp": "t", "deletionGracePeriodSeconds": 30}
    )
    w.update_pod(deleting)
    order = []
    for t in range(1, 4):
        actions = w.sync(t, none, none)
        assert len(actions) == 1 and isinstance(actions[0], KillContainer)
        name = actions[0].name
        order.append(name)
        w.on_exited(name, f"{name}-1", t, f"t{t}", 143, "Error")
        w.finish_action(name)
    assert order == ["wiremock", "second", "first"]
    assert w.sync(5, none, none) == [] and w.all_stopped()


def test_sidecars_share_the_pods_one_grace_period() -> None:
    """KEP-753: a sidecar's SIGTERM carries what is left of the pod's grace (2 s at least), so a
    pod with a 20 s grace never takes 40 s to stop."""
    w, pod = two_sidecars_running(grace=20)
    w.update_pod(
        dict(pod, metadata={**pod["metadata"], "deletionTimestamp": "t", "deletionGracePeriodSeconds": 20})
    )
    assert w.sync(10, none, none) == [
        KillContainer("wiremock", "wiremock-1", 20, "Stopping container wiremock")
    ]
    w.on_exited("wiremock", "wiremock-1", 25, "t25", 0, "Completed")  # took 15 of the 20 s
    w.finish_action("wiremock")
    assert w.sync(25, none, none) == [KillContainer("second", "second-1", 5, "Stopping container second")]
    w.on_exited("second", "second-1", 29.5, "t29", 143, "Error")
    w.finish_action("second")
    # 19.5 s used: the floor of 2 s applies.
    assert w.sync(29.5, none, none) == [KillContainer("first", "first-1", 2, "Stopping container first")]
