"""agnhost pause (and the pause image): sleep until SIGINT/SIGTERM, then exit 0."""

from __future__ import annotations

import signal
import sys
from types import FrameType


def main(argv: list[str]) -> int:
    def shutdown(signum: int, frame: FrameType | None) -> None:
        # pause.c sigdown(): "Shutting down, got signal: Terminated" and exit 0.
        name = "Terminated" if signum == signal.SIGTERM else "Interrupt"
        print(f"Shutting down, got signal: {name}", file=sys.stderr, flush=True)
        sys.exit(0)

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    print("Paused", flush=True)
    while True:
        signal.pause()
