"""Server-side printing of the Service network kinds: Endpoints and EndpointSlice, and the
Service's EXTERNAL-IP cell (k8s pkg/printers/internalversion/printers.go)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from podlab.k8s.errors import Obj
from podlab.k8s.printers_common import AGE, NAME, Column, age_of, as_obj, dicts, name_of

# printers.go prints at most this many addresses or ports, then "+ N more...".
_MAX_LISTED = 3


def _listed(items: list[str], count: int, empty: str) -> str:
    """listWithMoreString."""
    text = ",".join(items[:_MAX_LISTED])
    if count > _MAX_LISTED:
        return f"{text} + {count - _MAX_LISTED} more..."
    return text or empty


def service_external_ip(spec: Obj, status: Obj) -> str:
    """getServiceExternalIP: externalIPs, LoadBalancer ingress (clipped to 16 characters as when
    not wide), `<pending>` for a LoadBalancer without one, the name of an ExternalName."""
    stype = spec.get("type", "ClusterIP")
    external = [str(ip) for ip in spec.get("externalIPs") or []]
    if stype in ("ClusterIP", "NodePort"):
        return ",".join(external) or "<none>"
    if stype == "LoadBalancer":
        ingress = dicts(as_obj(status.get("loadBalancer")).get("ingress"))
        lb = ",".join(str(i.get("ip") or i.get("hostname") or "") for i in ingress)
        if len(lb) > 16:
            lb = lb[:13] + "..."
        results = ([*lb.split(",")] if lb else []) + external
        return ",".join(results) or "<pending>"
    if stype == "ExternalName":
        return str(spec.get("externalName", ""))
    return "<unknown>"


ENDPOINTS_COLUMNS: list[Column] = [
    NAME,
    ("Endpoints", "string", 0, "The set of all endpoints is the union of all subsets."),
    AGE,
]


def endpoints_row(obj: Obj, now: datetime) -> list[Any]:
    """formatEndpoints: ready addresses joined with each port; none at all is `<none>`."""
    subsets = dicts(obj.get("subsets"))
    listed: list[str] = []
    count = 0
    for subset in subsets:
        addresses = [str(a.get("ip", "")) for a in dicts(subset.get("addresses"))]
        ports = dicts(subset.get("ports"))
        for port in ports or [{}]:
            count += len(addresses)
            for ip in addresses:
                listed.append(f"{ip}:{port['port']}" if "port" in port else ip)
    text = _listed(listed, count, "") if subsets else "<none>"
    return [name_of(obj), text, age_of(obj, now)]


ENDPOINTSLICE_COLUMNS: list[Column] = [
    NAME,
    ("AddressType", "string", 0, "addressType specifies the type of address carried by this EndpointSlice."),
    (
        "Ports",
        "string",
        0,
        "ports specifies the list of network ports exposed by each endpoint in this slice.",
    ),
    ("Endpoints", "string", 0, "endpoints is a list of unique endpoints in this slice."),
    AGE,
]


def endpointslice_row(obj: Obj, now: datetime) -> list[Any]:
    """formatDiscoveryPorts and formatDiscoveryEndpoints: every address, ready or not."""
    ports = [str(p.get("port") or p.get("name") or "*") for p in dicts(obj.get("ports"))]
    addresses = [str(a) for e in dicts(obj.get("endpoints")) for a in e.get("addresses") or []]
    return [
        name_of(obj),
        obj.get("addressType", ""),
        _listed(ports, len(ports), "<unset>"),
        _listed(addresses, len(addresses), "<unset>"),
        age_of(obj, now),
    ]
