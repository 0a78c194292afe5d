"""Starting and killing one container instance, as kubelet's startContainer / killContainer
(k8s pkg/kubelet/kuberuntime/kuberuntime_container.go): events, env, lifecycle hooks, grace."""

from __future__ import annotations

import asyncio
import logging
import secrets
from typing import TYPE_CHECKING, Any

from podlab.kubelet.env import EnvError, expand_command, resolve_env
from podlab.kubelet.events import rfc3339
from podlab.kubelet.lifecycle import POST_START_LIMIT, hook_failure, run_hook
from podlab.kubelet.pod_worker import MINIMUM_GRACE_PERIOD, KillContainer, format_pod, kill_grace_period
from podlab.probes import ProbeTarget
from podlab.runtime import (
    ContainerLaunch,
    CreateContainerError,
    ImagePullError,
    RunningContainer,
    StartError,
    VolumeError,
)

if TYPE_CHECKING:
    from podlab.kubelet.pod_runner import PodRunner

log = logging.getLogger("podlab.kubelet")

Obj = dict[str, Any]

# pkg/kubelet/pod_workers.go: a sync that failed is retried after backOffPeriod (10 s).
SYNC_ERROR_RETRY = 10.0


async def kill_container(runner: PodRunner, action: KillContainer) -> None:
    runner.emit("Normal", "Killing", action.message, action.name)
    rc = runner.running.get(action.name)
    if rc is None or rc.container_id != action.container_id:
        return
    grace = float(action.grace_seconds)
    pre_stop = (runner.worker.container_spec(action.name).get("lifecycle") or {}).get("preStop")
    if pre_stop and rc.running:
        # executePreStopHook: the hook gets the grace period, its run time is subtracted
        # from it, and the 2 s minimum applies after; the event never carries the output.
        started = runner.clock.now()
        target = ProbeTarget(
            pod_ip=runner.pod_ip or "", container=runner.worker.container_spec(action.name), exec=rc.exec
        )
        hook = asyncio.ensure_future(run_hook(pre_stop, target, grace, runner.clock))
        done, _ = await asyncio.wait({hook}, timeout=grace)
        if not done:
            hook.cancel()
        elif hook.result() is not None:
            runner.emit("Warning", "FailedPreStopHook", "PreStopHook failed", action.name)
        grace = max(grace - int(runner.clock.now() - started), MINIMUM_GRACE_PERIOD)
    info = await rc.stop(grace)
    runner.record_exit(action.name, rc, info.exit_code, info.reason, info.finished_at)


async def start_container(runner: PodRunner, name: str) -> None:
    spec = runner.worker.container_spec(name)
    image = str(spec.get("image", ""))
    rec = runner.worker.records[name]
    restart_count = 0 if rec.current is None else rec.current.restart_count + 1
    assert runner.pod_ip is not None and runner.volumes is not None
    try:
        env = resolve_env(
            runner.pod,
            spec,
            runner.lookup,
            pod_ip=runner.pod_ip,
            host_ip=runner.kubelet.host_ip,
            node_name=runner.kubelet.node_name,
        )
    except EnvError as exc:
        runner.worker.on_waiting(
            name, "CreateContainerConfigError", exc.message, retry_at=runner.clock.now() + SYNC_ERROR_RETRY
        )
        runner.emit("Warning", "Failed", f"Error: {exc.message}", name)
        return
    launch = ContainerLaunch(
        pod=runner.pod,
        container=expand_command(spec, env),
        pod_ip=runner.pod_ip,
        restart_count=restart_count,
        volumes=runner.volumes,
        env=env,
        warn=lambda reason, message: runner.emit("Warning", reason, message, name),
    )
    try:
        rc = await runner.kubelet.runtime.start(launch)
    except ImagePullError as exc:
        # image_manager.go: event and waiting message are 'Failed to pull image "x": <err>'.
        prefix = f'Failed to pull image "{image}": '
        cause = exc.message.removeprefix(prefix)
        runner.emit("Normal", "Pulling", f'Pulling image "{image}"', name)
        runner.emit("Warning", "Failed", prefix + cause, name)
        runner.emit("Warning", "Failed", f"Error: {exc.reason}", name)
        runner.worker.on_image_pull_failed(name, runner.clock.now(), prefix + cause)
        return
    except (StartError, VolumeError) as exc:
        runner.emit("Normal", "Pulled", f'Container image "{image}" already present on machine', name)
        runner.emit("Normal", "Created", f"Created container: {name}", name)
        runner.emit("Warning", "Failed", f"Error: {exc.message}", name)
        cid = "containerd://" + secrets.token_hex(32)
        runner.worker.on_start_error(name, cid, runner.clock.now(), rfc3339(runner.clock.wall()), exc.message)
        return
    except Exception as exc:
        # Anything else is the runtime failing to create the container: kubelet shows
        # CreateContainerError and retries on the next sync after its error backoff.
        if not isinstance(exc, CreateContainerError):  # that one is the node's disk, not a bug
            log.exception("starting container %s of pod %s failed", name, runner.pod["metadata"].get("name"))
        runner.worker.on_waiting(
            name, "CreateContainerError", str(exc), retry_at=runner.clock.now() + SYNC_ERROR_RETRY
        )
        runner.emit("Warning", "Failed", f"Error: {exc}", name)
        return
    runner.emit("Normal", "Pulled", f'Container image "{image}" already present on machine', name)
    runner.emit("Normal", "Created", f"Created container: {name}", name)
    runner.emit("Normal", "Started", f"Started container {name}", name)
    post_start = (spec.get("lifecycle") or {}).get("postStart")
    # The container shows as running only once postStart has completed (docs, "Container hooks").
    error = await _post_start(runner, spec, rc, post_start) if post_start else None
    runner.worker.on_started(name, rc.container_id, runner.clock.now(), rfc3339(rc.started_at))
    runner.running[name] = rc
    runner.spawn(runner.watch_exit(name, rc))
    if post_start and error is not None:
        runner.emit(
            "Warning",
            "FailedPostStartHook",
            hook_failure(post_start, error, name, format_pod(runner.pod)),
            name,
        )
        runner.emit("Normal", "Killing", "FailedPostStartHook", name)
        info = await rc.stop(kill_grace_period(runner.pod, spec, None))
        runner.record_exit(name, rc, info.exit_code, info.reason, info.finished_at)


async def _post_start(runner: PodRunner, spec: Obj, rc: RunningContainer, handler: Obj) -> str | None:
    target = ProbeTarget(pod_ip=runner.pod_ip or "", container=spec, exec=rc.exec)
    try:
        return await asyncio.wait_for(
            run_hook(handler, target, POST_START_LIMIT, runner.clock), POST_START_LIMIT
        )
    except TimeoutError:
        return "timed out"
    except Exception as exc:  # e.g. the container died under the hook
        return str(exc)
