"""fsGroup on a pod's volumes, as kubelet's SetVolumeOwnership (pkg/volume/volume_linux.go).

Every entry gets the group (`lchown(-1, fsGroup)`); everything but symlinks gains the group's
read (and write, unless the volume is read-only) bits; directories also gain the execute bits
and setgid, so files made in them later belong to the group too. The walk is kubelet's
`fsGroupChangePolicy: Always` (its default). hostPath volumes are never changed.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

RW_MASK = 0o660
RO_MASK = 0o440
DIR_EXTRA = 0o110 | stat.S_ISGID


def set_volume_ownership(root: Path, gid: int, *, read_only: bool) -> None:
    mask = RO_MASK if read_only else RW_MASK
    _change(root, gid, mask)
    for dirpath, dirnames, filenames in os.walk(root):
        for name in (*dirnames, *filenames):
            _change(Path(dirpath) / name, gid, mask)


def _change(path: Path, gid: int, mask: int) -> None:
    os.lchown(path, -1, gid)
    info = path.lstat()
    if stat.S_ISLNK(info.st_mode):
        return
    mode = stat.S_IMODE(info.st_mode) | mask
    if stat.S_ISDIR(info.st_mode):
        mode |= DIR_EXTRA
    os.chmod(path, mode)
