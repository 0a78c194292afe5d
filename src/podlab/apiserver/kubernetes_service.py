"""The `default/kubernetes` Service and its Endpoints and EndpointSlice, as kube-apiserver keeps
them (k8s `pkg/controlplane/controller/kubernetesservice`, `pkg/controlplane/reconcilers/
endpointsadapter.go`): no selector, the first address of the service range, port 443 named
`https` to the API server's advertised address (what pods can reach)."""

from __future__ import annotations

import ipaddress
from typing import Any

from podlab.network.allocation import kubernetes_ip
from podlab.store import NotFound, Store

Obj = dict[str, Any]
NAME = "kubernetes"
NAMESPACE = "default"


def kubernetes_service(cidr: ipaddress.IPv4Network, api_port: int) -> Obj:
    ip = kubernetes_ip(cidr)
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {
            "name": NAME,
            "namespace": NAMESPACE,
            "labels": {"component": "apiserver", "provider": "kubernetes"},
        },
        "spec": {
            "type": "ClusterIP",
            "clusterIP": ip,
            "clusterIPs": [ip],
            "ipFamilies": ["IPv4"],
            "ipFamilyPolicy": "SingleStack",
            "internalTrafficPolicy": "Cluster",
            "sessionAffinity": "None",
            "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": api_port}],
        },
        "status": {"loadBalancer": {}},
    }


def kubernetes_endpoints(ip: str, port: int) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "Endpoints",
        "metadata": {
            "name": NAME,
            "namespace": NAMESPACE,
            "labels": {"endpointslice.kubernetes.io/skip-mirror": "true"},
        },
        "subsets": [
            {"addresses": [{"ip": ip}], "ports": [{"name": "https", "port": port, "protocol": "TCP"}]}
        ],
    }


def kubernetes_endpointslice(ip: str, port: int) -> Obj:
    return {
        "apiVersion": "discovery.k8s.io/v1",
        "kind": "EndpointSlice",
        "metadata": {
            "name": NAME,
            "namespace": NAMESPACE,
            # Only this label: no managed-by, so the endpointslice controller leaves it alone.
            "labels": {"kubernetes.io/service-name": NAME},
        },
        "addressType": "IPv4",
        "endpoints": [{"addresses": [ip], "conditions": {"ready": True}}],
        "ports": [{"name": "https", "port": port, "protocol": "TCP"}],
    }


def ensure_kubernetes_service(store: Store, cidr: ipaddress.IPv4Network, advertised: tuple[str, int]) -> None:
    """Create or correct the three objects (a restarted node may have moved its API port)."""
    ip, port = advertised
    for key, want in (
        (("", "services"), kubernetes_service(cidr, port)),
        (("", "endpoints"), kubernetes_endpoints(ip, port)),
        (("discovery.k8s.io", "endpointslices"), kubernetes_endpointslice(ip, port)),
    ):
        try:
            current = store.get(key, NAMESPACE, NAME)
        except NotFound:
            store.create(key, want)
            continue
        merged = {**current, **{k: v for k, v in want.items() if k != "metadata"}}
        merged["metadata"] = {**current["metadata"], "labels": want["metadata"]["labels"]}
        if merged != current:
            store.update(key, merged)
