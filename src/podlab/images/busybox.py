"""A /bin of busybox applets, so shell images behave like the busybox image.

`cat /tmp/healthy` in the busybox image prints busybox's wording
(`cat: can't open '/tmp/healthy': No such file or directory`), which the probe event shows
and users search for; coreutils would say something else.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from pathlib import Path

_lock = threading.Lock()


def find_busybox() -> Path | None:
    for candidate in (shutil.which("busybox"), "/bin/busybox", "/usr/bin/busybox"):
        if candidate and os.access(candidate, os.X_OK):
            return Path(candidate)
    return None


def applet_dir(home: Path) -> Path | None:
    """`$home/busybox/bin` with the busybox binary and one symlink per applet (made once)."""
    busybox = find_busybox()
    if busybox is None:
        return None
    target = home / "busybox" / "bin"
    with _lock:
        if (target / ".complete").exists():
            return target
        staging = home / "busybox" / f"bin.{os.getpid()}.tmp"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        # A copy, not a symlink to the host path: in the sandbox only this directory is /bin.
        shutil.copy2(busybox, staging / "busybox")
        listing = subprocess.run([str(busybox), "--list"], capture_output=True, text=True, check=True)
        for name in listing.stdout.split():
            if name != "busybox" and "/" not in name:
                (staging / name).symlink_to("busybox")
        (staging / ".complete").touch()
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)
        return target


def is_static(binary: Path) -> bool:
    """True when the ELF has no program interpreter (so it runs without /lib)."""
    head = binary.read_bytes()[:8192]
    return b"ld-linux" not in head and b"ld-musl" not in head
