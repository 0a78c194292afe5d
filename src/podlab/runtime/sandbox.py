"""The container's filesystem view as a list of mounts, and bubblewrap's argv for it (sans-IO).

Layout (docs/SECURITY.md): the container root is a writable per-instance host directory that
starts empty, like an image's. Into it go, read-only:
- the userland: busybox applets as /bin for busybox images; otherwise the host's /usr (and the
  /bin, /sbin, /lib* beside it), which distro images and mapped host commands run on;
- /etc: a per-instance directory holding the pod's own passwd, group, hosts, hostname and
  resolv.conf; host images also get the few host /etc entries their userland reads (the
  alternatives links, the loader cache, time zone, CA certificates), never the rest of it;
- volumes at their mountPath; then the Python runtime at fixed paths, last, so that no volume
  can hide what a built-in image needs;
- /proc with the kubelet's masked and read-only paths, a minimal /dev.
The host's /etc, /opt, /var, /srv, home directories, podlab's checkout and $PODLAB_HOME never
show through. Because the root and every writable path are host directories, a second bwrap
started with the same mounts (for `exec` and exec probes) sees exactly the same files.

A volume whose mountPath does not exist on the read-only host (say /usr/share/app) needs a
writable parent to create the mount point in; its host ancestors are then "mirrored": made as
real directories in the root with each host entry bound one by one. Mount points under the
read-only /etc are made in its host directory beforehand.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from podlab.runtime.confinement import MASKED_PATHS, READONLY_PATHS
from podlab.runtime.volumes import VolumeMount

# The host userland a host-rootfs image runs on (merged-/usr links are recreated as links).
HOST_USERLAND = ("/bin", "/lib", "/lib32", "/lib64", "/libx32", "/sbin", "/usr")
# Host /etc entries that userland reads and that hold nothing secret: update-alternatives links
# (/usr/bin/awk -> /etc/alternatives/awk), the loader cache, the time zone, public CA certificates.
HOST_ETC = ("alternatives", "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "ssl/certs")
# Empty directories every image has; /tmp and /var/tmp are world-writable with the sticky bit.
SKELETON = {"tmp": 0o1777, "var/tmp": 0o1777, "root": 0o700, "home": 0o755, "run": 0o755, "mnt": 0o755}


@dataclass(frozen=True, slots=True)
class Mount:
    kind: str  # "bind" | "ro-bind" | "symlink" | "dev" | "proc" | "mask-dir"
    dest: str  # absolute path inside the sandbox
    source: str = ""  # host path (binds) or link target (symlink)


@dataclass(frozen=True)
class SandboxSpec:
    root: Path  # the writable container root on the host
    rootfs: str  # "host" | "busybox"
    busybox_bin: Path | None  # applet directory, bound at /bin for rootfs "busybox"
    etc_dir: Path  # the container's /etc on the host (synthetic files already written)
    empty_file: Path  # an empty host file, bound over masked /proc files
    volumes: Sequence[VolumeMount]
    runtime: Sequence[tuple[str, str]] = ()  # (dest, host source) read-only, bound last


def plan(spec: SandboxSpec) -> list[Mount]:
    """Mounts in the order bwrap must apply them (parents before children)."""
    for rel, mode in SKELETON.items():
        path = spec.root / rel
        path.mkdir(parents=True, exist_ok=True)
        os.chmod(path, mode)
    mounts: list[Mount] = [Mount("bind", "/", str(spec.root)), Mount("dev", "/dev"), Mount("proc", "/proc")]
    mounts += _kernel_paths(str(spec.empty_file))
    if spec.rootfs == "busybox" and spec.busybox_bin is not None:
        mounts.append(Mount("ro-bind", "/bin", str(spec.busybox_bin)))
    else:
        tops = [p for p in HOST_USERLAND if os.path.lexists(p)]
        mounts.extend(_host_tree(spec.root, tops, _mirrors(spec, tops)))
    mounts.append(Mount("ro-bind", "/etc", str(spec.etc_dir)))
    if spec.rootfs != "busybox":
        mounts.extend(_host_etc(spec.etc_dir))
    for vm in sorted(spec.volumes, key=lambda v: len(PurePosixPath(v.dest).parts)):
        if _under_any(vm.dest, ["/etc"]) and vm.dest != "/etc":
            _mount_point(spec.etc_dir / os.path.relpath(vm.dest, "/etc"), directory=vm.source.is_dir())
        mounts.append(Mount("ro-bind" if vm.read_only else "bind", vm.dest, str(vm.source)))
    mounts.extend(Mount("ro-bind", dest, source) for dest, source in spec.runtime)
    return mounts


def _kernel_paths(empty_file: str) -> list[Mount]:
    """/proc and /sys paths the kubelet masks or makes read-only; bwrap aborts on a missing source."""
    out: list[Mount] = []
    if os.path.isdir("/sys"):
        out.append(Mount("ro-bind", "/sys", "/sys"))
    for path in MASKED_PATHS:
        if os.path.isdir(path):
            out.append(Mount("mask-dir", path))
        elif os.path.exists(path):
            out.append(Mount("ro-bind", path, empty_file))
    out.extend(Mount("ro-bind", path, path) for path in READONLY_PATHS if os.path.exists(path))
    return out


def _host_etc(etc_dir: Path) -> list[Mount]:
    out: list[Mount] = []
    for rel in HOST_ETC:
        host = "/etc/" + rel
        inside = etc_dir / rel
        if os.path.islink(host):
            if not inside.is_symlink():
                inside.parent.mkdir(parents=True, exist_ok=True)
                inside.symlink_to(os.readlink(host))
        elif os.path.exists(host):
            _mount_point(inside, directory=os.path.isdir(host))
            out.append(Mount("ro-bind", host, host))
    return out


def _mount_point(path: Path, *, directory: bool) -> None:
    """Make a bind's mount point ahead of time, where bwrap cannot (a read-only /etc)."""
    if directory:
        path.mkdir(parents=True, exist_ok=True)
    elif not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()


def _under_any(path: str, roots: Iterable[str]) -> bool:
    return any(path == r or path.startswith(r.rstrip("/") + "/") for r in roots)


def _mirrors(spec: SandboxSpec, tops: Sequence[str]) -> set[str]:
    """Host directories that must be mirrored so a missing mount point can be created."""
    mirrors: set[str] = set()
    for vm in spec.volumes:
        parts = PurePosixPath(vm.dest).parts[1:]
        if not parts or "/" + parts[0] not in tops or os.path.lexists(vm.dest):
            continue
        path = ""
        for part in parts[:-1]:
            path += "/" + part
            if os.path.islink(path) or not os.path.isdir(path):
                break
            mirrors.add(path)
    return mirrors


def _host_tree(root: Path, paths: Iterable[str], mirrors: set[str]) -> list[Mount]:
    out: list[Mount] = []
    for path in paths:
        if os.path.islink(path):
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
        elif m.kind == "mask-dir":
            args += ["--tmpfs", m.dest, "--remount-ro", m.dest]
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
            if m.kind in ("dev", "proc", "mask-dir"):
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
