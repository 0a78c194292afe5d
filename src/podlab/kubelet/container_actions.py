"""Starting and killing one container instance, as kubelet's startContainer / killContainer
(k8s pkg/kubelet/kuberuntime/kuberuntime_container.go): events, env, lifecycle hooks, grace.

``ContainerActions`` holds what the actions of one pod need; the pod runner owns it and hears
back through ``on_started`` (track the instance) and ``on_exit`` (record how it ended).
"""

from __future__ import annotations

import contextlib
import logging
import secrets
from collections.abc import Callable
from typing import Any

from podlab.k8s.duration import go_duration
from podlab.k8s.timestamps import format_time
from podlab.kubelet.clock import wait_until
from podlab.kubelet.container_runtime import ContainerHandle
from podlab.kubelet.env import EnvError, expand_command, resolve_env
from podlab.kubelet.lifecycle import POST_START_LIMIT, hook_failure, run_hook
from podlab.kubelet.node_status import node_images
from podlab.kubelet.pod_context import EventSink, NodeContext, PodSandbox
from podlab.kubelet.pod_worker import (
    MINIMUM_GRACE_PERIOD,
    KillContainer,
    PodWorker,
    format_pod,
    kill_grace_period,
)
from podlab.kubelet.service_env import pod_service_env
from podlab.runtime import (
    ContainerLaunch,
    CreateContainerError,
    ExitInfo,
    ImagePullError,
    ImageReport,
    StartError,
    VolumeError,
)
from podlab.runtime.security import verify_run_as_non_root
from podlab.store import StoreError

log = logging.getLogger("podlab.kubelet")

Obj = dict[str, Any]

# pkg/kubelet/pod_workers.go: a sync that failed is retried after backOffPeriod (10 s).
SYNC_ERROR_RETRY = 10.0


