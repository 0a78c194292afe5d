"""Drives one pod: the asyncio side of the pod worker (k8s kubelet pod workers + SyncPod).

One task per pod. Each pass: prepare the sandbox (IP, volumes), ask the sans-IO PodWorker what to
do, hand starts/kills to per-container tasks (so a 30 s graceful kill never stalls status or
probes), write the status if it changed, trigger readiness checks, then sleep until something
happens (a container exit, a probe verdict change, a pod update) or a backoff timer is due.

Its collaborators come in explicitly: ``NodeContext`` (node-wide: store, runtime, clock, events,
backoff, probe attempt), and it builds the per-pod ones: ``ContainerActions`` (start/kill),
``PodProbes`` + ``ProbeManager`` (probe drivers), ``PodWorker`` (decisions).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
from typing import Any

from podlab.k8s.timestamps import format_time
from podlab.kubelet.clock import wait_event_until, wait_until
from podlab.kubelet.container_actions import ContainerActions
from podlab.kubelet.container_runtime import ContainerHandle
from podlab.kubelet.events import ObjectRef
from podlab.kubelet.pod_context import NodeContext, PodSandbox
from podlab.kubelet.pod_etc import SandboxError, pod_etc
from podlab.kubelet.pod_probes import PodProbes
from podlab.kubelet.pod_worker import (
    EmitEvent,
    KillContainer,
    PodWorker,
    StartContainer,
    WakeAt,
    format_pod,
)
from podlab.kubelet.probe_manager import ProbeManager
from podlab.kubelet.probe_results import ProbeResults
from podlab.kubelet.status import CONDITION_ORDER, build_status
from podlab.kubelet.tasks import OwnedTasks, cancel_and_wait
from podlab.runtime import ExitInfo, VolumeError
from podlab.store import NotFound, StoreError

log = logging.getLogger("podlab.kubelet")

Obj = dict[str, Any]
PODS = ("", "pods")

# podlab's own retry after an unexpected error in a sync pass (a bug, not a pod problem).
SYNC_FAILURE_RETRY = 1.0
# nestedpendingoperations: mount retries start at 500 ms and double up to 2m2s.
MOUNT_RETRY_INITIAL = 0.5
MOUNT_RETRY_MAX = 122.0
# A sandbox that cannot be made (its FQDN too long) is tried again after kubelet's sync backoff.
SANDBOX_RETRY_SECONDS = 10.0
# While a big pod starts (more than BURST_ACTIONS container actions in flight), its status is
# written at most once per batch interval: 0.5 s, plus 1 s per 250 actions in flight. Each write
# copies the whole pod into the store and out to every watcher, so a write per container start
# made n starts cost O(n²): a 1,000-container pod took minutes and kept the API busy throughout.
# kubelet's status manager batches its writes too; the final status is written once the burst
# is over.
BURST_ACTIONS = 8
STATUS_BATCH_SECONDS = 0.5
STATUS_BATCH_ACTIONS_PER_SECOND = 250


class PodRunner:
    def __init__(self, node: NodeContext, pod: Obj) -> None:
        # Node-wide, read-only.
        self.node = node
        self.clock = node.clock
        # Pod lifetime.
        self.pod = pod
        self.uid = str(pod["metadata"]["uid"])
        self.worker = PodWorker(pod, node.backoff, node.image_backoff)
        self.results = ProbeResults.create(on_change=lambda _update: self.wake())
        self.running: dict[str, ContainerHandle] = {}
        self.sandbox = PodSandbox(network=node.pod_network.sockets, pod_name=str(pod["metadata"]["name"]))
        self.actions = ContainerActions(
            node,
            self.worker,
            self.sandbox,
            running=self.running,
            emit=self.emit,
            on_started=self._track,
            on_exit=self._record_exit,
        )
        pod_probes = PodProbes(
            node.clock,
            node.probe_attempt,
            pod_uid=self.uid,
            worker=self.worker,
            results=self.results,
            sandbox=self.sandbox,
            running=self.running,
            last_status=lambda: self.last_status,
            emit=self.emit,
        )
        self.probes = ProbeManager(pod_probes.make_driver)
        status = pod.get("status") or {}
        # A pod an earlier run of this node ran (a restart of the node): its old containers
        # count, its sandbox is made anew (SandboxChanged), and it keeps its startTime.
        restored = self.worker.restore(status, self.clock.now(), format_time(self.clock.wall()))
        kept = str(status.get("startTime") or "") if restored else ""
        self.start_time = kept or format_time(self.clock.wall())
        self.last_status: Obj | None = copy.deepcopy(status) or None
        self.gone = False  # removed from the store behind our back (force delete)
        self._mount_retry_at = 0.0
        self._sandbox_retry_at = 0.0
        self._mount_delay = MOUNT_RETRY_INITIAL
        self._network: asyncio.Task[None] | None = None  # making the pod's netns (once)
        self._network_retry_at = 0.0
        self._dirty = asyncio.Event()
        self._exit_watchers = OwnedTasks()
        self._in_flight = OwnedTasks()  # starts and kills
        self._busy_actions = 0
        self._next_status_at = 0.0
        self._terminating = False
        self._shutting_down = False  # node shutdown: no more syncs, no restarts

    # -- inputs from the kubelet ----------------------------------------------------------
    def wake(self) -> None:
        self._dirty.set()

    def update(self, pod: Obj) -> None:
        """A newer pod object; only spec/metadata changes matter (kubelet ignores its own status)."""
        old = self.pod
        self.pod = pod
        self.worker.update_pod(pod)
        deletion = old.get("metadata", {}).get("deletionTimestamp") != pod.get("metadata", {}).get(
            "deletionTimestamp"
        )
        gates = self._foreign_conditions(old) != self._foreign_conditions(pod)  # readiness gates
        meta_keys = ("labels", "annotations")
        if any(old["metadata"].get(k) != pod["metadata"].get(k) for k in meta_keys):
            self.retry_mounts()  # downwardAPI volumes show labels and annotations
        if old.get("spec") != pod.get("spec") or deletion or gates:
            self.wake()

    def removed(self) -> None:
        """Deleted from the store without a graceful phase: stop the containers quickly."""
        self.gone = True
        if not self.worker.deleting:
            pod = copy.deepcopy(self.pod)
            pod["metadata"]["deletionTimestamp"] = format_time(self.clock.wall())
            pod["metadata"]["deletionGracePeriodSeconds"] = 0
            self.pod = pod
            self.worker.update_pod(pod)
        self.wake()

    def evict(self, message: str) -> None:
        """The eviction manager's verdict: kill every container, end Failed/Evicted."""
        self.worker.evicted = message
        self.emit("Warning", "Evicted", message, None)
        self.wake()

    # -- main loop ------------------------------------------------------------------------
    async def run(self) -> None:
        self.probes.add_pod(self.pod)
        try:
            while not self._shutting_down:
                self._dirty.clear()
                try:
                    wake = self._sync_once()
                except Exception:
                    # A bug or a store surprise must not orphan running containers: log, retry.
                    log.exception("sync of pod %s failed", self.pod["metadata"].get("name"))
                    wake = self.clock.now() + SYNC_FAILURE_RETRY
                if self.worker.deleting and self.worker.all_stopped() and self._busy_actions == 0:
                    await self._finish_deletion()
                    return
                await wait_event_until(self.clock, self._dirty, wake)
        finally:
            await self.probes.remove_pod()
            await cancel_and_wait([*self._exit_watchers, *self._in_flight, *self._network_task()])

    def _sync_once(self) -> float | None:
        now = self.clock.now()
        wake: float | None = None
        if self.worker.deleting and not self._terminating:
            self._terminating = True
            self.probes.stop_liveness_and_startup()
        if not self.worker.deleting and not self.worker.sandbox_ready:
            wake = self._prepare_sandbox(now)
        actions = self.worker.sync(now, self.results.liveness.get, self.results.startup.get)
        per_container: dict[str, list[StartContainer | KillContainer]] = {}
        for action in actions:
            match action:
                case EmitEvent(type_, reason, message, container):
                    self.emit(type_, reason, message, container)
                case WakeAt(at):
                    wake = at if wake is None else min(wake, at)
                case StartContainer() | KillContainer():
                    per_container.setdefault(action.name, []).append(action)
        for name, acts in per_container.items():
            self._busy_actions += 1
            self._in_flight.spawn(self._run_actions(name, acts))
        if self._busy_actions > BURST_ACTIONS and now < self._next_status_at:
            wake = self._next_status_at if wake is None else min(wake, self._next_status_at)
        else:
            self._next_status_at = (
                now + STATUS_BATCH_SECONDS + self._busy_actions / STATUS_BATCH_ACTIONS_PER_SECOND
            )
            self._write_status()
        self._trigger_readiness()
        return wake

    # -- sandbox: network, IP and volumes --------------------------------------------------
    def _prepare_sandbox(self, now: float) -> float | None:
        if self.sandbox.pod_ip is None:
            return self._attach_network(now)
        if self.sandbox.etc is None and not self._make_pod_etc(now):
            return self._sandbox_retry_at
        if now < self._mount_retry_at:
            return self._mount_retry_at
        lookup = self.node.source_lookup(self.pod["metadata"].get("namespace", "default"), self.pod)
        try:
            self.sandbox.volumes = self.node.runtime.materialise_volumes(self.pod, lookup)
        except VolumeError as exc:
            # kubelet's volume manager keeps retrying with exponential backoff and says so.
            self.emit("Warning", "FailedMount", exc.message, None)
            self._mount_retry_at = now + self._mount_delay
            self._mount_delay = min(self._mount_delay * 2, MOUNT_RETRY_MAX)
            return self._mount_retry_at
        self.worker.sandbox_ready = True
        return None

    def _make_pod_etc(self, now: float) -> bool:
        """The pod's hosts, resolver and hostname, decided once per sandbox as kubelet does."""
        if now < self._sandbox_retry_at:
            return False
        assert self.sandbox.pod_ip is not None
        try:
            self.sandbox.etc, events = pod_etc(self.pod, self.sandbox.pod_ip, self.node.cluster_dns)
        except SandboxError as exc:
            # kubelet's createPodSandbox failure; the pod worker retries on its next sync.
            self.emit(
                "Warning", "FailedCreatePodSandBox", f"Failed to create pod sandbox: {exc.message}", None
            )
            self._sandbox_retry_at = now + SANDBOX_RETRY_SECONDS
            return False
        for reason, message in events:
            self.emit("Warning", reason, message, None)
        return True

    def _attach_network(self, now: float) -> float | None:
        """RunPodSandbox's network half: the pod's address and netns, made off the sync pass
        (a helper round trip); the runner is woken when it is done."""
        if self._network is not None or now < self._network_retry_at:
            return None if self._network is not None else self._network_retry_at
        self._network = asyncio.ensure_future(self._attach())
        return None

    async def _attach(self) -> None:
        try:
            attachment = await self.node.pod_network.attach(self.uid)
        except (OSError, RuntimeError, TimeoutError) as exc:
            # kubelet's event when the CNI ADD fails; it retries on its next sync.
            self.emit("Warning", "FailedCreatePodSandBox", f"Failed to create pod sandbox: {exc}", None)
            self._network_retry_at = self.clock.now() + SYNC_FAILURE_RETRY
        else:
            self.sandbox.pod_ip, self.sandbox.netns = attachment.ip, attachment.netns
        finally:
            self._network = None
            self.wake()

    def _network_task(self) -> list[asyncio.Task[None]]:
        return [] if self._network is None else [self._network]

    def retry_mounts(self) -> None:
        """A ConfigMap/Secret appeared or changed: try mounting again now, or, once mounted,
        bring the running pod's volumes up to date (the kubelet's atomic `..data` swap)."""
        if self.worker.sandbox_ready and self.sandbox.volumes is not None and not self.worker.deleting:
            lookup = self.node.source_lookup(self.pod["metadata"].get("namespace", "default"), self.pod)
            self.node.runtime.refresh_volumes(self.pod, lookup, self.sandbox.volumes)
            return
        if not self.worker.sandbox_ready:
            self._mount_retry_at = 0.0
            self._mount_delay = MOUNT_RETRY_INITIAL
            self.wake()

    # -- container actions ----------------------------------------------------------------
    async def _run_actions(self, name: str, actions: list[StartContainer | KillContainer]) -> None:
        try:
            for action in actions:
                if isinstance(action, KillContainer):
                    await self.actions.kill(action)
                else:
                    await self.actions.start(name)
        except Exception:
            log.exception("pod %s container %s: action failed", self.pod["metadata"].get("name"), name)
        finally:
            self.worker.finish_action(name)
            self._busy_actions -= 1
            self.wake()

    def _track(self, name: str, rc: ContainerHandle) -> None:
        self.running[name] = rc
        self._exit_watchers.spawn(self._watch_exit(name, rc))

    async def _watch_exit(self, name: str, rc: ContainerHandle) -> None:
        self._record_exit(name, rc, await rc.wait())

    def _record_exit(self, name: str, rc: ContainerHandle, info: ExitInfo) -> None:
        # containerd reports signal deaths as 128+n exit codes and never fills `signal`.
        now = self.clock.now()
        finished = format_time(info.finished_at)
        if self.worker.on_exited(
            name, rc.container_id, now, finished, info.exit_code, info.reason, message=info.message
        ):
            self.wake()

    async def shutdown(self, grace: float) -> None:
        """Node shutdown: no more syncs; let starts/kills in flight finish (a start cancelled
        half-way could leave a process behind), then stop every container. No events, no status."""
        self._shutting_down = True
        self.wake()
        if self._in_flight:
            with contextlib.suppress(TimeoutError):
                await wait_until(
                    self.clock, asyncio.wait(set(self._in_flight)), self.clock.now() + grace + 10
                )
        await asyncio.gather(
            *(rc.stop(grace) for rc in self.running.values() if rc.running), return_exceptions=True
        )

    # -- probes ---------------------------------------------------------------------------
    def _trigger_readiness(self) -> None:
        # prober_manager UpdatePodStatus: started but not ready -> manual trigger (non-blocking).
        status = self.last_status or {}
        for cs in status.get("initContainerStatuses", []) + status.get("containerStatuses", []):
            if cs.get("started") and not cs.get("ready"):
                self.probes.trigger_readiness(cs["name"])

    # -- status and events ----------------------------------------------------------------
    def emit(self, type_: str, reason: str, message: str, container: str | None) -> None:
        self.node.recorder.emit(ObjectRef.for_pod(self.pod, container), type_, reason, message)

    def _compute_status(self) -> Obj:
        return build_status(
            self.worker,
            readiness=self.results.readiness.get,
            startup=self.results.startup.get,
            previous=self.last_status,
            now=format_time(self.clock.wall()),
            pod_ip=self.sandbox.pod_ip,
            host_ip=self.node.host_ip,
            start_time=self.start_time,
            foreign=self._foreign_conditions(self.pod),
        )

    @staticmethod
    def _foreign_conditions(pod: Obj) -> list[Obj]:
        conditions: list[Obj] = (pod.get("status") or {}).get("conditions") or []
        return [c for c in conditions if c.get("type") not in CONDITION_ORDER]

    def _write_status(self) -> None:
        status = self._compute_status()
        if status == self.last_status:
            return
        self.last_status = status
        if self.gone:
            return
        meta = self.pod["metadata"]
        try:
            self.node.store.update(
                PODS,
                {
                    "metadata": {"name": meta["name"], "namespace": meta.get("namespace", "default")},
                    "status": status,
                },
                subresource="status",
            )
        except NotFound:
            self.gone = True
        except StoreError as exc:
            log.warning("status update for pod %s failed: %s", meta.get("name"), exc)

    async def _finish_deletion(self) -> None:
        self._write_status()
        self.node.runtime.release_pod(self.uid)
        # Containers are gone: the pod's netns and address go too (kubelet's StopPodSandbox).
        # An attach still in flight finishes first (bounded by the helper's call timeout), or
        # its namespace would appear after the detach and stay until the node stops.
        if self._network is not None:
            await asyncio.wait([self._network])
        try:
            await self.node.pod_network.detach(self.uid)
        except (OSError, RuntimeError, TimeoutError) as exc:
            log.warning("pod %s: removing its network failed: %s", self.pod["metadata"].get("name"), exc)
        # The backoff tables are node-wide; this pod's entries go with it (kubelet's backoff GC).
        self.node.backoff.forget_prefix(format_pod(self.pod))
        self.node.image_backoff.forget_prefix(self.uid)
        if self.gone:
            return
        meta = self.pod["metadata"]
        with contextlib.suppress(NotFound):
            self.node.store.delete(
                PODS,
                meta.get("namespace", "default"),
                meta["name"],
                grace_period_seconds=0,
                preconditions_uid=self.uid,
            )
