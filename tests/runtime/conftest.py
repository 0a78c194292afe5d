"""Fixtures for runtime tests: both sandbox modes, unique pod IPs, condition waits."""

from __future__ import annotations

import random
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from podlab.runtime.launchers import bwrap_works

MODES = ["bwrap", "plain"]


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    if request.param == "bwrap" and not bwrap_works(shutil.which("bwrap")):
        pytest.skip("bubblewrap is not usable here")
    return str(request.param)


@pytest.fixture
def pod_ip() -> str:
    # A random address high in 127.244/16, away from what the node's allocator hands out first.
    return f"127.244.{random.randint(128, 254)}.{random.randint(1, 254)}"


@pytest.fixture
def make_pod() -> Callable[..., dict[str, Any]]:
    def make(
        name: str = "p", volumes: list[dict[str, Any]] | None = None, **annotations: str
    ) -> dict[str, Any]:
        return {
            "metadata": {
                "name": f"{name}-{uuid.uuid4().hex[:6]}",
                "namespace": "default",
                "uid": str(uuid.uuid4()),
                "annotations": dict(annotations),
            },
            "spec": {"volumes": volumes or []},
        }

    return make


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"
