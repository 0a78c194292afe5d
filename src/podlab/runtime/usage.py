"""Resource usage for metrics.k8s.io (`kubectl top`): containers from their cgroups, or from
/proc when there are none, and the node from /proc. CPU is a rate over a window (CpuRates,
sans-IO); memory is the working set as the kubelet reports it (runtime/cgroups/counters.py).
"""

from __future__ import annotations

import contextlib
import os
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

# A window shorter than this says more about scheduling noise than about usage.
MIN_WINDOW = 1.0
# Samples older than this are dropped (metrics-server's windows are 10-30 s).
KEEP_SECONDS = 60.0


@dataclass(frozen=True)
class Sample:
    at: float  # monotonic seconds
    cpu_ns: int  # cumulative CPU time


@dataclass(frozen=True)
class Usage:
    cpu_nanocores: int
    memory_bytes: int
    window: float  # seconds the CPU rate was measured over


class CpuRates:
    """Per key (a container id, "node"), recent CPU samples; a rate is measured from the newest
    sample at least MIN_WINDOW older than now, or from `first` (the container's start, zero CPU
    time) when there is none yet, so the first `kubectl top` already has a number."""

    def __init__(self) -> None:
        self._samples: dict[str, deque[Sample]] = {}

    def rate(self, key: str, now: Sample, first: Sample | None = None) -> tuple[int, float]:
        """(nanocores, window seconds); (0, 0.0) when no window exists yet."""
        samples = self._samples.setdefault(key, deque())
        while samples and now.at - samples[0].at > KEEP_SECONDS:
            samples.popleft()
        start = first
        for sample in samples:
            if now.at - sample.at >= MIN_WINDOW:
                start = sample
        samples.append(now)
        if start is None or now.at - start.at <= 0:
            return 0, 0.0
        window = now.at - start.at
        return int(max(now.cpu_ns - start.cpu_ns, 0) / window), window

    def forget(self, keep: Iterable[str]) -> None:
        """Drop the samples of keys not in `keep` (containers that are gone)."""
        wanted = set(keep)
        for key in [k for k in self._samples if k not in wanted]:
            del self._samples[key]


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def parse_proc_stat_cpu(text: str) -> int:
    """Busy CPU time of the machine in ns from /proc/stat's `cpu` line (user nice system idle
    iowait irq softirq steal ...): everything but idle and iowait."""
    for line in text.splitlines():
        if line.startswith("cpu "):
            f = [int(x) for x in line.split()[1:]]
            busy = sum(f[:3]) + sum(f[5:8])
            return busy * 1_000_000_000 // CLOCK_TICKS
    return 0


def parse_meminfo_working_set(text: str) -> int:
    """The node's working set: memory in use (MemTotal - MemFree) minus inactive file pages,
    what the kubelet reports for the root cgroup."""
    info: dict[str, int] = {}
    for line in text.splitlines():
        key, _, rest = line.partition(":")
        parts = rest.split()
        if parts:
            info[key] = int(parts[0]) * 1024
    return max(info.get("MemTotal", 0) - info.get("MemFree", 0) - info.get("Inactive(file)", 0), 0)


def node_sample() -> tuple[int, int]:
    """(busy CPU ns, working set bytes) of the whole machine."""
    return (
        parse_proc_stat_cpu(Path("/proc/stat").read_text()),
        parse_meminfo_working_set(Path("/proc/meminfo").read_text()),
    )


@dataclass(frozen=True)
class ProcStat:
    ppid: int
    cpu_ticks: int  # utime + stime + cutime + cstime (waited-for children included)
    rss_pages: int


def parse_pid_stat(text: str) -> ProcStat:
    # The command name may hold spaces and parentheses: fields start after the last ')'.
    fields = text[text.rfind(")") + 2 :].split()
    return ProcStat(
        ppid=int(fields[1]),
        cpu_ticks=sum(int(x) for x in fields[11:15]),
        rss_pages=int(fields[21]),
    )


def process_table() -> dict[int, ProcStat]:
    table: dict[int, ProcStat] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                table[int(entry)] = parse_pid_stat(Path("/proc", entry, "stat").read_text())
    return table


def tree_usage(table: dict[int, ProcStat], root: int) -> tuple[int, int]:
    """(CPU ns, resident bytes) of `root` and its descendants: the /proc fallback without cgroups."""
    children: dict[int, list[int]] = {}
    for pid, stat in table.items():
        children.setdefault(stat.ppid, []).append(pid)
    ticks = rss = 0
    todo = [root]
    seen: set[int] = set()
    while todo:
        pid = todo.pop()
        if pid in seen or pid not in table:
            continue
        seen.add(pid)
        ticks += table[pid].cpu_ticks
        rss += table[pid].rss_pages
        todo.extend(children.get(pid, ()))
    return ticks * 1_000_000_000 // CLOCK_TICKS, rss * PAGE_SIZE
