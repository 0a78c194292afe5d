"""hostPort: a container port published on the host's loopback while its pod runs.

A real node DNATs `hostIP:hostPort` to the pod (the CNI portmap plugin). Here the node listens
on the host's 127.0.0.1:hostPort itself (or on the loopback hostIP a pod names; test machines
allow no other host address) and splices each connection to podIP:containerPort through the
pod network seam.

Ports are taken when the pod is scheduled, the way the scheduler's NodePorts filter accounts
for them: a pod whose host ports are held by another pod on the node, or by any process on the
host (found by binding them), is not bound to the node and stays Pending with the scheduler's
`FailedScheduling` words. The bound sockets are held from then on, so nothing can take the ports
between scheduling and start; they listen only while the pod is Running (before that a
connection is refused, as with no DNAT rule yet), and close when it ends or is deleted.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import ipaddress
import logging
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from podlab.store import Store, Watch

from .sockets import PodNetworkSockets
from .splice import splice_streams

log = logging.getLogger("podlab.network.hostports")

Obj = dict[str, Any]
PODS = ("", "pods")
DIAL_TIMEOUT = 10.0
# The scheduler's words (NodePorts filter, `ErrReason`), for the one node podlab has.
NO_FREE_PORTS = "0/1 nodes are available: 1 node(s) didn't have free ports for the requested pod ports."


@dataclass(frozen=True)
class HostPort:
    """One requested host port, where it binds on the host, and where it goes in the pod."""

    container: str
    host_ip: str
    host_port: int
    container_port: int
    protocol: str


def requested_host_ports(pod: Obj) -> list[HostPort]:
    """The host ports of the pod's containers (the NodePorts filter looks at `containers`)."""
    found: list[HostPort] = []
    for container in (pod.get("spec") or {}).get("containers") or []:
        for port in container.get("ports") or []:
            if not port.get("hostPort"):
                continue
            found.append(
                HostPort(
                    container=str(container.get("name", "")),
                    host_ip=_loopback_host_ip(str(port.get("hostIP") or "")),
                    host_port=int(port["hostPort"]),
                    container_port=int(port.get("containerPort") or port["hostPort"]),
                    protocol=str(port.get("protocol") or "TCP"),
                )
            )
    return found


def _loopback_host_ip(host_ip: str) -> str:
    # "" and 0.0.0.0 mean every host address; the host's loopback is the only one podlab uses.
    try:
        if ipaddress.IPv4Address(host_ip).is_loopback:
            return host_ip
    except ValueError:
        pass
    return "127.0.0.1"


def conflicts(wanted: Iterable[HostPort], taken: Iterable[HostPort]) -> bool:
    """Whether any wanted port is held already (same protocol and port, overlapping address)."""
    held = {(p.protocol, p.host_port, p.host_ip) for p in taken}
    return any((p.protocol, p.host_port, p.host_ip) in held for p in wanted)


def unsupported(wanted: Iterable[HostPort]) -> str | None:
    """A message for host ports podlab cannot publish (only TCP is spliced), else None."""
    for port in wanted:
        if port.protocol != "TCP":
            return (
                f"podlab publishes only TCP host ports: hostPort {port.host_port}/{port.protocol} "
                f'of container "{port.container}" cannot be served'
            )
    return None


@dataclass
class _Reservation:
    pod: str  # namespace/name, for logs
    ports: list[HostPort]
    sockets: list[socket.socket]
    servers: list[asyncio.Server] = field(default_factory=list)
    connections: set[asyncio.Task[Any]] = field(default_factory=set)


