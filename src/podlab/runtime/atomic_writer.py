"""kubelet's AtomicWriter (pkg/volume/util/atomic_writer.go) for configMap, secret, downwardAPI
and projected volumes: a running container sees the old files or the new ones, never a mix.

Layout of a volume directory:

    ..2026_12_07_05_35_30.123456789/   one version of the payload (0755)
    ..data -> ..2026_12_07_05_35_30.123456789
    key -> ..data/key                  each top-level name the user sees

A new version is written to a fresh timestamped directory, a `..data_tmp` link to it is
renamed over `..data` (the one atomic step), then the user-visible links are added and stale
ones, and the old version, removed. The volume directory itself never changes, so a sandbox
that bound it sees every update. A `subPath` mount binds a file of one version and never
updates, as on a node.
"""

from __future__ import annotations

import os
import secrets
import shutil
import time
from pathlib import Path, PurePosixPath

DATA_DIR = "..data"
DATA_TMP = "..data_tmp"

Payload = dict[str, tuple[bytes, int]]  # relative path -> (content, mode)


def write_payload(target: Path, payload: Payload) -> bool:
    """Bring `target` to `payload`; False (and nothing touched) when it is already there."""
    target.mkdir(parents=True, exist_ok=True)
    current = _current_version(target)
    if current is not None and _holds(current, payload):
        return False
    version = _new_version_dir(target)
    for rel, (content, mode) in payload.items():
        path = version / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        os.chmod(path, mode)
    tmp_link = target / DATA_TMP
    tmp_link.unlink(missing_ok=True)
    tmp_link.symlink_to(version.name)
    os.rename(tmp_link, target / DATA_DIR)  # the swap: readers see old or new
    wanted = {PurePosixPath(rel).parts[0] for rel in payload}
    for name in sorted(wanted):
        link = target / name
        if link.is_symlink():
            continue
        if link.is_dir():
            shutil.rmtree(link)  # a plain directory from before this writer
        elif link.exists():
            link.unlink()
        link.symlink_to(f"{DATA_DIR}/{name}")
    for entry in os.listdir(target):
        if entry.startswith(".."):
            continue
        if entry not in wanted:
            stale = target / entry
            if stale.is_symlink() or stale.is_file():
                stale.unlink()
            else:
                shutil.rmtree(stale, ignore_errors=True)
    if current is not None and current != version:
        shutil.rmtree(current, ignore_errors=True)
    return True


def _current_version(target: Path) -> Path | None:
    link = target / DATA_DIR
    if not link.is_symlink():
        return None
    return target / os.readlink(link)


def _holds(version: Path, payload: Payload) -> bool:
    """The version has exactly these files with these contents and modes."""
    found = {str(p.relative_to(version)) for p in version.rglob("*") if p.is_file() and not p.is_symlink()}
    if found != set(payload):
        return False
    for rel, (content, mode) in payload.items():
        path = version / rel
        if (path.stat().st_mode & 0o7777) != mode or path.read_bytes() != content:
            return False
    return True


def _new_version_dir(target: Path) -> Path:
    # MkdirTemp(dir, "..YYYY_MM_DD_HH_MM_SS.") in UTC, with a random suffix.
    stamp = time.strftime("%Y_%m_%d_%H_%M_%S", time.gmtime())
    version = target / f"..{stamp}.{secrets.randbelow(10**9):09d}"
    version.mkdir()
    os.chmod(version, 0o755)
    return version
