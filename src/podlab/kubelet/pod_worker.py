"""Per-pod container lifecycle decisions, sans-IO.

Mirrors kubelet's ``computePodActions`` + ``doBackOff`` (k8s pkg/kubelet/kuberuntime/
kuberuntime_manager.go), ``ShouldContainerBeRestarted`` (pkg/kubelet/container/helpers.go) and
``setTerminationGracePeriod`` / ``killContainer`` (kuberuntime_container.go).

The driver reports facts (a container started, exited, failed to start) and asks ``sync(now, ...)``
what to do; the answer is a list of actions performed in order. Nothing here awaits or reads a
clock. A container record keeps the current instance and the one before it (``lastState``), plus
kubelet's "reason cache" (the waiting reason/message shown while a restart is pending).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from podlab.k8s.duration import go_duration
from podlab.kubelet.backoff import Backoff
from podlab.kubelet.eviction import EVICTION_GRACE_SECONDS
from podlab.kubelet.probe_results import Result

Obj = dict[str, Any]

# kuberuntime_manager.go: "always give containers a minimal shutdown window".
MINIMUM_GRACE_PERIOD = 2
DEFAULT_GRACE_PERIOD = 30
EPOCH = "1970-01-01T00:00:00Z"  # what containerd reports as startedAt for a StartError
# active_deadline.go: the pod's reason and message, and those of its Normal event.
DEADLINE_EXCEEDED = "DeadlineExceeded"
DEADLINE_MESSAGE = "Pod was active on the node longer than the specified deadline"
# What containerd reports for a container whose task it lost (a node reboot, a containerd
# restart): containerd's CRI plugin, server/restart.go loadContainer (unknownExitCode/Reason).
UNKNOWN_EXIT_CODE = 255
UNKNOWN_EXIT_REASON = "Unknown"
# kubelet's event when a pod's sandbox is gone and it makes a new one (events.SandboxChanged,
# kuberuntime_manager.go SyncPod).
SANDBOX_CHANGED = "SandboxChanged"
SANDBOX_CHANGED_MESSAGE = "Pod sandbox changed, it will be killed and re-created."


@dataclass
class Instance:
    """One run of a container (one container ID)."""

    container_id: str
    restart_count: int
    started_mono: float | None  # monotonic; None when the process never started
    started_at: str | None  # RFC3339
    finished_mono: float | None = None
    finished_at: str | None = None
    exit_code: int | None = None
    signal: int | None = None
    reason: str | None = None
    message: str | None = None
    spec_hash: str = ""  # the container spec this instance runs (HashContainer)
    old_sandbox: bool = False  # ran in a sandbox an earlier node run made (restored from status)

    @property
    def running(self) -> bool:
        return self.finished_mono is None

    def terminated_json(self) -> Obj:
        out: Obj = {"exitCode": self.exit_code if self.exit_code is not None else 0}
        if self.signal:
            out["signal"] = self.signal
        if self.reason:
            out["reason"] = self.reason
        if self.message:
            out["message"] = self.message
        out["startedAt"] = self.started_at or EPOCH
        out["finishedAt"] = self.finished_at
        out["containerID"] = self.container_id
        return out


@dataclass
class ContainerRecord:
    name: str
    current: Instance | None = None
    previous: Instance | None = None  # the exited instance before ``current``
    waiting_reason: str | None = None  # reason cache; None = nothing pending to show
    waiting_message: str | None = None
    busy: bool = False  # a start or kill for this container is in flight
    not_before: float = float("-inf")  # no start attempt before this (sync error requeue)
    image_ref: str = ""  # a pulled image's repo@digest (the status's imageID); "" for built-ins

    @property
    def restart_count(self) -> int:
        return self.current.restart_count if self.current else 0

    def newest_exited(self) -> Instance | None:
        if self.current is not None and not self.current.running:
            return self.current
        return self.previous


# Actions ----------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class StartContainer:
    name: str


@dataclass(frozen=True, slots=True)
class KillContainer:
    name: str
    container_id: str
    grace_seconds: int
    message: str  # the Killing event message


@dataclass(frozen=True, slots=True)
class EmitEvent:
    type: str
    reason: str
    message: str
    container: str | None  # None: about the pod itself (no fieldPath)


@dataclass(frozen=True, slots=True)
class WakeAt:
    at: float


Action = StartContainer | KillContainer | EmitEvent | WakeAt

ResultLookup = Callable[[str], Result | None]


def container_hash(container: Obj) -> str:
    """HashContainer's role: a change of the container spec (outside resources) restarts it."""
    relevant = {k: v for k, v in container.items() if k != "resources"}
    return hashlib.sha256(json.dumps(relevant, sort_keys=True).encode()).hexdigest()[:16]


def is_sidecar(container: Obj) -> bool:
    """A restartable init container (KEP-753 sidecar): ``restartPolicy: Always`` on the container."""
    return container.get("restartPolicy") == "Always"


def format_pod(pod: Obj) -> str:
    """kubelet's format.Pod: ``name_namespace(uid)``."""
    meta = pod.get("metadata", {})
    return f"{meta.get('name', '')}_{meta.get('namespace', 'default')}({meta.get('uid', '')})"


def should_restart(restart_policy: str, exit_code: int | None) -> bool:
    """ShouldContainerBeRestarted for an exited container of a live pod."""
    if restart_policy == "Never":
        return False
    if restart_policy == "OnFailure":
        return exit_code != 0
    return True


def kill_grace_period(pod: Obj, container: Obj, reason: str | None) -> int:
    """setTerminationGracePeriod, then the 2 s minimum of killContainer.

    reason: "liveness" | "startup" | None (deletion or other kills).
    """
    meta, spec = pod.get("metadata", {}), pod.get("spec", {})
    grace: int
    if meta.get("deletionGracePeriodSeconds") is not None:
        grace = int(meta["deletionGracePeriodSeconds"])
    else:
        grace = int(spec.get("terminationGracePeriodSeconds", DEFAULT_GRACE_PERIOD))
        probe = container.get(f"{reason}Probe") if reason in ("liveness", "startup") else None
        # Probe-level terminationGracePeriodSeconds (GA v1.28) overrides the pod's for probe kills.
        if probe and probe.get("terminationGracePeriodSeconds") is not None:
            grace = int(probe["terminationGracePeriodSeconds"])
    return max(grace, MINIMUM_GRACE_PERIOD)


