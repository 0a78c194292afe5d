"""What to write into a container's (and a pod's) cgroup, per cgroup version: sans-IO.

The numbers follow the kubelet (pkg/kubelet/cm/helpers_linux.go, kuberuntime_container_linux.go)
as runc applies them; docs/reference/cgroups.md has the table and the sources.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_CEILING
from typing import Any

from podlab.k8s.quantity import parse_quantity

Obj = dict[str, Any]

# kubelet's constants (cm/helpers_linux.go): shares bounds, the CFS period, the 1 ms quota floor.
MIN_SHARES = 2
MAX_SHARES = 262144
SHARES_PER_CPU = 1024
QUOTA_PERIOD_US = 100_000
MIN_QUOTA_US = 1_000


@dataclass(frozen=True)
class ContainerResources:
    """A container's `resources` as the cgroup sees them (requests already defaulted to limits)."""

    memory_limit: int | None = None  # bytes
    cpu_limit_milli: int | None = None
    cpu_request_milli: int = 0

    @classmethod
    def from_spec(cls, container: Obj) -> ContainerResources:
        res = _mapping(container.get("resources"))
        limits, requests = _mapping(res.get("limits")), _mapping(res.get("requests"))
        cpu_limit = _milli(limits.get("cpu"))
        # The API server defaults a missing request to the limit (SetDefaults_Pod); so here.
        request = _milli(requests.get("cpu")) if "cpu" in requests else cpu_limit
        return cls(
            memory_limit=_whole(limits.get("memory")),
            cpu_limit_milli=cpu_limit or None,
            cpu_request_milli=request or 0,
        )

    @property
    def has_limits(self) -> bool:
        return self.memory_limit is not None or self.cpu_limit_milli is not None


def _mapping(value: Any) -> Obj:
    return value if isinstance(value, dict) else {}


def _whole(value: Any) -> int | None:
    """Quantity.Value(): rounded up to a whole number; None when absent or malformed (validation
    reports malformed quantities before a pod gets here)."""
    if value is None:
        return None
    try:
        return int(parse_quantity(value).to_integral_value(rounding=ROUND_CEILING))
    except ValueError:
        return None


def _milli(value: Any) -> int | None:
    if value is None:
        return None
    try:
        return int((parse_quantity(value) * 1000).to_integral_value(rounding=ROUND_CEILING))
    except ValueError:
        return None


def milli_cpu_to_quota(milli: int, period_us: int = QUOTA_PERIOD_US) -> int:
    """MilliCPUToQuota: 0 means no limit; otherwise never under the kernel's 1 ms floor."""
    if milli == 0:
        return 0
    return max(milli * period_us // 1000, MIN_QUOTA_US)


def milli_cpu_to_shares(milli: int) -> int:
    """MilliCPUToShares: no request gets the minimum (2 shares), as a BestEffort container does."""
    if milli == 0:
        return MIN_SHARES
    return min(max(milli * SHARES_PER_CPU // 1000, MIN_SHARES), MAX_SHARES)


def shares_to_weight(shares: int) -> int:
    """cgroup v2 cpu.weight from v1 shares: runc >= 1.4's curve (opencontainers/cgroups
    ConvertCPUSharesToCgroupV2Value), which maps the default 1024 shares to the default weight
    100 (the older linear formula gave 39). Chosen so an unconfigured container keeps v2's default."""
    if shares <= MIN_SHARES:
        return 1
    if shares >= MAX_SHARES:
        return 10000
    log2 = math.log2(shares)
    exponent = (log2 * log2 + 125 * log2) / 612.0 - 7.0 / 34.0
    return math.ceil(10**exponent)


@dataclass(frozen=True)
class Write:
    """One cgroup file to write. `controller` names the v1 hierarchy; "" is v2's unified tree."""

    controller: str
    file: str
    value: str


def v1_container_writes(res: ContainerResources, *, memsw: bool) -> list[Write]:
    """cgroup v1 files for a container. `memsw`: swap accounting exists (memory.memsw.*)."""
    out: list[Write] = []
    if res.memory_limit is not None:
        # limit_in_bytes first: memsw may never be below it, and a fresh cgroup's memsw is unlimited.
        out.append(Write("memory", "memory.limit_in_bytes", str(res.memory_limit)))
        if memsw:
            # NoSwap (the kubelet's default): memory+swap = memory, so the container cannot swap.
            out.append(Write("memory", "memory.memsw.limit_in_bytes", str(res.memory_limit)))
    out.append(Write("cpu", "cpu.shares", str(milli_cpu_to_shares(res.cpu_request_milli))))
    if res.cpu_limit_milli is not None:
        out.append(Write("cpu", "cpu.cfs_period_us", str(QUOTA_PERIOD_US)))
        out.append(Write("cpu", "cpu.cfs_quota_us", str(milli_cpu_to_quota(res.cpu_limit_milli))))
    return out


def v2_container_writes(res: ContainerResources, *, swap: bool) -> list[Write]:
    """cgroup v2 files for a container. `swap`: the swap controller exists (memory.swap.max)."""
    out = [Write("", "memory.max", "max" if res.memory_limit is None else str(res.memory_limit))]
    if swap:
        out.append(Write("", "memory.swap.max", "0"))
    # The kubelet's default (singleProcessOOMKill: false): an OOM kill takes the whole container.
    out.append(Write("", "memory.oom.group", "1"))
    quota = milli_cpu_to_quota(res.cpu_limit_milli or 0)
    out.append(Write("", "cpu.max", f"{quota or 'max'} {QUOTA_PERIOD_US}"))
    out.append(Write("", "cpu.weight", str(shares_to_weight(milli_cpu_to_shares(res.cpu_request_milli)))))
    return out


def pod_writes(version: int, pids_limit: int | None) -> list[Write]:
    """The pod cgroup's pids.max (kubelet's podPidsLimit; none means unlimited)."""
    value = "max" if pids_limit is None or pids_limit < 0 else str(pids_limit)
    return [Write("pids" if version == 1 else "", "pids.max", value)]
