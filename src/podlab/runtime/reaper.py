"""A watchdog that kills plain-mode containers' process groups when the node dies.

PR_SET_PDEATHSIG only reaches a container's first process; a shell's children would outlive
a SIGKILLed node. Without PID namespaces (no bubblewrap) this small process, started in its
own session, learns each container's process group over its stdin and, when stdin reaches EOF
because the node is gone, SIGKILLs every group it still knows. This module is the node's
side; the watchdog itself is `python -m podlab.runtime.watchdog`.
"""

from __future__ import annotations

import subprocess
import sys


class Reaper:
    """The node's handle on the watchdog process, started on first use."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen[bytes] | None = None

    def watch(self, pgid: int) -> None:
        self._send(f"add {pgid}")

    def forget(self, pgid: int) -> None:
        if self._proc is not None:
            self._send(f"del {pgid}")

    def _send(self, line: str) -> None:
        if self._proc is None or self._proc.poll() is not None:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "podlab.runtime.watchdog"],
                stdin=subprocess.PIPE,
                start_new_session=True,  # the terminal's Ctrl-C must not reach it
            )
        assert self._proc.stdin is not None
        try:
            self._proc.stdin.write(line.encode() + b"\n")
            self._proc.stdin.flush()
        except BrokenPipeError:
            self._proc = None

    def close(self) -> None:
        """EOF makes the watchdog kill what it still knows and exit."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.stdin is not None:
            proc.stdin.close()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
