"""`--allow-proxy-targets` / `--deny-proxy-targets`: which hosts proxying and webhooks may reach.

WireMock 3.13.2's NetworkAddressRules, observed on the jar (docs/STUB-LIMITS.md, "Proxy
targets"): each list is comma-separated; an entry is a single IPv4 address, a hyphenated IPv4
range, or else a host name pattern (`*` stands for one or more characters, matched against the
whole name). An IPv4 literal is judged by the IP entries only and a name by the name entries
only; an empty allow side (of either kind) allows everything of that kind; deny is applied
after allow. When the rules are not "allow everything", the name is checked first and then
every IPv4 address it resolves to (see route.py), so a name that resolves into a denied range
is refused too.

Differs on purpose: WireMock keeps the spaces around entries (`a, b` makes a pattern " b" that
never matches, silently weakening a deny list); podlab strips them.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

# NetworkAddressRange.of: what decides whether an entry is an address, a range or a name.
_SINGLE_IP = r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}"
_SINGLE_IP_RE = re.compile(_SINGLE_IP)
_IP_RANGE_RE = re.compile(f"{_SINGLE_IP}-{_SINGLE_IP}")
DENIED_PROXY = "The target proxy address is denied in WireMock's configuration."


class TargetRuleError(ValueError):
    """An entry WireMock refuses at start-up; the message is its error title, `option` the
    list it stands in."""

    def __init__(self, message: str, option: str = "") -> None:
        super().__init__(message)
        self.option = option


def ipv4_value(text: str) -> int | None:
    """The address as a number if `text` is an IPv4 literal in canonical form (Java's
    `InetAddress.getByName(ip).getHostAddress().equals(ip)`), else None."""
    try:
        address = ipaddress.IPv4Address(text)
    except ValueError:
        return None
    return int(address) if str(address) == text else None


@dataclass(frozen=True, slots=True)
class _IpRange:
    low: int
    high: int

    def includes(self, value: int) -> bool:
        return self.low <= value <= self.high


def _address(text: str) -> int:
    value = ipv4_value(text)
    if value is None:
        raise TargetRuleError(f"{text} is not a valid IP address")
    return value


def _parse(entry: str) -> _IpRange | re.Pattern[str]:
    if not entry:
        raise TargetRuleError(f"{entry} is not a valid network address")
    if _SINGLE_IP_RE.fullmatch(entry):
        value = _address(entry)
        return _IpRange(value, value)
    if _IP_RANGE_RE.fullmatch(entry):
        low, high = entry.split("-")
        return _IpRange(_address(low), _address(high))
    # WireMock turns the pattern into a regex by escaping dots and making `*` `.+`; anything
    # else in it is regex syntax there too.
    try:
        return re.compile(entry.replace(".", r"\.").replace("*", ".+"))
    except re.error as exc:
        raise TargetRuleError(f"{entry} is not a valid network address ({exc})") from None


def _entries(text: str | None, option: str) -> list[_IpRange | re.Pattern[str]]:
    if text is None:
        return []
    try:
        return [_parse(entry.strip()) for entry in text.split(",")]
    except TargetRuleError as exc:
        raise TargetRuleError(str(exc), option) from None


@dataclass(frozen=True)
class TargetRules:
    allowed_ips: tuple[_IpRange, ...] = ()  # empty: every address
    allowed_names: tuple[re.Pattern[str], ...] = ()  # empty: every name
    denied_ips: tuple[_IpRange, ...] = ()
    denied_names: tuple[re.Pattern[str], ...] = ()

    @classmethod
    def parse(cls, allow: str | None, deny: str | None) -> TargetRules:
        """From the two options' values; raises TargetRuleError naming the bad entry."""
        allowed = _entries(allow, "allow-proxy-targets")
        denied = _entries(deny, "deny-proxy-targets")
        return cls(
            allowed_ips=tuple(r for r in allowed if isinstance(r, _IpRange)),
            allowed_names=tuple(r for r in allowed if isinstance(r, re.Pattern)),
            denied_ips=tuple(r for r in denied if isinstance(r, _IpRange)),
            denied_names=tuple(r for r in denied if isinstance(r, re.Pattern)),
        )

    @property
    def allows_all(self) -> bool:
        return not (self.allowed_ips or self.allowed_names or self.denied_ips or self.denied_names)

    def allows(self, host: str) -> bool:
        """Whether a host name or IPv4 literal may be reached (no resolving here)."""
        value = ipv4_value(host)
        if value is not None:
            allowed = not self.allowed_ips or any(r.includes(value) for r in self.allowed_ips)
            return allowed and not any(r.includes(value) for r in self.denied_ips)
        allowed = not self.allowed_names or any(p.fullmatch(host) for p in self.allowed_names)
        return allowed and not any(p.fullmatch(host) for p in self.denied_names)
