"""Wake an in-process client of the store (a controller loop, the Service proxy) on changes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from .store import Store


async def wake_on_changes(
    store: Store, key: tuple[str, str], wake: asyncio.Event, stopped: Callable[[], bool], retry: float
) -> None:
    """Set `wake` on every change of `key` until `stopped()`. A watch the store ended (410 after
    falling behind) is reopened, after `retry` seconds so a closed store cannot make us spin."""
    while not stopped():
        watch = store.watch(key)
        try:
            async for _ in watch:
                wake.set()
        finally:
            watch.close()
        wake.set()
        await asyncio.sleep(retry)
