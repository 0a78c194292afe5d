"""EndpointSlice and v1 Endpoints validation (k8s `pkg/apis/discovery/validation`,
`pkg/apis/core/validation` ValidateEndpoints), in their words: what a hand-written slice or
Endpoints object (a selectorless Service's) must get right."""

from __future__ import annotations

import ipaddress
from typing import Any

from podlab.k8s import errors as fe
from podlab.k8s import names
from podlab.k8s.errors import FieldError, Obj

ADDRESS_TYPES = ["FQDN", "IPv4", "IPv6"]
# discovery validation: maxAddresses per endpoint, maxPorts and maxEndpoints per slice.
MAX_ADDRESSES = 100
MAX_PORTS = 20000
MAX_ENDPOINTS = 1000
_IP_DETAIL = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"


def _address_error(address_type: str, address: Any) -> str | None:
    version = {"IPv4": 4, "IPv6": 6}.get(address_type)
    if version is None:
        return None
    try:
        parsed = ipaddress.ip_address(str(address))
    except ValueError:
        return f"must be a valid {address_type} address"
    return None if parsed.version == version else f"must be a valid {address_type} address"


def _validate_port_list(ports: list[Obj], path: str, require_names: bool) -> list[FieldError]:
    errs: list[FieldError] = []
    seen: set[str] = set()
    for i, port in enumerate(ports):
        p = f"{path}[{i}]"
        name = port.get("name") or ""
        if require_names and not name:
            errs.append(fe.required(f"{p}.name", ""))
        elif name:
            errs.extend(fe.invalid(f"{p}.name", name, d) for d in names.is_dns1123_label(name))
            if name in seen:
                errs.append(fe.duplicate(f"{p}.name", name))
            seen.add(name)
        number = port.get("port")
        if isinstance(number, int) and not isinstance(number, bool):
            errs.extend(fe.invalid(f"{p}.port", number, d) for d in names.is_valid_port_num(number))
        elif require_names or number is not None:
            errs.append(fe.required(f"{p}.port", ""))
    return errs


def validate_endpointslice(obj: Obj, old: Obj | None) -> list[FieldError]:
    errs: list[FieldError] = []
    address_type = obj.get("addressType")
    if address_type not in ADDRESS_TYPES:
        errs.append(fe.not_supported("addressType", address_type, ADDRESS_TYPES))
    if old is not None and old.get("addressType") != address_type:
        errs.append(fe.invalid("addressType", address_type, "field is immutable"))
    endpoints = [e for e in obj.get("endpoints") or [] if isinstance(e, dict)]
    if len(endpoints) > MAX_ENDPOINTS:
        errs.append(
            fe.FieldError("Too many", "endpoints", len(endpoints), f"must have at most {MAX_ENDPOINTS} items")
        )
    for i, endpoint in enumerate(endpoints):
        path = f"endpoints[{i}].addresses"
        addresses = endpoint.get("addresses") or []
        if not addresses:
            errs.append(fe.required(path, "must contain at least 1 address"))
        elif len(addresses) > MAX_ADDRESSES:
            errs.append(
                fe.FieldError("Too many", path, len(addresses), f"must have at most {MAX_ADDRESSES} items")
            )
        for j, address in enumerate(addresses):
            detail = _address_error(str(address_type), address)
            if detail is not None:
                errs.append(fe.invalid(f"{path}[{j}]", address, detail))
    ports = [p for p in obj.get("ports") or [] if isinstance(p, dict)]
    if len(ports) > MAX_PORTS:
        errs.append(fe.FieldError("Too many", "ports", len(ports), f"must have at most {MAX_PORTS} items"))
    errs.extend(_validate_port_list(ports, "ports", require_names=False))
    return errs


def validate_endpoints(obj: Obj) -> list[FieldError]:
    errs: list[FieldError] = []
    for i, subset in enumerate(s for s in obj.get("subsets") or [] if isinstance(s, dict)):
        path = f"subsets[{i}]"
        addresses = [a for a in subset.get("addresses") or [] if isinstance(a, dict)]
        not_ready = [a for a in subset.get("notReadyAddresses") or [] if isinstance(a, dict)]
        if not addresses and not not_ready:
            errs.append(fe.required(path, "must specify `addresses` or `notReadyAddresses`"))
        for field, group in (("addresses", addresses), ("notReadyAddresses", not_ready)):
            for j, address in enumerate(group):
                try:
                    ipaddress.ip_address(str(address.get("ip", "")))
                except ValueError:
                    errs.append(fe.invalid(f"{path}.{field}[{j}].ip", address.get("ip", ""), _IP_DETAIL))
        ports = [p for p in subset.get("ports") or [] if isinstance(p, dict)]
        errs.extend(_validate_port_list(ports, f"{path}.ports", require_names=len(ports) > 1))
    return errs
