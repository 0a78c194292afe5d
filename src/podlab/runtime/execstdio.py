"""How an exec'd process's standard streams are wired: pipes, /dev/null, or one terminal."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass

# A pipe, /dev/null, or an open fd (a terminal's slave side).
StreamArg = int


@dataclass(frozen=True)
class ExecStdio:
    stdin: StreamArg
    stdout: StreamArg
    stderr: StreamArg
    # All three are one terminal: the command must be a session leader with that terminal as
    # its controlling tty (no --new-session, measured: /dev/tty fails without a ctty).
    tty: bool = False

    def prefix(self) -> list[str]:
        """`setsid --ctty` makes the command a session leader owning its stdin terminal
        (setsid + TIOCSCTTY), which asyncio cannot do between fork and exec."""
        if not self.tty:
            return []
        setsid = shutil.which("setsid")
        if setsid is None:
            raise OSError("setsid (util-linux) is needed for a terminal session")
        return [setsid, "--ctty"]


# Probes and hooks: one pipe for stdout and stderr, as kubelet reads them.
MERGED_OUTPUT = ExecStdio(subprocess.DEVNULL, subprocess.PIPE, subprocess.STDOUT)
# A container's own program: stdout and stderr apart, for the log.
CONTAINER_OUTPUT = ExecStdio(subprocess.DEVNULL, subprocess.PIPE, subprocess.PIPE)
