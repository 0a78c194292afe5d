"""Probe workers of one pod: lifecycle only (k8s prober/prober_manager.go).

``add_pod`` starts a driver per (container, probe type) in kubelet's order (startup, readiness,
liveness); ``stop_liveness_and_startup`` is what termination calls; ``update_pod_status``
triggers readiness workers of started-but-unready containers so readiness is checked right after
start or startup success instead of a period later.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from podlab.kubelet.probe_driver import ProbeDriver
from podlab.kubelet.probe_results import ProbeType
from podlab.kubelet.probe_worker import AttemptResult
from podlab.kubelet.tasks import cancel_and_wait

Obj = dict[str, Any]


@dataclass(frozen=True, slots=True)
class ProbeKey:
    container: str
    probe_type: ProbeType


class ProbeManager:
    def __init__(self, make_driver: Callable[[Obj, ProbeType, Obj], ProbeDriver]) -> None:
        self._make_driver = make_driver
        self._drivers: dict[ProbeKey, ProbeDriver] = {}
        self._tasks: dict[ProbeKey, asyncio.Task[None]] = {}

    def add_pod(self, pod: Obj) -> None:
        spec = pod.get("spec", {})
        # Probes run on app containers and on sidecars (restartable init containers) only.
        sidecars = [c for c in spec.get("initContainers") or [] if c.get("restartPolicy") == "Always"]
        for container in sidecars + spec.get("containers", []):
            for probe_type in (ProbeType.STARTUP, ProbeType.READINESS, ProbeType.LIVENESS):
                probe = container.get(f"{probe_type.value}Probe")
                key = ProbeKey(container["name"], probe_type)
                if not probe or key in self._drivers:
                    continue
                driver = self._make_driver(container, probe_type, probe)
                self._drivers[key] = driver
                self._tasks[key] = asyncio.create_task(
                    driver.run(), name=f"probe {container['name']} {probe_type.value}"
                )

    def history(self) -> dict[ProbeKey, list[AttemptResult]]:
        """The latest attempt results of each probe, oldest first (for the live view)."""
        return {key: [result for _, result, _ in driver.history] for key, driver in self._drivers.items()}

    def trigger_readiness(self, container: str) -> None:
        driver = self._drivers.get(ProbeKey(container, ProbeType.READINESS))
        if driver is not None:
            driver.trigger()

    def stop_liveness_and_startup(self) -> None:
        for key, driver in self._drivers.items():
            if key.probe_type is not ProbeType.READINESS:
                driver.stop()

    async def remove_pod(self) -> None:
        """Stop every worker and wait for them (idempotent)."""
        for driver in self._drivers.values():
            driver.stop()
        await cancel_and_wait(self._tasks.values())
        self._tasks.clear()
