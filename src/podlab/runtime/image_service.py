"""The runtime's image side: kubelet's pull policy over the image store, and a pulled image's program.

kubelet (pkg/kubelet/images/image_manager.go; docs/reference/images.md §6): `Never` uses the
image or fails with ErrImageNeverPull; `IfNotPresent` pulls only when absent; `Always` pulls
every time (cheap here when the digest is unchanged: blobs and snapshots are kept). The pod's
`imagePullSecrets` are tried first, then the node's `~/.docker/config.json`.

A registry that cannot be reached (or is not in PODLAB_ALLOWED_REGISTRIES, oci/store.py) gets
the failure plus a hint: the image can also run as a mapped local program.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from podlab.images.errors import ImagePullError
from podlab.images.resolve import ANNOTATION_PREFIX, ImageProgram
from podlab.images.source import PULL, image_source
from podlab.oci.auth import docker_config_keyring, keyring_from_secrets
from podlab.oci.process import ImageConfigError, image_env, process_args, resolve_user, working_dir
from podlab.oci.reference import ReferenceError, parse_reference
from podlab.oci.store import ALLOWED_ENV, ImageError, ImageRecord, ImageStore
from podlab.oci.unpack import resolve_in_root
from podlab.runtime.types import CreateContainerError

Obj = dict[str, Any]


@dataclass(frozen=True)
class ImageReport:
    """What ensure() did, for kubelet's Pulled event and describe's "which ran"."""

    source: str  # "builtin" | "pull"
    pulled: bool  # False: already present (or built in)
    seconds: float = 0.0
    waited: float = 0.0
    size: int = 0
    record: ImageRecord | None = None


class ImageService:
    def __init__(
        self,
        home: Path,
        *,
        user_images: Mapping[str, str],
        sources: Mapping[str, str] | None = None,
        insecure_registries: tuple[str, ...] = (),
    ) -> None:
        self.store = ImageStore(home / "images", insecure_registries=insecure_registries)
        self.user_images = user_images
        self.sources = dict(sources or {})

    def source(self, pod: Obj, container: Obj) -> str:
        return image_source(
            str(container.get("image", "")),
            str(container.get("name", "")),
            annotations=(pod.get("metadata") or {}).get("annotations") or {},
            sources=self.sources,
            user_map=self.user_images,
        )

    async def ensure(
        self, pod: Obj, container: Obj, secrets: list[Obj], pulling: Callable[[], None]
    ) -> ImageReport:
        """Make the container's image present per its imagePullPolicy; raises ImagePullError."""
        if self.source(pod, container) != PULL:
            return ImageReport(source="builtin", pulled=False)
        image = str(container.get("image", ""))
        try:
            ref = parse_reference(image)
        except ReferenceError as exc:
            # kubelet: InspectFailed / InvalidImageName, 'Failed to apply default image tag "X": <err>'.
            raise ImagePullError(
                f'Failed to apply default image tag "{image}": {exc}', reason="InvalidImageName"
            ) from None
        policy = str(
            container.get("imagePullPolicy")
            or ("Always" if ref.tag == "latest" and not ref.digest else "IfNotPresent")
        )
        present = self.store.find(image)
        if policy == "Never" or (policy == "IfNotPresent" and present is not None):
            if present is None:
                raise ImagePullError(
                    f'Container image "{image}" is not present with pull policy of Never',
                    reason="ErrImageNeverPull",
                )
            return ImageReport(source=PULL, pulled=False, size=present.size, record=present)
        pulling()
        creds = keyring_from_secrets(secrets).lookup(ref) + docker_config_keyring().lookup(ref)
        try:
            result = await asyncio.get_running_loop().run_in_executor(None, self.store.pull, image, creds)
        except ImageError as exc:
            message = exc.message
            if "failed to do request" in message or ALLOWED_ENV in message:
                # Unreachable: perhaps an offline machine, where a local program may stand in.
                message += f"; {mapping_hint(image, str(container.get('name', '')))}"
            raise ImagePullError(
                f"rpc error: code = {'NotFound' if exc.not_found else 'Unknown'} desc = {message}"
            ) from None
        return ImageReport(
            source=PULL,
            pulled=True,
            seconds=result.seconds,
            waited=result.waited,
            size=result.record.size,
            record=result.record,
        )

    def program(self, record: ImageRecord, container: Obj, hostname: str) -> ImageProgram:
        """The pulled image as the container's program: containerd's CRI rules (oci/process.py)."""
        config = record.config
        command = [str(a) for a in container.get("command") or []]
        args = [str(a) for a in container.get("args") or []]
        argv = process_args(config, command, args)
        if not argv:
            raise CreateContainerError("no command specified")
        root = self.store.rootfs(record)
        try:
            identity = resolve_user(
                str(config.get("User") or ""), _read(root, "etc/passwd"), _read(root, "etc/group")
            )
        except ImageConfigError as exc:
            raise CreateContainerError(str(exc)) from None
        self.store.touch(record, time.time())
        return ImageProgram(
            argv=argv,
            env=image_env(config, hostname),
            workdir=working_dir(config, container),
            rootfs="image",
            kind="image",
            image_root=root,
            identity=identity,
            image_id=record.id,
            image_ref=(record.repo_digests or [record.id])[0],
        )

    def find(self, image: str) -> ImageRecord | None:
        return self.store.find(image)


def _read(root: Path, rel: str) -> str:
    """A file of the image, its symlinks resolved inside the image's root."""
    try:
        return Path(resolve_in_root(str(root), rel, follow_last=True)).read_text(errors="replace")
    except (OSError, ValueError):
        return ""


def mapping_hint(image: str, container_name: str) -> str:
    return (
        f"podlab can also run it as a local program: map it to a command in podlab.yaml "
        f'(images: {{"{image}": "<command>"}}) or with the pod annotation {ANNOTATION_PREFIX}{container_name}: "<command>"'
    )
