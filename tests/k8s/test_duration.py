"""HumanDuration, rule by rule (apimachinery duration_test.go boundaries)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from podlab.k8s.duration import age, human_duration


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (-2, "<invalid>"),
        (-1.5, "0s"),
        (0, "0s"),
        (119, "119s"),
        (120, "2m"),
        (125, "2m5s"),
        (599, "9m59s"),
        (600, "10m"),
        (3 * 3600 - 1, "179m"),
        (3 * 3600, "3h"),
        (3 * 3600 + 60, "3h1m"),
        (8 * 3600, "8h"),
        (47 * 3600 + 3599, "47h"),
        (48 * 3600, "2d"),
        (49 * 3600, "2d1h"),
        (8 * 86400, "8d"),
        (2 * 365 * 86400 - 1, "729d"),
        (2 * 365 * 86400, "2y"),
        (3 * 365 * 86400 + 86400, "3y1d"),
        (8 * 365 * 86400, "8y"),
    ],
)
def test_human_duration(seconds: float, text: str) -> None:
    assert human_duration(seconds) == text


def test_age_of_timestamps() -> None:
    now = datetime(2026, 11, 28, 5, 40, 0, tzinfo=UTC)
    assert age("2026-11-28T05:39:55Z", now) == "5s"
    assert age("2026-11-28T05:39:55.123456Z", now) == "4s"
    assert age(None, now) == "<unknown>"
