"""The real Kubelet on a VirtualClock with a scripted runtime and, where probes matter, a
scripted probe attempt (tests/kubelet/fake_runtime.py): minutes of probing and crash loop in a
fraction of a second of wall time. The kubelet, store, probe workers, backoff and status are the
real ones."""

from __future__ import annotations

import asyncio
import itertools
import time
from typing import Any

from fake_runtime import SUCCESS, ScriptedProbe, ScriptedRuntime, failure, virtual_node

from podlab.kubelet import VirtualClock
from podlab.kubelet.probe_results import ProbeType
from podlab.store import Store

Obj = dict[str, Any]
PODS = ("", "pods")
# Virtual minutes must cost little real time; generous for a loaded 2-core machine.
WALL_BUDGET = 5.0


def crashing_pod() -> Obj:
    return {"metadata": {"name": "crash"}, "spec": {"containers": [{"name": "c", "image": "busybox"}]}}


def probed_pod(name: str, probe_type: ProbeType, probe: Obj) -> Obj:
    container = {"name": "c", "image": "busybox", f"{probe_type.value}Probe": probe}
    return {"metadata": {"name": name}, "spec": {"containers": [container]}}


def events_of(store: Store, pod: str, reason: str) -> list[Obj]:
    items, _ = store.list(("", "events"), "default")
    return [e for e in items if e["involvedObject"]["name"] == pod and e["reason"] == reason]


def container_status(store: Store, pod: str) -> Obj:
    status: Obj = store.get(PODS, "default", pod)["status"]["containerStatuses"][0]
    return status


def condition(store: Store, pod: str, type_: str) -> str:
    conditions = store.get(PODS, "default", pod)["status"]["conditions"]
    return str(next(c["status"] for c in conditions if c["type"] == type_))


async def advance_to(clock: VirtualClock, t: float) -> None:
    """Advance in 1 s steps (so each tick's work settles), up to virtual time ``t``."""
    while clock.now() < t:
        await clock.advance(min(1.0, t - clock.now()))


def test_crash_loop_backoff_ladder_over_thirty_virtual_minutes() -> None:
    async def scenario() -> None:
        clock = VirtualClock()
        runtime = ScriptedRuntime(clock, lifetime=1.0)
        async with virtual_node(clock, runtime) as (store, _kubelet):
            store.create(PODS, crashing_pod())
            await advance_to(clock, 30 * 60)
            # Each instance lives 1 s; the gap from its exit to the next start is the backoff.
            gaps = [round(b - (a + 1.0)) for a, b in itertools.pairwise(runtime.starts)]
            assert gaps[:9] == [0, 10, 20, 40, 80, 160, 300, 300, 300]
            cs = container_status(store, "crash")
            assert cs["restartCount"] == len(runtime.starts) - 1
            backoff = events_of(store, "crash", "BackOff")
            # One BackOff object counting up; client-go's spam filter (25 events per pod, then one
            # per 5 minutes) drops some of the 9 back-offs, as it does on a real node.
            assert len(backoff) == 1 and 3 <= backoff[0]["count"] < len(runtime.starts) - 2
            assert cs["state"]["waiting"]["reason"] == "CrashLoopBackOff" or "running" in cs["state"]

    asyncio.run(scenario())


def test_backoff_resets_after_ten_minutes_of_running() -> None:
    async def scenario() -> None:
        clock = VirtualClock()
        runtime = ScriptedRuntime(clock, lifetime=1.0)
        async with virtual_node(clock, runtime) as (store, _kubelet):
            store.create(PODS, crashing_pod())
            await advance_to(clock, 60)  # starts at 0, 1, 12, 33; the next comes at 74 (backoff 40 s)
            assert len(runtime.starts) == 4
            runtime.lifetime = 700.0  # the next instance runs for more than 10 minutes
            await advance_to(clock, 860)
            # It ran 700 s, so its exit restarts it at once instead of after 80 s.
            assert round(runtime.starts[5] - runtime.starts[4]) == 700

    asyncio.run(scenario())


def test_liveness_failures_kill_and_restart_the_container() -> None:
    """Liveness every 10 s, threshold 3: failures at 0, 10, 20 give Unhealthy x3, then Killing
    with the probe's own terminationGracePeriodSeconds, then a restart that passes its probes."""

    async def scenario() -> None:
        clock = VirtualClock()
        runtime = ScriptedRuntime(clock, lifetime=None)
        # Only the first instance is sick; its replacement answers the probe.
        probe = ScriptedProbe(clock, lambda _t: failure("boom") if len(runtime.starts) == 1 else SUCCESS)
        spec = {"exec": {"command": ["check"]}, "periodSeconds": 10, "terminationGracePeriodSeconds": 5}
        wall = time.monotonic()
        async with virtual_node(clock, runtime, probe) as (store, _kubelet):
            store.create(PODS, probed_pod("live", ProbeType.LIVENESS, spec))
            await advance_to(clock, 19)
            assert [e["count"] for e in events_of(store, "live", "Unhealthy")] == [2]
            assert events_of(store, "live", "Killing") == [] and runtime.starts == [0.0]

            await advance_to(clock, 20)
            [unhealthy] = events_of(store, "live", "Unhealthy")
            assert (unhealthy["type"], unhealthy["message"], unhealthy["count"]) == (
                "Warning",
                "Liveness probe failed: boom",
                3,
            )
            [killing] = events_of(store, "live", "Killing")
            assert (killing["type"], killing["message"]) == (
                "Normal",
                "Container c failed liveness probe, will be restarted",
            )
            assert killing["involvedObject"]["fieldPath"] == "spec.containers{c}"
            # The probe's terminationGracePeriodSeconds (5) beats the pod's default 30.
            assert runtime.containers[0].stop_grace == 5.0
            assert runtime.starts == [0.0, 20.0]  # the first restart has no back-off
            cs = container_status(store, "live")
            assert cs["restartCount"] == 1 and "running" in cs["state"]
            assert cs["lastState"]["terminated"]["exitCode"] == 143

            await advance_to(clock, 60)  # the new instance passes: no more kills
            assert [t for t, _ in probe.attempts] == [0.0, 10.0, 20.0, 30.0, 40.0, 50.0, 60.0]
            assert len(runtime.starts) == 2 and events_of(store, "live", "Killing")[0]["count"] == 1
            assert container_status(store, "live")["restartCount"] == 1
        assert time.monotonic() - wall < WALL_BUDGET

    asyncio.run(scenario())


