"""A restarted container's cgroup against the old instance's removal, on this host's real cgroups."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from podlab.runtime.cgroups import CgroupHost, ContainerResources
from podlab.runtime.cgroups.host import node_key


@pytest.fixture
def host(tmp_path: Path) -> Iterator[CgroupHost]:
    found = CgroupHost.detect(node_key(tmp_path))
    if not found.enabled:
        pytest.skip(f"no usable cgroups here: {found.summary}")
    found.start()
    yield found
    found.close()


def test_removing_the_old_instance_leaves_the_restarted_one_alone(host: CgroupHost) -> None:
    """The old instance's cgroup is removed while its processes die (the removal SIGKILLs and
    retries); the new instance, made meanwhile, keeps a cgroup a process can join. With one
    directory per container name the removal took the new instance's too, and its start failed
    with `cgroup.procs: Directory nonexistent`."""
    resources = ContainerResources.from_spec({"name": "app"})
    old = host.create_container("uid-1", "app", resources, restart_count=0)
    dying = subprocess.Popen(["sleep", "30"])
    old.add_process(dying.pid)
    new = host.create_container("uid-1", "app", resources, restart_count=1)
    assert set(old.dirs.values()).isdisjoint(new.dirs.values())

    old.remove()
    assert dying.wait(timeout=10) == -9  # still inside when removed: SIGKILLed
    assert not any(d.exists() for d in old.dirs.values())
    joined = subprocess.Popen(["sleep", "30"])
    try:
        new.add_process(joined.pid)
        for directory in new.dirs.values():
            assert str(joined.pid) in (directory / "cgroup.procs").read_text().split()
    finally:
        joined.kill()
        joined.wait(timeout=10)
