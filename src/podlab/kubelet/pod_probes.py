"""Binds a pod's probe workers to its containers: what a worker sees, and how it probes.

The view is what kubelet's worker reads from the status manager; an attempt is one
``ProbeAttempt`` (by default ``podlab.probes.run_probe``) against the container's current
instance (exec through the runtime).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from podlab.kubelet.clock import Clock
from podlab.kubelet.container_runtime import ContainerHandle
from podlab.kubelet.pod_context import EventSink, PodSandbox, ProbeAttempt
from podlab.kubelet.pod_worker import PodWorker, is_sidecar
from podlab.kubelet.probe_driver import ProbeDriver
from podlab.kubelet.probe_results import ProbeResults, ProbeType
from podlab.kubelet.probe_worker import AttemptResult, ContainerView, Emit
from podlab.kubelet.status import container_is_started

Obj = dict[str, Any]


class PodProbes:
    """Makes the probe drivers of one pod (the ProbeManager's factory)."""

    def __init__(
        self,
        clock: Clock,
        attempt: ProbeAttempt,
        *,
        pod_uid: str,
        worker: PodWorker,
        results: ProbeResults,
        sandbox: PodSandbox,
        running: dict[str, ContainerHandle],
        last_status: Callable[[], Obj | None],
        emit: EventSink,
    ) -> None:
        self.clock = clock
        self._attempt = attempt
        self._pod_uid = pod_uid
        self._worker = worker
        self._results = results
        self._sandbox = sandbox
        self._running = running
        self._last_status = last_status
        self._emit = emit

    def make_driver(self, container: Obj, probe_type: ProbeType, probe: Obj) -> ProbeDriver:
        name = container["name"]

        async def attempt(container_id: str) -> tuple[AttemptResult, str]:
            return await self.probe_once(name, probe_type, probe, container_id)

        def emit(decision: Emit) -> None:
            self._emit(decision.type, decision.reason, decision.message, name)

        return ProbeDriver.for_probe(
            probe_type,
            probe,
            self.clock,
            view=lambda: self.container_view(name),
            attempt=attempt,
            results=self._results.for_type(probe_type),
            pod_uid=self._pod_uid,
            emit=emit,
        )

    async def probe_once(
        self, name: str, probe_type: ProbeType, probe: Obj, container_id: str
    ) -> tuple[AttemptResult, str]:
        rc = self._running.get(name)
        if rc is None or rc.container_id != container_id:
            return AttemptResult.UNKNOWN, f"container {container_id!r} not found"
        container = self._worker.container_spec(name)
        target = self._sandbox.probe_target(container, rc.exec)
        outcome = await self._attempt(probe, target, probe_type)
        return AttemptResult(outcome.result.value), outcome.message

    def container_view(self, name: str) -> ContainerView:
        worker = self._worker
        rec = worker.records[name]
        inst = rec.current
        spec = worker.container_spec(name)
        status = self._last_status()
        return ContainerView(
            has_pod_status=status is not None,
            pod_phase=str((status or {}).get("phase", "Pending")),
            container_id=inst.container_id if inst else "",
            running=bool(inst and inst.running),
            terminated=bool(inst and not inst.running),
            started_at=inst.started_mono if inst else None,
            started=container_is_started(spec, rec, self._results.startup.get),
            deleting=worker.deleting,
            # A sidecar restarts whatever the pod's policy, so its workers must not give up on it.
            restart_policy="Always" if is_sidecar(spec) else worker.restart_policy,
        )
