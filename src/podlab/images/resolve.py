"""What an image name means as a local program (sans-IO).

Kubernetes semantics (`kubectl explain pod.spec.containers.command`): `command` replaces the
image's ENTRYPOINT and `args` replaces its CMD; `args` alone keeps the ENTRYPOINT. Each
built-in image below declares the ENTRYPOINT/CMD/WORKDIR of the real image it stands in for.
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from podlab.images.errors import ImagePullError
from podlab.images.names import ImageRef, parse_image
from podlab.oci.process import Identity

# Docker's default PATH, which busybox, debian, alpine and most images inherit.
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
ANNOTATION_PREFIX = "podlab.dev/image-"

WIREMOCK_REPOS = frozenset({"wiremock/wiremock", "rodolpheche/wiremock"})
AGNHOST_REPOS = frozenset(
    {
        "registry.k8s.io/e2e-test-images/agnhost",
        "k8s.gcr.io/e2e-test-images/agnhost",
        "gcr.io/kubernetes-e2e-test-images/agnhost",
    }
)
PAUSE_REPOS = frozenset({"registry.k8s.io/pause", "k8s.gcr.io/pause", "gcr.io/google-containers/pause"})
# Images whose userland is busybox: run with busybox applets as /bin when busybox is installed.
BUSYBOX_REPOS = frozenset(
    {
        "library/busybox",
        "registry.k8s.io/busybox",
        "k8s.gcr.io/busybox",
        "gcr.io/google-containers/busybox",
        "registry.k8s.io/e2e-test-images/busybox",
        "k8s.gcr.io/e2e-test-images/busybox",
        "library/alpine",
    }
)
# General-purpose distro images: the host's read-only userland stands in for theirs.
DISTRO_CMD: dict[str, list[str]] = {
    "library/debian": ["bash"],
    "library/ubuntu": ["/bin/bash"],
    "library/fedora": ["/bin/bash"],
    "library/centos": ["/bin/bash"],
    "library/rockylinux": ["/bin/bash"],
    "library/almalinux": ["/bin/bash"],
    "library/amazonlinux": ["/bin/bash"],
    "library/bash": ["bash"],
}


@dataclass
class ImageProgram:
    """The local program for one container, in the container's own terms (paths inside it)."""

    argv: list[str]
    env: dict[str, str]  # the image's ENV; the container's env is laid over it
    workdir: str  # the image's WORKDIR, or the container's workingDir
    rootfs: str = "host"  # "host": host userland read-only; "busybox": busybox applets as /bin
    kind: str = "user"  # "wiremock" | "agnhost" | "shell" | "user" (for messages and tests)
    # A built-in image run by this Python: argv[0] is sys.executable, which a sandbox replaces
    # with the runtime it binds at a fixed path (podlab.runtime.pyruntime).
    python: bool = False
    # A pulled image (rootfs "image"): its unpacked root, the user its config names, its IDs.
    image_root: Path | None = None
    identity: Identity | None = None
    image_id: str = ""  # the config digest
    image_ref: str = ""  # repo@digest, what the pod status shows as imageID


@dataclass(frozen=True)
class _Image:
    kind: str
    entrypoint: list[str]
    cmd: list[str]
    workdir: str
    env: dict[str, str]
    rootfs: str = "host"
    python: bool = False


def resolve(
    image: str,
    container: Mapping[str, Any],
    user_map: Mapping[str, str] | None = None,
    *,
    pod_ip: str | None = None,
    annotations: Mapping[str, str] | None = None,
) -> ImageProgram:
    """The program for `container` (a container spec), or ImagePullError saying how to map it.

    `user_map` is podlab.yaml's `images:` (image name, with or without tag -> command line);
    the pod annotation `podlab.dev/image-<container>: <command>` wins over it.
    """
    ref = parse_image(image)
    name = str(container.get("name", ""))
    base = _user_image(image, ref, name, user_map or {}, annotations or {}, pod_ip)
    if base is None:
        base = _builtin_image(ref, pod_ip)
    if base is None:
        raise ImagePullError(_pull_message(image, name))

    command = [str(a) for a in container.get("command") or []]
    args = [str(a) for a in container.get("args") or []]
    argv = _argv(base, ref, command, args)
    if not argv:
        # containerd: an image with neither ENTRYPOINT nor CMD and a container without command.
        raise ImagePullError(f'image "{image}" has no command to run; set `command` in the container')
    workdir = str(container.get("workingDir") or base.workdir)
    env = dict(base.env)
    if pod_ip:
        # Every container knows its pod's address, whatever its image (status.podIP agrees).
        env.setdefault("PODLAB_POD_IP", pod_ip)
    return ImageProgram(
        argv=argv, env=env, workdir=workdir, rootfs=base.rootfs, kind=base.kind, python=base.python
    )


