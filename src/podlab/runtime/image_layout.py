"""The view of a container that runs a pulled image: the image's tree as its root (layout.py's twin).

Into the instance's writable root (imagefs.py) go: /dev, /proc with the kubelet's masked and
read-only paths, the pod's /etc/hosts, /etc/hostname and /etc/resolv.conf (bound read-only,
as containerd binds them from the sandbox's state directory, so every container of the pod
sees the same files), then the volumes. Nothing of the host's userland or /etc shows through.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from podlab.images.resolve import ImageProgram
from podlab.oci.unpack import resolve_in_root
from podlab.runtime import sandbox
from podlab.runtime.imagefs import drop_instance, writable_root
from podlab.runtime.types import ContainerLaunch, CreateContainerError
from podlab.runtime.volumes import VolumeMount

# The files the runtime adds to every container (containerd linuxContainerMounts).
RUNTIME_ETC = ("hosts", "hostname", "resolv.conf")


def instance_root(pod_dir: Path, name: str, restart_count: int, image_root: Path) -> Path:
    """A fresh writable root for this instance; earlier instances of the container are dropped."""
    containers = pod_dir / "containers"
    for count in range(restart_count + 1):
        drop_instance(containers / f"{name}-{count}")
    instance = containers / f"{name}-{restart_count}"
    instance.mkdir(parents=True)
    root, _how = writable_root(image_root, instance)
    return root


def image_mounts(
    root: Path, etc_dir: Path, empty_file: Path, volumes: list[VolumeMount]
) -> list[sandbox.Mount]:
    mounts = [
        sandbox.Mount("bind", "/", str(root)),
        sandbox.Mount("dev", "/dev"),
        sandbox.Mount("proc", "/proc"),
    ]
    mounts += sandbox._kernel_paths(str(empty_file))
    for name in RUNTIME_ETC:
        point = Path(resolve_in_root(str(root), f"etc/{name}", follow_last=True))
        point.parent.mkdir(parents=True, exist_ok=True)
        if not point.exists():
            point.touch()
        mounts.append(sandbox.Mount("ro-bind", "/" + str(point.relative_to(root)), str(etc_dir / name)))
    for vm in sorted(volumes, key=lambda v: len(PurePosixPath(v.dest).parts)):
        # The mount point is made inside the image's root, never through a link out of it.
        point = Path(resolve_in_root(str(root), vm.dest.lstrip("/"), follow_last=True))
        dest = "/" + str(point.relative_to(root))
        if vm.source.is_dir():
            point.mkdir(parents=True, exist_ok=True)
        elif not point.exists():
            point.parent.mkdir(parents=True, exist_ok=True)
            point.touch()
        mounts.append(sandbox.Mount("ro-bind" if vm.read_only else "bind", dest, str(vm.source)))
    return mounts


def make_workdir(root: Path, workdir: str) -> Path:
    """runc creates a missing working directory (MkdirAll 0755); bwrap's --chdir would fail."""
    path = Path(resolve_in_root(str(root), workdir.lstrip("/"), follow_last=True))
    path.mkdir(mode=0o755, parents=True, exist_ok=True)
    return path


def check_isolated(isolated: bool, launch: ContainerLaunch) -> None:
    if not isolated:
        raise CreateContainerError(
            f'image "{launch.container.get("image", "")}" is a pulled image: it runs only in the bubblewrap '
            "sandbox (this node runs containers as plain host processes)"
        )


def home_of(root: Path, uid: int) -> str:
    """runc sets HOME from the user's /etc/passwd entry when the env has none, else `/`."""
    try:
        text = Path(resolve_in_root(str(root), "etc/passwd", follow_last=True)).read_text(errors="replace")
    except OSError:
        return "/"
    for line in text.splitlines():
        fields = line.split(":")
        if len(fields) > 5 and fields[2] == str(uid):
            return fields[5] or "/"
    return "/"


def program_env(program: ImageProgram, launch_env: dict[str, str], root: Path) -> dict[str, str]:
    env = {**program.env, **launch_env}
    if "HOME" not in env:
        env["HOME"] = home_of(root, program.identity.uid if program.identity else 0)
    return env
