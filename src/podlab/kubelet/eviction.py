"""emptyDir `sizeLimit`, enforced as kubelet's eviction manager does (pkg/kubelet/eviction).

Every monitoring period kubelet measures each pod's emptyDir volumes and evicts a pod whose
volume exceeds its sizeLimit at once: event `Warning Evicted`, pod phase Failed, reason
Evicted, message `Usage of EmptyDir volume "NAME" exceeds the limit "SIZE". ` (with kubelet's
trailing space). The decision is sans-IO (`emptydir_violation`); measuring is a blocking
directory walk run in a worker thread; `run_eviction` is the thin loop.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from podlab.k8s.quantity import parse_quantity

if TYPE_CHECKING:
    from podlab.kubelet.kubelet import Kubelet

log = logging.getLogger("podlab.kubelet")

Obj = dict[str, Any]

# KubeletConfiguration evictionMonitoringPeriod default (housekeeping interval).
EVICTION_MONITORING_PERIOD = 10.0
# eviction_manager.go localStorageEviction: emptyDir / ephemeral-storage evictions use a
# grace period override of 1 s, not the pod's terminationGracePeriodSeconds.
EVICTION_GRACE_SECONDS = 1


def size_limits(pod: Obj) -> dict[str, str]:
    """emptyDir volumes with a sizeLimit: name -> the limit as written (the message quotes it)."""
    limits: dict[str, str] = {}
    for vol in (pod.get("spec") or {}).get("volumes") or []:
        limit = (vol.get("emptyDir") or {}).get("sizeLimit")
        if "emptyDir" in vol and limit:
            limits[str(vol["name"])] = str(limit)
    return limits


def emptydir_violation(limits: Mapping[str, str], usage: Mapping[str, int]) -> str | None:
    """The eviction message for the first volume over its limit (spec order), else None."""
    for name, limit in limits.items():
        if usage.get(name, 0) > parse_quantity(limit):
            return f'Usage of EmptyDir volume "{name}" exceeds the limit "{limit}". '
    return None


def disk_usage(path: Path) -> int:
    """Bytes allocated under `path` (du: blocks, not apparent sizes; links not followed)."""
    total = 0
    stack = [str(path)]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:
            continue
        for entry in entries:
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            total += st.st_blocks * 512
            if entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
    return total


def _usage_of(dirs: Mapping[str, Path]) -> dict[str, int]:
    return {name: disk_usage(path) for name, path in dirs.items()}


async def run_eviction(kubelet: Kubelet, period: float = EVICTION_MONITORING_PERIOD) -> None:
    """Check every pod with emptyDir limits each `period`; evict the ones over a limit."""
    while True:
        await kubelet.clock.sleep_until(kubelet.clock.now() + period)
        for runner in list(kubelet.runners.values()):
            limits = size_limits(runner.pod)
            if (
                not limits
                or runner.sandbox.volumes is None
                or runner.worker.deleting
                or runner.worker.evicted
            ):
                continue
            dirs = {name: runner.sandbox.volumes[name] for name in limits if name in runner.sandbox.volumes}
            usage = await asyncio.to_thread(_usage_of, dirs)
            message = emptydir_violation(limits, usage)
            if message is not None:
                log.info("evicting pod %s: %s", runner.pod["metadata"].get("name"), message)
                runner.evict(message)
