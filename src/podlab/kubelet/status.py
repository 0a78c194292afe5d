"""Pod status from the pod worker's records and the probe results, sans-IO.

Follows kubelet's ``generateAPIPodStatus`` / ``convertToAPIContainerStatuses`` /
``getPhase`` (k8s pkg/kubelet/kubelet_pods.go), the conditions of pkg/kubelet/status/generate.go,
and the status manager's rule that a condition keeps its ``lastTransitionTime`` while its status
does not change (pkg/kubelet/status/status_manager.go ``updateLastTransitionTime``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from podlab.kubelet.pod_worker import (
    DEADLINE_EXCEEDED,
    DEADLINE_MESSAGE,
    ContainerRecord,
    PodWorker,
    is_sidecar,
)
from podlab.kubelet.probe_results import Result

Obj = dict[str, Any]
ResultLookup = Callable[[str], Result | None]

# Order kubelet writes them in (and describe shows them in).
CONDITION_ORDER = ("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled")


def normalize_image(image: str) -> str:
    """The reference as containerd reports it: ``nginx`` -> ``docker.io/library/nginx:latest``."""
    name, _, digest = image.partition("@")
    first, _, rest = name.partition("/")
    if not rest or ("." not in first and ":" not in first and first != "localhost"):
        name = f"docker.io/{name}" if rest else f"docker.io/library/{name}"
    last = name.rsplit("/", 1)[-1]
    if not digest and ":" not in last:
        name += ":latest"
    return f"{name}@{digest}" if digest else name


def image_id(image: str) -> str:
    """A stable ``repo@sha256:...`` for a local program image (there is no registry digest)."""
    ref = normalize_image(image)
    repo = ref.split("@", 1)[0]
    repo = repo[: repo.rfind(":")] if ":" in repo.rsplit("/", 1)[-1] else repo
    return f"{repo}@sha256:{hashlib.sha256(ref.encode()).hexdigest()}"


def container_is_started(spec: Obj, rec: ContainerRecord, startup: ResultLookup) -> bool:
    """prober_manager UpdatePodStatus: running and (startup Success, or no startup probe)."""
    inst = rec.current
    if inst is None or not inst.running:
        return False
    if not spec.get("startupProbe"):
        return True
    return startup(inst.container_id) is Result.SUCCESS


def container_is_ready(
    spec: Obj, rec: ContainerRecord, readiness: ResultLookup, startup: ResultLookup
) -> bool:
    if not container_is_started(spec, rec, startup):
        return False
    if not spec.get("readinessProbe"):
        return True
    assert rec.current is not None
    return readiness(rec.current.container_id) is Result.SUCCESS


def container_status(
    spec: Obj, rec: ContainerRecord, readiness: ResultLookup, startup: ResultLookup, *, init: bool = False
) -> Obj:
    inst = rec.current
    state: Obj
    last: Obj = {}
    if inst is None:
        waiting: Obj = {"reason": rec.waiting_reason or "ContainerCreating"}
        if rec.waiting_message:
            waiting["message"] = rec.waiting_message
        state = {"waiting": waiting}
    elif inst.running:
        state = {"running": {"startedAt": inst.started_at}}
        if rec.previous is not None:
            last = {"terminated": rec.previous.terminated_json()}
    elif rec.waiting_reason:
        # A restart is pending: the reason cache shows, the exit moves to lastState (docs/reference/kubelet-probes.md §5.3).
        waiting = {"reason": rec.waiting_reason}
        if rec.waiting_message:
            waiting["message"] = rec.waiting_message
        state = {"waiting": waiting}
        last = {"terminated": inst.terminated_json()}
    else:
        state = {"terminated": inst.terminated_json()}
        if rec.previous is not None:
            last = {"terminated": rec.previous.terminated_json()}
    image = spec.get("image", "")
    out: Obj = {
        "name": spec["name"],
        "state": state,
        "lastState": last,
        # An ordinary init container is ready once it completed (prober_manager UpdatePodStatus);
        # sidecars are ready like app containers.
        "ready": (inst is not None and inst.exit_code == 0 and not inst.running)
        if init and not is_sidecar(spec)
        else container_is_ready(spec, rec, readiness, startup),
        "restartCount": rec.restart_count,
        # Before any instance exists kubelet echoes the spec; afterwards the runtime's full reference.
        "image": normalize_image(image) if inst is not None else image,
        "imageID": (rec.image_ref or image_id(image)) if inst is not None else "",
    }
    if inst is not None:
        out["containerID"] = inst.container_id
    out["started"] = container_is_started(spec, rec, startup)
    return out


def _completed(cs: Obj) -> bool:
    return cs["state"].get("terminated", {}).get("exitCode") == 0


def pod_phase(
    restart_policy: str,
    statuses: list[Obj],
    terminal: bool,
    init_statuses: list[Obj] | None = None,
    sidecars: frozenset[str] = frozenset(),
) -> str:
    """getPhase (kubelet_pods.go) for regular containers, init containers and sidecars."""
    pending_init = failed_init = sidecars_running = 0
    for cs in init_statuses or []:
        if cs["name"] in sidecars:
            # Exited sidecars are ignored; a running one counts as running; one that has not
            # started yet holds the pod in Pending.
            state = cs["state"]
            if "running" in state:
                sidecars_running += 1
                if not cs.get("started"):
                    pending_init += 1
            elif "waiting" in state and not cs.get("lastState", {}).get("terminated"):
                pending_init += 1
            continue
        if _completed(cs):
            continue
        last = cs.get("lastState", {}).get("terminated")
        term = cs["state"].get("terminated")
        if (term and term.get("exitCode") != 0) or (
            last and last.get("exitCode") != 0 and "waiting" in cs["state"]
        ):
            failed_init += 1
        else:
            pending_init += 1
    if failed_init and restart_policy == "Never":
        return "Failed"
    if (pending_init or failed_init) and not terminal:
        return "Pending"
    running, waiting, stopped, succeeded = sidecars_running, 0, 0, 0
    for cs in statuses:
        state = cs["state"]
        if "running" in state:
            running += 1
        elif "terminated" in state:
            stopped += 1
            if state["terminated"].get("exitCode") == 0:
                succeeded += 1
        elif cs.get("lastState", {}).get("terminated"):
            stopped += 1
            if cs["lastState"]["terminated"].get("exitCode") == 0:
                succeeded += 1
        else:
            waiting += 1
    if waiting > 0 and not terminal:
        return "Pending"
    if running > 0:
        return "Running"
    if stopped > 0:
        if terminal:
            return "Succeeded" if stopped == succeeded else "Failed"
        if restart_policy == "Always":
            return "Running"  # crash looping, but it will come back
        if stopped == succeeded:
            return "Succeeded"
        if restart_policy == "Never":
            return "Failed"
        return "Running"
    return "Failed" if terminal else "Pending"


def _containers_ready(
    phase: str, spec_containers: list[Obj], statuses: list[Obj], sidecar_statuses: list[Obj]
) -> tuple[str, str | None, str | None]:
    if phase == "Succeeded":
        return "False", "PodCompleted", None
    if phase == "Failed":
        return "False", "PodFailed", None
    by_name = {cs["name"]: cs for cs in statuses}
    unready = [c["name"] for c in spec_containers if c["name"] in by_name and not by_name[c["name"]]["ready"]]
    # Sidecars count for readiness too (GenerateContainersReadyCondition, 1.29+).
    unready = [cs["name"] for cs in sidecar_statuses if not cs["ready"]] + unready
    unknown = [c["name"] for c in spec_containers if c["name"] not in by_name]
    parts = []
    if unknown:
        parts.append(f"containers with unknown status: [{' '.join(unknown)}]")
    if unready:
        parts.append(f"containers with unready status: [{' '.join(unready)}]")
    if parts:
        return "False", "ContainersNotReady", ", ".join(parts)
    return "True", None, None


def _pod_ready(
    pod: Obj, foreign: list[Obj], ready: str, reason: str | None, message: str | None
) -> tuple[str, str | None, str | None]:
    """GeneratePodReadyCondition: ContainersReady and every readiness gate's condition True."""
    if ready != "True":
        return ready, reason, message
    present = {c.get("type"): c for c in foreign}
    missing = []
    for gate in pod.get("spec", {}).get("readinessGates") or []:
        kind = gate.get("conditionType", "")
        cond = present.get(kind)
        if cond is None:
            missing.append(f'corresponding condition of pod readiness gate "{kind}" does not exist.')
        elif cond.get("status") != "True":
            missing.append(
                f'the status of pod readiness gate "{kind}" is not "True", but {cond.get("status")}'
            )
    if missing:
        return "False", "ReadinessGatesNotReady", ", ".join(missing)
    return "True", None, None


