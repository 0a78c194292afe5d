"""The Service proxy's routing table, sans-IO: kube-proxy's rules over Services and EndpointSlices.

- A Service answers on ClusterIP:port, on 127.0.0.1:nodePort (NodePort, LoadBalancer) and on
  127.0.0.1:port (LoadBalancer, podlab being its own load-balancer controller).
- Usable endpoints (`CategorizeEndpoints`): the ready ones; if none, the serving-and-terminating
  ones, so a rolling restart drains gracefully.
- The endpoint port is the slice port whose *name* equals the Service port's name.
- No usable endpoint: no listener, so a client gets ECONNREFUSED (kube-proxy's REJECT).
- Headless and ExternalName Services, and Services labelled for another proxy
  (`service.kubernetes.io/service-proxy-name`), get nothing.
- `sessionAffinity: ClientIP` pins a client address to an endpoint until `timeoutSeconds` pass
  without a new connection (the `recent` match's --seconds, refreshed on each hit).

The caller brings the clock (monotonic seconds) and the randomness.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

Obj = dict[str, Any]

SERVICE_NAME_LABEL = "kubernetes.io/service-name"
PROXY_NAME_LABEL = "service.kubernetes.io/service-proxy-name"
HOST_LOOPBACK = "127.0.0.1"


@dataclass(frozen=True, slots=True)
class PortKey:
    """One Service port: what affinity and endpoint sets are keyed by (kube's ServicePortName)."""

    namespace: str
    name: str
    port_name: str

    def __str__(self) -> str:
        suffix = f":{self.port_name}" if self.port_name else ""
        return f"{self.namespace}/{self.name}{suffix}"


@dataclass(frozen=True, slots=True)
class Endpoint:
    ip: str
    port: int
    ready: bool
    serving: bool
    terminating: bool


@dataclass(frozen=True, slots=True)
class Listener:
    """A socket the proxy should have open: in the pod network ("cluster") or on the host."""

    where: str  # "cluster" | "host"
    ip: str
    port: int
    key: PortKey
    kind: str  # "ClusterIP" | "NodePort" | "LoadBalancer": what the Warning event names


@dataclass(slots=True)
class _Route:
    endpoints: list[Endpoint]
    affinity_seconds: int | None
    listeners: list[Listener] = field(default_factory=list)


def _meta(obj: Obj) -> Obj:
    value = obj.get("metadata")
    return value if isinstance(value, dict) else {}


def _spec(obj: Obj) -> Obj:
    value = obj.get("spec")
    return value if isinstance(value, dict) else {}


def proxied(svc: Obj) -> bool:
    spec = _spec(svc)
    if spec.get("type") == "ExternalName" or spec.get("clusterIP") in (None, "", "None"):
        return False
    return PROXY_NAME_LABEL not in (_meta(svc).get("labels") or {})


def usable(endpoints: list[Endpoint]) -> list[Endpoint]:
    """CategorizeEndpoints: ready ones, else serving-and-terminating ones."""
    ready = [e for e in endpoints if e.ready]
    return ready or [e for e in endpoints if e.serving and e.terminating]


def endpoints_for(port_name: str, slices: list[Obj]) -> list[Endpoint]:
    """Every endpoint of the Service's slices, on the slice port named like the Service port."""
    out: list[Endpoint] = []
    seen: set[tuple[str, int]] = set()
    for slice_ in slices:
        if slice_.get("addressType", "IPv4") != "IPv4":
            continue
        port = next(
            (p.get("port") for p in slice_.get("ports") or [] if (p.get("name") or "") == port_name), None
        )
        if port is None:
            continue
        for endpoint in slice_.get("endpoints") or []:
            cond = endpoint.get("conditions") or {}
            ready = cond.get("ready") is not False  # nil counts as ready
            for ip in endpoint.get("addresses") or []:
                if (ip, int(port)) in seen:
                    continue
                seen.add((ip, int(port)))
                out.append(
                    Endpoint(
                        ip,
                        int(port),
                        ready,
                        bool(cond.get("serving", ready)),
                        bool(cond.get("terminating", False)),
                    )
                )
    return sorted(out, key=lambda e: (e.ip, e.port))


def _affinity_seconds(spec: Obj) -> int | None:
    if spec.get("sessionAffinity") != "ClientIP":
        return None
    config = ((spec.get("sessionAffinityConfig") or {}).get("clientIP") or {}).get("timeoutSeconds")
    return int(config) if config else 10800  # DefaultClientIPServiceAffinitySeconds


class RoutingTable:
    """Where each Service port's traffic may go, rebuilt from the objects on every change."""

    def __init__(self, rng: random.Random | None = None) -> None:
        self._rng = rng or random.Random()
        self._routes: dict[PortKey, _Route] = {}
        # (port key, client ip) -> (endpoint, expiry in the caller's monotonic seconds).
        self._affinity: dict[tuple[PortKey, str], tuple[Endpoint, float]] = {}

    def update(self, services: list[Obj], slices: list[Obj]) -> None:
        by_service: dict[tuple[str, str], list[Obj]] = {}
        for slice_ in slices:
            name = (_meta(slice_).get("labels") or {}).get(SERVICE_NAME_LABEL)
            if name:
                by_service.setdefault((str(_meta(slice_).get("namespace", "")), name), []).append(slice_)
        routes: dict[PortKey, _Route] = {}
        for svc in services:
            if not proxied(svc):
                continue
            spec = _spec(svc)
            namespace, name = str(_meta(svc).get("namespace", "")), str(_meta(svc).get("name", ""))
            stype = spec.get("type", "ClusterIP")
            for port in spec.get("ports") or []:
                if (port.get("protocol") or "TCP") != "TCP":
                    continue  # the userspace proxy relays TCP only (see docs/ARCHITECTURE.md)
                key = PortKey(namespace, name, str(port.get("name") or ""))
                found = endpoints_for(key.port_name, by_service.get((namespace, name), []))
                route = _Route(found, _affinity_seconds(spec))
                number = int(port["port"])
                for ip in spec.get("clusterIPs") or [spec["clusterIP"]]:
                    route.listeners.append(Listener("cluster", ip, number, key, "ClusterIP"))
                if stype in ("NodePort", "LoadBalancer") and port.get("nodePort"):
                    route.listeners.append(
                        Listener("host", HOST_LOOPBACK, int(port["nodePort"]), key, "NodePort")
                    )
                if stype == "LoadBalancer":
                    route.listeners.append(Listener("host", HOST_LOOPBACK, number, key, "LoadBalancer"))
                routes[key] = route
        self._routes = routes
        self._affinity = {k: v for k, v in self._affinity.items() if k[0] in routes}

    def listeners(self) -> set[Listener]:
        """The sockets to have open: only for ports with a usable endpoint (else: refused)."""
        return {
            listener
            for route in self._routes.values()
            if usable(route.endpoints)
            for listener in route.listeners
        }

    def candidates(self, key: PortKey, client_ip: str, now: float) -> list[Endpoint]:
        """Usable endpoints in the order to try them: the affine one first, then a random order."""
        route = self._routes.get(key)
        if route is None:
            return []
        pool = usable(route.endpoints)
        order = self._rng.sample(pool, len(pool))
        if route.affinity_seconds is not None:
            pinned = self._affinity.get((key, client_ip))
            if pinned is not None and pinned[1] > now and pinned[0] in pool:
                order.remove(pinned[0])
                order.insert(0, pinned[0])
        return order

    def connected(self, key: PortKey, client_ip: str, endpoint: Endpoint, now: float) -> None:
        """Record that `client_ip` now uses `endpoint` (starts or refreshes its affinity)."""
        route = self._routes.get(key)
        if route is not None and route.affinity_seconds is not None:
            self._affinity[(key, client_ip)] = (endpoint, now + route.affinity_seconds)
