"""The sans-IO cgroup core: values per version (reference §3.1), detection, counters, CPU rates."""

from __future__ import annotations

import os

import pytest

from podlab.runtime.cgroups.counters import exit_reason, oom_kills, working_set
from podlab.runtime.cgroups.detect import Mounts, decide, parse_mountinfo, v2_path
from podlab.runtime.cgroups.values import (
    ContainerResources,
    Write,
    milli_cpu_to_quota,
    milli_cpu_to_shares,
    pod_writes,
    shares_to_weight,
    v1_container_writes,
    v2_container_writes,
)
from podlab.runtime.usage import CpuRates, Sample, parse_meminfo_working_set, parse_pid_stat, tree_usage


def res(limits: dict[str, str] | None = None, requests: dict[str, str] | None = None) -> ContainerResources:
    return ContainerResources.from_spec({"resources": {"limits": limits or {}, "requests": requests or {}}})


def v2(resources: ContainerResources, *, swap: bool = True) -> dict[str, str]:
    return {w.file: w.value for w in v2_container_writes(resources, swap=swap)}


@pytest.mark.parametrize(
    ("cpu", "expected"),
    [("500m", "50000 100000"), ("5m", "1000 100000"), ("2", "200000 100000"), ("100m", "10000 100000")],
)
def test_v2_cpu_max_is_the_kubelets_quota_over_a_100ms_period(cpu: str, expected: str) -> None:
    assert v2(res({"cpu": cpu}))["cpu.max"] == expected


def test_v2_without_limits_writes_the_defaults_max() -> None:
    files = v2(res())
    assert files["cpu.max"] == "max 100000"
    assert files["memory.max"] == "max"


def test_v2_memory_limit_no_swap_and_the_whole_container_oom_group() -> None:
    files = v2(res({"memory": "50Mi"}))
    assert files["memory.max"] == str(50 * 1024 * 1024)
    assert files["memory.swap.max"] == "0"
    assert files["memory.oom.group"] == "1"
    assert "memory.swap.max" not in v2(res({"memory": "50Mi"}), swap=False)


def test_v2_cpu_weight_follows_runc_1_4s_curve() -> None:
    # 1024 shares (1 CPU requested) -> the v2 default 100; the extremes map to 1 and 10000.
    assert shares_to_weight(1024) == 100
    assert shares_to_weight(2) == 1
    assert shares_to_weight(262144) == 10000
    assert v2(res(requests={"cpu": "1"}))["cpu.weight"] == "100"
    assert v2(res())["cpu.weight"] == "1"  # no request: 2 shares, as a BestEffort container


def test_kubelet_conversions_and_their_floors() -> None:
    assert milli_cpu_to_quota(0) == 0
    assert milli_cpu_to_quota(5) == 1000  # never under the kernel's 1 ms
    assert milli_cpu_to_shares(0) == 2
    assert milli_cpu_to_shares(1) == 2
    assert milli_cpu_to_shares(250) == 256
    assert milli_cpu_to_shares(1_000_000) == 262144


def test_v1_writes_limit_before_memsw_and_the_cfs_pair() -> None:
    writes = v1_container_writes(res({"memory": "64Mi", "cpu": "100m"}), memsw=True)
    assert writes == [
        Write("memory", "memory.limit_in_bytes", str(64 << 20)),
        Write("memory", "memory.memsw.limit_in_bytes", str(64 << 20)),
        Write("cpu", "cpu.shares", "102"),
        Write("cpu", "cpu.cfs_period_us", "100000"),
        Write("cpu", "cpu.cfs_quota_us", "10000"),
    ]
    assert [w.file for w in v1_container_writes(res(), memsw=True)] == ["cpu.shares"]


def test_quantities_round_up_like_quantity_value() -> None:
    r = res({"memory": "1.5", "cpu": "0.0001"})
    assert r.memory_limit == 2
    assert r.cpu_limit_milli == 1
    assert res({"memory": "1G"}).memory_limit == 10**9


def test_pod_pids_limit() -> None:
    assert pod_writes(1, 64) == [Write("pids", "pids.max", "64")]
    assert pod_writes(2, None) == [Write("", "pids.max", "max")]


THIS_VM = """\
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
"""