def _condition(
    type_: str, status: str, at: str, reason: str | None = None, message: str | None = None
) -> Obj:
    cond: Obj = {"type": type_, "status": status, "lastProbeTime": None, "lastTransitionTime": at}
    if reason:
        cond["reason"] = reason
    if message:
        cond["message"] = message
    return cond


def _initialized(
    phase: str, init_specs: list[Obj], init_statuses: list[Obj]
) -> tuple[str, str | None, str | None]:
    """GeneratePodInitializedCondition."""
    if not init_specs:
        return "True", None, None
    if phase == "Succeeded":
        return "True", "PodCompleted", None
    sidecars = {c["name"] for c in init_specs if is_sidecar(c)}
    incomplete = [
        cs["name"]
        for cs in init_statuses
        if not (_completed(cs) or (cs["name"] in sidecars and cs.get("started")))
    ]
    if incomplete:
        return (
            "False",
            "ContainersNotInitialized",
            f"containers with incomplete status: [{' '.join(incomplete)}]",
        )
    return "True", None, None


def qos_class(pod: Obj) -> str:
    """GetPodQOS, simplified to cpu/memory on regular containers."""
    any_set = False
    guaranteed = True
    for c in pod.get("spec", {}).get("containers", []):
        res = c.get("resources") or {}
        limits, requests = res.get("limits") or {}, res.get("requests") or {}
        if limits or requests:
            any_set = True
        for r in ("cpu", "memory"):
            if r not in limits or str(requests.get(r, limits[r])) != str(limits[r]):
                guaranteed = False
    if not any_set:
        return "BestEffort"
    return "Guaranteed" if guaranteed else "Burstable"


