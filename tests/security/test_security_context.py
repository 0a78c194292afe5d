"""securityContext in the bwrap sandbox: the ids, groups, capabilities and read-only root the
process really has, read from inside (`id`, /proc/self/status) and from the host (file owners).

Real runtime, real bubblewrap, busybox and host-userland pods; the node runs as root here (as
in CI), which is where runAsUser must not become host root.
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import uuid
from pathlib import Path
from typing import Any

import pytest

from podlab.runtime import ContainerLaunch, LogSource, Runtime
from podlab.runtime.launchers import bwrap_works
from podlab.runtime.security import capability_mask, capability_set

pytestmark = [
    pytest.mark.skipif(not bwrap_works(shutil.which("bwrap")), reason="bubblewrap is not usable here"),
    pytest.mark.skipif(os.geteuid() != 0, reason="switching to runAsUser needs a root node"),
]

STATUS = "id; grep -E '^(Groups|CapEff|CapPrm|NoNewPrivs):' /proc/self/status"


def make_pod(
    security: dict[str, Any] | None = None, volumes: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    meta = {"name": f"sc-{uuid.uuid4().hex[:6]}", "namespace": "default", "uid": str(uuid.uuid4())}
    return {"metadata": meta, "spec": {"securityContext": security or {}, "volumes": volumes or []}}


def run_once(home: Path, pod: dict[str, Any], container: dict[str, Any]) -> tuple[int, str, Any]:
    """Start the container, wait for its exit; returns (exit code, its log, the runtime's volumes)."""
    pod_ip = f"127.244.{random.randint(128, 254)}.{random.randint(1, 254)}"

    async def main() -> tuple[int, str, Any]:
        rt = Runtime(home, sandbox="bwrap")
        try:
            vols = rt.materialise_volumes(pod, lambda kind, name: None)
            rc = await rt.start(ContainerLaunch(pod, container, pod_ip, 0, vols, {}))
            async with asyncio.timeout(20):
                info = await rc.wait()
            out = LogSource(home).read("default", pod["metadata"]["name"], container["name"]).decode()
            return info.exit_code, out, vols
        finally:
            await rt.stop_all(0)

    return asyncio.run(main())


@pytest.mark.parametrize("image", ["busybox:1.36", "debian:12"])
def test_run_as_user_group_and_supplemental_groups_are_the_process_ids(tmp_path: Path, image: str) -> None:
    pod = make_pod(
        {"runAsUser": 2000, "runAsGroup": 3000, "supplementalGroups": [4000], "fsGroup": 5000},
        volumes=[{"name": "data", "emptyDir": {}}],
    )
    container = {
        "name": "c",
        "image": image,
        "command": [
            "sh",
            "-c",
            f"{STATUS}; touch /data/made; ls -ld /data; touch /made-in-root; echo root=$?",
        ],
        "securityContext": {"runAsUser": 1000},  # the container's field wins over the pod's
        "volumeMounts": [{"name": "data", "mountPath": "/data"}],
    }
    code, out, vols = run_once(tmp_path / "home", pod, container)
    assert code == 0, out
    # Unknown to the image's /etc/passwd, so `id` prints numbers, as on a node; containerd
    # lists the primary group among the supplementary ones.
    assert "uid=1000 gid=3000 groups=3000,4000,5000" in out, out
    assert "Groups:\t3000 4000 5000" in out
    # A non-root uid keeps no capability (nothing ambient), as under containerd; bwrap's
    # no_new_privs stays on.
    assert "CapEff:\t0000000000000000" in out and "CapPrm:\t0000000000000000" in out
    assert "NoNewPrivs:\t1" in out
    # The image's root belongs to root: a non-root user cannot write there.
    assert "root=1" in out
    # Host view: what the container made is owned by its uid and the fsGroup, never host root;
    # the emptyDir is group-owned by fsGroup with setgid (kubelet's SetVolumeOwnership).
    made = (vols["data"] / "made").stat()
    assert (made.st_uid, made.st_gid) == (1000, 5000)
    top = vols["data"].stat()
    assert top.st_gid == 5000 and top.st_mode & 0o2000


def test_capabilities_add_and_drop_set_cap_eff(tmp_path: Path) -> None:
    container = {
        "name": "c",
        "image": "busybox:1.36",
        "command": ["sh", "-c", STATUS],
        "securityContext": {"capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE", "CHOWN"]}},
    }
    code, out, _ = run_once(tmp_path / "home", make_pod(), container)
    assert code == 0, out
    expected = capability_mask(capability_set(["NET_BIND_SERVICE", "CHOWN"], ["ALL"]))
    assert expected == (1 << 10) | (1 << 0)
    assert f"CapEff:\t{expected:016x}" in out, out
    assert "uid=0(root) gid=0(root)" in out


def test_read_only_root_filesystem_keeps_volumes_writable_and_tmp_read_only(tmp_path: Path) -> None:
    pod = make_pod(volumes=[{"name": "scratch", "emptyDir": {}}])
    script = (
        "touch /file; echo root=$?; touch /tmp/file; echo tmp=$?; touch /scratch/file; echo volume=$?; "
        "mount -o remount,rw /; echo remount=$?"
    )
    container = {
        "name": "c",
        "image": "busybox:1.36",
        "command": ["sh", "-c", script],
        "securityContext": {"readOnlyRootFilesystem": True},
        "volumeMounts": [{"name": "scratch", "mountPath": "/scratch"}],
    }
    code, out, _ = run_once(tmp_path / "home", pod, container)
    assert code == 0, out
    assert "touch: /file: Read-only file system" in out
    assert "touch: /tmp/file: Read-only file system" in out  # /tmp is part of the root, as in an image
    assert "root=1" in out and "tmp=1" in out and "volume=0" in out and "remount=0" not in out
