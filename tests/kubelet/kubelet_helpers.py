"""Real Store + real Runtime + the Kubelet driver on a fresh event loop per test."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from podlab.kubelet import Kubelet
from podlab.kubelet.resolv_conf import ClusterDNS
from podlab.runtime import Runtime
from podlab.store import NotFound, Store

Obj = dict[str, Any]
T = TypeVar("T")
PODS = ("", "pods")
BUSYBOX = "registry.k8s.io/busybox:1.27.2"

# The node these tests model runs cluster DNS, as a podlab node does (no MissingClusterDNS).
CLUSTER_DNS = ClusterDNS(
    servers=("10.96.0.10",), host_resolv="search example.internal\nnameserver 192.0.2.53\n"
)


@asynccontextmanager
async def node(tmp_path: Path) -> AsyncIterator[tuple[Store, Kubelet]]:
    store = Store(None)
    runtime = Runtime(tmp_path / "home")
    try:
        async with running(Kubelet(store, runtime, cluster_dns=CLUSTER_DNS)) as kubelet:
            yield store, kubelet
    finally:
        runtime.close()
        store.close()


@asynccontextmanager
async def running(kubelet: Kubelet) -> AsyncIterator[Kubelet]:
    """``kubelet.run()`` for the duration of the block; stopped and reaped after it."""
    task = asyncio.create_task(kubelet.run())
    try:
        yield kubelet
    finally:
        await kubelet.stop()
        task.cancel()
        try:
            await task
        except (asyncio.CancelledError, Exception):
            pass


async def eventually(check: Callable[[], T | None], timeout: float, what: str) -> T:
    """Poll ``check`` until it returns something truthy, or fail naming ``what``."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = check()
        except (NotFound, KeyError, IndexError):
            last = None
        if last:
            return last
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}; last value: {last!r}")


def pod_status(store: Store, name: str) -> Obj:
    status: Obj = store.get(PODS, "default", name).get("status") or {}
    return status


def container_status(store: Store, name: str) -> Obj:
    statuses = pod_status(store, name).get("containerStatuses") or [{}]
    result: Obj = statuses[0]
    return result


def events(store: Store, pod: str) -> list[Obj]:
    items, _ = store.list(("", "events"), "default")
    return [e for e in items if e["involvedObject"]["name"] == pod]


def find_event(store: Store, pod: str, reason: str) -> Obj | None:
    return next((e for e in events(store, pod) if e["reason"] == reason), None)


def run(coro: Awaitable[None]) -> None:
    asyncio.run(coro)  # type: ignore[arg-type]
