"""Where a pods/proxy or services/proxy request goes: parsing its path and picking the address.

No I/O: the store is read, nothing is dialled. The wording of every refusal is the API
server's (k8s `pkg/registry/core/pod/strategy.go` `ResourceLocation`,
`pkg/registry/core/service/storage/storage.go` `ResourceLocation`, apimachinery
`util/net.SplitSchemeNamePort`).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from podlab.k8s.resources import resource_for_key
from podlab.k8s.selectors import selector_matches
from podlab.store import Store

Obj = dict[str, Any]
PODS = ("", "pods")
SERVICES = ("", "services")
ENDPOINT_SLICES = ("discovery.k8s.io", "endpointslices")

_PROXY_PATH = re.compile(r"^/api/v1/namespaces/([^/]+)/(pods|services)/([^/]+)/proxy(/.*)?$")


@dataclass(frozen=True)
class ProxyPath:
    """`/api/v1/namespaces/NS/{pods|services}/ID/proxy/REST` taken apart (ID still whole)."""

    namespace: str
    kind: str  # "pods" or "services"
    id: str  # "[scheme:]name[:port]", percent-decoded
    rest: str  # the raw (still encoded) path after /proxy: "" or "/..."


@dataclass(frozen=True)
class Target:
    scheme: str  # "http" or "https"
    ip: str
    port: int


class ProxyRefusal(Exception):
    """Why a proxy request cannot be served: an HTTP status, its reason and the API's message."""

    def __init__(self, code: int, reason: str, message: str) -> None:
        super().__init__(message)
        self.code, self.reason, self.message = code, reason, message


def parse_proxy_path(path: str) -> ProxyPath | None:
    """The parts of a pods/services proxy path; None for any other path."""
    match = _PROXY_PATH.match(path)
    if match is None:
        return None
    return ProxyPath(unquote(match[1]), match[2], unquote(match[3]), match[4] or "")


def split_scheme_name_port(id_: str) -> tuple[str, str, str] | None:
    """apimachinery's SplitSchemeNamePort: "name", "name:port" or "scheme:name:port"."""
    parts = id_.split(":")
    if len(parts) == 1:
        scheme, name, port = "", parts[0], ""
    elif len(parts) == 2:
        scheme, name, port = "", parts[0], parts[1]
    elif len(parts) == 3:
        scheme, name, port = parts
    else:
        return None
    if not name or scheme not in ("", "http", "https"):
        return None
    return scheme, name, port


def pod_target(store: Store, path: ProxyPath) -> Target:
    split = split_scheme_name_port(path.id)
    if split is None:
        raise ProxyRefusal(400, "BadRequest", f'invalid pod request "{path.id}"')
    scheme, name, port = split
    pod = store.get(PODS, path.namespace, name)  # NotFound: `pods "x" not found`
    containers = (pod.get("spec") or {}).get("containers") or []
    declared = [p for c in containers for p in (c.get("ports") or [])]
    if not port:
        # The first declared container port; none at all: the scheme's default (a URL without one).
        number = int(declared[0]["containerPort"]) if declared else (443 if scheme == "https" else 80)
    elif port.isdigit():
        number = int(port)
    else:
        # A container port's name: the API server would put the name in the URL and fail to
        # dial it; podlab resolves it, as a Service's named targetPort is resolved.
        named = [p for p in declared if p.get("name") == port]
        if not named:
            raise ProxyRefusal(503, "ServiceUnavailable", f'no container port named "{port}" in pod "{name}"')
        number = int(named[0]["containerPort"])
    ip = (pod.get("status") or {}).get("podIP")
    if not ip:
        raise ProxyRefusal(400, "BadRequest", "address not allowed")
    return Target(scheme or "http", ip, number)