def _argv(base: _Image, ref: ImageRef, command: list[str], args: list[str]) -> list[str]:
    if command:
        # agnhost's binary is /agnhost: `command: [/agnhost, grpc-health-checking]` in the e2e pods.
        if base.kind == "agnhost" and command[0] in ("/agnhost", "agnhost"):
            return [*base.entrypoint, *command[1:], *args]
        return [*command, *args]
    if args:
        return [*base.entrypoint, *args]
    return [*base.entrypoint, *base.cmd]


def _user_image(
    image: str,
    ref: ImageRef,
    container_name: str,
    user_map: Mapping[str, str],
    annotations: Mapping[str, str],
    pod_ip: str | None,
) -> _Image | None:
    line = annotations.get(ANNOTATION_PREFIX + container_name)
    if line is None:
        for key in (image, f"{ref.short}:{ref.tag}", ref.short, ref.repository):
            if key in user_map:
                line = user_map[key]
                break
    if line is None:
        return None
    env = {"PATH": DEFAULT_PATH}
    if pod_ip:
        # Pods share the loopback: a mapped program should bind its pod IP, e.g.
        # `sh -c 'exec python3 -m http.server 8080 --bind "$PODLAB_POD_IP"'`.
        env["PODLAB_POD_IP"] = pod_ip
    return _Image("user", shlex.split(line), [], "/", env)


def _builtin_image(ref: ImageRef, pod_ip: str | None) -> _Image | None:
    python = [sys.executable, "-m"]
    py_env = {"PATH": DEFAULT_PATH, "PYTHONUNBUFFERED": "1"}
    if pod_ip:
        # Built-in servers bind the pod IP rather than 0.0.0.0, so replicas on the shared
        # loopback do not clash on their ports (docs/ARCHITECTURE.md, "Pod networking").
        py_env["PODLAB_POD_IP"] = pod_ip
    repo = ref.repository
    if repo in WIREMOCK_REPOS:
        compat = "2" if ref.tag.startswith("2") else "3"
        entry = [*python, "podlab.stub", "--compat", compat]
        if pod_ip:
            entry += ["--bind-address", pod_ip]
        # The wiremock image's WORKDIR is /home/wiremock and WireMock's root dir is ".",
        # so a ConfigMap mounted at /home/wiremock/mappings is loaded at start-up.
        return _Image("wiremock", entry, [], "/home/wiremock", py_env, python=True)
    if repo in AGNHOST_REPOS:
        # agnhost's Dockerfile: ENTRYPOINT ["/agnhost"], CMD ["pause"].
        return _Image("agnhost", [*python, "podlab.images.agnhost"], ["pause"], "/", py_env, python=True)
    if repo in PAUSE_REPOS:
        return _Image("agnhost", [*python, "podlab.images.agnhost", "pause"], [], "/", py_env, python=True)
    if repo in BUSYBOX_REPOS:
        cmd = ["/bin/sh"] if repo == "library/alpine" else ["sh"]
        return _Image("shell", [], cmd, "/", {"PATH": DEFAULT_PATH}, rootfs="busybox")
    if repo in DISTRO_CMD:
        return _Image("shell", [], DISTRO_CMD[repo], "/", {"PATH": DEFAULT_PATH})
    return None


def _pull_message(image: str, container_name: str) -> str:
    # Starts like the kubelet's pull failure so `kubectl describe` reads naturally.
    return (
        f'Failed to pull image "{image}": podlab runs images as local programs and has no built-in '
        f'program for "{image}". Map it to a command in podlab.yaml (images: {{"{image}": "<command>"}}) '
        f'or with the pod annotation {ANNOTATION_PREFIX}{container_name}: "<command>"'
    )
