"""ProbeWorker, one doProbe step at a time (k8s prober/worker_test.go TestDoProbe style)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from podlab.kubelet.probe_results import ProbeType, Result, ResultsCache, Update
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

L, R, S = ProbeType.LIVENESS, ProbeType.READINESS, ProbeType.STARTUP
OK, FAIL, ERR, WARN = (
    AttemptResult.SUCCESS,
    AttemptResult.FAILURE,
    AttemptResult.UNKNOWN,
    AttemptResult.WARNING,
)
RUNNING = ContainerView(
    pod_phase="Running", container_id="cOnTaInEr_1", running=True, started_at=0.0, started=True
)


def probe_step(
    w: ProbeWorker, view: ContainerView, now: float, outcome: AttemptResult | None, msg: str = "out"
) -> list[Decision]:
    """One tick; if it runs a probe, finish it with ``outcome``. Returns all decisions."""
    out = w.handle(Tick(view), now)
    if any(isinstance(d, RunProbe) for d in out):
        assert outcome is not None, f"unexpected probe at {now}"
        out += w.handle(ProbeDone(view.container_id, outcome, msg), now)
    return out


@pytest.mark.parametrize(
    ("probe_type", "initial"),
    [(L, Result.SUCCESS), (R, Result.FAILURE), (S, Result.UNKNOWN)],
)
def test_new_container_stores_the_initial_value(probe_type: ProbeType, initial: Result) -> None:
    w = ProbeWorker(probe_type, ProbeSpec(initial_delay=100), now=0)
    view = RUNNING if probe_type is not S else replace(RUNNING, started=False)
    assert w.handle(Tick(view), 0) == [SetResult("cOnTaInEr_1", initial)]


def test_no_container_id_waits_without_a_result() -> None:
    w = ProbeWorker(L, ProbeSpec(), now=0)
    assert w.handle(Tick(ContainerView(pod_phase="Pending")), 0) == []
    assert w.handle(Tick(ContainerView(has_pod_status=False)), 10) == []
    assert not w.stopped


def test_liveness_failure_threshold_then_on_hold_until_new_container() -> None:
    w = ProbeWorker(L, ProbeSpec(period=10, failure_threshold=3), now=0)
    first = probe_step(w, RUNNING, 0, FAIL, "HTTP probe failed with statuscode: 404")
    assert first == [
        SetResult("cOnTaInEr_1", Result.SUCCESS),
        RunProbe("cOnTaInEr_1"),
        Emit("Warning", "Unhealthy", "Liveness probe failed: HTTP probe failed with statuscode: 404"),
    ]
    second = probe_step(w, RUNNING, 10, FAIL)
    assert not any(isinstance(d, SetResult) for d in second)
    third = probe_step(w, RUNNING, 20, FAIL)
    assert third[-1] == SetResult("cOnTaInEr_1", Result.FAILURE)
    assert w.on_hold
    # On hold: no probes (no exec into a dying container) while the ID stays the same.
    assert probe_step(w, RUNNING, 30, None) == []
    assert probe_step(w, RUNNING, 40, None) == []
    new = replace(RUNNING, container_id="cOnTaInEr_2", started_at=41.0)
    out = probe_step(w, new, 50, OK)
    assert out[:3] == [
        RemoveResult("cOnTaInEr_1"),
        SetResult("cOnTaInEr_2", Result.SUCCESS),
        RunProbe("cOnTaInEr_2"),
    ]


def test_any_success_resets_the_failure_run() -> None:
    w = ProbeWorker(L, ProbeSpec(period=1, failure_threshold=2), now=0)
    updates: list[Update] = []
    cache = ResultsCache(updates.append)
    for t, outcome in enumerate([FAIL, OK, FAIL, OK, FAIL, FAIL]):
        for d in probe_step(w, RUNNING, t, outcome):
            if isinstance(d, SetResult):
                cache.set(d.container_id, d.result, "uid")
    # The change feed shows only flips: the initial Success, then the Failure at t=5.
    assert [u.result for u in updates] == [Result.SUCCESS, Result.FAILURE]


def test_errors_are_reported_and_discarded() -> None:
    w = ProbeWorker(L, ProbeSpec(period=1, failure_threshold=2), now=0)
    probe_step(w, RUNNING, 0, FAIL)
    out = probe_step(w, RUNNING, 1, ERR, 'port "http" not found')
    assert out == [
        RunProbe("cOnTaInEr_1"),
        Emit(
            "Warning",
            "Unhealthy",
            'Liveness probe errored and resulted in unknown state: port "http" not found',
        ),
    ]
    # The error neither broke the failure run nor counted: the next failure is the second.
    out = probe_step(w, RUNNING, 2, FAIL)
    assert out[-1] == SetResult("cOnTaInEr_1", Result.FAILURE)


def test_only_errors_never_fail_a_container() -> None:
    w = ProbeWorker(L, ProbeSpec(period=1, failure_threshold=1), now=0)
    for t in range(20):
        out = probe_step(w, RUNNING, t, ERR)
        assert SetResult("cOnTaInEr_1", Result.FAILURE) not in out


def test_warning_is_a_success_with_a_probe_warning_event() -> None:
    w = ProbeWorker(R, ProbeSpec(period=1), now=0)
    out = probe_step(w, RUNNING, 0, WARN, "Probe terminated redirects, Response body: <a>Found</a>.")
    assert (
        Emit(
            "Warning",
            "ProbeWarning",
            "Readiness probe warning: Probe terminated redirects, Response body: <a>Found</a>.",
        )
        in out
    )
    assert out[-1] == SetResult("cOnTaInEr_1", Result.SUCCESS)


def test_readiness_success_threshold() -> None:
    w = ProbeWorker(R, ProbeSpec(period=1, success_threshold=2), now=0)
    first = probe_step(w, RUNNING, 0, OK)
    assert first == [SetResult("cOnTaInEr_1", Result.FAILURE), RunProbe("cOnTaInEr_1")]
    assert probe_step(w, RUNNING, 1, OK)[-1] == SetResult("cOnTaInEr_1", Result.SUCCESS)


def test_initial_delay_counts_whole_seconds_since_start_on_the_ticker_phase() -> None:
    # Worker created at 0 (ticks 0, 10, 20...), container started at 3.5, delay 15:
    # int(13.5 - 3.5)=10 < 15 at t=13.5? no tick there; tick 10: 6 < 15; tick 20: int(16.5) >= 15 -> probe.
    w = ProbeWorker(R, ProbeSpec(initial_delay=15, period=10), now=0)
    view = replace(RUNNING, started_at=3.5)
    assert not any(isinstance(d, RunProbe) for d in probe_step(w, view, 0, None))
    assert probe_step(w, view, 10, None) == []
    assert RunProbe("cOnTaInEr_1") in probe_step(w, view, 20, OK)


def test_elapsed_is_truncated_not_rounded() -> None:
    w = ProbeWorker(L, ProbeSpec(initial_delay=5, period=1), now=0)
    view = replace(RUNNING, started_at=0.2)
    probe_step(w, view, 0, None)
    # At t=5.1 the container is 4.9 s old: int(4.9)=4 < 5, no probe.
    w.next_tick = 5.1
    assert probe_step(w, view, 5.1, None) == []
    w.next_tick = 5.2
    assert RunProbe("cOnTaInEr_1") in probe_step(w, view, 5.2, OK)


def test_ticks_keep_their_phase_and_drop_missed_ones() -> None:
    w = ProbeWorker(L, ProbeSpec(period=10), now=3)
    assert w.handle(Tick(RUNNING), 2) == []  # not due yet
    w.handle(Tick(RUNNING), 3)
    assert w.next_tick == 13
    w.handle(ProbeDone("cOnTaInEr_1", OK, ""), 3)
    w.handle(Tick(RUNNING), 37)  # slow receiver: 13, 23, 33 were missed
    assert w.next_tick == 43


def test_no_second_probe_while_one_is_in_flight() -> None:
    w = ProbeWorker(L, ProbeSpec(period=1), now=0)
    assert RunProbe("cOnTaInEr_1") in w.handle(Tick(RUNNING), 0)
    assert w.handle(Tick(RUNNING), 1) == []
    assert w.handle(Trigger(RUNNING), 1.5) == []
    # The probe's verdict is stored (a cache no-op when unchanged), no new attempt starts.
    assert w.handle(ProbeDone("cOnTaInEr_1", OK, ""), 1.7) == [SetResult("cOnTaInEr_1", Result.SUCCESS)]
    # The tick/trigger that came meanwhile is delivered at once (Go's buffered channels).
    assert w.next_wake == float("-inf")
    assert w.handle(Tick(RUNNING), 1.7) == [RunProbe("cOnTaInEr_1")]
    assert w.next_wake == 2.5  # the trigger re-phased the ticker


def test_trigger_probes_now_and_rephases_the_ticker() -> None:
    w = ProbeWorker(R, ProbeSpec(period=30), now=0)
    probe_step(w, replace(RUNNING, started=False), 0, None)
    out = w.handle(Trigger(RUNNING), 7)
    assert out == [RunProbe("cOnTaInEr_1")]
    assert w.next_tick == 37


def test_liveness_and_readiness_wait_for_startup() -> None:
    not_started = replace(RUNNING, started=False)
    for probe_type in (L, R):
        w = ProbeWorker(probe_type, ProbeSpec(period=1), now=0)
        for t in range(5):
            assert not any(isinstance(d, RunProbe) for d in probe_step(w, not_started, t, None))
        assert RunProbe("cOnTaInEr_1") in probe_step(w, RUNNING, 5, OK)


def test_startup_probe_stops_after_deciding() -> None:
    w = ProbeWorker(S, ProbeSpec(period=1, failure_threshold=3), now=0)
    not_started = replace(RUNNING, started=False)
    assert probe_step(w, not_started, 0, FAIL)[0] == SetResult("cOnTaInEr_1", Result.UNKNOWN)
    probe_step(w, not_started, 1, FAIL)
    assert probe_step(w, not_started, 2, OK)[-1] == SetResult("cOnTaInEr_1", Result.SUCCESS)
    assert w.on_hold  # decided: no more probes (issue #117153) ...
    assert probe_step(w, not_started, 3, None) == []
    # ... and once started, startup never probes.
    w2 = ProbeWorker(S, ProbeSpec(period=1), now=0)
    probe_step(w2, RUNNING, 0, None)
    assert probe_step(w2, RUNNING, 1, None) == []


def test_startup_failure_threshold_stores_failure() -> None:
    w = ProbeWorker(S, ProbeSpec(period=1, failure_threshold=3), now=0)
    not_started = replace(RUNNING, started=False)
    outs = [probe_step(w, not_started, t, FAIL) for t in range(3)]
    assert outs[2][-1] == SetResult("cOnTaInEr_1", Result.FAILURE)
    assert [d.message for o in outs for d in o if isinstance(d, Emit)] == ["Startup probe failed: out"] * 3


def test_result_run_survives_a_new_container() -> None:
    # Readiness: FAIL, FAIL on container 1, then FAIL on container 2 completes the run of 3
    # (kubelet never zeroes resultRun for readiness on a new container ID).
    w = ProbeWorker(R, ProbeSpec(period=1, failure_threshold=3), now=0)
    probe_step(w, RUNNING, 0, FAIL)
    probe_step(w, RUNNING, 1, FAIL)
    assert w.result_run == 2
    new = replace(RUNNING, container_id="cOnTaInEr_2")
    probe_step(w, new, 2, FAIL)
    assert w.result_run == 3


def test_not_running_sets_failure_and_stops_only_for_never() -> None:
    exited = replace(RUNNING, running=False, terminated=True)
    w = ProbeWorker(R, ProbeSpec(period=1), now=0)
    w.handle(Tick(RUNNING), 0)
    w.handle(ProbeDone("cOnTaInEr_1", OK, ""), 0)
    assert w.handle(Tick(exited), 1) == [SetResult("cOnTaInEr_1", Result.FAILURE)]
    assert not w.stopped
    w2 = ProbeWorker(R, ProbeSpec(period=1), now=0)
    out = w2.handle(Tick(replace(exited, restart_policy="Never")), 0)
    assert out[-2:] == [SetResult("cOnTaInEr_1", Result.FAILURE), StopWorker()]
    assert w2.stopped
    assert w2.handle(Tick(RUNNING), 5) == []


def test_terminal_pod_phase_stops_the_worker() -> None:
    w = ProbeWorker(L, ProbeSpec(), now=0)
    assert w.handle(Tick(replace(RUNNING, pod_phase="Failed")), 0) == [StopWorker()]


def test_during_termination_readiness_keeps_probing_while_liveness_goes_quiet() -> None:
    deleting = replace(RUNNING, deleting=True)
    live = ProbeWorker(L, ProbeSpec(period=1), now=0)
    probe_step(live, RUNNING, 0, OK)
    assert live.handle(Tick(deleting), 1) == [SetResult("cOnTaInEr_1", Result.SUCCESS), StopWorker()]
    start = ProbeWorker(S, ProbeSpec(period=1), now=0)
    assert start.handle(Tick(deleting), 0)[-1] == StopWorker()
    ready = ProbeWorker(R, ProbeSpec(period=1, failure_threshold=1), now=0)
    probe_step(ready, RUNNING, 0, OK)
    out = probe_step(ready, deleting, 1, FAIL, "cat: can't open '/tmp/ready': No such file or directory")
    assert out[-1] == SetResult("cOnTaInEr_1", Result.FAILURE)
    assert not ready.stopped


def test_stale_probe_result_for_an_old_container_is_ignored() -> None:
    w = ProbeWorker(L, ProbeSpec(period=1, failure_threshold=1), now=0)
    w.handle(Tick(RUNNING), 0)
    w.container_id = "cOnTaInEr_2"  # the worker moved on while the attempt ran
    assert w.handle(ProbeDone("cOnTaInEr_1", FAIL, "x"), 0.5) == []


def test_probe_spec_defaults_match_the_api_server() -> None:
    assert ProbeSpec.from_probe({"exec": {"command": ["true"]}}) == ProbeSpec(0, 1, 10, 1, 3)
    # The probe-level terminationGracePeriodSeconds is the kill's business (kill_grace_period).
    spec = ProbeSpec.from_probe(
        {"periodSeconds": 0, "initialDelaySeconds": 5, "terminationGracePeriodSeconds": 7}
    )
    assert (spec.period, spec.initial_delay) == (10, 5)


def test_docs_exec_liveness_timeline() -> None:
    """exec-liveness.yaml: delay 5, period 5, threshold 3; the file goes away at 30 s.

    Worker created at 0, container started at 0: probes succeed at 5..30 and fail at 35, 40, 45;
    the failure is stored at 45 (the kill follows in the same sync).
    """
    w = ProbeWorker(L, ProbeSpec(initial_delay=5, period=5, failure_threshold=3), now=0)
    events: list[tuple[float, str]] = []
    stored_failure_at = None
    t = 0.0
    while t <= 60:
        outcome = OK if t < 32 else FAIL
        for d in probe_step(
            w, RUNNING, t, outcome, "cat: can't open '/tmp/healthy': No such file or directory"
        ):
            if isinstance(d, Emit):
                events.append((t, d.message))
            if d == SetResult("cOnTaInEr_1", Result.FAILURE):
                stored_failure_at = t
        t = w.next_wake
    assert [e[0] for e in events] == [35, 40, 45]
    assert events[0][1] == "Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory"
    assert stored_failure_at == 45
