"""Where one container instance lives: its root directory, mounts, working directory, env."""

from __future__ import annotations

import os
import shutil
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

from podlab.images.resolve import ImageProgram
from podlab.network.netns import PodNetns
from podlab.oci.process import Identity
from podlab.oci.unpack import resolve_in_root
from podlab.runtime import idswitch, image_layout, sandbox
from podlab.runtime.pyruntime import python_runtime
from podlab.runtime.security import Security, effective
from podlab.runtime.termination import message_path
from podlab.runtime.types import ContainerLaunch, PodEtc, StartError
from podlab.runtime.volumes import VolumeMount, resolve_mounts, volume_kinds


@dataclass(frozen=True)
class Layout:
    """One container instance's view, in container paths and their host backing."""

    argv: list[str]  # the program, in the container's paths
    mounts: list[sandbox.Mount]  # under bwrap: the sandbox; plain: path translations only
    workdir: str  # inside the container
    host_workdir: Path  # the host directory behind workdir (plain mode runs there)
    env: dict[str, str]
    hostname: str
    # False for a root node's container with a privileged port (confinement.py) or its own
    # runAsUser/runAsGroup/groups (idswitch.py).
    user_namespace: bool = True
    security: Security = field(default_factory=Security)
    # setpriv and its options, run as the sandbox's first program to take on the container's
    # ids (idswitch.py); empty when the container keeps the image's user.
    id_switch: tuple[str, ...] = ()
    # Start with SIGTERM/SIGINT blocked: only for a program that unblocks them once its
    # handler is installed (the stub's __main__), so a stop during start-up is never lost.
    hold_signals: bool = False
    # The host file bound at terminationMessagePath (termination.py); None in plain mode.
    termination_file: Path | None = None
    # A pulled image: the instance's root (its own symlinks resolve inside it) and its user.
    image_root: Path | None = None
    identity: Identity | None = None
    netns: PodNetns | None = None  # the pod's network namespace; None: the host's network

    def host_path(self, path: str, cwd: str | None = None) -> str:
        found = sandbox.host_path(self.mounts, path, cwd or self.workdir)
        if self.image_root is not None and (found + "/").startswith(str(self.image_root) + "/"):
            # /bin/sh -> /bin/busybox inside the image, not on the host.
            return resolve_in_root(str(self.image_root), found[len(str(self.image_root)) :], follow_last=True)
        return found


def prepare(
    launch: ContainerLaunch,
    program: ImageProgram,
    pod_dir: Path,
    *,
    isolated: bool,
    busybox: Path | None,
    python_package: str | None = None,
) -> Layout:
    """Make the instance's fresh root under `pod_dir/containers/` and describe its view.

    `python_package`: the podlab package directory built-in images bind (pycache.py), when
    not the one this process imported."""
    pod, container = launch.pod, launch.container
    meta = pod["metadata"]
    name = str(container["name"])
    hostname = (
        launch.etc.hostname if launch.etc else str(pod.get("spec", {}).get("hostname") or meta["name"])[:63]
    )
    vols = resolve_mounts(container, launch.volumes, volume_kinds(pod))
    if program.rootfs == "image":
        return _prepare_image(launch, program, pod_dir, hostname, vols, isolated=isolated)
    root = _fresh_root(pod_dir / "containers", name, launch.restart_count)
    termination_file: Path | None = None
    env = {"HOSTNAME": hostname, **program.env, **launch.env}
    env.setdefault("HOME", "/root")
    workdir = program.workdir
    argv = list(program.argv)
    sec = effective(pod, container)
    # Always its own user namespace (a port below 1024 binds inside the pod's network
    # namespace), except a root node's switch to the container's own ids (idswitch.py).
    user_namespace = True
    id_switch: tuple[str, ...] = ()
    switch_binds: tuple[tuple[str, str], ...] = ()
    if isolated and sec.identity is not None and os.geteuid() == 0:
        tool = idswitch.tool("busybox" if busybox is not None else "host")
        if tool is None:
            raise StartError("setpriv (util-linux) is not installed: runAsUser/runAsGroup cannot be applied")
        user_namespace = False
        id_switch = (*tool.prefix, *idswitch.setpriv_args(sec.identity))
        switch_binds = tool.binds
    if isolated:
        termination_file = _termination_file(root.parent)
        vols = [*vols, VolumeMount(message_path(container), termination_file, read_only=False)]
        etc = write_etc(root.parent / "etc", launch.pod_ip, hostname, launch.etc)
        empty = root.parent / "empty"
        empty.touch()
        runtime: tuple[tuple[str, str], ...] = ()
        if program.python:
            py = python_runtime(python_package)
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
            runtime=(*runtime, *switch_binds),
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
        user_namespace=user_namespace,
        security=sec,
        id_switch=id_switch,
        hold_signals=program.kind == "wiremock" and argv[1:3] == ["-m", "podlab.stub"],
        termination_file=termination_file,
        netns=launch.netns if isolated else None,
    )


