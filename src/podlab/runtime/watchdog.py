"""The plain-mode watchdog process: SIGKILLs the process groups it was told about at stdin EOF.

Started by podlab.runtime.reaper.Reaper in its own session; stdin reaching EOF means the
node is gone (or closed it on a clean shutdown).
"""

from __future__ import annotations

import os
import signal
import sys


def main() -> int:
    # Ignore the terminal's and the node's signals: only EOF on stdin ends this process.
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
    groups: set[int] = set()
    for line in sys.stdin:
        op, _, value = line.strip().partition(" ")
        if not value.isdigit():
            continue
        if op == "add":
            groups.add(int(value))
        elif op == "del":
            groups.discard(int(value))
    for pgid in groups:
        try:
            os.killpg(pgid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
