"""A container's writable root over a pulled image: overlayfs where it can be mounted, else a copy.

The image's snapshot (oci/store.py) is the lower layer and never changes; the container
writes to its own upper directory, dropped with the instance, as containerd's overlayfs
snapshotter does. overlayfs needs mount rights: a root node has them in its own mount
namespace (kernel Documentation/filesystems/overlayfs.rst; an unprivileged one would need a
user namespace, kernel >= 5.11 with `userxattr`, and bwrap >= 0.11 for --overlay, newer than
Debian 12's 0.8: docs/reference/images.md §4). Without them the instance gets a full
copy of the snapshot (`cp -a`), slower but the same files.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import shutil
import subprocess
from pathlib import Path

from podlab.runtime.tmpfs import can_mount, unmount_under

_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
_overlay_ok: bool | None = None


def writable_root(image_root: Path, instance: Path, *, overlay: bool = True) -> tuple[Path, str]:
    """(the instance's merged root, "overlay" | "copy"), made under `instance`; `overlay=False`
    makes the copy even where overlayfs works (what an unprivileged node gets)."""
    root = instance / "root"
    if overlay and _mount_overlay(image_root, instance, root):
        return root, "overlay"
    shutil.rmtree(root, ignore_errors=True)
    subprocess.run(["cp", "-a", str(image_root), str(root)], check=True, capture_output=True)
    return root, "copy"


def drop_instance(instance: Path) -> None:
    """Unmount the instance's overlay (if any) and remove its directories."""
    if instance.exists():
        unmount_under(instance)
        shutil.rmtree(instance, ignore_errors=True)


def _mount_overlay(lower: Path, instance: Path, root: Path) -> bool:
    global _overlay_ok
    if _overlay_ok is False or not can_mount():
        return False
    upper, work = instance / "upper", instance / "work"
    for d in (upper, work, root):
        d.mkdir(parents=True, exist_ok=True)
    options = f"lowerdir={lower},upperdir={upper},workdir={work}".encode()
    ok = _libc.mount(b"overlay", str(root).encode(), b"overlay", 0, options) == 0
    if _overlay_ok is None:
        _overlay_ok = ok
    return ok
