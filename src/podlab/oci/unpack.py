"""Applying one layer tar to a directory: OCI whiteouts, opaque directories, and no escape.

containerd's applyNaive (ctrd pkg/archive/tar.go; docs/reference/images.md §4):
- `dir/.wh.NAME` removes `dir/NAME` from the lower layers; `dir/.wh..wh..opq` empties `dir` of
  everything the lower layers put there, whatever the marker's place in the tar, so the entries
  this layer wrote are remembered and spared;
- every path is cleaned as if rooted (`../../etc` is `/etc`) and each parent is resolved inside
  the root, symlinks included, so neither a name nor a link planted by an earlier entry or
  layer can reach outside; hard-link targets get the same confinement;
- device nodes are skipped (bwrap's --dev supplies /dev, and an unprivileged node cannot mknod);
  owners are kept only when the node runs as root;
- an existing file is unlinked before it is replaced, never written through: a snapshot may
  share its files' inodes with the snapshot below it (store.py);
- directory modes and times are set last, with u+w kept meanwhile so 0555 dirs take children.
"""

from __future__ import annotations

import os
import posixpath
import shutil
import stat
import tarfile
from pathlib import Path
from typing import IO

from podlab.oci.blobs import HashingReader

WHITEOUT = ".wh."
OPAQUE = ".wh..wh..opq"
MAX_LINK_DEPTH = 40


class UnpackError(Exception):
    """The layer cannot be applied (a broken archive, an impossible entry)."""


def clean(name: str) -> str:
    """The entry's path relative to the root, '' for the root itself."""
    return posixpath.normpath("/" + name).lstrip("/")


def resolve_in_root(root: str, rel: str, *, follow_last: bool = False) -> str:
    """The host path of `rel` with every symlink on the way resolved inside `root`
    (filepath-securejoin's rule: `..` stops at the root, absolute targets restart at it)."""
    parts = [p for p in rel.split("/") if p]
    done: list[str] = []
    hops = 0
    while parts:
        part = parts.pop(0)
        if part == ".":
            continue
        if part == "..":
            if done:
                done.pop()
            continue
        candidate = os.path.join(root, *done, part)
        if os.path.islink(candidate) and (parts or follow_last):
            hops += 1
            if hops > MAX_LINK_DEPTH:
                raise UnpackError(f"too many levels of symbolic links resolving {rel}")
            target = os.readlink(candidate)
            if target.startswith("/"):
                done = []
            parts = [p for p in target.split("/") if p] + parts
            continue
        done.append(part)
    return os.path.join(root, *done)


def remove_path(path: str) -> None:
    """rm -rf, read-only (0555) directories included; never follows a symlink."""
    if os.path.isdir(path) and not os.path.islink(path):
        _make_writable_tree(path)
        shutil.rmtree(path)
    elif os.path.lexists(path):
        os.unlink(path)


def _make_writable_tree(path: str) -> None:
    for dirpath, dirnames, _files in os.walk(path):
        for d in dirnames:
            full = os.path.join(dirpath, d)
            if not os.path.islink(full):
                os.chmod(full, stat.S_IMODE(os.lstat(full).st_mode) | stat.S_IRWXU)
    os.chmod(path, stat.S_IMODE(os.lstat(path).st_mode) | stat.S_IRWXU)


def apply_layer(stream: IO[bytes] | HashingReader, root: Path) -> None:
    """Apply the (uncompressed) tar read from `stream` onto `root`."""
    base = str(root)
    as_root = os.geteuid() == 0
    written: set[str] = set()  # this layer's paths, spared by its opaque markers
    dirs: list[tuple[str, tarfile.TarInfo]] = []
    try:
        with tarfile.open(fileobj=stream, mode="r|") as archive:  # type: ignore[call-overload]
            for member in archive:
                rel = clean(member.name)
                if not rel:
                    continue
                parent_rel, name = posixpath.split(rel)
                parent = resolve_in_root(base, parent_rel, follow_last=True)
                if name == OPAQUE:
                    _opaque(parent, parent_rel, written)
                    continue
                if name.startswith(WHITEOUT):
                    target = name[len(WHITEOUT) :]
                    if not target:
                        raise UnpackError(f"invalid whiteout name {member.name!r}")
                    remove_path(os.path.join(parent, target))
                    continue
                os.makedirs(parent, exist_ok=True)
                path = os.path.join(parent, name)
                written.add(rel)
                if member.isdir():
                    if os.path.lexists(path) and not os.path.isdir(path):
                        os.unlink(path)
                    if not os.path.lexists(path):
                        os.mkdir(path, 0o700)
                    os.chmod(path, (member.mode & 0o7777) | stat.S_IRWXU)
                    dirs.append((path, member))
                    continue
                if member.ischr() or member.isblk():
                    continue  # containerd skips devices in a user namespace
                remove_path(path)
                if member.isreg():
                    source = archive.extractfile(member)
                    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
                    with os.fdopen(fd, "wb") as out:
                        if source is not None:
                            shutil.copyfileobj(source, out, 1 << 20)
                elif member.issym():
                    os.symlink(member.linkname, path)
                elif member.islnk():
                    _hard_link(base, member.linkname, path)
                elif member.isfifo():
                    os.mkfifo(path, 0o600)
                else:
                    continue
                _metadata(path, member, as_root)
    except tarfile.TarError as exc:
        raise UnpackError(f"failed to read layer: {exc}") from None
    for path, member in reversed(dirs):
        _metadata(path, member, as_root)


def _opaque(parent: str, parent_rel: str, written: set[str]) -> None:
    if not os.path.isdir(parent):
        return
    for child in os.listdir(parent):
        if posixpath.join(parent_rel, child) not in written:
            remove_path(os.path.join(parent, child))


def _hard_link(base: str, linkname: str, path: str) -> None:
    target = resolve_in_root(base, clean(linkname))
    if not os.path.isfile(target) or os.path.islink(target):
        raise UnpackError(f"hard link target {linkname!r} is not a regular file in the image")
    try:
        os.link(target, path)
    except OSError:
        shutil.copy2(target, path)  # e.g. across filesystems: a copy reads the same


def _metadata(path: str, member: tarfile.TarInfo, as_root: bool) -> None:
    if as_root:
        try:
            os.lchown(path, member.uid, member.gid)
        except OSError:
            pass
    if not member.issym():
        mode = member.mode & 0o7777
        os.chmod(path, mode | stat.S_IRWXU if member.isdir() and not as_root else mode)
    try:
        os.utime(path, (member.mtime, member.mtime), follow_symlinks=False)
    except (OSError, OverflowError):
        pass
