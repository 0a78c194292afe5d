"""ProbeDriver on a VirtualClock: ticker phase, retries on error, triggers, stop clean-up."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from podlab.kubelet.clock import VirtualClock
from podlab.kubelet.probe_driver import ProbeDriver
from podlab.kubelet.probe_results import ProbeType, Result, ResultsCache, Update
from podlab.kubelet.probe_worker import AttemptResult, ContainerView, Emit

RUNNING = ContainerView(pod_phase="Running", container_id="c1", running=True, started_at=0.0, started=True)


class Rig:
    def __init__(self, probe_type: ProbeType, probe: dict, script: list[tuple[AttemptResult, str]]) -> None:
        self.clock = VirtualClock()
        self.view = RUNNING
        self.script = list(script)
        self.attempts: list[float] = []
        self.updates: list[Update] = []
        self.events: list[Emit] = []
        self.cache = ResultsCache(self.updates.append)
        self.driver = ProbeDriver.for_probe(
            probe_type,
            probe,
            self.clock,
            view=lambda: self.view,
            attempt=self.attempt,
            results=self.cache,
            pod_uid="uid",
            emit=self.events.append,
        )

    async def attempt(self, container_id: str) -> tuple[AttemptResult, str]:
        assert container_id == self.view.container_id
        self.attempts.append(self.clock.now())
        return self.script.pop(0) if self.script else (AttemptResult.SUCCESS, "")


def run(coro) -> None:  # type: ignore[no-untyped-def]
    asyncio.run(coro)


def test_probes_on_the_ticker_after_the_initial_delay_and_kill_at_threshold() -> None:
    async def scenario() -> None:
        fail = (AttemptResult.FAILURE, "HTTP probe failed with statuscode: 500")
        rig = Rig(
            ProbeType.LIVENESS,
            {"httpGet": {"path": "/healthz", "port": 8080}, "initialDelaySeconds": 5, "periodSeconds": 5},
            [(AttemptResult.SUCCESS, "")] * 2 + [fail] * 3,
        )
        task = asyncio.create_task(rig.driver.run())
        await rig.clock.advance(60)
        # Created at 0: tick 0 is inside the delay; 5, 10 succeed; 15, 20, 25 fail; then on hold.
        assert rig.attempts == [5, 10, 15, 20, 25]
        assert [u.result for u in rig.updates] == [Result.SUCCESS, Result.FAILURE]
        assert [e.message for e in rig.events] == [
            "Liveness probe failed: HTTP probe failed with statuscode: 500"
        ] * 3
        # A new container (started at 61) resumes probing on the same ticker phase; its own
        # initial delay skips the tick at 65 (4 s old), so the next probe is at 70.
        rig.view = replace(RUNNING, container_id="c2", started_at=61.0)
        await rig.clock.advance(10)
        assert rig.attempts[-2:] == [25, 70]
        rig.driver.stop()
        await task
        assert rig.cache.get("c2") is None  # a stopped worker takes its result with it

    run(scenario())


def test_errors_are_retried_three_times_then_discarded() -> None:
    async def scenario() -> None:
        err = (AttemptResult.UNKNOWN, 'port "http" not found')
        rig = Rig(
            ProbeType.READINESS,
            {"periodSeconds": 10, "failureThreshold": 1},
            [err, err, err, err, (AttemptResult.SUCCESS, "")],
        )
        task = asyncio.create_task(rig.driver.run())
        await rig.clock.advance(15)
        assert rig.attempts == [0, 0, 0, 10, 10]  # maxProbeRetries = 3, only on error
        assert [e.message for e in rig.events] == [
            'Readiness probe errored and resulted in unknown state: port "http" not found'
        ]
        assert [u.result for u in rig.updates] == [Result.FAILURE, Result.SUCCESS]
        rig.driver.stop()
        await task

    run(scenario())


def test_trigger_probes_at_once_and_rephases() -> None:
    async def scenario() -> None:
        rig = Rig(ProbeType.READINESS, {"periodSeconds": 30}, [])
        rig.view = replace(RUNNING, started=False)
        task = asyncio.create_task(rig.driver.run())
        await rig.clock.advance(7)
        assert rig.attempts == []  # not started: readiness waits
        rig.view = RUNNING
        rig.driver.trigger()
        await rig.clock.advance(0)
        assert rig.attempts == [7]
        await rig.clock.advance(40)
        assert rig.attempts == [7, 37]
        rig.driver.stop()
        rig.driver.stop()  # idempotent
        await task

    run(scenario())


def test_tick_lateness_is_recorded_when_asked(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """With the lateness log on, every due tick writes how late the prober woke for it; on a
    virtual clock it wakes exactly on time."""
    from podlab.kubelet import probe_driver
    from podlab.kubelet.probe_lateness import LatenessLog, read_lateness

    path = tmp_path / "lateness"
    with path.open("a", buffering=1, encoding="ascii") as stream:
        monkeypatch.setattr(probe_driver, "LATENESS", LatenessLog(stream))

        async def scenario() -> None:
            rig = Rig(ProbeType.LIVENESS, {"periodSeconds": 5}, [])
            task = asyncio.create_task(rig.driver.run())
            await rig.clock.advance(21)
            rig.driver.stop()
            await task
            assert rig.attempts == [0, 5, 10, 15, 20]

        run(scenario())
    assert read_lateness(str(path)) == [0.0] * 5
    log = LatenessLog(None)
    assert not log.enabled
    log.record(1.0, 2.0)  # off: nothing written, nothing raised
