"""The Kubelet driver on a VirtualClock with a scripted runtime: 30 minutes of crash loop in a
fraction of a second. The runtime is a test double (no processes); the kubelet, store, probe
workers, backoff and status are the real ones."""

from __future__ import annotations

import asyncio
import itertools
from datetime import datetime
from pathlib import Path
from typing import Any

from podlab.kubelet import Kubelet, VirtualClock
from podlab.runtime import ContainerLaunch, ExecResult, ExitInfo
from podlab.store import Store

Obj = dict[str, Any]
PODS = ("", "pods")


class ScriptedContainer:
    """Exits with ``exit_code`` after ``lifetime`` virtual seconds (never if None)."""

    _ids = itertools.count(1)

    def __init__(self, clock: VirtualClock, lifetime: float | None, exit_code: int) -> None:
        self.container_id = f"containerd://{next(self._ids):064x}"
        self.pid = 0
        self.started_at: datetime = clock.wall()
        self.log_path = Path("/dev/null")
        self._clock = clock
        self._exit: asyncio.Future[ExitInfo] = asyncio.get_running_loop().create_future()
        if lifetime is not None:
            self._timer = asyncio.ensure_future(self._die_after(lifetime, exit_code))

    @property
    def running(self) -> bool:
        return not self._exit.done()

    async def _die_after(self, lifetime: float, code: int) -> None:
        await self._clock.sleep_until(self._clock.now() + lifetime)
        self._finish(code)

    def _finish(self, code: int) -> None:
        if not self._exit.done():
            reason = "Completed" if code == 0 else "Error"
            self._exit.set_result(ExitInfo(code, None, reason, self._clock.wall()))

    async def wait(self) -> ExitInfo:
        return await asyncio.shield(self._exit)

    async def stop(self, grace_seconds: float) -> ExitInfo:
        self._finish(143)
        return await asyncio.shield(self._exit)

    async def exec(self, argv: list[str], timeout: float) -> ExecResult:
        return ExecResult(0, b"", False)


class ScriptedRuntime:
    isolation = "scripted"

    def __init__(self, clock: VirtualClock, lifetime: float | None, exit_code: int = 1) -> None:
        self.clock = clock
        self.lifetime = lifetime
        self.exit_code = exit_code
        self.starts: list[float] = []

    def materialise_volumes(self, pod: Obj, lookup: Any) -> dict[str, Path]:
        return {}

    def release_pod(self, pod_uid: str) -> None:
        pass

    async def start(self, launch: ContainerLaunch) -> ScriptedContainer:
        self.starts.append(self.clock.now())
        return ScriptedContainer(self.clock, self.lifetime, self.exit_code)


def test_crash_loop_backoff_ladder_over_thirty_virtual_minutes() -> None:
    async def scenario() -> None:
        clock = VirtualClock()
        runtime = ScriptedRuntime(clock, lifetime=1.0)
        store = Store(None)
        kubelet = Kubelet(store, runtime, clock=clock)  # type: ignore[arg-type]
        task = asyncio.create_task(kubelet.run())
        store.create(
            PODS, {"metadata": {"name": "crash"}, "spec": {"containers": [{"name": "c", "image": "busybox"}]}}
        )
        for _ in range(30 * 60):
            await clock.advance(1)
        # Each instance lives 1 s; the gap from its exit to the next start is the backoff.
        gaps = [round(b - (a + 1.0)) for a, b in itertools.pairwise(runtime.starts)]
        assert gaps[:9] == [0, 10, 20, 40, 80, 160, 300, 300, 300]
        cs = store.get(PODS, "default", "crash")["status"]["containerStatuses"][0]
        assert cs["restartCount"] == len(runtime.starts) - 1
        backoff = [e for e in store.list(("", "events"))[0] if e["reason"] == "BackOff"]
        # One BackOff object counting up; client-go's spam filter (25 events per pod, then one
        # per 5 minutes) drops some of the 9 back-offs, as it does on a real node.
        assert len(backoff) == 1 and 3 <= backoff[0]["count"] < len(runtime.starts) - 2
        assert cs["state"]["waiting"]["reason"] == "CrashLoopBackOff" or "running" in cs["state"]
        await kubelet.stop()
        task.cancel()

    asyncio.run(scenario())


def test_backoff_resets_after_ten_minutes_of_running() -> None:
    async def scenario() -> None:
        clock = VirtualClock()
        runtime = ScriptedRuntime(clock, lifetime=1.0)
        store = Store(None)
        kubelet = Kubelet(store, runtime, clock=clock)  # type: ignore[arg-type]
        task = asyncio.create_task(kubelet.run())
        store.create(
            PODS, {"metadata": {"name": "crash"}, "spec": {"containers": [{"name": "c", "image": "busybox"}]}}
        )
        for _ in range(60):  # starts at 0, 1, 12, 33; the next comes at 74 (backoff 40 s)
            await clock.advance(1)
        assert len(runtime.starts) == 4
        runtime.lifetime = 700.0  # the next instance runs for more than 10 minutes
        for _ in range(800):
            await clock.advance(1)
        # It ran 700 s, so its exit restarts it at once instead of after 80 s.
        assert round(runtime.starts[5] - runtime.starts[4]) == 700
        await kubelet.stop()
        task.cancel()

    asyncio.run(scenario())
