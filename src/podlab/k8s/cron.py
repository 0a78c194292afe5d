"""Cron schedules as the CronJob controller reads them: robfig/cron/v3 `ParseStandard` (parser.go,
spec.go), with its error messages verbatim, since validation returns them to the user.

Five fields (minute, hour, day of month, month, day of week), `*`/`?`, ranges, lists, steps,
names (`JAN`, `mon`) and the descriptors `@yearly`/`@annually`/`@monthly`/`@weekly`/`@daily`/
`@midnight`/`@hourly`. `@every <duration>` parses in robfig; podlab refuses it (a CronJob never
needs it and its Go duration syntax is a world of its own): documented in README.

Sans-IO: `next_after` and `latest_at_or_before` take the instant; the zone is a `ZoneInfo`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# spec.go: the bounds of each field, and the names robfig knows (matched lower-cased).
_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    )
}
_DAYS = {d: i for i, d in enumerate(["sun", "mon", "tue", "wed", "thu", "fri", "sat"])}


@dataclass(frozen=True, slots=True)
class _Bounds:
    low: int
    high: int
    names: dict[str, int] | None = None


_MINUTES = _Bounds(0, 59)
_HOURS = _Bounds(0, 23)
_DOM = _Bounds(1, 31)
_MONTH = _Bounds(1, 12, _MONTHS)
_DOW = _Bounds(0, 6, _DAYS)


class ScheduleError(ValueError):
    """The schedule does not parse; str() is robfig's error text."""


@dataclass(frozen=True, slots=True)
class Schedule:
    minutes: frozenset[int]
    hours: frozenset[int]
    dom: frozenset[int]
    months: frozenset[int]
    dow: frozenset[int]
    # robfig's starBit: a field written `*` or `?` (a step > 1 clears it). When either day field
    # has it, a day must match both; otherwise either (spec.go dayMatches).
    dom_star: bool
    dow_star: bool

    def day_matches(self, day: date) -> bool:
        if day.month not in self.months:
            return False
        dom_ok = day.day in self.dom
        dow_ok = (day.isoweekday() % 7) in self.dow
        if self.dom_star or self.dow_star:
            return dom_ok and dow_ok
        return dom_ok or dow_ok

    def _times_of(self, day: date, zone: tzinfo, reverse: bool, from_hour: int = 0) -> Iterator[datetime]:
        # A generator: the caller stops at the first time past its bound.
        for h in sorted((h for h in self.hours if h >= from_hour), reverse=reverse):
            for m in sorted(self.minutes, reverse=reverse):
                yield datetime(day.year, day.month, day.day, h, m, tzinfo=zone)

    def next_after(self, t: datetime, zone: tzinfo) -> datetime | None:
        """The first activation strictly after `t` (robfig Next), in UTC; None past five years,
        as robfig gives up (spec.go yearLimit)."""
        local = t.astimezone(zone)
        day = local.date()
        # On the first day, skip the hours already past (an hour early, for DST folds).
        floor = max(local.hour - 1, 0)
        for _ in range(5 * 366 + 1):
            if self.day_matches(day):
                for at in self._times_of(day, zone, reverse=False, from_hour=floor):
                    if at.astimezone(UTC) > t:
                        return at.astimezone(UTC)
            day += timedelta(days=1)
            floor = 0
        return None

    def latest_at_or_before(self, t: datetime, zone: tzinfo) -> datetime | None:
        """The last activation at or before `t`, in UTC (searching back five years)."""
        local = t.astimezone(zone)
        day = local.date()
        for _ in range(5 * 366 + 1):
            if self.day_matches(day):
                for at in self._times_of(day, zone, reverse=True):
                    if at.astimezone(UTC) <= t:
                        return at.astimezone(UTC)
            day -= timedelta(days=1)
        return None


_DESCRIPTORS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}


def _go_fields(fields: list[str]) -> str:
    # fmt's %s of a []string: [a b c]
    return "[" + " ".join(fields) + "]"