def service_target(store: Store, path: ProxyPath, rng: random.Random) -> Target:
    split = split_scheme_name_port(path.id)
    if split is None:
        raise ProxyRefusal(400, "BadRequest", f'invalid service request "{path.id}"')
    scheme, name, port = split
    service = store.get(SERVICES, path.namespace, name)
    ports = (service.get("spec") or {}).get("ports") or []
    if port.isdigit():
        # A number names the Service port with that number; the API server then goes by name.
        numbered = [p for p in ports if int(p.get("port", 0)) == int(port)]
        if not numbered:
            raise ProxyRefusal(
                503, "ServiceUnavailable", f'no service port {int(port)} found for service "{name}"'
            )
        port_name = str(numbered[0].get("name") or "")
    elif port:
        port_name = port
    else:
        port_name = str(ports[0].get("name") or "") if ports else ""
    candidates = [
        (ip, by_name[port_name]) for ip, by_name in ready_endpoints(store, service) if port_name in by_name
    ]
    if not candidates:
        raise ProxyRefusal(503, "ServiceUnavailable", f'no endpoints available for service "{name}"')
    ip, number = rng.choice(candidates)
    return Target(scheme or "http", ip, number)


def ready_endpoints(store: Store, service: Obj) -> list[tuple[str, dict[str, int]]]:
    """The Service's ready endpoints: (address, {service port name: target port}).

    From its EndpointSlices when the store holds any (the endpointslice controller's view,
    readiness included); else from the Ready pods its selector matches, resolving each
    targetPort (a number, or a container port's name) per pod as that controller does.
    """
    meta = service.get("metadata") or {}
    namespace, name = meta.get("namespace", "default"), meta.get("name", "")
    if resource_for_key(ENDPOINT_SLICES) is not None:
        slices, _ = store.list(
            ENDPOINT_SLICES, namespace, label_selector=f"kubernetes.io/service-name={name}"
        )
        if slices:
            return endpoints_in_slices(slices)
    selector = (service.get("spec") or {}).get("selector") or {}
    if not selector:
        return []  # without a selector only hand-made EndpointSlices name endpoints
    match = {"matchLabels": selector}  # a Service's selector is a plain map
    pods = [
        p
        for p in store.list(PODS, namespace)[0]
        if selector_matches(match, (p.get("metadata") or {}).get("labels"))
    ]
    ports = (service.get("spec") or {}).get("ports") or []
    found: list[tuple[str, dict[str, int]]] = []
    for pod in pods:
        ip = (pod.get("status") or {}).get("podIP")
        if not ip or (pod.get("metadata") or {}).get("deletionTimestamp") or not _pod_ready(pod):
            continue
        by_name = {str(p.get("name") or ""): t for p in ports if (t := _target_port(pod, p)) is not None}
        found.append((ip, by_name))
    return found


def endpoints_in_slices(slices: list[Obj]) -> list[tuple[str, dict[str, int]]]:
    found: list[tuple[str, dict[str, int]]] = []
    for eps in slices:
        by_name = {str(p.get("name") or ""): int(p["port"]) for p in eps.get("ports") or [] if p.get("port")}
        for endpoint in eps.get("endpoints") or []:
            # discovery/v1: a nil `ready` is to be read as ready.
            if (endpoint.get("conditions") or {}).get("ready", True) is False:
                continue
            found += [(address, by_name) for address in endpoint.get("addresses") or []]
    return found


def _target_port(pod: Obj, service_port: Obj) -> int | None:
    target = service_port.get("targetPort", service_port.get("port"))
    if isinstance(target, int) or (isinstance(target, str) and target.isdigit()):
        return int(target)
    for container in (pod.get("spec") or {}).get("containers") or []:
        for port in container.get("ports") or []:
            if port.get("name") == target and port.get("protocol", "TCP") == service_port.get(
                "protocol", "TCP"
            ):
                return int(port["containerPort"])
    return None


def _pod_ready(pod: Obj) -> bool:
    conditions = (pod.get("status") or {}).get("conditions") or []
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)
