"""The `--verbose` request log, in WireMock's exact layout (docs/reference/wiremock.md §5).

Pure formatting: the server passes in what it saw and writes the text itself, flushing per
request so `kubectl logs -f` shows each exchange as it happens.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from podlab.stub.jvm.jsonfmt import pretty

# The last second's local `yyyy-MM-dd HH:mm:ss.` (whole epoch second, text): converting to local
# time and formatting was most of a log line's cost, and every 404 logs its report.
_second: tuple[int, str] = (0, "")


def timestamp(when: datetime) -> str:
    """ConsoleNotifier's `yyyy-MM-dd HH:mm:ss.SSS`, in local time."""
    global _second
    second = math.floor(when.timestamp())
    cached, text = _second
    if second != cached or not text:
        # An offset from UTC changes only on a whole second, so one second has one local text.
        text = when.astimezone().strftime("%Y-%m-%d %H:%M:%S.")
        _second = (second, text)
    return text + f"{when.microsecond // 1000:03d}"


def notifier_line(when: datetime, message: str) -> str:
    return f"{timestamp(when)} {message}\n"


def _grouped(headers: list[tuple[str, str]]) -> list[tuple[str, list[str]]]:
    """One entry per header name (first spelling, first position), values in arrival order."""
    groups: dict[str, tuple[str, list[str]]] = {}
    for name, value in headers:
        key = name.lower()
        if key in groups:
            groups[key][1].append(value)
        else:
            groups[key] = (name, [value])
    return list(groups.values())


def headers_text(headers: list[tuple[str, str]]) -> str:
    """HttpHeaders.toString: `Name: [v1, v2]` lines, or `(no headers)`."""
    if not headers:
        return "(no headers)\n"
    return "".join(f"{name}: [{', '.join(values)}]\n" for name, values in _grouped(headers))


def request_text(client_ip: str, method: str, url: str, headers: list[tuple[str, str]], body: str) -> str:
    """LoggedRequest as the notifier prints it: first line, blank, headers, body."""
    lines = f"{client_ip} - {method} {url}\n\n"
    lines += "".join(f"{name}: [{', '.join(values)}]\n" for name, values in _grouped(headers))
    return lines + body + "\n"


def admin_message(request: str) -> str:
    return "Admin request received:\n" + request


def stub_message(
    request: str,
    definition: dict[str, Any] | None,
    protocol: str,
    status: int,
    response_headers: list[tuple[str, str]],
) -> str:
    shown = "(no response definition configured)" if definition is None else pretty(definition)
    response = f"{protocol} {status}\n" + headers_text(response_headers)
    return (
        "Request received:\n"
        + request
        + "\n\nMatched response definition:\n"
        + shown
        + "\n\nResponse:\n"
        + response
    )
