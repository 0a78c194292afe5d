"""The kubelet's only source of time: ``now()`` (monotonic seconds) and ``sleep_until``.

``LoopClock`` reads the running event loop's clock; ``VirtualClock`` advances only when a test
says so. ``wall(t)`` turns a monotonic instant into the UTC time written into status and events,
so cores never see wall-clock time.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float: ...

    async def sleep_until(self, t: float) -> None: ...

    def wall(self, t: float | None = None) -> datetime: ...


class LoopClock:
    """Real time on the running loop (``loop.time()`` is monotonic)."""

    def now(self) -> float:
        return asyncio.get_running_loop().time()

    async def sleep_until(self, t: float) -> None:
        delay = t - self.now()
        if delay > 0:
            await asyncio.sleep(delay)
        else:
            await asyncio.sleep(0)

    def wall(self, t: float | None = None) -> datetime:
        now_wall = datetime.fromtimestamp(time.time(), UTC)
        if t is None:
            return now_wall
        return now_wall + timedelta(seconds=t - self.now())


class VirtualClock:
    """Time that moves only through ``advance``; sleepers wake in deadline order."""

    def __init__(self, start: float = 0.0, epoch: datetime | None = None) -> None:
        self._now = start
        self._epoch = epoch or datetime(2026, 1, 1, tzinfo=UTC)
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    def now(self) -> float:
        return self._now

    async def sleep_until(self, t: float) -> None:
        if t <= self._now:
            await asyncio.sleep(0)
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (t, next(self._seq), fut))
        await fut

    def wall(self, t: float | None = None) -> datetime:
        return self._epoch + timedelta(seconds=self._now if t is None else t)

    async def advance(self, seconds: float) -> None:
        """Move time forward, waking each sleeper at its deadline and letting it run."""
        target = self._now + seconds
        await self._settle()  # let freshly started tasks reach their first sleep
        while self._sleepers and self._sleepers[0][0] <= target:
            t, _, fut = heapq.heappop(self._sleepers)
            self._now = max(self._now, t)
            if not fut.done():
                fut.set_result(None)
            await self._settle()  # let woken tasks run their step before the next deadline
        self._now = target
        await self._settle()

    @staticmethod
    async def _settle() -> None:
        for _ in range(20):
            await asyncio.sleep(0)
