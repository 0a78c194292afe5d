"""A container's termination message, read when it exits (kuberuntime_container.go,
getTerminationMessage; limits from pkg/kubelet/container/runtime.go).

The kubelet binds a host file at `terminationMessagePath` (default `/dev/termination-log`);
whatever the container wrote there, its last 4096 bytes, becomes `state.terminated.message`.
With `terminationMessagePolicy: FallbackToLogsOnError`, a non-zero exit with an empty (or
missing) file takes the log instead: its last 80 lines, cut to the last 2048 bytes.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from podlab.runtime.logscan import backward

MAX_MESSAGE_BYTES = 4096
FALLBACK_LINES = 80
FALLBACK_BYTES = 2048
DEFAULT_PATH = "/dev/termination-log"


@dataclass(frozen=True)
class TerminationLog:
    """Where one instance's message is, on the host, and how the container asked for it."""

    host_file: Path | None  # the file bound at terminationMessagePath; None: not bound (plain mode)
    fallback_to_logs: bool

    @classmethod
    def for_container(cls, container: Mapping[str, Any], host_file: Path | None) -> TerminationLog:
        return cls(host_file, container.get("terminationMessagePolicy") == "FallbackToLogsOnError")


def message_path(container: Mapping[str, Any]) -> str:
    return str(container.get("terminationMessagePath") or DEFAULT_PATH)


def read_message(spec: TerminationLog, exit_code: int, log_path: Path) -> str | None:
    """The message for `state.terminated.message`, or None when there is none."""
    text = _file_tail(spec.host_file) if spec.host_file is not None else b""
    if not text and spec.fallback_to_logs and exit_code != 0:
        text = log_tail(log_path)
    return text.decode(errors="replace") if text else None


def _file_tail(path: Path) -> bytes:
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            f.seek(max(0, size - MAX_MESSAGE_BYTES))
            return f.read(MAX_MESSAGE_BYTES)
    except OSError:
        return b""


def log_tail(log_path: Path) -> bytes:
    """The last 80 lines of output, stdout and stderr together as `kubectl logs` shows them,
    then the last 2048 bytes of those."""
    lines = []
    for line in backward(log_path):
        lines.append(line.as_output())
        if len(lines) == FALLBACK_LINES:
            break
    return b"".join(reversed(lines))[-FALLBACK_BYTES:]
