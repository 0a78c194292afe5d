"""What cluster DNS reads from the store: Services, their ready endpoints, namespaces.

A read-only view, rebuilt per question from the store's current objects: the store is
in memory and a question names one namespace, so there is no cache to keep coherent
(CoreDNS keeps informer caches for the same reason this needs none).

Endpoints come from EndpointSlices (`kubernetes.io/service-name` label), as CoreDNS reads
them; an endpoint counts when `conditions.ready` is true or absent (CoreDNS
`object/endpoint.go`; the slice controller already folds publishNotReadyAddresses into
`ready`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from podlab.store import NotFound

Obj = dict[str, Any]
ResourceKey = tuple[str, str]

SERVICES: ResourceKey = ("", "services")
ENDPOINT_SLICES: ResourceKey = ("discovery.k8s.io", "endpointslices")
NAMESPACES: ResourceKey = ("", "namespaces")
SERVICE_NAME_LABEL = "kubernetes.io/service-name"


class ObjectSource(Protocol):
    """The part of `podlab.store.Store` the view reads; `get` raises `NotFound`."""

    def get(self, key: ResourceKey, namespace: str | None, name: str) -> Obj: ...

    def list(self, key: ResourceKey, namespace: str | None = None) -> tuple[list[Obj], str]: ...


@dataclass(frozen=True, slots=True)
class ServicePort:
    name: str
    protocol: str  # upper case: TCP, UDP, SCTP
    port: int


@dataclass(frozen=True, slots=True)
class Endpoint:
    ip: str
    # The DNS label this endpoint answers to: its `hostname`, else the dashed IP (CoreDNS).
    label: str
    ports: tuple[ServicePort, ...]  # the slice's ports (target ports), by Service port name


@dataclass(frozen=True, slots=True)
class Service:
    name: str
    namespace: str
    kind: str  # "ClusterIP" (any type with an IP), "Headless" or "ExternalName"
    cluster_ips: tuple[str, ...]
    ports: tuple[ServicePort, ...]
    external_name: str = ""


def dashed(ip: str) -> str:
    return ip.replace(".", "-").replace(":", "-")


def _ports(raw: Iterable[Obj]) -> tuple[ServicePort, ...]:
    return tuple(
        ServicePort(
            name=str(p.get("name") or ""),
            protocol=str(p.get("protocol") or "TCP").upper(),
            port=int(p.get("port") or 0),
        )
        for p in raw
        if p.get("port") is not None
    )


def to_service(obj: Obj) -> Service:
    meta, spec = obj.get("metadata") or {}, obj.get("spec") or {}
    name, namespace = str(meta.get("name", "")), str(meta.get("namespace") or "default")
    ports = _ports(spec.get("ports") or [])
    if spec.get("type") == "ExternalName":
        return Service(name, namespace, "ExternalName", (), ports, str(spec.get("externalName") or ""))
    ips = [str(ip) for ip in (spec.get("clusterIPs") or [spec.get("clusterIP")]) if ip]
    if not ips or ips[0] == "None":
        return Service(name, namespace, "Headless", (), ports)
    return Service(name, namespace, "ClusterIP", tuple(ips), ports)


class ClusterView:
    """Answers "which Services, endpoints and namespaces exist now" for the resolver."""

    def __init__(self, source: ObjectSource) -> None:
        self._source = source

    def namespace_exists(self, namespace: str) -> bool:
        try:
            self._source.get(NAMESPACES, None, namespace)
        except NotFound:
            return False
        return True

    def services(self, namespace: str | None = None) -> list[Service]:
        items, _ = self._source.list(SERVICES, namespace)
        return [to_service(o) for o in items]

    def service(self, namespace: str, name: str) -> Service | None:
        # One lookup by key: every ndots:5 search-path miss comes through here.
        try:
            return to_service(self._source.get(SERVICES, namespace, name))
        except NotFound:
            return None

    def ready_endpoints(self, svc: Service) -> list[Endpoint]:
        """Ready addresses of the Service's EndpointSlices, each IP once, in slice order."""
        slices, _ = self._source.list(ENDPOINT_SLICES, svc.namespace)
        seen: set[str] = set()
        out: list[Endpoint] = []
        for es in slices:
            if ((es.get("metadata") or {}).get("labels") or {}).get(SERVICE_NAME_LABEL) != svc.name:
                continue
            if es.get("addressType", "IPv4") != "IPv4":
                continue  # podlab's pod network is IPv4 only
            ports = _ports(es.get("ports") or [])
            for ep in es.get("endpoints") or []:
                if (ep.get("conditions") or {}).get("ready") is False:
                    continue
                for ip in ep.get("addresses") or []:
                    if ip in seen:
                        continue
                    seen.add(ip)
                    out.append(Endpoint(str(ip), str(ep.get("hostname") or dashed(str(ip))), ports))
        return out
