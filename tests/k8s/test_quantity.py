"""Quantity grammar and values (apimachinery resource.Quantity)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from podlab.k8s.quantity import is_quantity, parse_quantity


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("500m", Decimal("0.5")),
        ("1Gi", Decimal(2**30)),
        ("128Mi", Decimal(128 * 2**20)),
        ("1.5", Decimal("1.5")),
        ("2e3", Decimal(2000)),
        (".5k", Decimal(500)),
        ("1E-3", Decimal("0.001")),
        (3, Decimal(3)),
    ],
)
def test_values(text: str | int, value: Decimal) -> None:
    assert parse_quantity(text) == value


@pytest.mark.parametrize("text", ["1GB", "abc", "", " 1", "1e", "1.2.3Mi", "Mi"])
def test_rejected(text: str) -> None:
    assert not is_quantity(text)
