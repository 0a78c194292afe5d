"""Test doubles for the kubelet's collaborators, built on its seams: a runtime that satisfies
``ContainerRuntime`` (no processes; containers live and die on a VirtualClock) and a scripted
``ProbeAttempt``. The Kubelet, store, probe workers, backoff and status stay the real ones."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from kubelet_helpers import CLUSTER_DNS, running

from podlab.kubelet import Kubelet, VirtualClock
from podlab.kubelet.container_runtime import SourceLookup
from podlab.kubelet.probe_results import ProbeType
from podlab.kubelet.resolv_conf import ClusterDNS
from podlab.probes import ProbeOutcome, ProbeResult, ProbeTarget
from podlab.runtime import ContainerLaunch, ExecResult, ExitInfo, ImageReport, release_pod_ip
from podlab.store import Store

Obj = dict[str, Any]
PODS = ("", "pods")


class ScriptedContainer:
    """Exits with ``exit_code`` after ``lifetime`` virtual seconds (never if None)."""

    _ids = itertools.count(1)

    def __init__(self, clock: VirtualClock, lifetime: float | None, exit_code: int) -> None:
        self.container_id = f"containerd://{next(self._ids):064x}"
        self.started_at: datetime = clock.wall()
        self.pid = 0  # no process: nothing shares its PID namespace
        self.stop_grace: float | None = None  # the grace the kubelet's kill asked for
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
        # The program honours SIGTERM at once: exit 143 (128 + 15).
        self.stop_grace = grace_seconds
        self._finish(143)
        return await asyncio.shield(self._exit)

    async def exec(self, argv: list[str], timeout: float) -> ExecResult:
        return ExecResult(0, b"", False)


class ScriptedRuntime:
    """A ``ContainerRuntime``: every start succeeds and records its virtual time."""

    def __init__(self, clock: VirtualClock, lifetime: float | None, exit_code: int = 1) -> None:
        self.clock = clock
        self.lifetime = lifetime
        self.exit_code = exit_code
        self.starts: list[float] = []
        self.containers: list[ScriptedContainer] = []
        self.launches: list[ContainerLaunch] = []

    def materialise_volumes(self, pod: Obj, lookup: SourceLookup) -> dict[str, Path]:
        return {}

    def refresh_volumes(self, pod: Obj, lookup: SourceLookup, volumes: Mapping[str, Path]) -> list[str]:
        return []

    def release_pod(self, pod_uid: str) -> None:
        release_pod_ip(pod_uid)  # as the real runtime does

    async def ensure_image(
        self, pod: Obj, container: Obj, pull_secrets: list[Obj], pulling: Callable[[], None]
    ) -> ImageReport:
        return ImageReport(source="builtin", pulled=False)  # every image is built in

    def node_images(self) -> list[tuple[list[str], int]]:
        return []

    async def start(self, launch: ContainerLaunch) -> ScriptedContainer:
        self.starts.append(self.clock.now())
        self.launches.append(launch)
        container = ScriptedContainer(self.clock, self.lifetime, self.exit_code)
        self.containers.append(container)
        return container


@dataclass
class ScriptedProbe:
    """A ``ProbeAttempt`` whose outcome ``script`` decides; records each attempt's virtual time."""

    clock: VirtualClock
    script: Callable[[ProbeType], ProbeOutcome]
    attempts: list[tuple[float, ProbeType]] = field(default_factory=list)

    async def __call__(self, probe: Obj, target: ProbeTarget, probe_type: ProbeType) -> ProbeOutcome:
        self.attempts.append((self.clock.now(), probe_type))
        return self.script(probe_type)


def failure(message: str) -> ProbeOutcome:
    return ProbeOutcome(ProbeResult.FAILURE, message)


SUCCESS = ProbeOutcome(ProbeResult.SUCCESS, "")


@asynccontextmanager
async def virtual_node(
    clock: VirtualClock,
    runtime: ScriptedRuntime,
    probe: ScriptedProbe | None = None,
    cluster_dns: ClusterDNS = CLUSTER_DNS,
) -> AsyncIterator[tuple[Store, Kubelet]]:
    """A real Store and Kubelet on ``clock`` with the scripted runtime (and probe, if given)."""
    store = Store(None)
    if probe is None:
        kubelet = Kubelet(store, runtime, clock=clock, cluster_dns=cluster_dns)
    else:
        kubelet = Kubelet(store, runtime, clock=clock, probe_attempt=probe, cluster_dns=cluster_dns)
    try:
        async with running(kubelet):
            yield store, kubelet
    finally:
        store.close()
