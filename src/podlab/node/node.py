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
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import podlab
from podlab.apiserver import ApiServer, write_kubeconfig
from podlab.apiserver.kubernetes_service import ensure_kubernetes_service
from podlab.apiserver.satoken import TokenIssuer, load_or_create_key
from podlab.apiserver.tokenrequest import TokenRefusal, mint
from podlab.cli.client import ApiClient, object_path
from podlab.controllers import Controllers
from podlab.controllers.driver import cronjob_clock_from_env
from podlab.k8s.admission import ROOT_CA_CONFIGMAP
from podlab.kubelet import Kubelet
from podlab.kubelet.pod_context import ProbeAttempt, run_probe_attempt
from podlab.kubelet.tokens import TokenManager, TokenUnavailable
from podlab.network.hostports import HostPorts
from podlab.network.podnet import PodNetwork, start_pod_network
from podlab.network.proxy import ServiceProxy
from podlab.network.sockets import PodNetworkSockets
from podlab.runtime import LogSource, Runtime
from podlab.store import Store

from .cluster_dns import NodeDns, start_cluster_dns
from .config import NodeConfig
from .home import (
    LOCAL_PATH_DIR,
    NodeState,
    ensure_private_home,
    kubeconfig_path,
    remove_run_dirs,
    store_path,
)
from .storage_class import ensure_standard_class
from .streams import NodeStreams

log = logging.getLogger("podlab.node")
NODE_NAME = "podlab"  # the Node object's name; pods run here have it as spec.nodeName


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
        persist: bool = True,
    ) -> None:
        """`persist`: keep the objects in $PODLAB_HOME/store.db (home.store_path) across runs;
        loading them here raises StateError for a file that is not a readable store."""
        self.home = home
        self._probe_attempt = probe_attempt  # `podlab observe` times every attempt through this seam
        self._port = port
        self._sandbox = sandbox
        self._config = config or NodeConfig()
        self.token = secrets.token_urlsafe(32)
        self.state_path = store_path(home) if persist else None
        if self.state_path is not None:
            ensure_private_home(home)  # before the file is made in it
        self.store = Store(self.state_path)
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
        # Sandboxes (and pod logs) of an earlier run go, whether its objects were kept or not: as
        # after a node reboot, the kubelet finds its pods' sandboxes gone and makes new ones.
        remove_run_dirs(self.home)
        if self.store.restored:
            log.info("restored %d objects from %s", self.store.restored, self.state_path)
        self.runtime = Runtime(
            self.home,
            sandbox=self._sandbox,
            user_images=self._config.images,
            log_rotation=self._config.log_rotation,
            pids_limit=self._config.pod_pids_limit,
            image_sources=self._config.image_sources,
            insecure_registries=self._config.insecure_registries,
        )
        if self.runtime.isolation == "bwrap":
            # The built-in images' compiled copy of podlab, made in the background (pycache.py).
            self.runtime.python_package.start(Path(podlab.__file__).resolve().parent, self.home)
        self.pod_network = await start_pod_network(self.runtime.isolation)
        log.info("pod network: %s", self.pod_network.describe())
        self.host_ports = HostPorts(self.store, self.network)
        self.host_ports.reserve_bound(NODE_NAME)  # pods restored from store.db
        # The ServiceAccount token signing key, kept with the home (satoken.py).
        issuer = TokenIssuer(load_or_create_key(self.home / "sa.key"))
        self._api = ApiServer(
            self.store,
            token=self.token,
            logs=LogSource(self.home),
            port=self._port,
            limits=self._config.api_limits,
            metrics=self.runtime.limits,
            sockets=self.network,
            service_cidr=self.network.service_cidr,
            issuer=issuer,
        )
        await self._api.start()
        ca_pem = self.ca_pem.decode()
        self.store.add_namespace_object(("", "configmaps"), lambda ns: root_ca_configmap(ns, ca_pem))
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
            local_path=self.home / LOCAL_PATH_DIR,
            metrics=self.runtime.limits,
        )
        self.dns = await start_cluster_dns(self.store, self.network, self._create_through_api)
        self.kubelet = Kubelet(
            self.store,
            self.runtime,
            node_name=NODE_NAME,
            probe_attempt=self._probe_attempt,
            cluster_dns=self.dns.cluster,
            admission=self.host_ports,
            pod_network=self.pod_network,
            tokens=TokenManager(lambda ns, sa, spec: _token(self.store, issuer, ns, sa, spec)),
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
        write_kubeconfig(kubeconfig_path(self.home), self.api_url, self.token, ca_pem=self.ca_pem)
        state = NodeState(
            pid=os.getpid(),
            server=self.api_url,
            token=self.token,
            ca_pem=ca_pem,
            limits=self.runtime.limits.status,
            dns=self.dns.status,
            network=self.pod_network.describe(),
            state=(
                f"objects persist in {self.state_path}"
                if self.state_path is not None
                else "objects are kept in memory only"
            ),
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
        self.store.close()  # checkpoints the WAL into store.db
        state = NodeState.read(self.home)
        if state is not None and state.pid == os.getpid():
            with contextlib.suppress(OSError):
                NodeState.path(self.home).unlink()


# The root CA publisher's description (k8s pkg/controller/certificates/rootcacertpublisher).
_ROOT_CA_DESCRIPTION = (
    "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints "
    "such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across "
    "distributions of Kubernetes clusters."
)


def root_ca_configmap(namespace: str, ca_pem: str) -> dict[str, Any]:
    """The `kube-root-ca.crt` ConfigMap every namespace holds: the API server's CA, which pods
    trust through their kube-api-access volume's ca.crt."""
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": ROOT_CA_CONFIGMAP,
            "namespace": namespace,
            "annotations": {"kubernetes.io/description": _ROOT_CA_DESCRIPTION},
        },
        "data": {"ca.crt": ca_pem},
    }


def _token(store: Store, issuer: TokenIssuer, namespace: str, account: str, spec: dict[str, Any]) -> Any:
    """The kubelet's TokenRequest, made in-process against the API server's issuer."""
    try:
        return mint(store, issuer, namespace, account, spec, datetime.now(UTC))
    except TokenRefusal as err:
        raise TokenUnavailable(str(err)) from None