class PodWorker:
    """Decisions for one pod; ``records`` is the state the status is built from."""

    def __init__(self, pod: Obj, backoff: Backoff, image_backoff: Backoff | None = None) -> None:
        self.pod = pod
        self.backoff = backoff
        self.image_backoff = image_backoff if image_backoff is not None else Backoff()
        # Until a runtime status exists kubelet shows ContainerCreating, or PodInitializing for
        # every container of a pod with init containers (convertToAPIContainerStatuses).
        first = "PodInitializing" if self.init_containers else "ContainerCreating"
        self.records: dict[str, ContainerRecord] = {
            c["name"]: ContainerRecord(c["name"], waiting_reason=first)
            for c in self.init_containers + self.containers
        }
        self.update_pod(pod)  # records for ephemeral containers too
        # Pod-level gates owned by the driver: volumes mounted and IP allocated (the sandbox).
        self.sandbox_ready = False
        # Init containers all completed once; kubelet never re-runs them for the same sandbox.
        self.initialized = not self.init_containers
        # The eviction manager's message once the pod is evicted (kubelet/eviction.py).
        self.evicted: str | None = None
        # activeDeadlineSeconds (pkg/kubelet/active_deadline.go): counted from the pod's first
        # sync (its status.startTime); once passed, every container is stopped with its normal
        # grace and the pod ends Failed, reason DeadlineExceeded.
        self.active_since: float | None = None
        self.deadline_exceeded = False
        # When the pod's termination began: its one grace period counts from here (KEP-753).
        self.terminating_since: float | None = None
        # restore() found containers of an earlier sandbox: SandboxChanged on the next sync.
        self.sandbox_changed = False

    def restore(self, status: Obj, now: float, at: str) -> bool:
        """Take over a pod an earlier run of this node ran (its status names containers), as
        kubelet does after a node reboot: the runtime still lists the old containers, exited
        (those that were running: exit 255, reason Unknown, finished `at`), and their sandbox
        is gone. The next sync then makes a new sandbox and restarts what the restart policy
        restarts, each restartCount one more; init containers run again in the new sandbox.
        Returns whether there was anything to take over."""
        groups = ("initContainerStatuses", "containerStatuses", "ephemeralContainerStatuses")
        restored = False
        for group in groups:
            for cs in status.get(group) or []:
                rec = self.records.get(str(cs.get("name")))
                inst = _restored_instance(cs, now, at)
                if rec is None or inst is None:
                    continue
                rec.current, rec.previous = inst, None
                rec.waiting_reason = rec.waiting_message = None
                rec.image_ref = str(cs.get("imageID") or "")
                restored = True
        if not restored:
            return False
        if self.restart_policy == "Never":
            # kubelet makes no new sandbox for such a pod (computePodActions): it ends with its
            # containers as they are (exited 255: Failed), init containers not run again.
            for rec in self.records.values():
                if rec.current is not None:
                    rec.current.old_sandbox = False
            self.initialized = all(
                (inst := self.records[c["name"]].current) is not None and inst.exit_code == 0
                for c in self.init_containers
                if not is_sidecar(c)
            )
        else:
            self.sandbox_changed = True
        return True

    # -- inputs ------------------------------------------------------------------------------
    @property
    def containers(self) -> list[Obj]:
        containers: list[Obj] = self.pod.get("spec", {}).get("containers", [])
        return containers

    @property
    def init_containers(self) -> list[Obj]:
        """Init containers, run one after another to completion before the regular ones.

        Restartable ones (``restartPolicy: Always``, sidecars) only need to start, then run on.
        """
        containers: list[Obj] = self.pod.get("spec", {}).get("initContainers") or []
        return containers

    @property
    def ephemeral_containers(self) -> list[Obj]:
        """Debug containers added through pods/ephemeralcontainers: started once while the pod
        runs, never restarted, not part of its readiness or phase."""
        containers: list[Obj] = self.pod.get("spec", {}).get("ephemeralContainers") or []
        return containers

    def container_spec(self, name: str) -> Obj:
        for c in self.init_containers + self.containers + self.ephemeral_containers:
            if c["name"] == name:
                return c
        raise KeyError(name)

    @property
    def restart_policy(self) -> str:
        return str(self.pod.get("spec", {}).get("restartPolicy") or "Always")

    @property
    def deleting(self) -> bool:
        return self.pod.get("metadata", {}).get("deletionTimestamp") is not None

    def update_pod(self, pod: Obj) -> None:
        self.pod = pod
        for c in self.ephemeral_containers:
            self.records.setdefault(c["name"], ContainerRecord(c["name"], waiting_reason="ContainerCreating"))

    def backoff_key(self, name: str) -> str:
        # GetStableKey: pod name, namespace, uid, container name (+ spec hash, omitted here).
        return f"{format_pod(self.pod)}/{name}"

    # -- facts reported by the driver --------------------------------------------------------
    def on_started(self, name: str, container_id: str, now: float, started_at: str) -> Instance:
        rec = self.records[name]
        inst = Instance(container_id, self._next_restart_count(rec), now, started_at)
        inst.spec_hash = container_hash(self.container_spec(name))
        self._push(rec, inst)
        return inst

    def on_start_error(self, name: str, container_id: str, now: float, at: str, message: str) -> Instance:
        """The runtime created the container but could not start its process (exit 128)."""
        rec = self.records[name]
        inst = Instance(container_id, self._next_restart_count(rec), None, None)
        inst.finished_mono, inst.finished_at = now, at
        inst.exit_code, inst.reason, inst.message = 128, "StartError", message
        self._push(rec, inst)
        return inst

    def on_exited(
        self,
        name: str,
        container_id: str,
        now: float,
        finished_at: str,
        exit_code: int,
        reason: str,
        signal: int | None = None,
        message: str | None = None,
    ) -> bool:
        """Record an exit; False when it is old news (the kill and the waiter both report it)."""
        rec = self.records[name]
        inst = rec.current
        if inst is None or inst.container_id != container_id or not inst.running:
            return False
        inst.finished_mono, inst.finished_at = now, finished_at
        inst.exit_code, inst.reason, inst.signal = exit_code, reason, signal
        inst.message = message  # the termination message (terminationMessagePath or the log)
        return True

    def on_waiting(self, name: str, reason: str, message: str | None, retry_at: float | None = None) -> None:
        """A start attempt failed before any container existed (config, image pull)."""
        rec = self.records[name]
        rec.waiting_reason, rec.waiting_message = reason, message
        if retry_at is not None:
            rec.not_before = retry_at

    def on_image_pull_failed(self, name: str, now: float, message: str) -> None:
        self.image_backoff.next(self._image_key(name), now, now)
        self.on_waiting(name, "ErrImagePull", message)

    def finish_action(self, name: str) -> None:
        self.records[name].busy = False

    def _next_restart_count(self, rec: ContainerRecord) -> int:
        return 0 if rec.current is None else rec.current.restart_count + 1

    def _push(self, rec: ContainerRecord, inst: Instance) -> None:
        if rec.current is not None:
            rec.previous = rec.current
        rec.current = inst
        rec.waiting_reason = rec.waiting_message = None

    def _image_key(self, name: str) -> str:
        return f"{self.pod.get('metadata', {}).get('uid', '')}_{self.container_spec(name).get('image', '')}"

    # -- decisions ---------------------------------------------------------------------------
    def all_stopped(self) -> bool:
        return all((r.current is None or not r.current.running) and not r.busy for r in self.records.values())

    def sync(self, now: float, liveness: ResultLookup, startup: ResultLookup) -> list[Action]:
        """computePodActions plus the backoff check SyncPod does before each start."""
        deadline = self._active_deadline(now)
        if self.deleting or self.evicted is not None or self.deadline_exceeded:
            return deadline + self._terminate(now)
        actions: list[Action] = deadline
        if self.sandbox_changed:
            self.sandbox_changed = False
            actions.append(EmitEvent("Normal", SANDBOX_CHANGED, SANDBOX_CHANGED_MESSAGE, None))
        if not self.sandbox_ready:
            return actions
        if not self.initialized:
            init_actions, done = self._sync_init(now, liveness, startup)
            actions = actions + init_actions  # after the deadline's and SandboxChanged
            if not done:
                return actions
            self.initialized = True
        regular_alive = False
        for container in self.containers:
            rec = self.records[container["name"]]
            inst = rec.current
            if rec.busy or inst is None or inst.running:
                regular_alive = True
            if rec.busy:
                continue
            if inst is not None and inst.running:
                actions += self._check_probes(container, rec, inst, now, liveness, startup)
            elif inst is None or should_restart(self.restart_policy, inst.exit_code):
                regular_alive = True
                actions += self._maybe_start(container, rec, now)
        if not regular_alive:
            # computePodActions: nothing to keep and nothing to start -> KillPod, sidecars too.
            return actions + self._terminate(now)
        # Sidecars keep running (and restarting, whatever the pod's policy) beside the app.
        for container in self.init_containers:
            if is_sidecar(container):
                actions += self._sync_sidecar(container, now, liveness, startup)
        for container in self.ephemeral_containers:
            rec = self.records[container["name"]]
            if not rec.busy and rec.current is None:
                actions += self._maybe_start(container, rec, now)
        return actions

    def _active_deadline(self, now: float) -> list[Action]:
        """The DeadlineExceeded event once the deadline has passed, else a wake-up for it."""
        if self.active_since is None:
            self.active_since = now
        seconds = self.pod.get("spec", {}).get("activeDeadlineSeconds")
        if seconds is None or self.deadline_exceeded or self.deleting:
            return []
        due = self.active_since + float(seconds)
        if now < due:
            return [WakeAt(due)]
        self.deadline_exceeded = True
        return [EmitEvent("Normal", DEADLINE_EXCEEDED, DEADLINE_MESSAGE, None)]

    def _sync_init(
        self, now: float, liveness: ResultLookup, startup: ResultLookup
    ) -> tuple[list[Action], bool]:
        """The next init container to (re)start, in order; (actions, initialization done?).

        An ordinary init container must complete (exit 0); a sidecar (``restartPolicy: Always``)
        only has to be started (running, startup probe passed) for the next one to begin.
        """
        for container in self.init_containers:
            rec = self.records[container["name"]]
            inst = rec.current
            if is_sidecar(container):
                if (
                    not rec.busy
                    and inst is not None
                    and inst.running
                    and self._started(container, inst, startup)
                ):
                    continue
                return self._sync_sidecar(container, now, liveness, startup), False
            if rec.busy or (inst is not None and inst.running):
                return [], False
            if inst is not None and inst.exit_code == 0 and not inst.old_sandbox:
                continue  # completed (in this sandbox: a new one runs every init container again)
            if inst is not None and self.restart_policy == "Never" and not inst.old_sandbox:
                return [], False  # a failed init container fails the pod
            return self._maybe_start(container, rec, now), False
        return [], True

    def _sync_sidecar(
        self, container: Obj, now: float, liveness: ResultLookup, startup: ResultLookup
    ) -> list[Action]:
        rec = self.records[container["name"]]
        inst = rec.current
        if rec.busy:
            return []
        if inst is not None and inst.running:
            return self._check_probes(container, rec, inst, now, liveness, startup)
        return self._maybe_start(container, rec, now)

    @staticmethod
    def _started(container: Obj, inst: Instance, startup: ResultLookup) -> bool:
        return not container.get("startupProbe") or startup(inst.container_id) is Result.SUCCESS

    def _check_probes(
        self,
        container: Obj,
        rec: ContainerRecord,
        inst: Instance,
        now: float,
        liveness: ResultLookup,
        startup: ResultLookup,
    ) -> list[Action]:
        name = container["name"]
        restart = self.restart_policy != "Never" or is_sidecar(container)
        kind: str | None
        if inst.spec_hash and inst.spec_hash != container_hash(container):
            kind, message = None, f"Container {name} definition changed"
            restart = True  # regardless of the restart policy: the spec changed
        elif liveness(inst.container_id) is Result.FAILURE:
            kind = "liveness"
            message = f"Container {name} failed liveness probe"
        elif startup(inst.container_id) is Result.FAILURE:
            kind = "startup"
            message = f"Container {name} failed startup probe"
        else:
            return []
        if restart:
            message += ", will be restarted"
        rec.busy = True
        actions: list[Action] = [
            KillContainer(name, inst.container_id, kill_grace_period(self.pod, container, kind), message)
        ]
        if restart:
            # SyncPod checks backoff against the pod status taken *before* the kill, so the
            # newest exited instance is the previous one (docs/reference/kubelet-probes.md §5.4).
            in_backoff, extra = self._do_backoff(container, rec, now)
            actions += extra
            if not in_backoff:
                actions.append(StartContainer(name))
        return actions

    def _maybe_start(self, container: Obj, rec: ContainerRecord, now: float) -> list[Action]:
        name = container["name"]
        key = self._image_key(name)
        if now < rec.not_before:
            return [WakeAt(rec.not_before)]
        if rec.waiting_reason in (
            "ErrImagePull",
            "ImagePullBackOff",
        ) and self.image_backoff.is_in_backoff_since_update(key, now):
            image = container.get("image", "")
            cause = rec.waiting_message or ""
            if rec.waiting_reason == "ErrImagePull":
                # The ErrImagePull message is 'Failed to pull image "x": <err>'; the back-off one
                # quotes only <err> (image_manager.go keeps the last pull error).
                cause = cause.removeprefix(f'Failed to pull image "{image}": ')
                rec.waiting_message = f'Back-off pulling image "{image}": ErrImagePull: {cause}'
            rec.waiting_reason = "ImagePullBackOff"
            last = self.image_backoff.last_update(key)
            wake = (now if last is None else last) + self.image_backoff.get(key)
            return [EmitEvent("Normal", "BackOff", f'Back-off pulling image "{image}"', name), WakeAt(wake)]
        in_backoff, actions = self._do_backoff(container, rec, now)
        if not in_backoff:
            rec.busy = True
            actions.append(StartContainer(name))
        return actions

    def _do_backoff(self, container: Obj, rec: ContainerRecord, now: float) -> tuple[bool, list[Action]]:
        """doBackOff: (in backoff?, actions). Sets the CrashLoopBackOff reason cache entry."""
        exited = rec.newest_exited()
        if exited is None or exited.finished_mono is None:
            return False, []
        key = self.backoff_key(container["name"])
        ts = exited.finished_mono
        if self.backoff.is_in_backoff_since(key, ts, now):
            name, pod = container["name"], format_pod(self.pod)
            delay = self.backoff.get(key)
            rec.waiting_reason = "CrashLoopBackOff"
            rec.waiting_message = (
                f"back-off {go_duration(delay)} restarting failed container={name} pod={pod}"
            )
            return True, [
                EmitEvent(
                    "Warning", "BackOff", f"Back-off restarting failed container {name} in pod {pod}", name
                ),
                WakeAt(ts + delay),
            ]
        self.backoff.next(key, ts, now)
        return False, []

    def _terminate(self, now: float) -> list[Action]:
        """Stop what runs: app (and ordinary init) containers first, sidecars once those are gone,
        last-declared sidecar first (KEP-753 termination order).

        One grace period for the whole pod (kuberuntime_termination_order.go): a sidecar's
        SIGTERM comes with what is left of it since termination began, never less than the 2 s
        minimum, so a pod with a 20 s grace never takes 40 s."""
        if self.terminating_since is None:
            self.terminating_since = now
        ordinary = [c for c in self.init_containers if not is_sidecar(c)] + self.containers
        ordinary += self.ephemeral_containers
        sidecars = [c for c in reversed(self.init_containers) if is_sidecar(c)]

        def alive(c: Obj) -> bool:
            rec = self.records[c["name"]]
            return rec.busy or (rec.current is not None and rec.current.running)

        if any(alive(c) for c in ordinary):
            candidates = ordinary
        else:
            # One sidecar at a time, in reverse order.
            candidates = next(([c] for c in sidecars if alive(c)), [])
        actions: list[Action] = []
        for container in candidates:
            rec = self.records[container["name"]]
            inst = rec.current
            if rec.busy or inst is None or not inst.running:
                continue
            rec.busy = True
            grace = kill_grace_period(self.pod, container, None)
            if is_sidecar(container):
                left = grace - int(now - self.terminating_since)
                grace = max(left, MINIMUM_GRACE_PERIOD)
            if self.evicted is not None and not self.deleting:
                grace = EVICTION_GRACE_SECONDS
            actions.append(
                KillContainer(
                    container["name"], inst.container_id, grace, f"Stopping container {container['name']}"
                )
            )
        return actions


