"""Services and EndpointSlices as the store holds them, for the DNS tests."""

from __future__ import annotations

from typing import Any


def service(
    name: str, cluster_ip: str | None, ports: list[dict[str, Any]], ns: str = "default", **spec: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {"ports": ports, **spec}
    if cluster_ip is not None:
        body["clusterIP"] = cluster_ip
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": ns}, "spec": body}


def endpoint_slice(
    svc: str, endpoints: list[dict[str, Any]], ports: list[dict[str, Any]], ns: str = "default"
) -> dict[str, Any]:
    return {
        "apiVersion": "discovery.k8s.io/v1",
        "kind": "EndpointSlice",
        "metadata": {"name": f"{svc}-abcde", "namespace": ns, "labels": {"kubernetes.io/service-name": svc}},
        "addressType": "IPv4",
        "ports": ports,
        "endpoints": endpoints,
    }


def ep(ip: str, ready: bool | None = True, hostname: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"addresses": [ip], "conditions": {} if ready is None else {"ready": ready}}
    if hostname:
        out["hostname"] = hostname
    return out
