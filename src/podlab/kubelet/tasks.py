"""Background tasks a driver starts and must not leave behind when it stops.

``OwnedTasks`` keeps strong references (the event loop keeps only weak ones, so an unreferenced
task can vanish mid-flight) and forgets each task once it is done; ``cancel_and_wait`` is the
clean-up every driver does on stop.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine, Iterable, Iterator
from typing import Any


async def cancel_and_wait(tasks: Iterable[asyncio.Task[Any]]) -> None:
    """Cancel every task, then wait for each; what they raise is swallowed (clean-up must finish)."""
    tasks = list(tasks)
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task


class OwnedTasks:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    def spawn(self, coro: Coroutine[Any, Any, None], *, name: str | None = None) -> asyncio.Task[None]:
        task = asyncio.create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def __iter__(self) -> Iterator[asyncio.Task[None]]:
        return iter(set(self._tasks))

    def __len__(self) -> int:
        return len(self._tasks)
