"""The Service proxy (kube-proxy, userspace) and podlab's own load-balancer controller: a thin
driver over `routing.RoutingTable`.

It watches Services and EndpointSlices, and after every change opens and closes listeners so
that exactly the Service ports with a usable endpoint listen: ClusterIP:port inside the pod
network (through the `PodNetworkSockets` seam), 127.0.0.1:nodePort and 127.0.0.1:port
(LoadBalancer) on the host. Each accepted connection is spliced to an endpoint dialled through
the seam, or, for endpoints in `host_endpoints` (the `kubernetes` Service's API server), on the
host. A port it cannot open becomes a Warning event on the Service, never silence.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import socket
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from podlab.k8s import events as k8s_events
from podlab.network.routing import Endpoint, Listener, RoutingTable
from podlab.network.sockets import LoopbackSockets, PodNetworkSockets
from podlab.network.splice import splice
from podlab.store import Store, StoreError
from podlab.store.wake import wake_on_changes

log = logging.getLogger("podlab.network.proxy")

Obj = dict[str, Any]
SERVICES = ("", "services")
ENDPOINTSLICES = ("discovery.k8s.io", "endpointslices")
EVENTS = ("", "events")
CONNECT_TIMEOUT = 2.0
# The load balancer podlab stands in for answers on the host's loopback (as kind's cloud
# provider or `minikube tunnel` do); VIP: traffic to it is handled like traffic to the ClusterIP.
LB_INGRESS = [{"ip": "127.0.0.1", "ipMode": "VIP"}]
# NodePort and LoadBalancer listeners, and the API server behind `kubernetes`, are on the host
# itself: the loopback form of the seam makes exactly those plain host sockets.
_HOST = LoopbackSockets()


def load_balancer_status(svc: Obj) -> Obj | None:
    """The status podlab's load-balancer controller wants for `svc`, or None to leave it alone:
    the ingress for a LoadBalancer, none once a Service stops being one. Services naming a
    `loadBalancerClass` belong to another controller, as in Kubernetes' service controller."""
    spec = svc.get("spec") or {}
    if spec.get("loadBalancerClass"):
        return None
    status = dict(svc.get("status") or {})
    if spec.get("type") == "LoadBalancer":
        status["loadBalancer"] = {"ingress": LB_INGRESS}
    elif (status.get("loadBalancer") or {}).get("ingress"):
        status["loadBalancer"] = {}
    else:
        return None
    return status