def test_hybrid_host_without_v2_controllers_uses_v1() -> None:
    mounts = parse_mountinfo(THIS_VM)
    assert mounts.v2 == "/sys/fs/cgroup/unified"
    assert mounts.v1["memory"] == "/sys/fs/cgroup/memory"
    setup = decide(mounts, "/", ["hugetlb"], lambda _: True, 0)
    assert setup.version == 1
    assert setup.roots["memory"] == "/sys/fs/cgroup/memory/podlab"
    assert set(setup.roots) == {"memory", "cpu", "cpuacct", "pids"}


def test_rootless_without_delegation_says_why() -> None:
    setup = decide(parse_mountinfo(THIS_VM), "/", ["hugetlb"], lambda _: False, 1000)
    assert not setup.enabled
    assert setup.summary.startswith("no writable cgroup: ")
    assert (
        "cgroup v2 at /sys/fs/cgroup/unified has no memory controller (available: hugetlb)" in setup.summary
    )
    assert "not writable by uid 1000" in setup.summary
    assert "Delegate=yes" in setup.summary


def test_delegated_v2_is_preferred() -> None:
    mounts = Mounts({}, "/sys/fs/cgroup")
    own = v2_path("0::/user.slice/user-1000.slice/user@1000.service/app.slice/podlab.scope\n")
    setup = decide(mounts, own, ["cpu", "memory", "pids"], lambda p: p.endswith("subtree_control"), 1000)
    assert setup.version == 2
    assert setup.roots == {
        "": "/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/app.slice/podlab.scope"
    }
    refused = decide(mounts, own, ["cpu", "memory", "pids"], lambda _: False, 1000)
    assert "is not delegated to uid 1000" in refused.summary


def test_oomkilled_needs_exit_137_and_a_new_oom_kill() -> None:
    assert oom_kills("oom_kill_disable 0\nunder_oom 0\noom_kill 2\n") == 2  # v1 memory.oom_control
    assert oom_kills("low 0\nhigh 0\nmax 5\noom 1\noom_kill 1\noom_group_kill 0\n") == 1  # v2 memory.events
    assert exit_reason(137, 0, 1) == "OOMKilled"
    assert exit_reason(137, 1, 1) == "Error"  # a SIGKILL (grace period over) is no OOM
    assert exit_reason(1, 0, 1) == "Error"
    assert exit_reason(0, 0, 0) == "Completed"


def test_working_set_is_usage_minus_inactive_file() -> None:
    assert working_set(100 << 20, "cache 5\ntotal_inactive_file 20971520\n", version=1) == 80 << 20
    assert working_set(10, "inactive_file 20\n", version=2) == 0
    meminfo = "MemTotal: 1000 kB\nMemFree: 400 kB\nInactive(file): 100 kB\n"
    assert parse_meminfo_working_set(meminfo) == 500 * 1024


def test_cpu_rate_uses_the_newest_sample_a_second_old_or_the_start() -> None:
    rates = CpuRates()
    start = Sample(100.0, 0)
    # First look 0.5 s after the start: measured from the start.
    assert rates.rate("c", Sample(100.5, 50_000_000), start) == (100_000_000, 0.5)
    # 2 s later: the 0.5 s sample is the window's start (0.1 CPU over 2 s).
    nanocores, window = rates.rate("c", Sample(102.5, 250_000_000), start)
    assert (nanocores, window) == (100_000_000, 2.0)
    rates.forget([])
    assert rates.rate("node", Sample(5.0, 10), None) == (0, 0.0)


def test_proc_fallback_sums_a_process_tree() -> None:
    # /proc/<pid>/stat with a command holding spaces and a parenthesis.
    stat = "42 (my (odd) cmd) S 1 42 42 0 -1 0 0 0 0 0 7 3 2 1 20 0 1 0 100 1000 25 rest"
    parsed = parse_pid_stat(stat)
    assert (parsed.ppid, parsed.cpu_ticks, parsed.rss_pages) == (1, 13, 25)
    table = {
        42: parsed,
        43: parse_pid_stat(stat.replace("42 (", "43 (").replace(" S 1 ", " S 42 ")),
        7: parsed,
    }
    cpu, rss = tree_usage(table, 42)
    assert rss == 50 * os.sysconf("SC_PAGE_SIZE")
    assert cpu > 0
