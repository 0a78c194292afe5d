"""before / after / equalToDateTime, with the clock injected."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from podlab.stub.jvm.errors import InvalidInputError
from podlab.stub.matchers import StringValuePattern, parse_string_pattern
from podlab.stub.matchers.date_time import java_format_to_strptime, parse_iso_or_http, truncate

NOW = datetime(2026, 11, 28, 5, 40, 30, tzinfo=UTC)


def p(spec: object, now: datetime = NOW) -> StringValuePattern:
    return parse_string_pattern(spec, "/request/headers/X", clock=lambda: now)


def ok(spec: object, value: str | None, now: datetime = NOW) -> bool:
    return p(spec, now).match(value).is_exact_match


class TestAbsolute:
    def test_before_after_equal(self) -> None:
        assert ok({"before": "2022-01-01T00:00:00Z"}, "2021-01-01T00:00:00Z")
        assert not ok({"before": "2022-01-01T00:00:00Z"}, "2023-01-01T00:00:00Z")
        assert ok({"after": "2022-01-01T00:00:00Z"}, "2023-01-01T00:00:00Z")
        assert ok({"equalToDateTime": "2021-06-24T00:00:00Z"}, "2021-06-24T02:00:00+02:00")
        assert ok({"equalToDateTime": "2021-06-24T00:00:00Z"}, "2021-06-24T00:00:00.000Z")
        assert not ok({"equalToDateTime": "2021-06-24T00:00:00Z"}, "2021-06-24T00:00:01Z")

    @pytest.mark.parametrize(
        "value",
        [
            "Tue, 3 Jun 2025 11:05:30 GMT",  # RFC 1123
            "Tuesday, 03-Jun-25 11:05:30 GMT",  # RFC 1036
            "Tue Jun  3 11:05:30 2025",  # asctime
            "2025-06-03T11:05:30+02:00[Europe/Paris]",  # ISO zoned with a zone id
            "2025-06-03T11:05:30",  # local, taken as UTC
            "2025-06-03",  # a date is its start of day
        ],
    )
    def test_actual_formats(self, value: str) -> None:
        assert ok({"after": "2022-01-01T00:00:00Z"}, value)
        assert not ok({"before": "2022-01-01T00:00:00Z"}, value)

    def test_unparseable_or_absent_never_match(self) -> None:
        assert not ok({"equalToDateTime": "2021-06-24T00:00:00Z"}, "garbage")
        assert not ok({"before": "garbage"}, "2021-06-24T00:00:00Z")
        assert not ok({"before": "2022-01-01T00:00:00Z"}, None)
        assert not ok({"before": "2022-01-01T00:00:00Z"}, "1641000000")

    def test_actual_format(self) -> None:
        assert ok({"equalToDateTime": "2021-06-24T00:00:00", "actualFormat": "dd/MM/yyyy"}, "24/06/2021")
        spec = {"before": "2022-01-01T00:00:00Z", "actualFormat": "yyyy-MM-dd'T'HH:mm:ssXXX"}
        assert ok(spec, "2021-01-01T00:00:00+01:00")
        assert ok({"after": "now -2 hours", "actualFormat": "unix"}, "1800000000")
        assert ok({"after": "now -2 hours", "actualFormat": "epoch"}, "1800000000000")
        assert java_format_to_strptime("EEE, dd MMM yyyy HH:mm:ss.SSS z") == "%a, %d %b %Y %H:%M:%S.%f %Z"

    @pytest.mark.parametrize(
        ("actual", "distance"),
        [  # WireMock 3.13.2's near-miss distances for a `before 2000-01-01T00:00:00Z` header
            ("2000-01-02T00:00:00Z", 0.001368),
            ("2000-02-01T00:00:00Z", 0.040736),
            ("2001-01-01T00:00:00Z", 0.333942),
            ("2002-01-01T00:00:00Z", 0.500342),
            ("2010-01-01T00:00:00Z", 0.833447),
            ("2050-01-01T00:00:00Z", 0.961565),
            ("2100-01-01T00:00:00Z", 0.980405),
        ],
    )
    def test_distance_is_wiremocks(self, actual: str, distance: float) -> None:
        assert p({"before": "2000-01-01T00:00:00Z"}).match(actual).distance == pytest.approx(
            distance, abs=2e-6
        )


class TestNow:
    def test_offsets_follow_the_injected_clock(self) -> None:
        assert ok({"after": "now -1 days"}, "2026-11-27T06:00:00Z")
        assert not ok({"after": "now -1 days"}, "2026-11-27T05:00:00Z")
        assert ok({"before": "now +3 days"}, "2026-12-01T05:00:00Z")
        assert not ok({"before": "now +3 days"}, "2026-12-01T06:00:00Z")
        later = datetime(2026, 12, 5, tzinfo=UTC)
        assert not ok({"before": "now +3 days"}, "2026-12-01T06:00:00Z", now=NOW)
        assert ok({"before": "now +3 days"}, "2026-12-01T06:00:00Z", now=later)

    def test_months_and_years(self) -> None:
        assert ok({"equalToDateTime": "now +1 months"}, "2026-12-28T05:40:30Z")
        assert ok({"equalToDateTime": "now -2 years"}, "2024-11-28T05:40:30Z")

    def test_expected_offset_fields(self) -> None:
        spec = {"before": "now", "expectedOffset": 3, "expectedOffsetUnit": "days"}
        assert p(spec).to_json() == {"before": "now +3 days"}
        assert ok(spec, "2026-12-01T05:00:00Z")
        assert (
            p({"after": "now", "expectedOffset": -3, "expectedOffsetUnit": "HOURS"}).expected
            == "now -3 hours"
        )

    def test_offset_needs_amount_and_unit(self) -> None:
        assert p({"before": "now", "expectedOffset": 3}).expected == "now +0 seconds"
        assert p({"before": "now", "expectedOffsetUnit": "days"}).expected == "now +0 seconds"
        assert (
            p({"before": "now", "expectedOffset": "3", "expectedOffsetUnit": "days"}).expected
            == "now +0 days"
        )

    def test_apply_truncation_last(self) -> None:
        # 2026-11-28 +5 days = 2026-12-03: truncated first -> 11-06; truncated last -> 12-01
        first = {"equalToDateTime": "now +5 days", "truncateExpected": "first day of month"}
        last = {**first, "applyTruncationLast": True}
        assert ok(first, "2026-11-06T00:00:00Z")
        assert ok(last, "2026-12-01T00:00:00Z")
        assert p(last).to_json() == {**first, "applyTruncationLast": True}
        assert "applyTruncationLast" not in p({**first, "applyTruncationLast": False}).to_json()

    def test_out_of_range_dates_do_not_match(self) -> None:
        assert not ok({"before": "now +99999 years"}, "2026-01-01T00:00:00Z")
        assert not ok({"before": "now +999999999999 days"}, "2026-01-01T00:00:00Z")
        assert not ok(
            {"after": "2020-01-01T00:00:00Z", "truncateActual": "first day of next year"}, "9999-12-31"
        )

    def test_truncation(self) -> None:
        spec = {"equalToDateTime": "now", "truncateExpected": "first day of month"}
        assert ok(spec, "2026-11-01T00:00:00Z")
        assert ok(
            {"equalToDateTime": "now +1 days", "truncateExpected": "last day of month"},
            "2026-12-01T00:00:00Z",
        )
        actual = {"equalToDateTime": "2021-06-01T00:00:00Z", "truncateActual": "first day of month"}
        assert ok(actual, "2021-06-14T10:11:12Z")

    @pytest.mark.parametrize(
        ("name", "expected"),
        [
            ("FIRST_MINUTE_OF_HOUR", datetime(2026, 11, 28, 5, 0, tzinfo=UTC)),
            ("FIRST_HOUR_OF_DAY", datetime(2026, 11, 28, tzinfo=UTC)),
            ("FIRST_DAY_OF_MONTH", datetime(2026, 11, 1, tzinfo=UTC)),
            ("FIRST_DAY_OF_NEXT_MONTH", datetime(2026, 12, 1, tzinfo=UTC)),
            ("LAST_DAY_OF_MONTH", datetime(2026, 11, 30, tzinfo=UTC)),
            ("FIRST_DAY_OF_YEAR", datetime(2026, 1, 1, tzinfo=UTC)),
            ("FIRST_DAY_OF_NEXT_YEAR", datetime(2027, 1, 1, tzinfo=UTC)),
            ("LAST_DAY_OF_YEAR", datetime(2026, 12, 31, tzinfo=UTC)),
        ],
    )
    def test_truncations(self, name: str, expected: datetime) -> None:
        assert truncate(NOW, name) == expected

    def test_normalised_form(self) -> None:
        assert p({"after": "now"}).to_json() == {"after": "now +0 seconds"}
        assert p({"after": "NOW -5 hours"}).to_json() == {"after": "NOW -5 hours"}
        shown = p(
            {"before": "now", "truncateExpected": "FIRST_DAY_OF_MONTH", "truncateActual": "first hour of day"}
        )
        assert shown.to_json() == {
            "before": "now +0 seconds",
            "truncateExpected": "first day of month",
            "truncateActual": "first hour of day",
        }


@pytest.mark.parametrize(
    ("spec", "detail"),
    [
        (
            {"after": "now +3 fortnights"},
            "No enum constant com.github.tomakehurst.wiremock.common.DateTimeUnit.FORTNIGHTS",
        ),
        (
            {"equalToDateTime": "2020-01-01", "truncateActual": "bogus"},
            "No enum constant com.github.tomakehurst.wiremock.common.DateTimeTruncation.BOGUS",
        ),
        ({"before": 5}, "'before' expected value cannot be null"),
    ],
)
def test_rejects(spec: object, detail: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        p(spec)
    assert caught.value.errors[0]["detail"] == detail


def test_iso_parser_keeps_offsets() -> None:
    parsed = parse_iso_or_http("2021-01-01T00:00:00+01:00")
    assert parsed is not None and parsed == datetime(2020, 12, 31, 23, tzinfo=UTC)
