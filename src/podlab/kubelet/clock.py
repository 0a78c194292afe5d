"""The kubelet's only source of time: ``now()`` (monotonic seconds), ``sleep_until``, ``sleep``.

``LoopClock`` reads the running event loop's clock; ``VirtualClock`` advances only when a test
says so. ``wall(t)`` turns a monotonic instant into the UTC time written into status and events,
so cores never see wall-clock time. ``wait_until`` and ``wait_event_until`` bound an await by a
deadline on a clock, so drivers never need ``asyncio.wait_for`` (which only knows real time).
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import time
from collections.abc import Awaitable
from datetime import UTC, datetime, timedelta
from typing import Protocol, TypeVar

T = TypeVar("T")


class Clock(Protocol):
    def now(self) -> float: ...

    async def sleep_until(self, t: float) -> None: ...

    async def sleep(self, seconds: float) -> None: ...

    def wall(self, t: float | None = None) -> datetime: ...


async def wait_until(clock: Clock, aw: Awaitable[T], deadline: float) -> T:
    """``aw``'s result, or TimeoutError once ``clock`` reaches ``deadline`` (``aw`` is then cancelled)."""
    task = asyncio.ensure_future(aw)
    timer = asyncio.ensure_future(clock.sleep_until(deadline))
    try:
        await asyncio.wait({task, timer}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for fut in (task, timer):
            if not fut.done():
                fut.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await fut
    if task.cancelled():
        raise TimeoutError
    return task.result()


async def wait_event_until(clock: Clock, event: asyncio.Event, deadline: float | None) -> None:
    """Return once ``event`` is set or ``clock`` reaches ``deadline`` (None: no deadline)."""
    if deadline is None:
        await event.wait()
        return
    with contextlib.suppress(TimeoutError):
        await wait_until(clock, event.wait(), deadline)


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

    async def sleep(self, seconds: float) -> None:
        await self.sleep_until(self.now() + seconds)

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

    async def sleep(self, seconds: float) -> None:
        await self.sleep_until(self._now + seconds)

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
        # Let woken tasks run until the loop has nothing else ready (at most 20 rounds).
        # CPython's loop keeps its ready callbacks in `_ready`; stopping as soon as only this
        # task is left makes an idle virtual hour ~5x cheaper (podlab simulate's speed); loops
        # without it (uvloop) get the full 20 rounds.
        ready = getattr(asyncio.get_running_loop(), "_ready", None)
        for _ in range(20):
            await asyncio.sleep(0)
            if ready is not None and not ready:
                return