class ContainerActions:
    def __init__(
        self,
        node: NodeContext,
        worker: PodWorker,
        sandbox: PodSandbox,
        *,
        running: dict[str, ContainerHandle],
        emit: EventSink,
        on_started: Callable[[str, ContainerHandle], None],
        on_exit: Callable[[str, ContainerHandle, ExitInfo], None],
    ) -> None:
        self.node = node
        self.clock = node.clock
        self.worker = worker  # holds the current pod object
        self.sandbox = sandbox
        self.running = running  # read here; the runner adds instances through on_started
        self.emit = emit
        self.on_started = on_started
        self.on_exit = on_exit

    async def kill(self, action: KillContainer) -> None:
        self.emit("Normal", "Killing", action.message, action.name)
        rc = self.running.get(action.name)
        if rc is None or rc.container_id != action.container_id:
            return
        grace = float(action.grace_seconds)
        spec = self.worker.container_spec(action.name)
        pre_stop = (spec.get("lifecycle") or {}).get("preStop")
        if pre_stop and rc.running:
            # executePreStopHook: the hook gets the grace period, its run time is subtracted
            # from it, and the 2 s minimum applies after; the event never carries the output.
            started = self.clock.now()
            target = self.sandbox.probe_target(spec, rc.exec)
            try:
                error = await wait_until(
                    self.clock, run_hook(pre_stop, target, grace, self.clock), started + grace
                )
            except TimeoutError:
                error = None  # the hook ran out the grace period: kill without an event
            if error is not None:
                self.emit("Warning", "FailedPreStopHook", "PreStopHook failed", action.name)
            grace = max(grace - int(self.clock.now() - started), MINIMUM_GRACE_PERIOD)
        self.on_exit(action.name, rc, await rc.stop(grace))

    def _target_pid(self, spec: Obj) -> int | None:
        """containerd's PID namespace mode TARGET for `kubectl debug --target=C`."""
        target = spec.get("targetContainerName")
        handle = self.running.get(str(target)) if target else None
        return handle.pid if handle is not None and handle.running else None

    async def start(self, name: str) -> None:
        pod = self.worker.pod
        spec = self.worker.container_spec(name)
        image = str(spec.get("image", ""))
        rec = self.worker.records[name]
        restart_count = 0 if rec.current is None else rec.current.restart_count + 1
        pod_ip, volumes = self.sandbox.pod_ip, self.sandbox.volumes
        assert pod_ip is not None and volumes is not None
        try:
            env = resolve_env(
                pod,
                spec,
                self.node.source_lookup(pod["metadata"].get("namespace", "default")),
                pod_ip=pod_ip,
                host_ip=self.node.host_ip,
                node_name=self.node.node_name,
                # A snapshot of the Services existing now: a restart sees the current ones.
                service_env=pod_service_env(pod, self.node.services()),
            )
        except EnvError as exc:
            self._config_error(name, exc.message)
            return
        refusal = verify_run_as_non_root(pod, spec, format_pod(pod))
        if refusal is not None:
            self._config_error(name, refusal)
            return
        launch = ContainerLaunch(
            pod=pod,
            container=expand_command(spec, env),
            pod_ip=pod_ip,
            netns=self.sandbox.netns,
            restart_count=restart_count,
            volumes=volumes,
            env=env,
            warn=lambda reason, message: self.emit("Warning", reason, message, name),
            pid_namespace_of=self._target_pid(spec),
            etc=self.sandbox.etc,
        )
        report = await self._ensure_image(spec, image, name)
        if report is None:
            return
        # A built-in image was never pulled: its "already present" is said once the container
        # exists, as before, so a 1,000-container pod does not write 1,000 events in one burst.
        present = f'Container image "{image}" already present on machine'
        try:
            rc = await self.node.runtime.start(launch)
        except ImagePullError as exc:
            # image_manager.go: event and waiting message are 'Failed to pull image "x": <err>'.
            prefix = f'Failed to pull image "{image}": '
            cause = exc.message.removeprefix(prefix)
            self.emit("Normal", "Pulling", f'Pulling image "{image}"', name)
            self.emit("Warning", "Failed", prefix + cause, name)
            self.emit("Warning", "Failed", f"Error: {exc.reason}", name)
            self.worker.on_image_pull_failed(name, self.clock.now(), prefix + cause)
            return
        except (StartError, VolumeError) as exc:
            if report.source == "builtin":
                self.emit("Normal", "Pulled", present, name)
            self.emit("Normal", "Created", f"Created container: {name}", name)
            self.emit("Warning", "Failed", f"Error: {exc.message}", name)
            cid = "containerd://" + secrets.token_hex(32)
            self.worker.on_start_error(
                name, cid, self.clock.now(), format_time(self.clock.wall()), exc.message
            )
            return
        except Exception as exc:
            # Anything else is the runtime failing to create the container: kubelet shows
            # CreateContainerError and retries on the next sync after its error backoff.
            if not isinstance(exc, CreateContainerError):  # that one is the node's disk, not a bug
                log.exception("starting container %s of pod %s failed", name, pod["metadata"].get("name"))
            self.worker.on_waiting(
                name, "CreateContainerError", str(exc), retry_at=self.clock.now() + SYNC_ERROR_RETRY
            )
            self.emit("Warning", "Failed", f"Error: {exc}", name)
            return
        if report.source == "builtin":
            self.emit("Normal", "Pulled", present, name)
        self.emit("Normal", "Created", f"Created container: {name}", name)
        self.emit("Normal", "Started", f"Started container {name}", name)
        post_start = (spec.get("lifecycle") or {}).get("postStart")
        # The container shows as running only once postStart has completed (docs, "Container hooks").
        error = await self._post_start(spec, rc, post_start) if post_start else None
        self.worker.on_started(name, rc.container_id, self.clock.now(), format_time(rc.started_at))
        self.on_started(name, rc)
        if post_start and error is not None:
            self.emit(
                "Warning",
                "FailedPostStartHook",
                hook_failure(post_start, error, name, format_pod(self.worker.pod)),
                name,
            )
            self.emit("Normal", "Killing", "FailedPostStartHook", name)
            self.on_exit(name, rc, await rc.stop(kill_grace_period(self.worker.pod, spec, None)))

    def _config_error(self, name: str, message: str) -> None:
        """kubelet's CreateContainerConfigError: waiting, a Failed event, retried on a later sync."""
        self.worker.on_waiting(
            name, "CreateContainerConfigError", message, retry_at=self.clock.now() + SYNC_ERROR_RETRY
        )
        self.emit("Warning", "Failed", f"Error: {message}", name)

    async def _ensure_image(self, spec: Obj, image: str, name: str) -> ImageReport | None:
        """EnsureImageExists (pkg/kubelet/images/image_manager.go): pull per policy, in its words.
        None when the container cannot start yet (the waiting reason is recorded)."""
        pod = self.worker.pod
        lookup = self.node.source_lookup(pod["metadata"].get("namespace", "default"))
        secrets = [
            secret
            for ref in (pod.get("spec") or {}).get("imagePullSecrets") or []
            if (secret := lookup("Secret", str(ref.get("name", "")))) is not None
        ]
        try:
            report = await self.node.runtime.ensure_image(
                pod, spec, secrets, lambda: self.emit("Normal", "Pulling", f'Pulling image "{image}"', name)
            )
        except ImagePullError as exc:
            if exc.reason == "ErrImagePull":
                prefix = f'Failed to pull image "{image}": '
                self.emit("Warning", "Failed", prefix + exc.message.removeprefix(prefix), name)
                self.emit("Warning", "Failed", "Error: ErrImagePull", name)
                self.worker.on_image_pull_failed(
                    name, self.clock.now(), prefix + exc.message.removeprefix(prefix)
                )
                return None
            # ErrImageNeverPull / InvalidImageName: no pull, no back-off; retried each sync.
            event_reason = "ErrImageNeverPull" if exc.reason == "ErrImageNeverPull" else "InspectFailed"
            self.emit("Warning", event_reason, exc.message, name)
            self.emit("Warning", "Failed", f"Error: {exc.reason}", name)
            self.worker.on_waiting(
                name, exc.reason, exc.message, retry_at=self.clock.now() + SYNC_ERROR_RETRY
            )
            return None
        record = report.record
        self.worker.records[name].image_ref = record.repo_digests[0] if record and record.repo_digests else ""
        if report.source == "builtin":
            return report  # its Pulled event comes with the container (start)
        if report.pulled:
            self._update_node_images()
            # Go durations truncated to milliseconds (image_manager.go).
            took = go_duration(int(report.seconds * 1000) / 1000)
            waited = go_duration(int(report.waited * 1000) / 1000)
            self.emit(
                "Normal",
                "Pulled",
                f'Successfully pulled image "{image}" in {took} ({waited} including waiting). '
                f"Image size: {report.size} bytes.",
                name,
            )
        else:
            self.emit("Normal", "Pulled", f'Container image "{image}" already present on machine', name)
        return report

    def _update_node_images(self) -> None:
        """A pull changed what the node holds: node.status.images says so at once."""
        with contextlib.suppress(StoreError):
            node = self.node.store.get(("", "nodes"), None, self.node.node_name)
            images = node_images(self.node.runtime.node_images())
            if (node.get("status") or {}).get("images") != images:
                node.setdefault("status", {})["images"] = images
                self.node.store.update(("", "nodes"), node, subresource="status")

    async def _post_start(self, spec: Obj, rc: ContainerHandle, handler: Obj) -> str | None:
        target = self.sandbox.probe_target(spec, rc.exec)
        deadline = self.clock.now() + POST_START_LIMIT
        try:
            return await wait_until(
                self.clock, run_hook(handler, target, POST_START_LIMIT, self.clock), deadline
            )
        except TimeoutError:
            return "timed out"
        except Exception as exc:  # e.g. the container died under the hook
            return str(exc)
