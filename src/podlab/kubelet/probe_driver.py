"""Runs one ProbeWorker against real time and real probes (k8s prober/worker.go ``run``).

The only code in the prober that awaits: it sleeps until the worker's next tick or a manual
trigger, feeds the worker a fresh ContainerView, performs its decisions (probe attempts with
kubelet's retry-on-error, result-cache writes, events) and loops until the worker stops.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from podlab.kubelet.clock import Clock, wait_event_until
from podlab.kubelet.probe_lateness import LATENESS
from podlab.kubelet.probe_results import ProbeType, ResultsCache
from podlab.kubelet.probe_worker import (
    AttemptResult,
    ContainerView,
    Decision,
    Emit,
    ProbeDone,
    ProbeSpec,
    ProbeWorker,
    RemoveResult,
    RunProbe,
    SetResult,
    StopWorker,
    Tick,
    Trigger,
)

log = logging.getLogger("podlab.kubelet.prober")

Obj = dict[str, Any]
# (container_id) -> (result, message) of one attempt; the pod runner binds the runtime and probes.
Attempt = Callable[[str], Awaitable[tuple[AttemptResult, str]]]

# prober.go: maxProbeRetries, used only when the handler returned an error.
MAX_PROBE_RETRIES = 3
# How many attempts each driver remembers for the live view (`podlab up`).
HISTORY = 8


class ProbeDriver:
    def __init__(
        self,
        worker: ProbeWorker,
        *,
        clock: Clock,
        view: Callable[[], ContainerView],
        attempt: Attempt,
        results: ResultsCache,
        pod_uid: str,
        emit: Callable[[Emit], None],
    ) -> None:
        self.worker = worker
        self.clock = clock
        self._view = view
        self._attempt = attempt
        self._results = results
        self._pod_uid = pod_uid
        self._emit = emit
        self._trigger = asyncio.Event()
        self._stopped = False
        # The latest attempts, oldest first: (monotonic time, result, message). Read-only for others.
        self.history: deque[tuple[float, AttemptResult, str]] = deque(maxlen=HISTORY)

    @classmethod
    def for_probe(cls, probe_type: ProbeType, probe: Obj, clock: Clock, **kwargs: Any) -> ProbeDriver:
        return cls(ProbeWorker(probe_type, ProbeSpec.from_probe(probe), clock.now()), clock=clock, **kwargs)

    def trigger(self) -> None:
        """Non-blocking, like the 1-slot manualTriggerCh: extra triggers collapse."""
        self._trigger.set()

    def stop(self) -> None:
        self._stopped = True
        self._trigger.set()

    async def run(self) -> None:
        try:
            while not self._stopped and not self.worker.stopped:
                due = self.worker.next_wake
                await wait_event_until(self.clock, self._trigger, due)
                if self._stopped:
                    break
                now = self.clock.now()
                if self._trigger.is_set():
                    self._trigger.clear()
                    decisions = self.worker.handle(Trigger(self._view()), now)
                else:
                    if LATENESS.enabled and now >= due > float("-inf"):  # a tick, not a pending re-run
                        LATENESS.record(due, now)
                    decisions = self.worker.handle(Tick(self._view()), now)
                await self._apply(decisions)
        finally:
            # worker.go's deferred clean-up: the worker's result goes with it.
            if self.worker.container_id:
                self._results.remove(self.worker.container_id)

    async def _apply(self, decisions: list[Decision]) -> None:
        for decision in decisions:
            match decision:
                case RunProbe(container_id):
                    result, message = await self._run_with_retries(container_id)
                    self.history.append((self.clock.now(), result, message))
                    more = self.worker.handle(ProbeDone(container_id, result, message), self.clock.now())
                    await self._apply(more)
                case SetResult(container_id, result):
                    self._results.set(container_id, result, self._pod_uid)
                case RemoveResult(container_id):
                    self._results.remove(container_id)
                case Emit():
                    self._emit(decision)
                case StopWorker():
                    self._stopped = True

    async def _run_with_retries(self, container_id: str) -> tuple[AttemptResult, str]:
        result, message = AttemptResult.UNKNOWN, ""
        for _ in range(MAX_PROBE_RETRIES):
            try:
                result, message = await self._attempt(container_id)
            except Exception as exc:  # a bug or an I/O surprise is a probe *error*: discarded
                log.debug("probe attempt raised", exc_info=True)
                result, message = AttemptResult.UNKNOWN, str(exc)
            if result is not AttemptResult.UNKNOWN:
                break
        return result, message
