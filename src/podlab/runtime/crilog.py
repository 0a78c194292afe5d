"""The CRI container log format, sans-IO: formatting and parsing one line at a time.

Each line is `<RFC3339Nano timestamp> <stream> <tag> <content>`, tag `F` for a full line and
`P` for a partial one (containerd splits lines longer than 16 KiB and lines cut by EOF
are written whole), e.g. `2026-11-28T05:32:07.123456789Z stdout F Request received:`.
"""

from __future__ import annotations

import functools
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime

# containerd's default max_container_log_line_size.
MAX_LINE = 16 * 1024

_LINE_RE = re.compile(rb"^(\S+) (stdout|stderr) ([FP]) ?(.*)$", re.DOTALL)
# The same grammar over many lines at once: a full line keeps its newline, a partial one loses
# it, anything else (not CRI-shaped, or a timestamp that is not RFC3339) is dropped.
_RUN_RE = re.compile(
    rb"^(?:\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z (?:stdout|stderr) (?:F ?(.*\n)|P ?(.*)\n)|.*\n)",
    re.MULTILINE,
)


@dataclass(frozen=True, slots=True)
class LogLine:
    timestamp_ns: int  # wall clock, nanoseconds since the epoch
    stream: str  # "stdout" | "stderr"
    partial: bool
    content: bytes  # without the newline

    def as_output(self) -> bytes:
        """What `kubectl logs` prints: the content, plus the newline unless the line was partial."""
        return self.content if self.partial else self.content + b"\n"


def format_timestamp(ns: int) -> str:
    """RFC3339 with nine fractional digits (kubelet's RFC3339NanoFixed)."""
    secs, frac = divmod(ns, 1_000_000_000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(secs)) + f".{frac:09d}Z"


def parse_timestamp(text: str) -> int:
    """Nanoseconds since the epoch from an RFC3339(Nano) UTC timestamp, any fraction length."""
    main, _, rest = text.partition(".")
    frac = rest.rstrip("Z")
    if not rest:
        main = main.rstrip("Z")
    digits = (frac + "000000000")[:9] if frac else "0"
    return _epoch_seconds(main) * 1_000_000_000 + int(digits)


@functools.lru_cache(maxsize=1024)
def _epoch_seconds(text: str) -> int:
    # strptime costs ~100 us; a log's lines share their second, so reading 300 MB stays cheap.
    return int(datetime.strptime(text, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC).timestamp())


def encode(line: LogLine) -> bytes:
    tag = b"P" if line.partial else b"F"
    head = f"{format_timestamp(line.timestamp_ns)} {line.stream} ".encode()
    return head + tag + b" " + line.content + b"\n"


def decode(raw: bytes) -> LogLine | None:
    """One stored line (without its trailing newline); None if it is not CRI-shaped."""
    m = _LINE_RE.match(raw)
    if m is None:
        return None
    try:
        ts = parse_timestamp(m.group(1).decode())
    except ValueError:
        return None
    return LogLine(ts, m.group(2).decode(), m.group(3) == b"P", m.group(4))


def content_of(run: bytes) -> bytes:
    """What `kubectl logs` prints for a run of complete stored lines (no timestamps): the same
    as rendering each decoded line, in one regex pass (a 300 MB log is 1.5 M lines)."""
    return _RUN_RE.sub(rb"\1\2", run)


class LineSplitter:
    """Turns a stream's chunks into CRI lines: full lines, 16 KiB pieces, and a tail at EOF."""

    def __init__(self, stream: str) -> None:
        self.stream = stream
        self._buf = b""

    def feed(self, data: bytes, now_ns: int) -> list[LogLine]:
        self._buf += data
        out: list[LogLine] = []
        while True:
            nl = self._buf.find(b"\n")
            if nl == -1:
                break
            content, self._buf = self._buf[:nl], self._buf[nl + 1 :]
            out.extend(self._split_long(content, now_ns))
        while len(self._buf) > MAX_LINE:
            piece, self._buf = self._buf[:MAX_LINE], self._buf[MAX_LINE:]
            out.append(LogLine(now_ns, self.stream, True, piece))
        return out

    def finish(self, now_ns: int) -> list[LogLine]:
        rest, self._buf = self._buf, b""
        return self._split_long(rest, now_ns) if rest else []

    def _split_long(self, content: bytes, now_ns: int) -> list[LogLine]:
        lines = []
        while len(content) > MAX_LINE:
            lines.append(LogLine(now_ns, self.stream, True, content[:MAX_LINE]))
            content = content[MAX_LINE:]
        lines.append(LogLine(now_ns, self.stream, False, content))
        return lines
