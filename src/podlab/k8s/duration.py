"""Durations as Kubernetes prints them, in the two forms users see.

- `human_duration` / `age`: apimachinery `pkg/util/duration.HumanDuration`, the short
  rounded form of Table AGE columns and `kubectl describe`/`get events` ages (`90s`, `2m`, `3h1m`).
- `go_duration`: Go's `time.Duration.String()`, exact to the nanosecond, which Kubernetes
  prints inside messages with `%v`/`%s` of a Duration (`back-off 1m20s restarting failed
  container`, `timed out after 1.5s`): `1m30s`, `1h0m0s`, `500ms`, `0s`.
- `parse_go_duration`: Go's `time.ParseDuration`, the inverse of `go_duration` (`1m30s`,
  `1.5h`, `300ms`), for durations users write (podlab's simulation models).
They differ on purpose (90 s is `90s` for one and `1m30s` for the other); use the one the
Kubernetes code in question uses.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from podlab.k8s.timestamps import parse_time


def human_duration(seconds: float) -> str:
    """duration.HumanDuration, rule for rule (integer truncation included)."""
    s = int(seconds)  # Go int(d.Seconds()) truncates toward zero
    if s < -1:
        return "<invalid>"
    if s < 0:
        return "0s"
    if s < 60 * 2:
        return f"{s}s"
    minutes = s // 60
    if minutes < 10:
        rest = s % 60
        return f"{minutes}m" if rest == 0 else f"{minutes}m{rest}s"
    if minutes < 60 * 3:
        return f"{minutes}m"
    hours = s // 3600
    if hours < 8:
        rest = minutes % 60
        return f"{hours}h" if rest == 0 else f"{hours}h{rest}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        rest = hours % 24
        return f"{hours // 24}d" if rest == 0 else f"{hours // 24}d{rest}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        days = (hours // 24) % 365
        return f"{hours // 24 // 365}y" if days == 0 else f"{hours // 24 // 365}y{days}d"
    return f"{hours // 24 // 365}y"


def go_duration(seconds: float) -> str:
    """time.Duration.String(): `72h3m0.5s`, `1m30s`, `1.5s`, `500ms`, `2µs`, `0s`.

    Go formats the nanosecond count: below a second in the largest fitting unit (ns, µs, ms)
    with the fraction's trailing zeros cut; from a second up as h/m/s where hours and minutes
    appear once a larger unit is non-zero, and seconds always carry their fraction.
    """
    ns = round(seconds * 1_000_000_000)
    if ns == 0:
        return "0s"
    sign = "-" if ns < 0 else ""
    ns = abs(ns)
    if ns < 1_000_000_000:
        for unit, size in (("ns", 1), ("µs", 1_000), ("ms", 1_000_000)):
            if ns < size * 1_000:
                return sign + _decimal(ns, size) + unit
    minutes, rest = divmod(ns, 60 * 1_000_000_000)
    hours, minutes = divmod(minutes, 60)
    text = _decimal(rest, 1_000_000_000) + "s"
    if hours:
        return f"{sign}{hours}h{minutes}m{text}"
    if minutes:
        return f"{sign}{minutes}m{text}"
    return sign + text


_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_TERM = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)")


def parse_go_duration(text: str) -> float:
    """time.ParseDuration in seconds: a sign, then one or more decimal number + unit terms
    (`2h45m`, `1.5s`, `300ms`); "0" alone is allowed. ValueError names what is wrong."""
    raw = text.strip()
    body = raw[1:] if raw[:1] in "+-" else raw
    if body == "0":
        return 0.0
    if not body:
        raise ValueError(f'time: invalid duration "{text}"')
    total = 0.0
    at = 0
    while at < len(body):
        term = _TERM.match(body, at)
        if term is None:
            if re.match(r"\d+(?:\.\d*)?$", body[at:]):
                raise ValueError(f'time: missing unit in duration "{text}"')
            raise ValueError(f'time: invalid duration "{text}"')
        total += float(term.group(1)) * _UNITS[term.group(2)]
        at = term.end()
    return -total if raw.startswith("-") else total


def _decimal(value: int, unit: int) -> str:
    """value/unit in decimal with no trailing zeros in the fraction (Go's fmtFrac)."""
    whole, frac = divmod(value, unit)
    if not frac:
        return str(whole)
    digits = len(str(unit)) - 1
    return f"{whole}." + f"{frac:0{digits}d}".rstrip("0")


def age(value: Any, now: datetime) -> str:
    """translateTimestampSince: `<unknown>` for a zero time, else HumanDuration(now - t)."""
    when = parse_time(value)
    if when is None:
        return "<unknown>"
    return human_duration((now - when).total_seconds())
