"""Where one container instance lives: its root directory, mounts, working directory, env."""

from __future__ import annotations

import os
import shutil
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from podlab.images import ImageProgram
from podlab.network.netns import PodNetns
from podlab.runtime import sandbox
from podlab.runtime.pyruntime import python_runtime
from podlab.runtime.types import ContainerLaunch
from podlab.runtime.volumes import resolve_mounts, volume_kinds


@dataclass(frozen=True)
class Layout:
    """One container instance's view, in container paths and their host backing."""

    argv: list[str]  # the program, in the container's paths
    mounts: list[sandbox.Mount]  # under bwrap: the sandbox; plain: path translations only
    workdir: str  # inside the container
    host_workdir: Path  # the host directory behind workdir (plain mode runs there)
    env: dict[str, str]
    hostname: str
    netns: PodNetns | None = None  # the pod's network namespace; None: the host's network

    def host_path(self, path: str, cwd: str | None = None) -> str:
        return sandbox.host_path(self.mounts, path, cwd or self.workdir)


def prepare(
    launch: ContainerLaunch,
    program: ImageProgram,
    pod_dir: Path,
    *,
    isolated: bool,
    busybox: Path | None,
) -> Layout:
    """Make the instance's fresh root under `pod_dir/containers/` and describe its view."""
    pod, container = launch.pod, launch.container
    meta = pod["metadata"]
    name = str(container["name"])
    hostname = str(pod.get("spec", {}).get("hostname") or meta["name"])[:63]
    root = _fresh_root(pod_dir / "containers", name, launch.restart_count)
    vols = resolve_mounts(container, launch.volumes, volume_kinds(pod))
    env = {"HOSTNAME": hostname, **program.env, **launch.env}
    env.setdefault("HOME", "/root")
    workdir = program.workdir
    argv = list(program.argv)
    if isolated:
        etc = write_etc(root.parent / "etc", launch.pod_ip, hostname)
        empty = root.parent / "empty"
        empty.touch()
        runtime: tuple[tuple[str, str], ...] = ()
        if program.python:
            py = python_runtime()
            runtime = py.binds
            # Over the container's env too: these are the image's internals, not settings.
            env.update(py.env)
            if argv and argv[0] == sys.executable:
                argv[0] = py.interpreter
        spec = sandbox.SandboxSpec(
            root=root,
            rootfs="busybox" if busybox is not None else "host",
            busybox_bin=busybox,
            etc_dir=etc,
            empty_file=empty,
            volumes=vols,
            runtime=runtime,
        )
        mounts = sandbox.plan(spec)
        host_workdir = Path(sandbox.host_path(mounts, workdir))
    else:
        # No mount namespace: volumes appear as symlinks under the per-container root and the
        # program runs in root/<workdir>, so relative paths (WireMock's ./mappings) work.
        mounts = [sandbox.Mount("bind", vm.dest, str(vm.source)) for vm in vols]
        if busybox is not None:
            mounts += [sandbox.Mount("ro-bind", d, str(busybox)) for d in ("/bin", "/sbin")]
            env["PATH"] = f"{busybox}:{env.get('PATH', '')}"
        for vm in vols:
            link = root / vm.dest.lstrip("/")
            link.parent.mkdir(parents=True, exist_ok=True)
            if not link.exists():
                link.symlink_to(vm.source)
        host_workdir = root / workdir.lstrip("/")
        env.setdefault("TMPDIR", str(root / "tmp"))
    host_workdir.mkdir(parents=True, exist_ok=True)
    return Layout(
        argv=argv,
        mounts=mounts,
        workdir=workdir,
        host_workdir=host_workdir,
        env=env,
        hostname=hostname,
        netns=launch.netns if isolated else None,
    )


def _write_if_changed(path: Path, text: str) -> None:
    """Every container of a pod shares these files and they start in parallel threads: never
    truncate one that a starting sandbox may be reading, replace it whole, and only if it changed."""
    try:
        if path.read_text() == text:
            return
    except OSError:
        pass
    tmp = path.with_name(f".{path.name}.{threading.get_ident()}.tmp")
    tmp.write_text(text)
    tmp.replace(path)


def _fresh_root(containers_dir: Path, name: str, restart_count: int) -> Path:
    """A restarted container gets a fresh filesystem, as a new container does on a node."""
    instance = containers_dir / f"{name}-{restart_count}"
    # Earlier instances by name, not by listing the directory: a pod with 1,000 containers would
    # list 1,000 entries for each of its 1,000 starts.
    for count in range(restart_count + 1):
        old = containers_dir / f"{name}-{count}"
        if old.exists():
            shutil.rmtree(old, ignore_errors=True)
    root = instance / "root"
    root.mkdir(parents=True)
    (root / "tmp").mkdir()
    os.chmod(root / "tmp", 0o1777)
    return root


def write_etc(etc: Path, pod_ip: str, hostname: str) -> Path:
    """The container's own /etc: who its users are, its name and address, the host's resolver."""
    etc.mkdir(parents=True, exist_ok=True)
    _write_if_changed(etc / "passwd", PASSWD)
    _write_if_changed(etc / "group", GROUP)
    _write_if_changed(etc / "hosts", hosts_file(pod_ip, hostname))
    _write_if_changed(etc / "hostname", hostname + "\n")
    try:
        # dnsPolicy Default: the node's resolver (podlab has no cluster DNS).
        resolv = Path("/etc/resolv.conf").read_text()
    except OSError:
        resolv = ""
    _write_if_changed(etc / "resolv.conf", resolv)
    return etc


# The users and groups a minimal image knows; no host account shows through.
PASSWD = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
GROUP = "root:x:0:\nnogroup:x:65534:\n"


def hosts_file(pod_ip: str, hostname: str) -> str:
    # The kubelet's managed /etc/hosts (pkg/kubelet/kubelet_pods.go, managedHostsHeader).
    return (
        "# Kubernetes-managed hosts file.\n"
        "127.0.0.1\tlocalhost\n"
        "::1\tlocalhost ip6-localhost ip6-loopback\n"
        "fe00::0\tip6-localnet\n"
        "fe00::0\tip6-mcastprefix\n"
        "fe00::1\tip6-allnodes\n"
        "fe00::2\tip6-allrouters\n"
        f"{pod_ip}\t{hostname}\n"
    )
