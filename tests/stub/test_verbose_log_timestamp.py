"""The log line's timestamp, made once per second: the same text as formatting every time."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from podlab.stub.report.verbose_log import timestamp


def formatted(when: datetime) -> str:
    local = when.astimezone()
    return local.strftime("%Y-%m-%d %H:%M:%S.") + f"{local.microsecond // 1000:03d}"


def test_timestamp_is_the_local_time_to_the_millisecond() -> None:
    rng = random.Random(7)
    start = datetime(2026, 3, 29, 0, 59, 58, tzinfo=UTC)
    for i in range(5_000):
        if i % 3:  # within a few seconds: the remembered second is used, then replaced
            when = start + timedelta(microseconds=rng.randint(0, 4_000_000))
        else:  # anywhere within ~3 years of now
            when = datetime.now(UTC) + timedelta(
                seconds=rng.randint(-(10**8), 10**8), microseconds=rng.randint(0, 999_999)
            )
        assert timestamp(when) == formatted(when), when
    naive = datetime(2026, 1, 2, 3, 4, 5, 678_900)  # local time, as astimezone() takes it
    assert timestamp(naive) == formatted(naive)