def test_readiness_failures_make_the_pod_unready_without_a_restart() -> None:
    """Readiness every 5 s, threshold 3, healthy until 30 s: Ready at once, unready after the
    third failure (40 s), Unhealthy events, never a kill."""

    async def scenario() -> None:
        clock = VirtualClock()
        runtime = ScriptedRuntime(clock, lifetime=None)
        probe = ScriptedProbe(
            clock,
            lambda _t: failure("HTTP probe failed with statuscode: 503") if clock.now() >= 30 else SUCCESS,
        )
        spec = {"httpGet": {"path": "/ready", "port": 8080}, "periodSeconds": 5}
        wall = time.monotonic()
        async with virtual_node(clock, runtime, probe) as (store, _kubelet):
            store.create(PODS, probed_pod("ready", ProbeType.READINESS, spec))
            await advance_to(clock, 1)
            assert container_status(store, "ready")["ready"] is True
            assert condition(store, "ready", "Ready") == "True"

            await advance_to(clock, 39)  # failures at 30 and 35: below the threshold
            assert condition(store, "ready", "Ready") == "True"
            await advance_to(clock, 40)
            assert container_status(store, "ready")["ready"] is False
            assert condition(store, "ready", "Ready") == "False"
            assert condition(store, "ready", "ContainersReady") == "False"
            [unhealthy] = events_of(store, "ready", "Unhealthy")
            assert unhealthy["message"] == "Readiness probe failed: HTTP probe failed with statuscode: 503"
            # Unready makes the status sync trigger an immediate re-check (prober_manager
            # UpdatePodStatus), which fails too: a fourth attempt at 40 s.
            assert [t for t, _ in probe.attempts] == [0, 5, 10, 15, 20, 25, 30, 35, 40, 40]
            assert unhealthy["count"] == 4

            await advance_to(clock, 120)  # readiness never kills
            assert events_of(store, "ready", "Killing") == [] and runtime.starts == [0.0]
            assert container_status(store, "ready")["restartCount"] == 0
            assert {kind for _, kind in probe.attempts} == {ProbeType.READINESS}
        assert time.monotonic() - wall < WALL_BUDGET

    asyncio.run(scenario())


def test_crash_loop_back_off_waits_10_then_20_seconds() -> None:
    """A container that exits 1 after 1 s: restarted at once (1 s), then after 10 s (12 s), then
    after 20 s (33 s); in between it waits in CrashLoopBackOff with kubelet's message."""

    async def scenario() -> None:
        clock = VirtualClock()
        runtime = ScriptedRuntime(clock, lifetime=1.0)
        wall = time.monotonic()
        async with virtual_node(clock, runtime) as (store, _kubelet):
            pod = store.create(PODS, crashing_pod())
            who = f"crash_default({pod['metadata']['uid']})"
            await advance_to(clock, 5)
            assert runtime.starts == [0.0, 1.0]
            waiting = container_status(store, "crash")["state"]["waiting"]
            assert waiting == {
                "reason": "CrashLoopBackOff",
                "message": f"back-off 10s restarting failed container=c pod={who}",
            }
            [backoff] = events_of(store, "crash", "BackOff")
            assert (backoff["type"], backoff["message"]) == (
                "Warning",
                f"Back-off restarting failed container c in pod {who}",
            )

            await advance_to(clock, 11)
            assert runtime.starts == [0.0, 1.0]  # still backing off
            await advance_to(clock, 12)
            assert runtime.starts == [0.0, 1.0, 12.0]
            await advance_to(clock, 20)
            waiting = container_status(store, "crash")["state"]["waiting"]
            assert waiting["message"] == f"back-off 20s restarting failed container=c pod={who}"
            await advance_to(clock, 33)
            assert runtime.starts == [0.0, 1.0, 12.0, 33.0]
            cs = container_status(store, "crash")
            assert cs["restartCount"] == 3 and "running" in cs["state"]
            assert cs["lastState"]["terminated"]["exitCode"] == 1
        assert time.monotonic() - wall < WALL_BUDGET

    asyncio.run(scenario())
