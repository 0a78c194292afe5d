"""Date helpers: `now`, `date`, `parseDate`, `truncateDate` and Handlebars.java's `dateFormat`.

Dates print like WireMock's `RenderableDate`: ISO-8601 to the second (`2024-03-05T10:20:30Z`,
or `+01:00` in another zone), `epoch` (milliseconds), `unix` (seconds), or a Java
`SimpleDateFormat` pattern, translated here letter by letter (Python's strftime differs in
every letter, hence the hand-written formatter).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from email.utils import parsedate_to_datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.relativedelta import relativedelta

from podlab.stub.templating.engine import Helper, Options
from podlab.stub.templating.helpers_core import runtime_error
from podlab.stub.templating.helpers_string import jknack_string_helper
from podlab.stub.templating.values import java_str

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class RenderableDate:
    """An instant with an optional output format and zone (WireMock's RenderableDate)."""

    instant: datetime  # aware, UTC
    format: str | None = None
    zone: tzinfo | None = None

    def __str__(self) -> str:
        millis = (self.instant - _EPOCH) // timedelta(milliseconds=1)
        if self.format == "epoch":
            return str(millis)
        if self.format == "unix":
            return str(millis // 1000)
        local = self.instant.astimezone(self.zone or UTC)
        if self.format is not None:
            return simple_date_format(local, self.format)
        offset = local.utcoffset() or timedelta(0)
        stamp = local.strftime("%Y-%m-%dT%H:%M:%S")
        return stamp + ("Z" if offset == timedelta(0) else _offset(offset, ":"))


def _offset(offset: timedelta, separator: str) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}{separator}{minutes % 60:02d}"


_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip
# `zzzz`: Java's long names for the abbreviations zoneinfo gives (the common ones).
_LONG_ZONE_NAMES = {
    "UTC": "Coordinated Universal Time", "GMT": "Greenwich Mean Time", "BST": "British Summer Time",
    "CET": "Central European Standard Time", "CEST": "Central European Summer Time",
    "EET": "Eastern European Standard Time", "EEST": "Eastern European Summer Time",
    "IST": "India Standard Time", "JST": "Japan Standard Time",
    "EST": "Eastern Standard Time", "EDT": "Eastern Daylight Time",
    "CST": "Central Standard Time", "CDT": "Central Daylight Time",
    "MST": "Mountain Standard Time", "MDT": "Mountain Daylight Time",
    "PST": "Pacific Standard Time", "PDT": "Pacific Daylight Time",
}  # fmt: skip
_LETTERS = re.compile(r"'(?:[^']|'')*'|([A-Za-z])\1*|[^A-Za-z']+")


def simple_date_format(moment: datetime, pattern: str) -> str:
    """`new SimpleDateFormat(pattern).format(date)` in the US/root locale."""
    out: list[str] = []
    for token in _LETTERS.finditer(pattern):
        text = token.group(0)
        if text.startswith("'"):
            out.append("'" if text == "''" else text[1:-1].replace("''", "'"))
            continue
        letter, count = text[0], len(text)
        out.append(_field(moment, letter, count) if letter.isalpha() else text)
    return "".join(out)


def _num(value: int, count: int) -> str:
    return str(value).zfill(count)


def _field(m: datetime, letter: str, count: int) -> str:
    if letter in "yY":
        return _num(m.year % 100, 2) if count == 2 else _num(m.year, count)
    if letter == "M" or letter == "L":
        if count >= 4:
            return _MONTHS[m.month - 1]
        if count == 3:
            return _MONTHS[m.month - 1][:3]
        return _num(m.month, count)
    if letter == "d":
        return _num(m.day, count)
    if letter == "H":
        return _num(m.hour, count)
    if letter == "k":
        return _num(m.hour or 24, count)
    if letter == "K":
        return _num(m.hour % 12, count)
    if letter == "h":
        return _num(m.hour % 12 or 12, count)
    if letter == "m":
        return _num(m.minute, count)
    if letter == "s":
        return _num(m.second, count)
    if letter == "S":
        return _num(m.microsecond // 1000, count)
    if letter == "E":
        name = _DAYS[m.weekday()]
        return name if count >= 4 else name[:3]
    if letter == "u":
        return _num(m.isoweekday(), count)
    if letter == "a":
        return "AM" if m.hour < 12 else "PM"
    if letter == "D":
        return _num(m.timetuple().tm_yday, count)
    if letter == "w":
        return _num(m.isocalendar()[1], count)
    if letter == "G":
        return "AD"
    if letter == "z":
        name = m.tzname() or "UTC"
        return _LONG_ZONE_NAMES.get(name, name) if count >= 4 else name
    if letter == "Z":
        return _offset(m.utcoffset() or timedelta(0), "")
    if letter == "X":
        offset = m.utcoffset() or timedelta(0)
        if offset == timedelta(0):
            return "Z"
        full = _offset(offset, ":" if count >= 3 else "")
        return full[:3] if count == 1 else full
    return letter * count


def _zone(o: Options, name: Any) -> tzinfo | None:
    if name is None:
        return None
    text = java_str(name)
    if text in ("UTC", "GMT", "Z"):
        return ZoneInfo("UTC") if text == "UTC" else ZoneInfo("GMT")
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        match = re.fullmatch(r"(?:GMT|UTC)?([+-])(\d{1,2}):?(\d{2})?", text)
        if match:
            sign = 1 if match.group(1) == "+" else -1
            from datetime import timezone

            return timezone(sign * timedelta(hours=int(match.group(2)), minutes=int(match.group(3) or 0)))
        raise runtime_error(o, "java.time.zone.ZoneRulesException", f"Unknown time-zone ID: {text}") from None


_UNITS = {
    "seconds": "seconds", "minutes": "minutes", "hours": "hours", "days": "days",
    "weeks": "weeks", "months": "months", "years": "years",
}  # fmt: skip


def shift(o: Options, moment: datetime, offset: str) -> datetime:
    """WireMock's DateTimeOffset: `3 days`, `now +5 years`, `-1 months`, or `now`."""
    if offset.lower() == "now":
        return moment
    parts = offset.split(" ")
    if len(parts) not in (2, 3):
        raise runtime_error(
            o,
            "java.lang.IllegalArgumentException",
            "Offset can be of the short form <amount> <unit> e.g. 8 seconds or long form now +/-<amount> "
            "<unit> e.g. now +5 years",
        )
    amount_text, unit_text = parts[-2], parts[-1].lower()
    try:
        amount = int(amount_text)
    except ValueError:
        raise runtime_error(
            o, "java.lang.NumberFormatException", f'For input string: "{amount_text}"'
        ) from None
    unit = _UNITS.get(unit_text)
    if unit is None:
        raise runtime_error(
            o,
            "java.lang.IllegalArgumentException",
            f"No enum constant com.github.tomakehurst.wiremock.common.DateTimeUnit.{unit_text.upper()}",
        )
    delta: Any = relativedelta(**{unit: amount})  # type: ignore[arg-type]  # stub mis-types **kwargs
    return moment + delta


def _now_or_date(o: Options, moment: datetime, zone: tzinfo | None) -> RenderableDate:
    offset = o.hash.get("offset")
    if offset is not None:
        moment = shift(o, moment, java_str(offset))
    fmt = o.hash.get("format")
    return RenderableDate(moment, None if fmt is None else java_str(fmt), zone)


def _now(o: Options) -> Any:
    clock = getattr(o.renderer.root, "now", None)
    moment = clock() if callable(clock) else datetime.now(UTC)
    return _now_or_date(o, moment, _zone(o, o.hash.get("timezone")))


def _date(o: Options) -> Any:
    value = o.arg(0)
    if isinstance(value, RenderableDate):
        return _now_or_date(o, value.instant, value.zone)
    if isinstance(value, datetime):
        return _now_or_date(o, value.astimezone(UTC), _zone(o, o.hash.get("timezone")))
    parsed = parse_date(java_str(value), None) if value is not None else None
    if parsed is None:
        return _now(o)
    return _now_or_date(o, parsed, _zone(o, o.hash.get("timezone")))


def parse_date(text: str, java_format: str | None) -> datetime | None:
    """WireMock's DateTimeParser: ISO-8601 (zoned or local), RFC 1123/1036, asctime, or a pattern."""
    text = text.strip()
    if java_format is not None:
        return _parse_with_pattern(text, java_format)
    iso = text.replace("Z", "+00:00") if text.endswith("Z") else text
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        moment = None
    if moment is not None:
        # Only zoned forms parse; a local date or date-time gives null, as on WireMock.
        return moment if moment.tzinfo is not None else None
    try:
        return parsedate_to_datetime(text).astimezone(UTC)
    except (TypeError, ValueError, IndexError):
        return None


_PATTERN_TO_REGEX = {
    "y": r"(?P<y>\d{2,4})", "M": r"(?P<M>\d{1,2}|[A-Za-z]+)", "d": r"(?P<d>\d{1,2})",
    "H": r"(?P<H>\d{1,2})", "m": r"(?P<m>\d{1,2})", "s": r"(?P<s>\d{1,2})", "S": r"(?P<S>\d{1,9})",
    "E": r"[A-Za-z]+", "a": r"(?P<a>AM|PM|am|pm)", "h": r"(?P<h>\d{1,2})",
    "Z": r"(?P<Z>[+-]\d{4})", "X": r"(?P<X>Z|[+-]\d{2}(?::?\d{2})?)", "z": r"(?P<z>[A-Za-z]+)",
}  # fmt: skip


def _parse_with_pattern(text: str, pattern: str) -> datetime | None:
    if pattern in ("epoch", "unix"):
        try:
            number = int(text)
        except ValueError:
            return None
        return datetime.fromtimestamp(number / 1000 if pattern == "epoch" else number, UTC)
    regex: list[str] = []
    for token in _LETTERS.finditer(pattern):
        part = token.group(0)
        if part.startswith("'"):
            regex.append(re.escape(part[1:-1].replace("''", "'")))
        elif part[0].isalpha():
            regex.append(_PATTERN_TO_REGEX.get(part[0], re.escape(part)))
        else:
            regex.append(re.escape(part))
    match = re.fullmatch("".join(regex), text)
    if match is None:
        return None
    fields = match.groupdict()
    try:
        month_text = fields.get("M") or "1"
        month = (
            int(month_text)
            if month_text.isdigit()
            else [m[:3].lower() for m in _MONTHS].index(month_text[:3].lower()) + 1
        )
        hour = int(fields.get("H") or fields.get("h") or 0)
        if fields.get("a") and fields["a"].upper() == "PM" and hour < 12:
            hour += 12
        year = int(fields.get("y") or 1970)
        if fields.get("y") and len(fields["y"]) == 2:
            year += 2000
        moment = datetime(
            year, month, int(fields.get("d") or 1), hour, int(fields.get("m") or 0), int(fields.get("s") or 0),
            int((fields.get("S") or "0").ljust(3, "0")[:3]) * 1000, tzinfo=UTC,
        )  # fmt: skip
    except ValueError:
        return None
    zone_text = fields.get("Z") or fields.get("X")
    if zone_text and zone_text != "Z":
        digits = zone_text.replace(":", "")
        sign = 1 if digits[0] == "+" else -1
        delta = timedelta(hours=int(digits[1:3]), minutes=int(digits[3:5] or 0))
        moment -= sign * delta
    return moment


def _parse_date(o: Options) -> Any:
    fmt = o.hash.get("format")
    parsed = parse_date(java_str(o.arg(0, "")), None if fmt is None else java_str(fmt))
    if parsed is None:
        return None
    # A parsed offset is kept for printing (`+02:00`), as WireMock's zoned parse does.
    zone = parsed.tzinfo if parsed.utcoffset() != timedelta(0) else None
    return RenderableDate(parsed.astimezone(UTC), None, zone)


_TRUNCATIONS = {
    "first minute of hour": lambda d: d.replace(minute=0, second=0, microsecond=0),
    "first hour of day": lambda d: d.replace(hour=0, minute=0, second=0, microsecond=0),
    "first day of month": lambda d: d.replace(day=1, hour=0, minute=0, second=0, microsecond=0),
    "first day of next month": lambda d: (d.replace(day=1) + relativedelta(months=1)).replace(
        hour=0, minute=0, second=0, microsecond=0
    ),
    "last day of month": lambda d: (d.replace(day=1) + relativedelta(months=1, days=-1)).replace(
        hour=0, minute=0, second=0, microsecond=0
    ),
    "first day of year": lambda d: d.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0),
    "first day of next year": lambda d: d.replace(
        year=d.year + 1, month=1, day=1, hour=0, minute=0, second=0, microsecond=0
    ),
    "last day of year": lambda d: d.replace(month=12, day=31, hour=0, minute=0, second=0, microsecond=0),
}


def _truncate_date(o: Options) -> Any:
    if len(o.args) < 2:
        return "[ERROR: Truncation type must be specified as the first parameter to truncateDate]"
    value = o.arg(0)
    if isinstance(value, RenderableDate):
        moment, zone = value.instant, value.zone
    else:
        parsed = parse_date(java_str(value), None) if value is not None else None
        if parsed is None:
            return None
        moment, zone = parsed, None
    truncation = java_str(o.arg(1, ""))
    rule = _TRUNCATIONS.get(truncation)
    if rule is None:
        raise runtime_error(
            o,
            "java.lang.IllegalArgumentException",
            "No enum constant com.github.tomakehurst.wiremock.common.DateTimeTruncation."
            + truncation.upper().replace(" ", "_"),
        )
    local = moment.astimezone(zone or UTC)
    return RenderableDate(rule(local).astimezone(UTC), None, zone)


_STYLES = {
    "full": "EEEE, MMMM d, yyyy",
    "long": "MMMM d, yyyy",
    "medium": "MMM d, yyyy",
    "short": "M/d/yy",
}


def _date_format(o: Options) -> Any:
    value = o.arg(0)
    if isinstance(value, RenderableDate):
        moment = value.instant.astimezone(value.zone or UTC)
    elif isinstance(value, datetime):
        moment = value
    else:
        return None
    pattern = java_str(o.arg(1, o.hash.get("format", "medium")))  # Handlebars.java: param 0, else format=
    zone = _zone(o, o.hash.get("tz"))
    if zone is not None:
        moment = moment.astimezone(zone)
    return simple_date_format(moment, _STYLES.get(pattern, pattern))


HELPERS: dict[str, Helper] = {
    "now": _now,
    "date": _date,
    "parseDate": _parse_date,
    "truncateDate": _truncate_date,
    "dateFormat": jknack_string_helper(_date_format),
}
