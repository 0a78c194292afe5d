"""Fixtures for probe tests: unique loopback addresses."""

from __future__ import annotations

import random

import pytest


@pytest.fixture
def pod_ip() -> str:
    return f"127.244.{random.randint(128, 254)}.{random.randint(1, 254)}"


@pytest.fixture
def other_ip(pod_ip: str) -> str:
    a, b, c, d = pod_ip.split(".")
    return f"{a}.{b}.{c}.{(int(d) % 254) + 1}"
