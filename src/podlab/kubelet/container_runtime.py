"""What the kubelet needs from a container runtime, and nothing more (kubelet's CRI seam).

``podlab.runtime.Runtime`` satisfies ``ContainerRuntime`` and its ``RunningContainer`` satisfies
``ContainerHandle`` (mypy checks it where ``Kubelet`` is built). Tests drive the real ``Kubelet``
with a scripted runtime of the same shape (tests/kubelet/fake_runtime.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from podlab.runtime import ContainerLaunch, ExecResult, ExitInfo, ImageReport

Obj = dict[str, Any]
# (kind, name) -> the ConfigMap or Secret in the pod's namespace, None when missing.
SourceLookup = Callable[[str, str], Obj | None]


class ContainerHandle(Protocol):
    """One started container instance."""

    @property
    def container_id(self) -> str: ...  # "containerd://<64 hex>"

    @property
    def started_at(self) -> datetime: ...  # UTC

    @property
    def pid(
        self,
    ) -> int: ...  # the program's host PID (an ephemeral container's --target joins its PID namespace)

    @property
    def running(self) -> bool: ...

    async def wait(self) -> ExitInfo: ...

    async def stop(self, grace_seconds: float) -> ExitInfo: ...  # SIGTERM, SIGKILL after grace

    async def exec(self, argv: list[str], timeout: float) -> ExecResult: ...


class ContainerRuntime(Protocol):
    """Volumes, starts and per-pod clean-up. Raises ``ImagePullError``, ``StartError`` or
    ``VolumeError`` (podlab.runtime) with kubelet's wording for the failures users see."""

    def materialise_volumes(self, pod: Obj, lookup: SourceLookup) -> dict[str, Path]: ...

    def refresh_volumes(self, pod: Obj, lookup: SourceLookup, volumes: Mapping[str, Path]) -> list[str]: ...

    async def ensure_image(
        self, pod: Obj, container: Obj, pull_secrets: list[Obj], pulling: Callable[[], None]
    ) -> ImageReport: ...

    async def start(self, launch: ContainerLaunch) -> ContainerHandle: ...

    def node_images(self) -> list[tuple[list[str], int]]:
        """(names, size) of every stored image, for node.status.images."""
        ...

    def release_pod(self, pod_uid: str) -> None: ...
