"""The node's cluster DNS: where it listens, the kube-dns Service naming it, and what the
kubelet is told (`clusterDNS`), or why there is none.

Where: the DNS Service address of the pod network (kubeadm's convention, the service range's
10th address: 10.96.0.10 with network namespaces, 127.96.0.10 on the host's loopback). On the
loopback network every node of the host shares 127.96/16, so when another node already holds
127.96.0.10:53 this one takes the next free address: two nodes never answer for each other.
Port 53 is privileged: a node that may not bind it (not root, no CAP_NET_BIND_SERVICE) runs
without cluster DNS, says so at start-up and in `podlab status`, and its ClusterFirst pods
fall back to the node's resolver with kubelet's MissingClusterDNS event.
"""

from __future__ import annotations

import errno
import ipaddress
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from podlab.kubelet.resolv_conf import ClusterDNS, read_host_resolv
from podlab.network.dns_cluster import ClusterView
from podlab.network.dns_resolver import DnsSettings, Resolver
from podlab.network.dns_server import DNS_PORT, DnsServer, dns_address
from podlab.network.sockets import PodNetworkSockets
from podlab.store import Store

log = logging.getLogger("podlab.dns")

SERVICES = ("", "services")
# How many addresses after the 10th a loopback node tries when another node holds one.
LOOPBACK_TRIES = 16


@dataclass
class NodeDns:
    server: DnsServer | None
    cluster: ClusterDNS  # what the kubelet writes into ClusterFirst pods
    status: str  # one line for start-up and `podlab status`

    async def stop(self) -> None:
        if self.server is not None:
            await self.server.stop()


def kube_dns_service(ip: str) -> dict[str, Any]:
    """kube-system/kube-dns as kubeadm's CoreDNS add-on names it, pointing at the node's server.

    No selector: no pod serves it, the node does, so the endpoint controllers leave it alone.
    The service-proxy-name label keeps the Service proxy off its address (kube-proxy skips
    Services labelled for another proxy), where the DNS server itself listens.
    """
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {
            "name": "kube-dns",
            "namespace": "kube-system",
            "labels": {
                "k8s-app": "kube-dns",
                "kubernetes.io/cluster-service": "true",
                "kubernetes.io/name": "CoreDNS",
                "service.kubernetes.io/service-proxy-name": "podlab-node-dns",
            },
        },
        "spec": {
            "type": "ClusterIP",
            "clusterIP": ip,
            "clusterIPs": [ip],
            "ports": [
                {"name": "dns", "port": DNS_PORT, "protocol": "UDP", "targetPort": DNS_PORT},
                {"name": "dns-tcp", "port": DNS_PORT, "protocol": "TCP", "targetPort": DNS_PORT},
            ],
        },
    }


def _candidates(network: PodNetworkSockets) -> list[str]:
    first = ipaddress.IPv4Address(dns_address(network))
    tries = LOOPBACK_TRIES if network.mode == "loopback" else 1
    return [str(first + i) for i in range(tries)]


# Creates one object through the API (POST), as any client would; raises on refusal.
CreateObject = Callable[[dict[str, Any]], Awaitable[object]]


async def start_cluster_dns(
    store: Store, network: PodNetworkSockets, create: CreateObject, domain: str = "cluster.local"
) -> NodeDns:
    """Serve DNS over `store`'s objects and create kube-dns with `create`: the normal API path,
    so defaulting, validation and ClusterIP allocation see the explicit clusterIP like any other."""
    host_resolv = read_host_resolv()
    resolver = Resolver(ClusterView(store), DnsSettings(zone=domain))
    failure = ""
    for ip in _candidates(network):
        server = DnsServer(resolver, network, ip)
        try:
            await server.start()
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                failure = f"{ip}:{DNS_PORT} is in use"
                continue  # another node on this host: try the next address
            failure = f"cannot listen on {ip}:{DNS_PORT}: {exc.strerror or exc}"
            if isinstance(exc, PermissionError):
                failure += " (port 53 needs root or CAP_NET_BIND_SERVICE)"
            break
        await _create_service(create, ip)
        status = f"cluster DNS at {ip}:{DNS_PORT} (Service kube-system/kube-dns, zone {domain})"
        log.info("%s", status)
        return NodeDns(server, ClusterDNS(servers=(ip,), domain=domain, host_resolv=host_resolv), status)
    status = (
        f"cluster DNS is off: {failure}; pods with dnsPolicy ClusterFirst use the node's resolver "
        "(MissingClusterDNS)"
    )
    log.warning("%s", status)
    return NodeDns(None, ClusterDNS(domain=domain, host_resolv=host_resolv), status)


async def _create_service(create: CreateObject, ip: str) -> None:
    try:
        await create(kube_dns_service(ip))
    except Exception as exc:
        if getattr(exc, "code", None) == 409 and getattr(exc, "reason", "") == "AlreadyExists":
            return  # kept from an earlier run of this node (store.db)
        # DNS still works by address; only the Service object is missing.
        log.warning("could not create Service kube-system/kube-dns at %s: %s", ip, exc)
