"""The eviction manager's emptyDir sizeLimit decision and measurement (kubelet/eviction.py)."""

from __future__ import annotations

from pathlib import Path

from podlab.kubelet.eviction import disk_usage, emptydir_violation, size_limits


def test_size_limits_and_the_eviction_message() -> None:
    pod = {
        "spec": {
            "volumes": [
                {"name": "a", "emptyDir": {"sizeLimit": "10Mi"}},
                {"name": "b", "emptyDir": {}},
                {"name": "c", "configMap": {"name": "x"}},
                {"name": "d", "emptyDir": {"medium": "Memory", "sizeLimit": "1Gi"}},
            ]
        }
    }
    limits = size_limits(pod)
    assert limits == {"a": "10Mi", "d": "1Gi"}
    assert emptydir_violation(limits, {"a": 10 * 2**20, "d": 0}) is None  # at the limit is allowed
    assert emptydir_violation(limits, {"a": 10 * 2**20 + 1}) == (
        'Usage of EmptyDir volume "a" exceeds the limit "10Mi". '
    )


def test_disk_usage_counts_allocated_blocks_and_skips_symlinks(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "f").write_bytes(b"x" * 100_000)
    (tmp_path / "sparse").touch()
    with open(tmp_path / "sparse", "r+b") as f:
        f.truncate(50_000_000)  # apparent size only: no blocks
    (tmp_path / "link").symlink_to("/usr")
    used = disk_usage(tmp_path)
    assert 100_000 <= used < 1_000_000
