"""before / after / equalToDateTime (WireMock's AbstractDateTimePattern family).

The expected value is an ISO date-time (zoned or local, or a date), or a `now` expression
(`now`, `now +3 days`, `now -1 hours`, or `expectedOffset` + `expectedOffsetUnit`), optionally
truncated (`truncateExpected: "first day of month"`). The actual value is parsed as ISO zoned,
RFC 1123, RFC 1036 or asctime, else ISO local; or by `actualFormat` (a Java DateTimeFormatter
pattern, or `unix` / `epoch` for seconds / milliseconds since 1970). Local and zoned values
compare as UTC (observed on WireMock 3.13.2 running in UTC). `now` comes from an injected
clock, so tests and the sans-IO core never read the real time themselves.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from podlab.stub.matchers.base import MatchResult

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


UNITS = ("SECONDS", "MINUTES", "HOURS", "DAYS", "MONTHS", "YEARS")
TRUNCATIONS = (
    "FIRST_MINUTE_OF_HOUR",
    "FIRST_HOUR_OF_DAY",
    "FIRST_DAY_OF_MONTH",
    "FIRST_DAY_OF_NEXT_MONTH",
    "LAST_DAY_OF_MONTH",
    "FIRST_DAY_OF_YEAR",
    "FIRST_DAY_OF_NEXT_YEAR",
    "LAST_DAY_OF_YEAR",
)


class DateTimeSpecError(ValueError):
    """Bad unit or truncation name (WireMock: 'No enum constant ...')."""


def parse_unit(text: str) -> str:
    unit = text.upper()
    if unit not in UNITS:
        raise DateTimeSpecError(
            f"No enum constant com.github.tomakehurst.wiremock.common.DateTimeUnit.{unit}"
        )
    return unit


def parse_truncation(text: str) -> str:
    name = text.upper().replace(" ", "_")
    if name not in TRUNCATIONS:
        raise DateTimeSpecError(
            f"No enum constant com.github.tomakehurst.wiremock.common.DateTimeTruncation.{name}"
        )
    return name


def truncation_text(name: str) -> str:
    return name.lower().replace("_", " ")


def truncate(value: datetime, truncation: str) -> datetime:
    day_start = value.replace(hour=0, minute=0, second=0, microsecond=0)
    if truncation == "FIRST_MINUTE_OF_HOUR":
        return value.replace(minute=0, second=0, microsecond=0)
    if truncation == "FIRST_HOUR_OF_DAY":
        return day_start
    if truncation == "FIRST_DAY_OF_MONTH":
        return day_start.replace(day=1)
    if truncation == "FIRST_DAY_OF_NEXT_MONTH":
        from dateutil.relativedelta import relativedelta  # on first use: start-up time

        return day_start.replace(day=1) + relativedelta(months=1)
    if truncation == "LAST_DAY_OF_MONTH":
        import calendar  # on first use: start-up memory

        return day_start.replace(day=calendar.monthrange(value.year, value.month)[1])
    if truncation == "FIRST_DAY_OF_YEAR":
        return day_start.replace(month=1, day=1)
    if truncation == "FIRST_DAY_OF_NEXT_YEAR":
        return day_start.replace(year=value.year + 1, month=1, day=1)
    if truncation == "LAST_DAY_OF_YEAR":
        return day_start.replace(month=12, day=31)
    raise AssertionError(truncation)


def shift(value: datetime, amount: int, unit: str) -> datetime:
    from dateutil.relativedelta import relativedelta  # on first use: start-up time

    if unit == "MONTHS":
        return value + relativedelta(months=amount)
    if unit == "YEARS":
        return value + relativedelta(years=amount)
    return value + timedelta(**{unit.lower(): amount})


_NOW = re.compile(r"(?i)^now(?:\s+([-+]?\d+)\s+([a-zA-Z]+))?$")
_OFFSET_ONLY = re.compile(r"^([-+]?\d+)\s+([a-zA-Z]+)$")


def parse_now_expression(spec: str) -> tuple[int, str] | None:
    """(amount, UNIT) for `now`, `now +3 days`, `-3 days`; None for anything else."""
    stripped = spec.strip()
    m = _NOW.match(stripped) or _OFFSET_ONLY.match(stripped)
    if not m:
        return None
    if m.lastindex is None:
        return 0, "SECONDS"
    return int(m.group(1)), parse_unit(m.group(2))


# ---- parsing actual values -------------------------------------------------------------------

_JAVA_TOKENS = re.compile(r"'[^']*'|([a-zA-Z])\1*")
_STRPTIME = {
    "yyyy": "%Y", "uuuu": "%Y", "yy": "%y", "MMMM": "%B", "MMM": "%b", "MM": "%m", "M": "%m",
    "dd": "%d", "d": "%d", "HH": "%H", "H": "%H", "hh": "%I", "h": "%I", "mm": "%M", "m": "%M",
    "ss": "%S", "s": "%S", "a": "%p", "EEEE": "%A", "EEE": "%a", "E": "%a", "z": "%Z", "zzz": "%Z",
    "Z": "%z", "X": "%z", "XX": "%z", "XXX": "%z", "x": "%z", "xx": "%z", "xxx": "%z",
}  # fmt: skip


def java_format_to_strptime(pattern: str) -> str:
    out: list[str] = []
    pos = 0
    for m in _JAVA_TOKENS.finditer(pattern):
        out.append(pattern[pos : m.start()].replace("%", "%%"))
        token = m.group(0)
        if token.startswith("'"):
            out.append(token[1:-1].replace("%", "%%") if token != "''" else "'")
        elif token[0] == "S":
            out.append("%f")
        else:
            out.append(_STRPTIME.get(token, token))
        pos = m.end()
    out.append(pattern[pos:].replace("%", "%%"))
    return "".join(out)


def _as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def parse_actual(value: str, actual_format: str | None, *, partial: bool = True) -> datetime | None:
    """The value as an aware datetime (local values taken as UTC), or None if unparseable."""
    text = value.strip()
    if actual_format is not None:
        try:
            if actual_format == "unix":
                return datetime.fromtimestamp(int(text), UTC)
            if actual_format == "epoch":
                return datetime.fromtimestamp(int(text) / 1000, UTC)
            return _as_utc(datetime.strptime(text, java_format_to_strptime(actual_format)))
        except (ValueError, OverflowError, OSError, re.error):  # re.error: a format strptime can't build
            return None
    return parse_iso_or_http(text, partial=partial)


_YEAR_MONTH = re.compile(r"([-+]?\d{4,})-(\d{2})")
_YEAR = re.compile(r"([-+]?\d{1,10})")


def parse_iso_or_http(text: str, *, partial: bool = True) -> datetime | None:
    """ISO-8601 or an HTTP date; with `partial` (3.x, not 2.35.1) also a bare year-month or year."""
    zone_id = re.match(r"^(.*[+-]\d\d:\d\d|.*Z)\[[^\]]+\]$", text)
    iso = zone_id.group(1) if zone_id else text
    if re.match(r"[-+]?\d{4,}-\d{2}-\d{2}", iso):
        try:
            return _as_utc(datetime.fromisoformat(iso))
        except ValueError:
            pass
        try:
            return _as_utc(datetime.combine(date.fromisoformat(iso), datetime.min.time()))
        except ValueError:
            return None
    found = (_YEAR_MONTH.fullmatch(iso) or _YEAR.fullmatch(iso)) if partial else None
    if found:  # WireMock's last resorts: YearMonth.parse, then Year.parse ("1" is the year 1)
        month = int(found.group(2)) if found.lastindex == 2 else 1
        year = int(found.group(1))
        if not 1 <= month <= 12 or abs(year) > 999_999_999:
            return None
        # Python's datetime holds the years 1 to 9999; Java's further ones compare alike
        if year < 1:
            return datetime.min.replace(tzinfo=UTC)
        if year > 9999:
            return datetime.max.replace(tzinfo=UTC)
        return datetime(year, month, 1, tzinfo=UTC)
    from email.utils import parsedate_to_datetime  # on first use: ~15 ms of start-up (email)

    try:
        return _as_utc(parsedate_to_datetime(text))  # RFC 1123 / RFC 1036 / asctime
    except (TypeError, ValueError, IndexError):
        return None


# ---- the patterns ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DateTimePattern:
    name: str  # "before" | "after" | "equalToDateTime"
    spec: str  # as written; a bare "now" is shown as "now +N units" (WireMock's getValue)
    fixed: datetime | None  # absolute expected value (None for now-based or unparseable)
    offset: tuple[int, str] | None  # (amount, UNIT) for now-based
    actual_format: str | None = None
    truncate_expected: str | None = None
    truncate_actual: str | None = None
    apply_truncation_last: bool = False  # offset first, then truncate `now`
    partial_dates: bool = True  # a bare year or year-month is a date (3.x; 2.35.1 refused them)
    clock: Clock = field(default=utc_now, compare=False, repr=False)

    @property
    def expected(self) -> str:
        return self.spec

    def expected_at(self, now: datetime) -> datetime | None:
        if self.offset is None:
            return self.fixed
        if not self.truncate_expected:
            return shift(now, *self.offset)
        if self.apply_truncation_last:
            return truncate(shift(now, *self.offset), self.truncate_expected)
        return shift(truncate(now, self.truncate_expected), *self.offset)

    def match(self, value: str | None) -> MatchResult:
        if value is None:
            return MatchResult.no_match()
        try:  # offsets and truncations can leave datetime's range (year 1..9999)
            expected = self.expected_at(self.clock())
            actual = parse_actual(value, self.actual_format, partial=self.partial_dates)
            if actual is not None and self.truncate_actual:
                actual = truncate(actual, self.truncate_actual)
        except (OverflowError, ValueError):
            return MatchResult.no_match()
        if expected is None or actual is None:
            return MatchResult.no_match()
        if self.name == "before":
            ok = actual < expected
        elif self.name == "after":
            ok = actual > expected
        else:
            ok = actual == expected
        # WireMock scores a match by its distance in time too (AbstractDateTimeMatchResult);
        # 2.35.1 (partial_dates off) by whole years.
        distance = (
            date_distance(actual, expected) if self.partial_dates else date_distance_2(actual, expected)
        )
        if ok:
            return MatchResult.exact_at(distance)
        if distance == 0:  # a miss WireMock scores 0 (an equal time for `after`, 0 whole years)
            return MatchResult(0.0, exact_flag=False)
        return MatchResult.partial(distance)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {self.name: self.spec}
        if self.actual_format is not None:
            out["actualFormat"] = self.actual_format
        if self.truncate_expected is not None:
            out["truncateExpected"] = truncation_text(self.truncate_expected)
        if self.truncate_actual is not None:
            out["truncateActual"] = truncation_text(self.truncate_actual)
        if self.apply_truncation_last:
            out["applyTruncationLast"] = True
        return out


# Measured on WireMock 3.13.2 (near-miss distances of `before` stubs): a miss by t scores
# t / (t + 730 days), so one day is 0.0014, two years 0.5, a century 0.98.
_HALF_DISTANCE_SECONDS = 730 * 86400


def date_distance(actual: datetime, expected: datetime) -> float:
    seconds = abs((actual - expected).total_seconds())
    return seconds / (seconds + _HALF_DISTANCE_SECONDS)


def date_distance_2(actual: datetime, expected: datetime) -> float:
    """WireMock 2.35.1: whole years between the two (ChronoUnit.YEARS, truncated) / 100, at most 1."""
    start, end = (expected, actual) if expected <= actual else (actual, expected)
    years = end.year - start.year
    if (end.month, end.day, end.time()) < (start.month, start.day, start.time()):
        years -= 1
    return min(abs(years) / 100, 1.0)


def offset_text(amount: int, unit: str) -> str:
    """WireMock's buildExpectedString: `now +3 days`, `now -1 hours`."""
    return f"now {'+' if amount >= 0 else ''}{amount} {unit.lower()}"
