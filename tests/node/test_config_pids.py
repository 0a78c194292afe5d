"""podlab.yaml's podPidsLimit: kubelet's meaning (-1 unlimited), bad values in clear words."""

from __future__ import annotations

from pathlib import Path

import pytest

from podlab.node.config import ConfigError, load_config


def load(tmp_path: Path, text: str) -> int | None:
    path = tmp_path / "podlab.yaml"
    path.write_text(text)
    return load_config(path).pod_pids_limit


def test_pod_pids_limit_values(tmp_path: Path) -> None:
    assert load(tmp_path, "images: {}\n") is None
    assert load(tmp_path, "podPidsLimit: -1\n") is None
    assert load(tmp_path, "podPidsLimit: 64\n") == 64


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "podPidsLimit: must be -1 (unlimited) or greater than 0, got 0"),
        ("many", "podPidsLimit: expected an integer, got 'many'"),
        ("true", "podPidsLimit: expected an integer, got True"),
    ],
)
def test_bad_pod_pids_limit_is_refused(tmp_path: Path, value: str, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        load(tmp_path, f"podPidsLimit: {value}\n")
    assert str(err.value) == f"{tmp_path / 'podlab.yaml'}: {message}"
