"""A watchdog that kills plain-mode containers' process groups when the node dies.

PR_SET_PDEATHSIG only reaches a container's first process; a shell's children would outlive
a SIGKILLed node. Without PID namespaces (no bubblewrap) this small process, started in its
own session, learns each container's process group over its stdin and, when stdin reaches EOF
because the node is gone, SIGKILLs every group it still knows. Run: `python -m podlab.runtime.reaper`.
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
