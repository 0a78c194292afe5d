"""A pod an earlier run of the node ran (its objects came back from store.db), taken over as kubelet
does after a node reboot: the old containers exited 255/Unknown (containerd's words for a task it
lost), SandboxChanged, restarts with restartCount + 1, init containers again; restartPolicy Never
pods end Failed. Sans-IO: PodWorker.restore + build_status, no clock, no processes."""

from __future__ import annotations

from typing import Any

from podlab.kubelet.backoff import Backoff
from podlab.kubelet.pod_worker import EmitEvent, PodWorker, StartContainer
from podlab.kubelet.probe_results import Result
from podlab.kubelet.status import build_status

OLD = "containerd://" + "a" * 64
OLD_INIT = "containerd://" + "b" * 64
AT = "2026-12-07T10:00:00Z"
SANDBOX_CHANGED = EmitEvent(
    "Normal", "SandboxChanged", "Pod sandbox changed, it will be killed and re-created.", None
)


def none(_cid: str) -> Result | None:
    return None


def pod(policy: str = "Always", *, init: bool = False, status: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = {"restartPolicy": policy, "containers": [{"name": "app", "image": "busybox"}]}
    if init:
        spec["initContainers"] = [{"name": "setup", "image": "busybox"}]
    return {"metadata": {"name": "p", "namespace": "default", "uid": "u1"}, "spec": spec, "status": status}


def running(name: str, cid: str, restarts: int) -> dict[str, Any]:
    return {
        "name": name,
        "containerID": cid,
        "restartCount": restarts,
        "state": {"running": {"startedAt": "2026-12-07T09:00:00Z"}},
        "lastState": {},
    }


def completed(name: str, cid: str) -> dict[str, Any]:
    terminated = {"exitCode": 0, "reason": "Completed", "containerID": cid}
    terminated |= {"startedAt": "2026-12-07T08:59:00Z", "finishedAt": "2026-12-07T08:59:01Z"}
    return {"name": name, "containerID": cid, "restartCount": 0, "state": {"terminated": terminated}}


def status_of(worker: PodWorker) -> dict[str, Any]:
    return build_status(
        worker,
        readiness=none,
        startup=none,
        previous=worker.pod["status"],
        now=AT,
        pod_ip="10.244.0.9",
        host_ip="127.0.0.1",
        start_time="2026-12-07T09:00:00Z",
    )


def restored(p: dict[str, Any]) -> PodWorker:
    worker = PodWorker(p, Backoff())
    assert worker.restore(p["status"], 100.0, AT)
    return worker


def test_a_running_container_comes_back_exited_255_unknown_and_restarts_with_one_more_restart() -> None:
    worker = restored(pod(status={"phase": "Running", "containerStatuses": [running("app", OLD, 2)]}))
    (app,) = status_of(worker)["containerStatuses"]
    assert app["state"]["terminated"]["exitCode"] == 255 and app["state"]["terminated"]["reason"] == "Unknown"
    assert app["state"]["terminated"]["finishedAt"] == AT and app["restartCount"] == 2
    # The sandbox is gone: the event first, the start once the new sandbox is ready.
    assert worker.sync(100.0, none, none) == [SANDBOX_CHANGED]
    worker.sandbox_ready = True
    assert worker.sync(100.1, none, none) == [StartContainer("app")]
    worker.on_started("app", "containerd://" + "c" * 64, 100.2, "2026-12-07T10:00:01Z")
    worker.finish_action("app")
    (app,) = status_of(worker)["containerStatuses"]
    assert app["restartCount"] == 3 and "running" in app["state"]
    last = app["lastState"]["terminated"]
    assert (last["exitCode"], last["reason"], last["containerID"]) == (255, "Unknown", OLD)
    assert last["startedAt"] == "2026-12-07T09:00:00Z" and last["finishedAt"] == AT
    assert worker.sync(101.0, none, none) == []  # SandboxChanged once


def test_a_never_pod_is_not_restarted_and_ends_failed() -> None:
    worker = restored(
        pod("Never", status={"phase": "Running", "containerStatuses": [running("app", OLD, 0)]})
    )
    worker.sandbox_ready = True
    assert worker.sync(100.0, none, none) == []
    status = status_of(worker)
    assert status["phase"] == "Failed"
    assert status["containerStatuses"][0]["state"]["terminated"]["exitCode"] == 255


def test_init_containers_run_again_in_the_new_sandbox() -> None:
    status = {
        "phase": "Running",
        "initContainerStatuses": [completed("setup", OLD_INIT)],
        "containerStatuses": [running("app", OLD, 0)],
    }
    worker = restored(pod(init=True, status=status))
    worker.sandbox_ready = True
    assert worker.sync(100.0, none, none) == [SANDBOX_CHANGED, StartContainer("setup")]
    worker.on_started("setup", "containerd://" + "d" * 64, 100.1, AT)
    worker.finish_action("setup")
    assert worker.sync(100.2, none, none) == []  # app waits for the init container
    setup = worker.records["setup"]
    assert setup.restart_count == 1
    assert setup.previous is not None and setup.previous.container_id == OLD_INIT


def test_a_container_in_crash_loop_back_off_restarts_at_once_with_a_fresh_backoff() -> None:
    crashed = {"exitCode": 1, "reason": "Error", "containerID": OLD, "startedAt": AT, "finishedAt": AT}
    waiting = {"reason": "CrashLoopBackOff", "message": "back-off 40s restarting failed container"}
    cs = {
        "name": "app",
        "restartCount": 4,
        "state": {"waiting": waiting},
        "lastState": {"terminated": crashed},
    }
    worker = restored(pod(status={"phase": "Running", "containerStatuses": [cs]}))
    worker.sandbox_ready = True
    assert worker.sync(100.0, none, none) == [SANDBOX_CHANGED, StartContainer("app")]
    worker.on_started("app", "containerd://" + "e" * 64, 100.1, AT)
    assert worker.records["app"].restart_count == 5
    assert worker.records["app"].previous is not None and worker.records["app"].previous.exit_code == 1


def test_on_failure_keeps_a_container_that_succeeded() -> None:
    worker = restored(
        pod("OnFailure", status={"phase": "Succeeded", "containerStatuses": [completed("app", OLD)]})
    )
    worker.sandbox_ready = True
    assert StartContainer("app") not in worker.sync(100.0, none, none)


def test_a_pod_that_never_ran_a_container_is_a_new_pod() -> None:
    waiting = {"name": "app", "restartCount": 0, "state": {"waiting": {"reason": "ContainerCreating"}}}
    p = pod(status={"phase": "Pending", "containerStatuses": [waiting]})
    worker = PodWorker(p, Backoff())
    assert not worker.restore(p["status"], 100.0, AT)
    worker.sandbox_ready = True
    assert worker.sync(100.0, none, none) == [StartContainer("app")]