def _restored_instance(cs: Obj, now: float, at: str) -> Instance | None:
    """The newest instance a stored container status names, as the runtime reports it after a
    reboot; None when the container never got one (still waiting for its first start)."""
    state, last = cs.get("state") or {}, cs.get("lastState") or {}
    restart_count = int(cs.get("restartCount") or 0)
    running, terminated = state.get("running"), state.get("terminated")
    if running is not None and cs.get("containerID"):
        inst = Instance(str(cs["containerID"]), restart_count, None, running.get("startedAt"))
        inst.finished_mono, inst.finished_at = now, at
        inst.exit_code, inst.reason = UNKNOWN_EXIT_CODE, UNKNOWN_EXIT_REASON
    else:
        # Exited: its own record, or (a restart pending, CrashLoopBackOff) the one in lastState.
        terminated = terminated or last.get("terminated")
        if not terminated or not terminated.get("containerID"):
            return None
        inst = Instance(str(terminated["containerID"]), restart_count, None, terminated.get("startedAt"))
        inst.finished_mono, inst.finished_at = now, terminated.get("finishedAt") or at
        inst.exit_code = int(terminated.get("exitCode") or 0)
        inst.signal = terminated.get("signal")
        inst.reason, inst.message = terminated.get("reason"), terminated.get("message")
    inst.old_sandbox = True
    return inst
