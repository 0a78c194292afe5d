"""Resource limits at the runtime: honesty without cgroups, the exec hook, /proc usage."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from podlab.runtime import ContainerLaunch, Runtime
from podlab.runtime.cgroups import CgroupHost
from podlab.runtime.limits import NOT_ENFORCED

HOST = CgroupHost.detect("probe")


def sleeper(limits: dict[str, str]) -> dict[str, Any]:
    return {"name": "c", "image": "busybox", "command": ["sleep", "30"], "resources": {"limits": limits}}


async def wait_for_usage(rt: Runtime) -> list[Any]:
    for _ in range(100):  # up to 5 s
        found = rt.limits.container_usage()
        if found and found[0].usage.memory_bytes > 0:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError("no usage reported")


def test_without_cgroups_limits_get_a_warning_event_and_no_fake_oom(
    mode: str, home: Path, pod_ip: str, make_pod: Callable[..., dict[str, Any]]
) -> None:
    reason = "no writable cgroup: cgroup v1 /sys/fs/cgroup/memory not writable by uid 1000"
    warnings: list[tuple[str, str]] = []

    async def run() -> None:
        rt = Runtime(home, sandbox=mode, cgroups=CgroupHost.disabled(reason))
        assert rt.limits.status == "not enforced: " + reason
        pod = make_pod()
        container = sleeper({"memory": "50Mi"}) | {"command": ["sh", "-c", "exit 0"]}
        for restart in range(2):
            launch = ContainerLaunch(
                pod, container, pod_ip, restart, {}, warn=lambda r, m: warnings.append((r, m))
            )
            rc = await rt.start(launch)
            assert rc.cgroup is None
            info = await asyncio.wait_for(rc.wait(), 20)
            assert (info.exit_code, info.reason) == (0, "Completed")
        # No limits, no warning.
        plain = ContainerLaunch(
            make_pod(),
            sleeper({}) | {"command": ["true"]},
            pod_ip,
            0,
            {},
            warn=lambda r, m: warnings.append((r, m)),
        )
        await asyncio.wait_for((await rt.start(plain)).wait(), 20)
        await rt.stop_all(1)

    asyncio.run(run())
    # Once per container, however often it restarts.
    assert warnings == [(NOT_ENFORCED, f"Resource limits of container c are not enforced: {reason}")]


def test_usage_without_cgroups_comes_from_proc(
    mode: str, home: Path, pod_ip: str, make_pod: Callable[..., dict[str, Any]]
) -> None:
    async def run() -> None:
        rt = Runtime(home, sandbox=mode, cgroups=CgroupHost.disabled("no writable cgroup: test"))
        rc = await rt.start(ContainerLaunch(make_pod(), sleeper({}), pod_ip, 0, {}))
        try:
            usage = (await wait_for_usage(rt))[0]
            assert usage.ref.container == "c"
            assert usage.usage.memory_bytes > 0  # the resident set of its process tree
            node, _ = rt.limits.node_usage()
            assert node.memory_bytes > 0 and node.window > 0
        finally:
            await rc.stop(0)
            await rt.stop_all(1)

    asyncio.run(run())


@pytest.mark.skipif(not HOST.enabled, reason=f"needs a writable cgroup ({HOST.summary})")
def test_join_cgroup_puts_an_exec_session_in_the_containers_cgroup(
    mode: str, home: Path, pod_ip: str, make_pod: Callable[..., dict[str, Any]]
) -> None:
    async def run() -> None:
        rt = Runtime(home, sandbox=mode)
        rc = await rt.start(ContainerLaunch(make_pod(), sleeper({"memory": "64Mi"}), pod_ip, 0, {}))
        outsider = subprocess.Popen(["sleep", "30"])
        try:
            assert rc.cgroup is not None
            rc.join_cgroup(outsider.pid)
            for directory in rc.cgroup.dirs.values():
                members = (directory / "cgroup.procs").read_text().split()
                assert str(outsider.pid) in members
            # The container's own PID writes itself in as its first step (launchers.enter_cgroup),
            # which may come a moment after start() returned.
            for _ in range(100):  # up to 5 s
                if all(
                    str(rc.pid) in (d / "cgroup.procs").read_text().split() for d in rc.cgroup.dirs.values()
                ):
                    break
                await asyncio.sleep(0.05)
            else:
                raise AssertionError(f"container PID {rc.pid} never joined {list(rc.cgroup.dirs.values())}")
            assert (await wait_for_usage(rt))[0].usage.memory_bytes > 0
            dirs = list(rc.cgroup.dirs.values())
        finally:
            outsider.kill()
            outsider.wait()
            await rc.stop(0)
            await rt.stop_all(1)
        # The container's cgroup went with it, and the node's with the runtime.
        assert not any(d.exists() for d in dirs)
        assert not any(d.exists() for d in rt.limits.host.node_dirs().values())

    asyncio.run(run())
