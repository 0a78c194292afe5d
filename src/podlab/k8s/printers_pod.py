"""The pod printer (printPod in k8s pkg/printers/internalversion/printers.go): READY, the STATUS
reason logic, RESTARTS with the age of the last restart."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from podlab.k8s.duration import age
from podlab.k8s.errors import Obj
from podlab.k8s.printers_common import AGE, NAME, Column, age_of, as_int, as_obj, dicts, meta_of, name_of
from podlab.k8s.timestamps import parse_time

POD_COLUMNS: list[Column] = [
    NAME,
    ("Ready", "string", 0, "The aggregate readiness state of this pod for accepting traffic."),
    ("Status", "string", 0, "The aggregate status of the containers in this pod."),
    (
        "Restarts",
        "string",
        0,
        "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.",
    ),
    AGE,
    (
        "IP",
        "string",
        1,
        "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.",
    ),
    ("Node", "string", 1, "NodeName indicates in which node this pod is scheduled."),
    (
        "Nominated Node",
        "string",
        1,
        "nominatedNodeName is set only when this pod preempts other pods on the node.",
    ),
    (
        "Readiness Gates",
        "string",
        1,
        "If specified, all readiness gates will be evaluated for pod readiness.",
    ),
]


def _pod_ready_condition(status: Obj) -> bool:
    return any(
        c.get("type") == "Ready" and c.get("status") == "True" for c in dicts(status.get("conditions"))
    )


def _terminated_reason(term: Obj, prefix: str = "") -> str:
    if term.get("reason"):
        return prefix + str(term["reason"])
    if term.get("signal"):
        return f"{prefix}Signal:{term['signal']}"
    return f"{prefix}ExitCode:{term.get('exitCode', 0)}"


def _later(a: datetime | None, b: Any) -> datetime | None:
    when = parse_time(b)
    if when is None:
        return a
    return when if a is None or when > a else a


def pod_row(pod: Obj, now: datetime) -> list[Any]:
    """printPod: READY, STATUS (reason logic), RESTARTS with the last restart's age."""
    spec = as_obj(pod.get("spec"))
    status = as_obj(pod.get("status"))
    meta = meta_of(pod)
    init_specs = {c.get("name"): c for c in dicts(spec.get("initContainers"))}
    total = len(dicts(spec.get("containers"))) + sum(
        1 for c in init_specs.values() if c.get("restartPolicy") == "Always"
    )
    ready = 0
    restarts = 0
    sidecar_restarts = 0
    last_restart: datetime | None = None
    sidecar_last_restart: datetime | None = None
    phase = str(status.get("phase") or "")
    reason = str(status.get("reason") or phase)
    for cond in dicts(status.get("conditions")):
        if cond.get("type") == "PodScheduled" and cond.get("reason") == "SchedulingGated":
            reason = "SchedulingGated"

    initializing = False
    init_statuses = dicts(status.get("initContainerStatuses"))
    for i, cs in enumerate(init_statuses):
        restarts += as_int(cs.get("restartCount"))
        last_term = as_obj(cs.get("lastState")).get("terminated")
        if last_term:
            last_restart = _later(last_restart, last_term.get("finishedAt"))
        sidecar = (init_specs.get(cs.get("name")) or {}).get("restartPolicy") == "Always"
        if sidecar:
            sidecar_restarts += as_int(cs.get("restartCount"))
            if last_term:
                sidecar_last_restart = _later(sidecar_last_restart, last_term.get("finishedAt"))
        state = as_obj(cs.get("state"))
        term, waiting = state.get("terminated"), state.get("waiting")
        if term and term.get("exitCode", 0) == 0:
            continue
        if sidecar and cs.get("started"):
            if cs.get("ready"):
                ready += 1
            continue
        if term:
            reason = _terminated_reason(term, "Init:")
        elif waiting and waiting.get("reason") and waiting.get("reason") != "PodInitializing":
            reason = "Init:" + str(waiting["reason"])
        else:
            reason = f"Init:{i}/{len(dicts(spec.get('initContainers')))}"
        initializing = True
        break

    initialized = any(
        c.get("type") == "Initialized" and c.get("status") == "True" for c in dicts(status.get("conditions"))
    )
    if not initializing or initialized:
        restarts = sidecar_restarts
        last_restart = sidecar_last_restart
        has_running = False
        for cs in reversed(dicts(status.get("containerStatuses"))):
            restarts += as_int(cs.get("restartCount"))
            last_term = as_obj(cs.get("lastState")).get("terminated")
            if last_term:
                last_restart = _later(last_restart, last_term.get("finishedAt"))
            state = as_obj(cs.get("state"))
            waiting, term = state.get("waiting"), state.get("terminated")
            if waiting and waiting.get("reason"):
                reason = str(waiting["reason"])
            elif term:
                reason = _terminated_reason(term)
            elif cs.get("ready") and state.get("running") is not None:
                has_running = True
                ready += 1
        if reason == "Completed" and has_running:
            reason = "Running" if _pod_ready_condition(status) else "NotReady"

    if meta.get("deletionTimestamp") and status.get("reason") == "NodeLost":
        reason = "Unknown"
    elif meta.get("deletionTimestamp") and phase not in ("Succeeded", "Failed"):
        reason = "Terminating"

    restarts_text = str(restarts)
    if restarts != 0 and last_restart is not None:
        restarts_text = f"{restarts} ({age(last_restart.isoformat(), now)} ago)"

    ips = dicts(status.get("podIPs"))
    pod_ip = (ips[0].get("ip") if ips else "") or status.get("podIP") or "<none>"
    gates = dicts(spec.get("readinessGates"))
    gates_text = "<none>"
    if gates:
        conditions = {c.get("type"): c.get("status") for c in dicts(status.get("conditions"))}
        true = sum(1 for g in gates if conditions.get(g.get("conditionType")) == "True")
        gates_text = f"{true}/{len(gates)}"
    return [
        name_of(pod),
        f"{ready}/{total}",
        reason,
        restarts_text,
        age_of(pod, now),
        pod_ip,
        spec.get("nodeName") or "<none>",
        status.get("nominatedNodeName") or "<none>",
        gates_text,
    ]


def pod_row_conditions(pod: Obj) -> list[Obj] | None:
    phase = as_obj(pod.get("status")).get("phase")
    if phase == "Succeeded":
        return [
            {
                "type": "Completed",
                "status": "True",
                "reason": "Succeeded",
                "message": "The pod has completed successfully.",
            }
        ]
    if phase == "Failed":
        return [{"type": "Completed", "status": "True", "reason": "Failed", "message": "The pod failed."}]
    return None
