"""The container's filesystem view as a list of mounts, and bubblewrap's argv for it (sans-IO).

Layout (see ../shared/reference/peers-and-sandboxing.md §3): the container root is a writable
per-instance host directory; the host's top-level directories are bound read-only into it,
except the private ones (/home, /root, /tmp, /run, ...), which start empty. Because the root and
every writable path are host directories, a second bwrap started with the same mounts (for
`exec` and exec probes) sees exactly the same files, /tmp included.

A volume whose mountPath does not exist on the read-only host (say /etc/app) needs a writable
parent to create the mount point in; its host ancestors are then "mirrored": made as real
directories in the root with each host entry bound one by one.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from podlab.runtime.volumes import VolumeMount

# Host top-level entries that never show through: kernel filesystems, private or per-machine data.
PRIVATE_TOP = frozenset(
    {"proc", "sys", "dev", "tmp", "home", "root", "run", "mnt", "media", "lost+found", "boot"}
)
# Writable, empty in every container, like an image's own /var/tmp.
PRIVATE_NESTED = frozenset({"/var/tmp"})


@dataclass(frozen=True, slots=True)
class Mount:
    kind: str  # "bind" | "ro-bind" | "symlink" | "dev" | "proc"
    dest: str  # absolute path inside the sandbox
    source: str = ""  # host path (binds) or link target (symlink)


@dataclass(frozen=True)
class SandboxSpec:
    root: Path  # the writable container root on the host
    rootfs: str  # "host" | "busybox"
    busybox_bin: Path | None  # applet directory, bound at /bin for rootfs "busybox"
    host_extra: Sequence[str]  # host paths under private tops that must show (the Python runtime)
    etc_files: dict[str, Path]  # /etc/hosts, /etc/hostname -> host files
    volumes: Sequence[VolumeMount]


def plan(spec: SandboxSpec) -> list[Mount]:
    """Mounts in the order bwrap must apply them (parents before children)."""
    mounts: list[Mount] = [Mount("bind", "/", str(spec.root)), Mount("dev", "/dev"), Mount("proc", "/proc")]
    if spec.rootfs == "busybox" and spec.busybox_bin is not None:
        mounts.append(Mount("ro-bind", "/bin", str(spec.busybox_bin)))
        mounts.extend(_host_tree(spec.root, ["/etc"], _mirrors(spec, ["/etc"])))
    else:
        tops = sorted("/" + n for n in os.listdir("/") if n not in PRIVATE_TOP)
        mounts.extend(_host_tree(spec.root, tops, _mirrors(spec, tops)))
        for extra in sorted(set(spec.host_extra)):
            if _under_any(extra, ["/" + p for p in PRIVATE_TOP]) and os.path.isdir(extra):
                mounts.append(Mount("ro-bind", extra, extra))
    for dest, src in sorted(spec.etc_files.items()):
        mounts.append(Mount("ro-bind", dest, str(src)))
    for vm in sorted(spec.volumes, key=lambda v: len(PurePosixPath(v.dest).parts)):
        mounts.append(Mount("ro-bind" if vm.read_only else "bind", vm.dest, str(vm.source)))
    return mounts


def _under_any(path: str, roots: Iterable[str]) -> bool:
    return any(path == r or path.startswith(r.rstrip("/") + "/") for r in roots)


def _mirrors(spec: SandboxSpec, tops: Sequence[str]) -> set[str]:
    """Host directories that must be mirrored so a missing mount point can be created."""
    wanted = [vm.dest for vm in spec.volumes] + list(PRIVATE_NESTED) + list(spec.etc_files)
    mirrors: set[str] = set()
    for dest in wanted:
        parts = PurePosixPath(dest).parts[1:]
        if not parts or "/" + parts[0] not in tops or (os.path.lexists(dest) and dest not in PRIVATE_NESTED):
            continue
        path = ""
        for part in parts[:-1]:
            path += "/" + part
            if os.path.islink(path) or not os.path.isdir(path):
                break
            mirrors.add(path)
        if dest in PRIVATE_NESTED and os.path.isdir(str(PurePosixPath(dest).parent)):
            mirrors.add(str(PurePosixPath(dest).parent))
    return mirrors


def _host_tree(root: Path, paths: Iterable[str], mirrors: set[str]) -> list[Mount]:
    out: list[Mount] = []
    for path in paths:
        if path in PRIVATE_NESTED:
            (root / path.lstrip("/")).mkdir(parents=True, exist_ok=True)
        elif os.path.islink(path):
            # Made in the root directory itself rather than with bwrap --symlink, which fails
            # when a second sandbox (exec) finds the link already there.
            target = os.readlink(path)
            link = root / path.lstrip("/")
            if not link.is_symlink():
                link.parent.mkdir(parents=True, exist_ok=True)
                link.symlink_to(target)
            out.append(Mount("symlink", path, target))
        elif path in mirrors:
            (root / path.lstrip("/")).mkdir(parents=True, exist_ok=True)
            children = sorted(os.path.join(path, c) for c in os.listdir(path))
            out.extend(_host_tree(root, children, mirrors))
        elif os.path.exists(path):
            out.append(Mount("ro-bind", path, path))
    return out


def bwrap_args(mounts: Sequence[Mount]) -> list[str]:
    args: list[str] = []
    for m in mounts:
        if m.kind in ("bind", "ro-bind"):
            args += [f"--{m.kind}", m.source, m.dest]
        elif m.kind == "symlink":
            continue  # already a real symlink in the root directory
        elif m.kind == "dev":
            args += ["--dev", m.dest]
        elif m.kind == "proc":
            args += ["--proc", m.dest]
        else:  # pragma: no cover - plan() makes no other kinds
            raise ValueError(f"unknown mount kind {m.kind!r}")
    return args


def host_path(mounts: Sequence[Mount], path: str, cwd: str = "/") -> str:
    """Where a path inside the sandbox lives on the host (following sandbox symlink mounts)."""
    current = str(PurePosixPath(cwd) / path) if not path.startswith("/") else path
    for _ in range(40):
        current = os.path.normpath(current)
        best: Mount | None = None
        for m in mounts:
            if m.kind in ("dev", "proc"):
                continue
            if _under_any(current, [m.dest]) and (best is None or len(m.dest) >= len(best.dest)):
                best = m
        if best is None:
            return current
        if best.kind == "symlink" and (current == best.dest or current.startswith(best.dest + "/")):
            rest = current[len(best.dest) :]
            base = str(PurePosixPath(best.dest).parent)
            target = best.source if best.source.startswith("/") else str(PurePosixPath(base) / best.source)
            current = target + rest
            continue
        rest = current[len(best.dest) :] if best.dest != "/" else current
        return best.source.rstrip("/") + ("/" + rest.lstrip("/") if rest.strip("/") else "") or "/"
    return current
