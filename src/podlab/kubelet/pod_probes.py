"""Binds a pod's probe workers to its containers: what a worker sees, and how it probes.

The view is what kubelet's worker reads from the status manager; an attempt is one
``podlab.probes.run_probe`` against the container's current instance (exec through the runtime).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from podlab.kubelet.pod_worker import is_sidecar
from podlab.kubelet.probe_driver import ProbeDriver
from podlab.kubelet.probe_results import ProbeType
from podlab.kubelet.probe_worker import AttemptResult, ContainerView, Emit
from podlab.kubelet.status import container_is_started
from podlab.probes import ProbeTarget, run_probe

if TYPE_CHECKING:
    from podlab.kubelet.pod_runner import PodRunner

Obj = dict[str, Any]


def make_probe_driver(runner: PodRunner, container: Obj, probe_type: ProbeType, probe: Obj) -> ProbeDriver:
    name = container["name"]

    async def attempt(container_id: str) -> tuple[AttemptResult, str]:
        return await probe_once(runner, name, probe_type, probe, container_id)

    def emit(decision: Emit) -> None:
        runner.emit(decision.type, decision.reason, decision.message, name)

    return ProbeDriver.for_probe(
        probe_type,
        probe,
        runner.clock,
        view=lambda: container_view(runner, name),
        attempt=attempt,
        results=runner.results.for_type(probe_type),
        pod_uid=runner.uid,
        emit=emit,
    )


async def probe_once(
    runner: PodRunner, name: str, probe_type: ProbeType, probe: Obj, container_id: str
) -> tuple[AttemptResult, str]:
    rc = runner.running.get(name)
    if rc is None or rc.container_id != container_id:
        return AttemptResult.UNKNOWN, f"container {container_id!r} not found"
    container = runner.worker.container_spec(name)
    target = ProbeTarget(pod_ip=runner.pod_ip or "", container=container, exec=rc.exec)
    outcome = await run_probe(probe, target, probe_type=probe_type.value)
    return AttemptResult(outcome.result.value), outcome.message


def container_view(runner: PodRunner, name: str) -> ContainerView:
    rec = runner.worker.records[name]
    inst = rec.current
    spec = runner.worker.container_spec(name)
    status = runner.last_status
    return ContainerView(
        has_pod_status=status is not None,
        pod_phase=str((status or {}).get("phase", "Pending")),
        container_id=inst.container_id if inst else "",
        running=bool(inst and inst.running),
        terminated=bool(inst and not inst.running),
        started_at=inst.started_mono if inst else None,
        started=container_is_started(spec, rec, runner.results.startup.get),
        deleting=runner.worker.deleting,
        # A sidecar restarts whatever the pod's policy, so its workers must not give up on it.
        restart_policy="Always" if is_sidecar(spec) else runner.worker.restart_policy,
    )