class HostPorts:
    """The node's host ports: reserved at scheduling, served while their pods run."""

    def __init__(self, store: Store, sockets: PodNetworkSockets) -> None:
        self._store = store
        self._sockets = sockets
        self._reserved: dict[str, _Reservation] = {}  # pod uid -> its ports
        self._watch: Watch | None = None

    # -- the scheduler's side -------------------------------------------------------------------
    def admit(self, pod: Obj) -> str | None:
        """Reserve the pod's host ports; None when done (or none asked), else why it cannot fit."""
        uid = str(pod["metadata"].get("uid", ""))
        wanted = requested_host_ports(pod)
        if not wanted or uid in self._reserved:
            return None
        reason = unsupported(wanted)
        if reason is not None:
            return reason
        if conflicts(wanted, (p for r in self._reserved.values() for p in r.ports)):
            return NO_FREE_PORTS
        held: list[socket.socket] = []
        try:
            for port in wanted:
                held.append(_bind(port))
        except OSError as exc:
            log.info("hostPort for %s: %s", pod["metadata"].get("name"), exc)
            for sock in held:
                sock.close()
            return NO_FREE_PORTS
        meta = pod["metadata"]
        self._reserved[uid] = _Reservation(f"{meta.get('namespace', 'default')}/{meta['name']}", wanted, held)
        return None

    def reserve_bound(self, node_name: str) -> None:
        """A node restarted on its stored objects (store.db): its pods were admitted by an
        earlier run, so their ports are reserved again before anything else is scheduled (the
        portmap rules a rebooted node's CNI makes again for the new sandboxes). A port something
        else took meanwhile is logged; the pod then runs without it."""
        pods, _ = self._store.list(PODS)
        for pod in pods:
            finished = (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")
            bound = (pod.get("spec") or {}).get("nodeName") == node_name
            if bound and not finished and not pod["metadata"].get("deletionTimestamp"):
                refusal = self.admit(pod)
                if refusal is not None:
                    log.warning("pod %s: its host ports are taken: %s", pod["metadata"].get("name"), refusal)

    def release(self, uid: str) -> None:
        """Give the pod's host ports back (its end, its deletion, a failed binding)."""
        reservation = self._reserved.pop(uid, None)
        if reservation is None:
            return
        for server in reservation.servers:
            server.close()
        for sock in reservation.sockets:
            sock.close()
        for task in reservation.connections:
            task.cancel()

    # -- following the pods ---------------------------------------------------------------------
    async def run(self) -> None:
        """Serve reserved ports while their pods run; release them when the pods end."""
        while True:
            self._watch = self._store.watch(PODS)
            async for event in self._watch:
                if event.type == "ERROR":
                    break
                uid = str(event.object.get("metadata", {}).get("uid", ""))
                if uid not in self._reserved:
                    continue
                status = event.object.get("status") or {}
                if event.type == "DELETED" or status.get("phase") in ("Succeeded", "Failed"):
                    self.release(uid)
                elif status.get("phase") == "Running" and status.get("podIP"):
                    await self._serve(self._reserved[uid], status["podIP"])
            if self._watch.closed:
                return
            await asyncio.sleep(0.1)  # the watch fell behind (410): watch again

    def stop(self) -> None:
        if self._watch is not None:
            self._watch.close()
        for uid in list(self._reserved):
            self.release(uid)

    async def _serve(self, reservation: _Reservation, pod_ip: str) -> None:
        if reservation.servers:
            return
        for port, sock in zip(reservation.ports, reservation.sockets, strict=True):
            try:
                sock.listen(128)
                server = await asyncio.start_server(
                    functools.partial(self._connection, reservation, port, pod_ip), sock=sock
                )
            except OSError as exc:
                # Only a process that bound the port without listening could slip in here.
                log.warning("hostPort %d for %s cannot listen: %s", port.host_port, reservation.pod, exc)
                continue
            reservation.servers.append(server)
            log.info(
                "hostPort %s:%d -> %s %s:%d",
                port.host_ip,
                port.host_port,
                reservation.pod,
                pod_ip,
                port.container_port,
            )

    async def _connection(
        self,
        reservation: _Reservation,
        port: HostPort,
        pod_ip: str,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        task = asyncio.current_task()
        assert task is not None
        reservation.connections.add(task)
        try:
            try:
                sock = await self._sockets.connect_tcp(pod_ip, port.container_port, DIAL_TIMEOUT)
                upstream = await asyncio.open_connection(sock=sock)
            except (OSError, TimeoutError):
                # Nothing listens in the pod: the client sees a reset, as through a DNAT rule.
                writer.transport.abort()
                return
            await splice_streams((reader, writer), upstream)
        finally:
            reservation.connections.discard(task)
            with contextlib.suppress(OSError, RuntimeError):
                writer.close()


def _bind(port: HostPort) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        # SO_REUSEADDR: connections of an earlier pod in TIME_WAIT must not hold the port. It
        # still fails on a port another socket listens on, which is what "taken" means.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((port.host_ip, port.host_port))
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock
