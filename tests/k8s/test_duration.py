"""HumanDuration, rule by rule (apimachinery duration_test.go boundaries)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from podlab.k8s.duration import age, go_duration, human_duration


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


# Go's time.Duration.String(), from the examples and tests of Go's time package
# (time/time_test.go durationTests) and the CrashLoopBackOff steps kubelet prints.
@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0s"),
        (1e-9, "1ns"),
        (1.1e-6, "1.1µs"),
        (2.2e-3, "2.2ms"),
        (0.5, "500ms"),
        (3.3, "3.3s"),
        (1.5, "1.5s"),
        (10, "10s"),
        (80, "1m20s"),
        (90, "1m30s"),
        (300, "5m0s"),
        (4 * 60 + 5, "4m5s"),
        (4 * 60 + 5.001, "4m5.001s"),
        (3600, "1h0m0s"),
        (5 * 3600 + 6 * 60 + 7.001, "5h6m7.001s"),
        (8 * 3600 + 1e-9, "8h0m0.000000001s"),
        (-1.5, "-1.5s"),
        (-1e-6, "-1µs"),
    ],
)
def test_go_duration(seconds: float, text: str) -> None:
    assert go_duration(seconds) == text


def test_go_duration_and_human_duration_differ_on_purpose() -> None:
    # Table ages round (HumanDuration); messages print the exact Duration.
    assert (human_duration(90), go_duration(90)) == ("90s", "1m30s")
