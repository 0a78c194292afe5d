"""One probe loop's decisions, sans-IO (k8s pkg/kubelet/prober/worker.go ``doProbe``).

The driver (probe_driver.py) owns time: it calls ``handle(event, now)`` when ``next_wake`` is due
(``Tick``), when the pod worker asks for a readiness re-check (``Trigger``) and when a probe attempt
finished (``ProbeDone``). Each event carries a ``ContainerView``: what kubelet's worker reads from
the status manager at the start of ``doProbe``. Section marks (§) in this module refer to
docs/reference/kubelet-probes.md.

Deterministic choices where kubelet is random or racy (docs/reference/kubelet-probes.md §11):
- no start-up jitter: kubelet only sleeps ``rand*period`` for workers created within one period
  of the kubelet starting; podlab always behaves like a kubelet that has been up a while, so the
  first ``doProbe`` runs when the worker is created and then every ``period`` (ticker phase);
- the initial delay is measured from the container's start, truncated to whole seconds
  (``int32(time.Since(StartedAt).Seconds()) < initialDelaySeconds``), so the first real probe is
  the first tick at or after ``startedAt + initialDelaySeconds``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from podlab.kubelet.probe_results import ProbeType, Result

# worker.go: initialValue per probe type, stored when a new container ID is seen (§2.2).
INITIAL_RESULT: dict[ProbeType, Result] = {
    ProbeType.READINESS: Result.FAILURE,
    ProbeType.LIVENESS: Result.SUCCESS,
    ProbeType.STARTUP: Result.UNKNOWN,
}


class AttemptResult(enum.StrEnum):
    """One attempt's handler result; the values are pkg/probe/probe.go's strings."""

    SUCCESS = "success"
    WARNING = "warning"
    FAILURE = "failure"
    UNKNOWN = "unknown"  # the handler errored: kubelet discards the attempt


@dataclass(frozen=True, slots=True)
class ProbeSpec:
    """A defaulted probe (SetDefaults_Probe: timeout 1, period 10, thresholds 1 and 3)."""

    initial_delay: int = 0
    timeout: int = 1
    period: int = 10
    success_threshold: int = 1
    failure_threshold: int = 3

    @classmethod
    def from_probe(cls, probe: dict[str, Any]) -> ProbeSpec:
        def pos(key: str, default: int) -> int:
            value = probe.get(key)
            # API defaulting turns 0 into the default before validation (§1.1).
            return int(value) if value else default

        return cls(
            initial_delay=int(probe.get("initialDelaySeconds") or 0),
            timeout=pos("timeoutSeconds", 1),
            period=pos("periodSeconds", 10),
            success_threshold=pos("successThreshold", 1),
            failure_threshold=pos("failureThreshold", 3),
        )


@dataclass(frozen=True, slots=True)
class ContainerView:
    """What doProbe reads about its pod and container at the start of a step."""

    has_pod_status: bool = True
    pod_phase: str = "Pending"
    container_id: str = ""  # "" = not created yet
    running: bool = False
    terminated: bool = False
    started_at: float | None = None  # monotonic start of the running instance
    started: bool = False  # containerStatus.started (startup probe passed, or none)
    deleting: bool = False  # pod has a deletionTimestamp
    restart_policy: str = "Always"


# Events ---------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Tick:
    view: ContainerView


@dataclass(frozen=True, slots=True)
class Trigger:
    """manualTriggerCh: probe now and re-phase the ticker (probeTicker.Reset, v1.28+)."""

    view: ContainerView


@dataclass(frozen=True, slots=True)
class ProbeDone:
    container_id: str
    result: AttemptResult
    message: str


Event = Tick | Trigger | ProbeDone


# Decisions ------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class RunProbe:
    container_id: str


@dataclass(frozen=True, slots=True)
class SetResult:
    container_id: str
    result: Result


@dataclass(frozen=True, slots=True)
class RemoveResult:
    container_id: str


@dataclass(frozen=True, slots=True)
class Emit:
    type: str  # "Normal" | "Warning"
    reason: str
    message: str


@dataclass(frozen=True, slots=True)
class StopWorker:
    pass


Decision = RunProbe | SetResult | RemoveResult | Emit | StopWorker


class ProbeWorker:
    """State of one (pod, container, probe type) loop; ``handle`` is one doProbe step."""

    def __init__(self, probe_type: ProbeType, spec: ProbeSpec, now: float) -> None:
        # Read-only after construction.
        self.probe_type = probe_type
        self.spec = spec
        # Ticker: first doProbe immediately, then every period in that phase.
        self.next_tick = now
        # Per container instance (reset on a new container ID).
        self.container_id = ""
        self.on_hold = False
        # Counters survive a new container ID: kubelet only zeroes resultRun after a liveness
        # failure or a startup decision (§2.2 quirk).
        self.last_result: Result | None = None
        self.result_run = 0
        # Per attempt. ``pending``: a tick or trigger came while busy; like Go's 1-slot ticker
        # and trigger channels it is delivered as soon as the attempt finishes.
        self.busy = False
        self.pending = False
        self.stopped = False

    @property
    def next_wake(self) -> float:
        if self.pending and not self.busy:
            return float("-inf")
        return self.next_tick

    def handle(self, event: Event, now: float) -> list[Decision]:
        if self.stopped:
            return []
        match event:
            case Tick(view):
                due = now >= self.next_tick
                if due:
                    self._advance_ticker(now)
                elif not self.pending:
                    return []
                if self.busy:
                    self.pending = True
                    return []
                self.pending = False
                return self._do_probe(view, now)
            case Trigger(view):
                self.next_tick = now + self.spec.period
                if self.busy:
                    self.pending = True
                    return []
                self.pending = False
                return self._do_probe(view, now)
            case ProbeDone(container_id, result, message):
                self.busy = False
                if container_id != self.container_id:
                    return []  # the container changed while we probed: stale verdict
                return self._count(result, message)
        return []

    def _advance_ticker(self, now: float) -> None:
        # A Go ticker keeps its phase and drops ticks a slow receiver missed.
        period = self.spec.period
        missed = int((now - self.next_tick) // period) + 1
        self.next_tick += missed * period

    def _do_probe(self, view: ContainerView, now: float) -> list[Decision]:
        out: list[Decision] = []
        if not view.has_pod_status:
            return out
        if view.pod_phase in ("Failed", "Succeeded"):
            return self._stop(out)
        if not view.container_id:
            return out  # not created yet: wait for more information
        if view.container_id != self.container_id:
            if self.container_id:
                out.append(RemoveResult(self.container_id))
            self.container_id = view.container_id
            out.append(SetResult(self.container_id, INITIAL_RESULT[self.probe_type]))
            self.on_hold = False  # a new container: resume probing
        if self.on_hold:
            return out
        if not view.running:
            out.append(SetResult(self.container_id, Result.FAILURE))
            if view.terminated and view.restart_policy == "Never":
                return self._stop(out)  # it will never run again
            return out
        if view.deleting and self.probe_type is not ProbeType.READINESS:
            # Graceful shutdown: liveness/startup go quiet; readiness keeps probing (§2.6).
            out.append(SetResult(self.container_id, Result.SUCCESS))
            return self._stop(out)
        started_at = view.started_at if view.started_at is not None else now
        if int(now - started_at) < self.spec.initial_delay:
            return out
        if view.started:
            if self.probe_type is ProbeType.STARTUP:
                return out  # startup has done its job; idle until the next container
        elif self.probe_type is not ProbeType.STARTUP:
            return out  # liveness and readiness wait for startup to succeed
        self.busy = True
        out.append(RunProbe(self.container_id))
        return out

    def _count(self, attempt: AttemptResult, message: str) -> list[Decision]:
        out: list[Decision] = []
        kind = self.probe_type.title_word
        match attempt:
            case AttemptResult.UNKNOWN:
                # prober.go: "%s probe errored and resulted in %s state: %s"; the worker then
                # throws the attempt away (no counting, no state change).
                out.append(
                    Emit(
                        "Warning",
                        "Unhealthy",
                        f"{kind} probe errored and resulted in unknown state: {message}",
                    )
                )
                return out
            case AttemptResult.WARNING:
                out.append(Emit("Warning", "ProbeWarning", f"{kind} probe warning: {message}"))
                result = Result.SUCCESS
            case AttemptResult.FAILURE:
                out.append(Emit("Warning", "Unhealthy", f"{kind} probe failed: {message}"))
                result = Result.FAILURE
            case _:
                result = Result.SUCCESS
        if result is self.last_result:
            self.result_run += 1
        else:
            self.last_result = result
            self.result_run = 1
        if (result is Result.FAILURE and self.result_run < self.spec.failure_threshold) or (
            result is Result.SUCCESS and self.result_run < self.spec.success_threshold
        ):
            return out  # below threshold: leave the stored state alone
        out.append(SetResult(self.container_id, result))
        if (self.probe_type is ProbeType.LIVENESS and result is Result.FAILURE) or (
            self.probe_type is ProbeType.STARTUP
        ):
            # Stop probing until a new container ID: kubelet avoids exec into a dying container
            # (issue #21751) and re-running a decided startup probe (issue #117153).
            self.on_hold = True
            self.result_run = 0
        return out

    def _stop(self, out: list[Decision]) -> list[Decision]:
        self.stopped = True
        out.append(StopWorker())
        return out
