"""The API server's way to running containers (pods/exec, pods/attach): the kubelet's pod
runners hold the handles, the runtime starts the command. The node wires the two here so
neither the API server nor the kubelet imports the other."""

from __future__ import annotations

from podlab.apiserver.remotecommand import NotRunning, StartFailed, StreamSession
from podlab.kubelet import Kubelet
from podlab.runtime import ContainerNotRunning, RunningContainer
from podlab.runtime.container import ExecStartError


class NodeStreams:
    def __init__(self, kubelet: Kubelet) -> None:
        self._kubelet = kubelet

    def _container(self, pod_uid: str, container: str) -> RunningContainer | None:
        runner = self._kubelet.runners.get(pod_uid)
        handle = None if runner is None else runner.running.get(container)
        # The kubelet's handles are the runtime's RunningContainers (other runtimes: no exec).
        if isinstance(handle, RunningContainer) and handle.running:
            return handle
        return None

    def running(self, pod_uid: str, container: str) -> bool:
        return self._container(pod_uid, container) is not None

    async def open(
        self,
        pod_uid: str,
        container: str,
        argv: list[str],
        *,
        stdin: bool,
        tty: bool,
        size: tuple[int, int] | None,
    ) -> StreamSession:
        found = self._container(pod_uid, container)
        if found is None:
            raise NotRunning(f'container not found ("{container}")')
        try:
            return await found.open_session(argv, stdin=stdin, tty=tty, size=size)
        except ContainerNotRunning:
            raise NotRunning(f'container not found ("{container}")') from None
        except ExecStartError as exc:
            # containerd's chain, as the kubelet reports it on the error channel.
            raise StartFailed(
                f"error executing command in container: failed to exec in container: {exc}"
            ) from None

    def attach(self, pod_uid: str, container: str) -> StreamSession:
        found = self._container(pod_uid, container)
        try:
            if found is None:
                raise ContainerNotRunning(container)
            return found.attach()
        except ContainerNotRunning:
            raise NotRunning(f'container not found ("{container}")') from None