def build_status(
    worker: PodWorker,
    *,
    readiness: ResultLookup,
    startup: ResultLookup,
    previous: Obj | None,
    now: str,
    pod_ip: str | None,
    host_ip: str,
    start_time: str,
    foreign: list[Obj] | None = None,
) -> Obj:
    """The full pod status object; ``now`` is the RFC3339 time of this computation.

    ``foreign``: conditions others own (readiness gates set by controllers); kept after
    kubelet's own, as the status manager's mergePodStatus keeps them.
    """
    foreign = [c for c in foreign or [] if c.get("type") not in CONDITION_ORDER]
    pod = worker.pod
    specs = worker.containers
    statuses = sorted(
        (container_status(c, worker.records[c["name"]], readiness, startup) for c in specs),
        key=lambda cs: str(cs["name"]),
    )
    init_specs = worker.init_containers
    init_statuses = [
        container_status(c, worker.records[c["name"]], readiness, startup, init=True) for c in init_specs
    ]
    prev = previous or {}
    failed = worker.evicted is not None or worker.deadline_exceeded
    terminal = (worker.deleting or failed) and worker.all_stopped()
    sidecars = frozenset(c["name"] for c in init_specs if is_sidecar(c))
    phase = pod_phase(worker.restart_policy, statuses, terminal, init_statuses, sidecars)
    if failed and worker.all_stopped():
        # eviction_manager evictPod / active_deadline.go: Failed with the verdict's reason.
        phase = "Failed"
    if prev.get("phase") in ("Succeeded", "Failed"):
        phase = prev["phase"]  # kubelet never leaves a terminal phase
    sidecar_statuses = [cs for cs in init_statuses if cs["name"] in sidecars]
    ready, reason, message = _containers_ready(phase, specs, statuses, sidecar_statuses)
    init_ok, init_reason, init_message = _initialized(phase, init_specs, init_statuses)
    pod_ready, pod_ready_reason, pod_ready_message = _pod_ready(pod, foreign, ready, reason, message)
    conditions = {
        "PodReadyToStartContainers": _condition(
            # The sandbox goes away with a finished or deleted pod (computePodActions KillPod).
            "PodReadyToStartContainers",
            "True"
            if worker.sandbox_ready and not terminal and phase not in ("Succeeded", "Failed")
            else "False",
            now,
        ),
        "Initialized": _condition("Initialized", init_ok, now, init_reason, init_message),
        "Ready": _condition("Ready", pod_ready, now, pod_ready_reason, pod_ready_message),
        "ContainersReady": _condition("ContainersReady", ready, now, reason, message),
    }
    old = {c.get("type"): c for c in prev.get("conditions", [])}
    conditions["PodScheduled"] = old.get("PodScheduled") or _condition("PodScheduled", "True", now)
    for type_, cond in conditions.items():
        before = old.get(type_)
        if before is not None and before.get("status") == cond["status"] and before.get("lastTransitionTime"):
            cond["lastTransitionTime"] = before["lastTransitionTime"]
    out: Obj = {
        "phase": phase,
        "conditions": [conditions[t] for t in CONDITION_ORDER] + foreign,
        "hostIP": host_ip,
        "hostIPs": [{"ip": host_ip}],
    }
    if pod_ip:
        out["podIP"] = pod_ip
        out["podIPs"] = [{"ip": pod_ip}]
    out["startTime"] = start_time
    if worker.evicted is not None:
        out["reason"], out["message"] = "Evicted", worker.evicted
    elif worker.deadline_exceeded:
        out["reason"], out["message"] = DEADLINE_EXCEEDED, DEADLINE_MESSAGE
    if init_statuses:
        out["initContainerStatuses"] = init_statuses  # spec order, unlike containerStatuses
    out["containerStatuses"] = statuses
    # Never ready: ephemeral containers take no part in the pod's readiness.
    ephemeral = [
        {**container_status(c, worker.records[c["name"]], readiness, startup), "ready": False}
        for c in worker.ephemeral_containers
    ]
    if ephemeral:
        out["ephemeralContainerStatuses"] = ephemeral
    out["qosClass"] = prev.get("qosClass") or qos_class(pod)
    return out
