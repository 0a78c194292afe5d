"""One container instance's log files on disk: the live `<n>.log` and its rotated predecessors.

Rotation follows kubelet's container log manager (pkg/kubelet/logs/container_log_manager.go):
once the live file reaches `containerLogMaxSize` it is renamed to `<n>.log.<YYYYMMDD-HHMMSS>`
(local time, uncompressed), older rotated files are gzipped to `.gz`, and at most
`containerLogMaxFiles - 2` of those are kept, so an instance never has more than
`containerLogMaxFiles` files. Two differences, both because podlab rotates from the writer as
soon as the size is reached instead of every 10 s: two rotations within one second get a
`-<k>` suffix on the timestamp, and `kubectl logs` reads across the rotated files (kubelet
reads only the live one).
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path

# kubelet's defaults (KubeletConfiguration containerLogMaxSize / containerLogMaxFiles).
DEFAULT_MAX_SIZE = 10 * 1024 * 1024
DEFAULT_MAX_FILES = 5

_STAMP_FORMAT = "%Y%m%d-%H%M%S"  # Go's "20060102-150405", kubelet's timestampFormat
_ROTATED_RE = re.compile(r"^(?P<stamp>\d{8}-\d{6})(?:-(?P<k>\d+))?(?P<gz>\.gz)?$")


@dataclass(frozen=True, slots=True)
class LogRotation:
    """`podlab.yaml`'s `containerLogMaxSize` / `containerLogMaxFiles`, in bytes and files."""

    max_size: int = DEFAULT_MAX_SIZE
    max_files: int = DEFAULT_MAX_FILES

    def __post_init__(self) -> None:
        if self.max_files < 2:  # kubelet's validation: the live file and one rotated file at least
            raise ValueError("containerLogMaxFiles must be greater than 1")
        if self.max_size <= 0:
            raise ValueError("containerLogMaxSize must be positive")


def rotated_files(log_path: Path) -> list[Path]:
    """`<log>.<stamp>[-k][.gz]` beside `log_path`, oldest first."""
    keyed: list[tuple[str, int, Path]] = []
    prefix = log_path.name + "."
    try:
        names = os.listdir(log_path.parent)
    except FileNotFoundError:
        return []
    for name in names:
        if not name.startswith(prefix):
            continue
        m = _ROTATED_RE.match(name[len(prefix) :])
        if m is not None:
            keyed.append((m["stamp"], int(m["k"] or 0), log_path.parent / name))
    return [p for _, _, p in sorted(keyed)]


def instance_files(log_path: Path) -> list[Path]:
    """Every file holding the instance's log, oldest first; the live file last when it exists."""
    files = rotated_files(log_path)
    return [*files, log_path] if log_path.exists() else files


def rotated_name(log_path: Path, now: float) -> Path:
    """A new `<log>.<stamp>` name for a rotation at wall time `now`, sorting after every other.

    Within one second the suffix counts up from the highest in use, never reusing a pruned
    one: a reused `-1` would sort before the surviving `-2` and be pruned as the oldest.
    """
    stamp = time.strftime(_STAMP_FORMAT, time.localtime(now))
    prefix = log_path.name + "."
    same = [
        int(m["k"] or 0)
        for p in rotated_files(log_path)
        if (m := _ROTATED_RE.match(p.name[len(prefix) :])) is not None and m["stamp"] == stamp
    ]
    if not same:
        return log_path.parent / f"{prefix}{stamp}"
    return log_path.parent / f"{prefix}{stamp}-{max(same) + 1}"


# Compression and pruning of one directory run one at a time (they may overlap otherwise when
# a fast writer rotates again before the previous gzip has finished).
_tidy_lock = threading.Lock()


def tidy_rotated(log_path: Path, max_files: int) -> None:
    """Gzip every rotated file but the newest and drop the oldest beyond `max_files - 2`.

    Blocking (gzip of up to max_size bytes): run it in a worker thread.
    """
    with _tidy_lock:
        rotated = rotated_files(log_path)
        for path in rotated[:-1]:
            if path.suffix != ".gz":
                _compress(path)
        older = rotated_files(log_path)[:-1]
        for path in older[: max(0, len(older) - (max_files - 2))]:
            path.unlink(missing_ok=True)


def _compress(path: Path) -> None:
    target = path.with_name(path.name + ".gz")
    tmp = path.with_name(path.name + ".gz.tmp")
    try:
        with open(path, "rb") as src, gzip.open(tmp, "wb", compresslevel=1) as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        os.chmod(tmp, 0o600)
        tmp.replace(target)
        path.unlink(missing_ok=True)
    except FileNotFoundError:
        tmp.unlink(missing_ok=True)  # removed under us (the pod was deleted)
    except OSError:
        # Disk full: keep the uncompressed file (it is still readable) rather than half a .gz.
        tmp.unlink(missing_ok=True)
