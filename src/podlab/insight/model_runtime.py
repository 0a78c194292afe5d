"""A container runtime whose containers are a model, living on a VirtualClock (no processes).

It satisfies the kubelet's ``ContainerRuntime`` seam, so the real Kubelet (pod workers, probe
workers, backoff, status, events) runs against it unchanged. Each started instance draws its
start-up time (and, if the model says so, the time it exits by itself) from the model's
distributions with the run's seeded random generator.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import signal
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from podlab.insight.model import AppModel, ContainerModel
from podlab.kubelet.clock import VirtualClock
from podlab.kubelet.container_runtime import SourceLookup
from podlab.runtime import ContainerLaunch, ExecResult, ExitInfo
from podlab.runtime.image_service import ImageReport

Obj = dict[str, Any]


@dataclass
class Instance:
    """One started container: when it started and when it begins to answer probes."""

    pod_uid: str
    name: str
    model: ContainerModel
    started: float  # virtual seconds
    serving_from: float


class ModelContainer:
    _ids = itertools.count(1)
    pid = 0  # no process: nothing to join or signal

    def __init__(
        self, clock: VirtualClock, instance: Instance, rng: random.Random, exits: list[tuple[float, str, int]]
    ) -> None:
        self.container_id = f"containerd://{next(self._ids):064x}"
        self.instance = instance
        self.started_at: datetime = clock.wall()
        self._clock = clock
        self._rng = rng
        self._exits = exits  # (time, container, exit code) of exits the model caused itself
        self._exit: asyncio.Future[ExitInfo] = asyncio.get_running_loop().create_future()
        self._timer: asyncio.Task[None] | None = None
        if instance.model.exit_after is not None:
            lifetime = instance.model.exit_after.sample(rng)
            self._timer = asyncio.ensure_future(self._exit_after(lifetime, instance.model.exit_code))

    @property
    def running(self) -> bool:
        return not self._exit.done()

    async def _exit_after(self, lifetime: float, code: int) -> None:
        await self._clock.sleep(lifetime)
        if not self._exit.done():
            self._exits.append((self._clock.now(), self.instance.name, code))
        self._finish(code, None)

    def _finish(self, code: int, sig: int | None) -> None:
        if not self._exit.done():
            reason = "Completed" if code == 0 else "Error"
            self._exit.set_result(ExitInfo(code, sig, reason, self._clock.wall()))
        if self._timer is not None and self._timer is not asyncio.current_task():
            self._timer.cancel()

    async def wait(self) -> ExitInfo:
        return await asyncio.shield(self._exit)

    async def stop(self, grace_seconds: float) -> ExitInfo:
        if self.instance.model.sigterm == "exit":
            self._finish(128 + signal.SIGTERM, signal.SIGTERM)
        else:
            # PID 1 without a SIGTERM handler: SIGKILL once the grace period is over.
            await self._clock.sleep(grace_seconds)
            self._finish(128 + signal.SIGKILL, signal.SIGKILL)
        return await asyncio.shield(self._exit)

    async def exec(self, argv: list[str], timeout: float) -> ExecResult:
        target = self.instance.model.exec.get(" ".join(argv))
        if target is None:
            return ExecResult(0, b"", False)
        latency = target.latency.sample(self._rng)
        now = self._clock.now()
        window = target.window_at(now, self.instance.started)
        if (window is not None and window.hang) or latency >= timeout:
            await self._clock.sleep(timeout)
            return ExecResult(-1, b"", True)
        await self._clock.sleep(latency)
        if window is not None:
            return ExecResult(1, target.output.encode(), False)
        return ExecResult(0, b"", False)


@dataclass
class ModelRuntime:
    """Starts ModelContainers; ``instances`` maps (pod IP, container) to the current one."""

    clock: VirtualClock
    model: AppModel
    rng: random.Random
    instances: dict[tuple[str, str], Instance] = field(default_factory=dict)
    starts: list[tuple[float, str]] = field(default_factory=list)
    exits: list[tuple[float, str, int]] = field(default_factory=list)

    def materialise_volumes(self, pod: Obj, lookup: SourceLookup) -> dict[str, Path]:
        return {}

    async def ensure_image(
        self, pod: Obj, container: Obj, pull_secrets: list[Obj], pulling: Callable[[], None]
    ) -> ImageReport:
        return ImageReport(source="builtin", pulled=False)  # a model needs no image

    def node_images(self) -> list[tuple[list[str], int]]:
        return []

    def refresh_volumes(self, pod: Obj, lookup: SourceLookup, volumes: Mapping[str, Path]) -> list[str]:
        return []  # a model has no files

    def release_pod(self, pod_uid: str) -> None:
        for key in [k for k, inst in self.instances.items() if inst.pod_uid == pod_uid]:
            del self.instances[key]

    async def start(self, launch: ContainerLaunch) -> ModelContainer:
        name = str(launch.container.get("name", ""))
        model = self.model.container(name)
        now = self.clock.now()
        instance = Instance(
            str(launch.pod["metadata"].get("uid", "")), name, model, now, now + model.startup.sample(self.rng)
        )
        self.instances[(launch.pod_ip, name)] = instance
        self.starts.append((now, name))
        return ModelContainer(self.clock, instance, self.rng, self.exits)