class ServiceProxy:
    """Keeps the listeners in step with the routing table until `stop()`."""

    def __init__(
        self,
        store: Store,
        sockets: PodNetworkSockets,
        *,
        host_endpoints: dict[tuple[str, int], tuple[str, int]] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self.store = store
        self.sockets = sockets
        self._host_endpoints = host_endpoints or {}
        self._monotonic = monotonic
        self.table = RoutingTable(rng)
        self._listening: dict[Listener, tuple[socket.socket, asyncio.Task[None]]] = {}
        self._failed: set[Listener] = set()  # already reported; retried on each change
        self._local_ips: set[str] = set()
        self._connections: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()
        self._stopped = False

    # -- decide, then act ------------------------------------------------------------------------
    async def sync(self) -> None:
        """One reconcile: routing table from the store, then listeners and LB statuses to match."""
        services, _ = self.store.list(SERVICES)
        slices, _ = self.store.list(ENDPOINTSLICES)
        self.table.update(services, slices)
        wanted = self.table.listeners()
        for listener in [lst for lst in self._listening if lst not in wanted]:
            sock, task = self._listening.pop(listener)
            task.cancel()
            sock.close()  # from now on a client of this address gets ECONNREFUSED
        self._failed &= wanted
        by_name = {(s["metadata"]["namespace"], s["metadata"]["name"]): s for s in services}
        for listener in sorted(wanted - set(self._listening), key=lambda lst: (lst.ip, lst.port)):
            await self._open(listener, by_name.get((listener.key.namespace, listener.key.name)))
        await self._sync_local_addresses(services)
        self._sync_load_balancers(services)

    async def _open(self, listener: Listener, svc: Obj | None) -> None:
        try:
            if listener.where == "cluster":
                await self.sockets.add_local_address(listener.ip)
                self._local_ips.add(listener.ip)
                sock = await self.sockets.listen_tcp(listener.ip, listener.port)
            else:
                sock = await _HOST.listen_tcp(listener.ip, listener.port)
        except OSError as exc:
            if listener not in self._failed and svc is not None:
                self._failed.add(listener)
                self._warn_port(svc, listener, exc)
            return
        self._failed.discard(listener)
        task = asyncio.create_task(self._accept(listener, sock), name=f"svc {listener.key} {listener.port}")
        self._listening[listener] = (sock, task)

    async def _sync_local_addresses(self, services: list[Obj]) -> None:
        """ClusterIPs of Services that are gone stop being node addresses."""
        current = {
            ip for s in services for ip in (s.get("spec") or {}).get("clusterIPs") or [] if ip != "None"
        }
        for ip in sorted(self._local_ips - current):
            self._local_ips.discard(ip)
            with contextlib.suppress(OSError):
                await self.sockets.remove_local_address(ip)

    def _sync_load_balancers(self, services: list[Obj]) -> None:
        for svc in services:
            status = load_balancer_status(svc)
            if status is None or status == svc.get("status"):
                continue
            svc["status"] = status
            try:
                self.store.update(SERVICES, svc, subresource="status")
            except StoreError as exc:  # changed meanwhile: the watch brings us back
                log.debug("load balancer status of %s not written: %s", svc["metadata"]["name"], exc)

    def _warn_port(self, svc: Obj, listener: Listener, exc: OSError) -> None:
        # Go's error text for a failed listen, which both Kubernetes components below quote.
        cause = f"listen tcp4 {listener.ip}:{listener.port}: bind: {(exc.strerror or str(exc)).lower()}"
        if listener.kind == "LoadBalancer":
            reason, component = "SyncLoadBalancerFailed", "service-controller"
            message = f"Error syncing load balancer: failed to ensure load balancer: {cause}"
        else:
            # kube-proxy's words for a port it cannot hold (its "can't open port ..., skipping it").
            reason, component = "FailedToOpenPort", "kube-proxy"
            what = "nodePort" if listener.kind == "NodePort" else "clusterIP"
            message = (
                f'can\'t open port "{what} for {listener.key}" '
                f"({listener.ip}:{listener.port}/tcp), skipping it: {cause}"
            )
        log.warning("service %s: %s", listener.key, message)
        event = k8s_events.make_event(
            k8s_events.object_reference(svc),
            "Warning",
            reason,
            message,
            datetime.now(UTC),
            component=component,
            name_nanos=time.time_ns(),
        )
        with contextlib.suppress(StoreError):
            self.store.create(EVENTS, event)

    # -- connections ------------------------------------------------------------------------------
    async def _accept(self, listener: Listener, sock: socket.socket) -> None:
        loop = asyncio.get_running_loop()
        while True:
            try:
                client, address = await loop.sock_accept(sock)
            except OSError as exc:
                log.debug("accept on %s:%s ended: %s", listener.ip, listener.port, exc)
                return
            client.setblocking(False)
            task = asyncio.create_task(self._relay(listener, client, str(address[0])))
            self._connections.add(task)
            task.add_done_callback(self._connections.discard)

    async def _relay(self, listener: Listener, client: socket.socket, client_ip: str) -> None:
        upstream = None
        for endpoint in self.table.candidates(listener.key, client_ip, self._monotonic()):
            try:
                upstream = await self._dial(endpoint)
            except OSError as exc:
                log.debug("%s: endpoint %s:%s failed: %s", listener.key, endpoint.ip, endpoint.port, exc)
                continue
            self.table.connected(listener.key, client_ip, endpoint, self._monotonic())
            break
        if upstream is None:
            # Nothing answered: reset rather than close, so the client fails fast and plainly.
            with contextlib.suppress(OSError):
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            client.close()
            return
        for sock in (client, upstream):
            # Go (and so kube-proxy's userspace mode) sets TCP_NODELAY on every TCP connection:
            # a relay must not add Nagle's delay to small request/response exchanges.
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        await splice(client, upstream)

    async def _dial(self, endpoint: Endpoint) -> socket.socket:
        host = self._host_endpoints.get((endpoint.ip, endpoint.port))
        if host is not None:
            return await _HOST.connect_tcp(host[0], host[1], CONNECT_TIMEOUT)
        return await self.sockets.connect_tcp(endpoint.ip, endpoint.port, CONNECT_TIMEOUT)

    # -- the loop ----------------------------------------------------------------------------------
    async def run(self) -> None:
        """Reconcile on every Service or EndpointSlice change until cancelled (or stop())."""
        watchers = [
            asyncio.create_task(wake_on_changes(self.store, key, self._wake, lambda: self._stopped, 1.0))
            for key in (SERVICES, ENDPOINTSLICES)
        ]
        try:
            while not self._stopped:
                self._wake.clear()
                try:
                    await self.sync()
                except Exception:  # a bug must not end Service routing for the node's life
                    log.exception("service proxy sync failed")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), 5.0)
        finally:
            for task in watchers:
                task.cancel()
            await self.close()

    async def close(self) -> None:
        for sock, task in self._listening.values():
            task.cancel()
            sock.close()
        self._listening.clear()
        for task in list(self._connections):
            task.cancel()
        for task in list(self._connections):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for ip in sorted(self._local_ips):
            with contextlib.suppress(OSError):
                await self.sockets.remove_local_address(ip)
        self._local_ips.clear()

    def stop(self) -> None:
        self._stopped = True
        self._wake.set()
