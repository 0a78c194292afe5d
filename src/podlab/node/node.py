"""Assembles one node: store, API server, controllers, kubelet and runtime, on one event loop.

Everything that changes state goes through the store, as in a real cluster: the CLI and kubectl
reach it over the API server, the controllers and the kubelet are in-process clients of it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
from pathlib import Path

from podlab.apiserver import ApiServer, write_kubeconfig
from podlab.controllers import Controllers
from podlab.kubelet import Kubelet
from podlab.network.podnet import PodNetwork, start_pod_network
from podlab.network.sockets import PodNetworkSockets
from podlab.runtime import LogSource, Runtime
from podlab.store import Store

from .config import NodeConfig
from .home import NodeState, ensure_private_home, kubeconfig_path, remove_run_dirs

log = logging.getLogger("podlab.node")


class Node:
    """A running local node. `start()` returns once the API answers; `stop()` leaves no process."""

    def __init__(
        self, home: Path, *, port: int = 0, sandbox: str = "auto", config: NodeConfig | None = None
    ) -> None:
        self.home = home
        self._port = port
        self._sandbox = sandbox
        self._config = config or NodeConfig()
        self.token = secrets.token_urlsafe(32)
        self.store = Store(None)
        self.runtime: Runtime | None = None
        self.kubelet: Kubelet | None = None
        # The pod network, made once here; `network` is its sockets, the one seam into it
        # that probes, port-forward, the Service proxy and DNS are given.
        self.pod_network: PodNetwork | None = None
        self._api: ApiServer | None = None
        self._controllers: Controllers | None = None
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def api_url(self) -> str:
        """What kubectl uses (https; kubectl sends a bearer token over https only)."""
        assert self._api is not None
        return self._api.url

    @property
    def ca_pem(self) -> bytes:
        """The API server's self-signed certificate: what clients of api_url trust."""
        assert self._api is not None and self._api.ca_pem is not None
        return self._api.ca_pem

    @property
    def network(self) -> PodNetworkSockets:
        assert self.pod_network is not None, "Node.start() first"
        return self.pod_network.sockets

    async def start(self) -> None:
        ensure_private_home(self.home)
        # A new node starts with an empty store: pod logs and sandboxes of an earlier node belong
        # to pods that no longer exist anywhere, so they go rather than pile up.
        remove_run_dirs(self.home)
        self.runtime = Runtime(
            self.home,
            sandbox=self._sandbox,
            user_images=self._config.images,
            log_rotation=self._config.log_rotation,
        )
        self.pod_network = await start_pod_network(self.runtime.isolation)
        log.info("pod network: %s", self.pod_network.describe())
        self._api = ApiServer(
            self.store,
            token=self.token,
            logs=LogSource(self.home),
            port=self._port,
            limits=self._config.api_limits,
            network=self.network,
        )
        await self._api.start()
        self._controllers = Controllers(self.store)
        self.kubelet = Kubelet(self.store, self.runtime, pod_network=self.pod_network)
        self._tasks = [
            asyncio.create_task(self._controllers.run(), name="controllers"),
            asyncio.create_task(self.kubelet.run(), name="kubelet"),
        ]
        # kubectl sends a bearer token only over https: the kubeconfig and node.json (for
        # podlab's own CLI) name the same TLS URL and the certificate to trust.
        ca_pem = self.ca_pem
        write_kubeconfig(kubeconfig_path(self.home), self.api_url, self.token, ca_pem=ca_pem)
        state = NodeState(
            pid=os.getpid(),
            server=self.api_url,
            token=self.token,
            ca_pem=ca_pem.decode(),
            network=self.pod_network.describe(),
        )
        state.write(self.home)
        log.info("node ready at %s (isolation: %s)", self.api_url, self.runtime.isolation)

    async def stop(self) -> None:
        if self.kubelet is not None:
            await self.kubelet.stop()
        if self.runtime is not None:
            # Whatever the kubelet did not stop (a start racing shutdown) goes now.
            await self.runtime.stop_all(grace_seconds=2.0)
        if self.pod_network is not None:
            # After the containers: the helper's exit takes every pod namespace with it.
            self.pod_network.close()
        if self._controllers is not None:
            self._controllers.stop()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._api is not None:
            await self._api.stop()
        state = NodeState.read(self.home)
        if state is not None and state.pid == os.getpid():
            with contextlib.suppress(OSError):
                NodeState.path(self.home).unlink()
