"""How late each periodic probe starts: the instant its tick was due vs the instant the prober
woke to run it (issue 12: the p99 of this with 100 probed pods is a node goal).

Measured inside the kubelet, where a late tick is caused (a busy loop, many timers), rather than
at the container, where network and server start-up add their own delays. Off unless
PODLAB_PROBE_LATENESS_LOG names a file: then each due tick appends one line, the lateness in
milliseconds, so a benchmark reads it from outside the node (bench/node_bench.py).
"""

from __future__ import annotations

import os
from typing import TextIO

ENV = "PODLAB_PROBE_LATENESS_LOG"


class LatenessLog:
    """Appends `due → woke` differences; the clock's instants are passed in (sans-IO core)."""

    def __init__(self, stream: TextIO | None) -> None:
        self._stream = stream

    @property
    def enabled(self) -> bool:
        return self._stream is not None

    def record(self, due: float, woke: float) -> None:
        if self._stream is not None:
            # Line-buffered: one short write per probe tick (tens a second with 100 pods).
            self._stream.write(f"{max(0.0, woke - due) * 1000:.3f}\n")


def _from_env() -> LatenessLog:
    path = os.environ.get(ENV)
    if not path:
        return LatenessLog(None)
    return LatenessLog(open(path, "a", buffering=1, encoding="ascii"))


LATENESS = _from_env()


def read_lateness(path: str) -> list[float]:
    """The recorded lateness values (ms), in the order recorded."""
    with open(path, encoding="ascii") as stream:
        return [float(line) for line in stream if line.strip()]