def _atoi(expr: str) -> int:
    """mustParseInt, with strconv.Atoi's error text."""
    body = expr[1:] if expr[:1] in "+-" else expr
    if not body or not body.isascii() or not body.isdigit():
        raise ScheduleError(
            f'failed to parse int from {expr}: strconv.Atoi: parsing "{expr}": invalid syntax'
        )
    num = int(expr)
    if num < 0:
        raise ScheduleError(f"negative number ({num}) not allowed: {expr}")
    return num


def _int_or_name(expr: str, bounds: _Bounds) -> int:
    if bounds.names is not None and expr.lower() in bounds.names:
        return bounds.names[expr.lower()]
    return _atoi(expr)


def _range(expr: str, bounds: _Bounds) -> tuple[set[int], bool]:
    """getRange: (values, star)."""
    range_and_step = expr.split("/")
    low_and_high = range_and_step[0].split("-")
    single = len(low_and_high) == 1
    star = False
    if low_and_high[0] in ("*", "?"):
        start, end, star = bounds.low, bounds.high, True
    else:
        start = _int_or_name(low_and_high[0], bounds)
        if len(low_and_high) == 1:
            end = start
        elif len(low_and_high) == 2:
            end = _int_or_name(low_and_high[1], bounds)
        else:
            raise ScheduleError(f"too many hyphens: {expr}")
    if len(range_and_step) == 1:
        step = 1
    elif len(range_and_step) == 2:
        step = _atoi(range_and_step[1])
        if single:  # "N/step" means "N-max/step"
            end = bounds.high
        if step > 1:
            star = False
    else:
        raise ScheduleError(f"too many slashes: {expr}")
    if start < bounds.low:
        raise ScheduleError(f"beginning of range ({start}) below minimum ({bounds.low}): {expr}")
    if end > bounds.high:
        raise ScheduleError(f"end of range ({end}) above maximum ({bounds.high}): {expr}")
    if start > end:
        raise ScheduleError(f"beginning of range ({start}) beyond end of range ({end}): {expr}")
    if step == 0:
        raise ScheduleError(f"step of range should be a positive number: {expr}")
    return set(range(start, end + 1, step)), star


def _field(text: str, bounds: _Bounds) -> tuple[frozenset[int], bool]:
    """getField: a comma-separated list of ranges (empty items skipped, as strings.FieldsFunc)."""
    values: set[int] = set()
    star = False
    for expr in (part for part in text.split(",") if part):
        got, is_star = _range(expr, bounds)
        values |= got
        star = star or is_star
    return frozenset(values), star


def load_zone(name: str) -> tzinfo | None:
    """time.LoadLocation: "" and "UTC" are UTC; None when the zone is unknown."""
    if name in ("", "UTC"):
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def parse_standard(spec: str) -> Schedule:
    """cron.ParseStandard; `TZ=`/`CRON_TZ=` prefixes are the caller's business (validation
    refuses them; the controller passes the zone separately)."""
    if not spec:
        raise ScheduleError("empty spec string")
    if spec.startswith(("TZ=", "CRON_TZ=")):
        space = spec.find(" ")
        name = spec[spec.index("=") + 1 : space if space >= 0 else len(spec)]
        if load_zone(name) is None:
            raise ScheduleError(f"provided bad location {name}: unknown time zone {name}")
        spec = spec[space:].strip() if space >= 0 else ""
    if spec.startswith("@"):
        if spec.startswith("@every "):
            raise ScheduleError(f"podlab does not support @every schedules: {spec}")
        if spec not in _DESCRIPTORS:
            raise ScheduleError(f"unrecognized descriptor: {spec}")
        spec = _DESCRIPTORS[spec]
    fields = spec.split()
    if len(fields) != 5:
        raise ScheduleError(f"expected exactly 5 fields, found {len(fields)}: {_go_fields(fields)}")
    minutes, _ = _field(fields[0], _MINUTES)
    hours, _ = _field(fields[1], _HOURS)
    dom, dom_star = _field(fields[2], _DOM)
    months, _ = _field(fields[3], _MONTH)
    dow, dow_star = _field(fields[4], _DOW)
    return Schedule(minutes, hours, dom, months, dow, dom_star, dow_star)