def _termination_file(instance: Path) -> Path:
    """The instance's own termination log; 0666 as the kubelet makes it, for any runAsUser."""
    path = instance / "termination-log"
    path.touch()
    os.chmod(path, 0o666)
    return path


def _prepare_image(
    launch: ContainerLaunch,
    program: ImageProgram,
    pod_dir: Path,
    hostname: str,
    vols: list[VolumeMount],
    *,
    isolated: bool,
) -> Layout:
    """A pulled image's instance: its own root over the image (image_layout.py)."""
    image_layout.check_isolated(isolated, launch)
    assert program.image_root is not None
    name = str(launch.container["name"])
    root = image_layout.instance_root(pod_dir, name, launch.restart_count, program.image_root)
    termination_file = _termination_file(root.parent)
    vols = [*vols, VolumeMount(message_path(launch.container), termination_file, read_only=False)]
    etc = write_etc(root.parent / "etc", launch.pod_ip, hostname, launch.etc)
    empty = root.parent / "empty"
    empty.touch()
    mounts = image_layout.image_mounts(root, etc, empty, vols)
    host_workdir = image_layout.make_workdir(root, program.workdir)
    return Layout(
        argv=list(program.argv),
        mounts=mounts,
        workdir=program.workdir,
        host_workdir=host_workdir,
        env=image_layout.program_env(program, launch.env, root),
        hostname=hostname,
        image_root=root,
        identity=program.identity,
        # The pod's securityContext applies as to any container (its runAsUser wins over the
        # image's User: _sandbox_ids in launchers.py); no setpriv switch inside an image.
        security=effective(launch.pod, launch.container),
        termination_file=termination_file,
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


def write_etc(etc: Path, pod_ip: str, hostname: str, pod_etc: PodEtc | None = None) -> Path:
    """The container's own /etc: who its users are, its name and address, its resolver."""
    etc.mkdir(parents=True, exist_ok=True)
    _write_if_changed(etc / "passwd", PASSWD)
    _write_if_changed(etc / "group", GROUP)
    if pod_etc is not None:
        # What the kubelet decided (kubelet/pod_etc.py): hostAliases, dnsPolicy, subdomain.
        _write_if_changed(etc / "hosts", pod_etc.hosts)
        _write_if_changed(etc / "hostname", pod_etc.hostname + "\n")
        _write_if_changed(etc / "resolv.conf", pod_etc.resolv_conf)
        return etc
    _write_if_changed(etc / "hosts", hosts_file(pod_ip, hostname))
    _write_if_changed(etc / "hostname", hostname + "\n")
    try:
        # dnsPolicy Default: the node's resolver.
        resolv = Path("/etc/resolv.conf").read_text()
    except OSError:
        resolv = ""
    _write_if_changed(etc / "resolv.conf", resolv)
    return etc


# The users and groups a minimal image knows; no host account shows through.
PASSWD = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
GROUP = "root:x:0:\nnogroup:x:65534:\n"


# The kubelet's managed /etc/hosts (pkg/kubelet/kubelet_pods.go, managedHostsHeader and
# the fixed entries); kubelet/pod_etc.py adds subdomains and hostAliases.
MANAGED_HOSTS_HEADER = "# Kubernetes-managed hosts file.\n"
DEFAULT_HOSTS = (
    "127.0.0.1\tlocalhost\n"
    "::1\tlocalhost ip6-localhost ip6-loopback\n"
    "fe00::0\tip6-localnet\n"
    "fe00::0\tip6-mcastprefix\n"
    "fe00::1\tip6-allnodes\n"
    "fe00::2\tip6-allrouters\n"
)


def hosts_file(pod_ip: str, hostname: str) -> str:
    return MANAGED_HOSTS_HEADER + DEFAULT_HOSTS + f"{pod_ip}\t{hostname}\n"
