"""tmpfs mounts for memory-backed volumes (secrets, `emptyDir.medium: Memory`), root only.

kubelet backs every secret volume with a tmpfs so secrets never reach a disk; podlab does
the same when it runs as root (CAP_SYS_ADMIN in the host mount namespace). An ordinary user
has no mount rights outside a user namespace, so there the volume stays a plain 0700
directory under the 0700 $PODLAB_HOME (docs/SECURITY.md says so).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
from pathlib import Path

log = logging.getLogger("podlab.runtime")

MNT_DETACH = 2  # umount2: lazy, so a sandbox still holding the mount does not make it fail

_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
_warned = False


def can_mount() -> bool:
    return os.geteuid() == 0


def mount_tmpfs(target: Path, *, size_bytes: int | None = None, mode: int = 0o755) -> bool:
    """Mount a tmpfs on `target` (created) unless one is there; False when it cannot be done."""
    target.mkdir(parents=True, exist_ok=True)
    if os.path.ismount(target):
        return True
    if not can_mount():
        return False
    options = f"mode={mode:o}" + (f",size={size_bytes}" if size_bytes else "")
    # MS_NOSUID | MS_NODEV: a volume is data, never a way to gain privileges or reach devices.
    flags = 0x2 | 0x4
    if _libc.mount(b"tmpfs", str(target).encode(), b"tmpfs", flags, options.encode()) != 0:
        global _warned
        if not _warned:
            _warned = True
            err = ctypes.get_errno()
            log.warning(
                "cannot mount tmpfs on %s (%s): memory-backed volumes use the disk", target, os.strerror(err)
            )
        return False
    return True


def unmount_under(root: Path) -> None:
    """Detach every mount at or below `root`, deepest first (before removing the directory)."""
    prefix = str(root.resolve()) if root.exists() else str(root)
    try:
        with open("/proc/self/mountinfo") as f:
            points = [_unescape(line.split()[4]) for line in f]
    except OSError:
        return
    inside = [p for p in points if p == prefix or p.startswith(prefix + "/")]
    for point in sorted(set(inside), key=len, reverse=True):
        _libc.umount2(point.encode(), MNT_DETACH)


def _unescape(field: str) -> str:
    # mountinfo escapes space, tab, newline and backslash as octal (\040 ...).
    return field.encode().decode("unicode_escape") if "\\" in field else field
