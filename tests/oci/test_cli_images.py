"""`podlab pull`, `images`, `rmi`, `prune` against a real registry, as a user runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from .imagebuild import Entry, build_image
from .registry import REGISTRY, Registry, run_registry


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[Registry]:
    if REGISTRY is None:
        pytest.skip("docker-registry is not installed (.ci/run installs it)")
    with run_registry(tmp_path / "reg") as reg:
        yield reg


def podlab(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "podlab", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PODLAB_HOME": str(home)},
    )


def test_pull_list_remove_prune(registry: Registry, tmp_path: Path) -> None:
    home = tmp_path / "home"
    img = build_image([[Entry("f", data=b"x")]], {"Cmd": ["/f"]})
    digest = registry.push("team/tool", "2.0", img)
    pulled = podlab(home, "pull", f"{registry.host}/team/tool:2.0")
    assert pulled.returncode == 0, pulled.stderr
    assert pulled.stdout.splitlines()[1] == f"digest: {digest}"
    listing = podlab(home, "images").stdout.splitlines()
    assert listing[0].split() == ["IMAGE", "TAG", "DIGEST", "SIZE", "LAST", "USED"]
    assert listing[1].split()[:3] == [f"{registry.host}/team/tool", "2.0", digest[:19]]
    missing = podlab(home, "pull", f"{registry.host}/team/tool:3.0")
    assert missing.returncode == 1
    assert f"{registry.host}/team/tool:3.0: not found: manifest unknown" in missing.stderr
    bad = podlab(home, "pull", "nginx:bad tag")
    assert bad.returncode == 1 and "invalid reference format" in bad.stderr
    offline = podlab(home, "pull", "ghcr.io/org/app:1")  # the suite allows loopback registries only
    assert offline.returncode == 1
    assert 'registry "ghcr.io" is not in PODLAB_ALLOWED_REGISTRIES (127.0.0.1, localhost)' in offline.stderr
    removed = podlab(home, "rmi", f"{registry.host}/team/tool:2.0", "nope:1")
    assert removed.returncode == 1
    assert removed.stdout == f"Deleted: {img.config_digest}\n"
    assert 'Error: image "nope:1": not found' in removed.stderr
    assert podlab(home, "images").stdout.splitlines()[1:] == []
    assert podlab(home, "prune").returncode == 0
    assert list((home / "images" / "blobs" / "sha256").iterdir()) == []
