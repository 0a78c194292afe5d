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
from typing import Any

from podlab.apiserver import ApiServer, write_kubeconfig
from podlab.apiserver.kubernetes_service import ensure_kubernetes_service
from podlab.cli.client import ApiClient, object_path
from podlab.controllers import Controllers
from podlab.controllers.driver import cronjob_clock_from_env
from podlab.kubelet import Kubelet
from podlab.kubelet.pod_context import ProbeAttempt, run_probe_attempt
from podlab.network.hostports import HostPorts
from podlab.network.podnet import PodNetwork, start_pod_network
from podlab.network.proxy import ServiceProxy
from podlab.network.sockets import PodNetworkSockets
from podlab.runtime import LogSource, Runtime
from podlab.store import Store

from .cluster_dns import NodeDns, start_cluster_dns
from .config import NodeConfig
from .home import NodeState, ensure_private_home, kubeconfig_path, remove_run_dirs
from .storage_class import ensure_standard_class
from .streams import NodeStreams

log = logging.getLogger("podlab.node")


class Node:
    """A running local node. `start()` returns once the API answers; `stop()` leaves no process."""

    def __init__(
        self,
        home: Path,
        *,
        port: int = 0,
        sandbox: str = "auto",
        config: NodeConfig | None = None,
        probe_attempt: ProbeAttempt = run_probe_attempt,
    ) -> None:
        self.home = home
        self._probe_attempt = probe_attempt  # `podlab observe` times every attempt through this seam
        self._port = port
        self._sandbox = sandbox
        self._config = config or NodeConfig()
        self.token = secrets.token_urlsafe(32)
        self.store = Store(None)
        self.runtime: Runtime | None = None
        self.kubelet: Kubelet | None = None
        self._api: ApiServer | None = None
        self._controllers: Controllers | None = None
        self.proxy: ServiceProxy | None = None
        self._tasks: list[asyncio.Task[None]] = []
        # The pod network, made once in start(); `network` is its sockets, the one seam into it
        # that probes, port-forward, host ports, the Service proxy and DNS are given.
        self.pod_network: PodNetwork | None = None
        self.dns: NodeDns | None = None
        self.host_ports: HostPorts | None = None

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
            pids_limit=self._config.pod_pids_limit,
            image_sources=self._config.image_sources,
            insecure_registries=self._config.insecure_registries,
        )
        self.pod_network = await start_pod_network(self.runtime.isolation)
        log.info("pod network: %s", self.pod_network.describe())
        self.host_ports = HostPorts(self.store, self.network)
        self._api = ApiServer(
            self.store,
            token=self.token,
            logs=LogSource(self.home),
            port=self._port,
            limits=self._config.api_limits,
            metrics=self.runtime.limits,
            sockets=self.network,
            service_cidr=self.network.service_cidr,
        )
        await self._api.start()
        # The API server as pods reach it: on the loopback network pods share the host's 127.0.0.1.
        api_port = self._api.port
        advertised = ("127.0.0.1", api_port)
        ensure_kubernetes_service(self.store, self.network.service_cidr, advertised)
        self.proxy = ServiceProxy(
            self.store, self.network, host_endpoints={advertised: ("127.0.0.1", api_port)}
        )
        ensure_standard_class(self.store)
        self._controllers = Controllers(
            self.store,
            cronjob_clock=cronjob_clock_from_env(os.environ),
            local_path=self.home / "local-path-provisioner",
            metrics=self.runtime.limits,
        )
        self.dns = await start_cluster_dns(self.store, self.network, self._create_through_api)
        self.kubelet = Kubelet(
            self.store,
            self.runtime,
            probe_attempt=self._probe_attempt,
            cluster_dns=self.dns.cluster,
            admission=self.host_ports,
            pod_network=self.pod_network,
        )
        self._api.streams = NodeStreams(self.kubelet)
        self._tasks = [
            asyncio.create_task(self.host_ports.run(), name="host-ports"),
            asyncio.create_task(self._controllers.run(), name="controllers"),
            asyncio.create_task(self.kubelet.run(), name="kubelet"),
            asyncio.create_task(self.proxy.run(), name="service-proxy"),
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
            limits=self.runtime.limits.status,
            dns=self.dns.status,
            network=self.pod_network.describe(),
        )
        state.write(self.home)
        log.info("node ready at %s (isolation: %s)", self.api_url, self.runtime.isolation)

    async def _create_through_api(self, obj: dict[str, Any]) -> object:
        """POST one object to this node's API, as kubectl would (defaulting, validation)."""
        client = ApiClient(self.api_url, self.token, ca_pem=self.ca_pem.decode())
        path = object_path(str(obj["apiVersion"]), str(obj["kind"]), obj["metadata"].get("namespace"))
        return await asyncio.to_thread(client.request, "POST", path, obj)

    async def stop(self) -> None:
        if self.kubelet is not None:
            await self.kubelet.stop()
        if self.runtime is not None:
            # Whatever the kubelet did not stop (a start racing shutdown) goes now.
            await self.runtime.stop_all(grace_seconds=2.0)
        if self.dns is not None:
            await self.dns.stop()
        if self._controllers is not None:
            self._controllers.stop()
        if self.host_ports is not None:
            self.host_ports.stop()
        if self.proxy is not None:
            self.proxy.stop()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self.pod_network is not None:
            # After the containers and the listeners: the helper's exit takes every pod
            # namespace (and the addresses on the node namespace) with it.
            self.pod_network.close()
        if self._api is not None:
            await self._api.stop()
        state = NodeState.read(self.home)
        if state is not None and state.pid == os.getpid():
            with contextlib.suppress(OSError):
                NodeState.path(self.home).unlink()
