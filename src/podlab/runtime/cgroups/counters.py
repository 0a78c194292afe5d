"""Reading cgroup files: the OOM kill count, memory working set, CPU time; the OOMKilled rule.
Sans-IO: every function takes the file's text."""

from __future__ import annotations


def flat_keyed(text: str) -> dict[str, int]:
    """`key value` lines (memory.events, memory.stat, memory.oom_control, cpu.stat)."""
    out: dict[str, int] = {}
    for line in text.splitlines():
        key, _, value = line.partition(" ")
        try:
            out[key] = int(value.strip())
        except ValueError:
            continue
    return out


def oom_kills(text: str) -> int:
    """`oom_kill` of v1 memory.oom_control or v2 memory.events (0 on kernels without it)."""
    return flat_keyed(text).get("oom_kill", 0)


def working_set(usage: int, memory_stat: str, *, version: int) -> int:
    """The kubelet's (cAdvisor's) working set: usage minus inactive file pages, never negative.
    v1's memory.stat has the hierarchical total_inactive_file; v2's inactive_file is hierarchical."""
    stat = flat_keyed(memory_stat)
    inactive = stat.get("total_inactive_file" if version == 1 else "inactive_file", 0)
    return max(usage - inactive, 0)


def cpu_usage_ns_v2(cpu_stat: str) -> int:
    return flat_keyed(cpu_stat).get("usage_usec", 0) * 1000


def exit_reason(exit_code: int, oom_before: int, oom_after: int) -> str:
    """containerd's rule (internal/cri/server/events.go): an exit of 137 while the container's
    cgroup counted a new OOM kill is OOMKilled; otherwise Completed for 0 and Error for the rest.
    The count is per cgroup, so an OOM kill of any process in the container marks it."""
    if exit_code == 137 and oom_after > oom_before:
        return "OOMKilled"
    return "Completed" if exit_code == 0 else "Error"
