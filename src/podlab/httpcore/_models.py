"""The values a handler receives and returns: plain data, no I/O."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

Headers = list[tuple[str, str]]


def header_value(headers: Headers, name: str) -> str | None:
    """First value of a header in a (name, value) list, matched case-insensitively."""
    lowered = name.lower()
    for key, value in headers:
        if key.lower() == lowered:
            return value
    return None


def header_values(headers: Headers, name: str) -> list[str]:
    """All values of a header in a (name, value) list, in order, matched case-insensitively."""
    lowered = name.lower()
    return [value for key, value in headers if key.lower() == lowered]


@dataclass
class Request:
    """One parsed request (HTTP/1.x, or an HTTP/2 stream), body fully read."""

    method: str
    target: str  # raw request-target as sent: "/a%20b?x=1"
    path: str  # raw (still percent-encoded) path part
    query: str  # raw query without "?" ("" when absent)
    http_version: str  # "1.1", "1.0", or "2.0" for an HTTP/2 stream
    headers: list[tuple[str, str]]  # arrival order, names as sent
    body: bytes
    client: tuple[str, int]
    server: tuple[str, int]
    # HTTP/2's :authority (its requests need not carry Host); None for HTTP/1.x.
    authority: str | None = None
    # The first value of each header by lower-case name, made by the first `header` call: a
    # request is asked for several (Host, Connection, Origin...) and each scan lower-cased every
    # name again. `headers` is not changed once the request is made (a changed copy is a new one).
    _first: dict[str, str] | None = field(default=None, init=False, repr=False, compare=False)

    def header(self, name: str) -> str | None:
        """First value of a header, matched case-insensitively."""
        first = self._first
        if first is None:
            first = self._first = {}
            for key, value in self.headers:
                first.setdefault(key.lower(), value)
        return first.get(name.lower())

    def header_values(self, name: str) -> list[str]:
        """All values of a header, in arrival order."""
        return header_values(self.headers, name)


@dataclass
class Response:
    """What a handler answers. The core adds only framing headers, never Date or Server."""

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes | AsyncIterator[bytes] = b""
    reason: str | None = None  # None: the standard phrase for the status
    chunked: bool = False  # force Transfer-Encoding: chunked for a bytes body
    # Set by a handler that answers this same object again and never changes it (a stub's
    # fixed answer): the core then frames it once per kind of request and writes the bytes.
    reusable: bool = field(default=False, compare=False)
    # The core's framed bytes of a reusable response: (is HEAD, HTTP version, keep-alive
    # wanted) -> (bytes to write, keep-alive after it).
    wire: dict[tuple[bool, str, bool], tuple[bytes, bool]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def header(self, name: str) -> str | None:
        return header_value(self.headers, name)
