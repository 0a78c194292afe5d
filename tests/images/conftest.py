"""Fixtures for image tests."""

from __future__ import annotations

import random

import pytest


@pytest.fixture
def pod_ip() -> str:
    return f"127.244.{random.randint(128, 254)}.{random.randint(1, 254)}"
