"""NetworkPolicy, Ingress and IngressClass validation (k8s pkg/apis/networking/validation/
validation.go ValidateNetworkPolicySpec, ValidateIngressSpec, ValidateIngressClassSpec)."""

from __future__ import annotations

import ipaddress
from typing import Any

from podlab.k8s import errors as fe
from podlab.k8s import names
from podlab.k8s.errors import FieldError, GoValue, Obj
from podlab.k8s.validation_meta import validate_label_selector

PROTOCOLS = ["TCP", "UDP", "SCTP"]
POLICY_TYPES = ["Ingress", "Egress"]
PATH_TYPES = ["Exact", "ImplementationSpecific", "Prefix"]
_CIDR = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _port_errors(port: Obj, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    protocol = port.get("protocol")
    if protocol is not None and protocol not in PROTOCOLS:
        errs.append(fe.not_supported(f"{path}.protocol", protocol, PROTOCOLS))
    number, end = port.get("port"), port.get("endPort")
    if isinstance(number, int):
        errs.extend(fe.invalid(f"{path}.port", number, m) for m in names.is_valid_port_num(number))
        if isinstance(end, int):
            if end < number:
                errs.append(fe.invalid(f"{path}.endPort", number, "must be greater than or equal to `port`"))
            errs.extend(fe.invalid(f"{path}.endPort", end, m) for m in names.is_valid_port_num(end))
    elif isinstance(number, str):
        if end is not None:
            errs.append(fe.invalid(f"{path}.endPort", end, "may not be specified when `port` is non-numeric"))
        errs.extend(fe.invalid(f"{path}.port", number, m) for m in names.is_valid_port_name(number))
    elif end is not None:
        errs.append(fe.invalid(f"{path}.endPort", end, "may not be specified when `port` is not specified"))
    return errs


def _network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None


def _strict_subset(
    inner: ipaddress.IPv4Network | ipaddress.IPv6Network, outer: ipaddress.IPv4Network | ipaddress.IPv6Network
) -> bool:
    """cidr.Contains(except.IP) and a longer except mask."""
    return (
        inner.version == outer.version
        and inner.network_address in outer
        and inner.prefixlen > outer.prefixlen
    )


def _ip_block_errors(block: Obj, path: str) -> list[FieldError]:
    cidr = str(block.get("cidr") or "")
    if not cidr:
        return [fe.required(f"{path}.cidr", "")]
    outer = _network(cidr) if "/" in cidr else None
    if outer is None:
        return [fe.invalid(f"{path}.cidr", cidr, _CIDR)]
    errs: list[FieldError] = []
    for i, text in enumerate(_list(block.get("except"))):
        inner = _network(str(text)) if "/" in str(text) else None
        if inner is None:
            errs.append(fe.invalid(f"{path}.except[{i}]", text, _CIDR))
        elif not _strict_subset(inner, outer):
            errs.append(fe.invalid(f"{path}.except[{i}]", text, "must be a strict subset of `cidr`"))
    return errs


def _peer_errors(peer: Obj, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    count = 0
    for key in ("podSelector", "namespaceSelector"):
        if peer.get(key) is not None:
            count += 1
            errs.extend(validate_label_selector(peer[key], f"{path}.{key}"))
    if isinstance(peer.get("ipBlock"), dict):
        count += 1
        errs.extend(_ip_block_errors(peer["ipBlock"], f"{path}.ipBlock"))
    if count == 0:
        errs.append(fe.required(path, "must specify a peer"))
    elif count > 1 and peer.get("ipBlock") is not None:
        errs.append(fe.forbidden(path, "may not specify both ipBlock and another peer"))
    return errs


def validate_networkpolicy(obj: Obj) -> list[FieldError]:
    spec = obj.get("spec") or {}
    if not isinstance(spec, dict):
        return []
    errs = validate_label_selector(spec.get("podSelector"), "spec.podSelector")
    for direction, peers in (("ingress", "from"), ("egress", "to")):
        for i, rule in enumerate(_list(spec.get(direction))):
            base = f"spec.{direction}[{i}]"
            for j, port in enumerate(_list((rule or {}).get("ports"))):
                errs.extend(_port_errors(port or {}, f"{base}.ports[{j}]"))
            for j, peer in enumerate(_list((rule or {}).get(peers))):
                errs.extend(_peer_errors(peer or {}, f"{base}.{peers}[{j}]"))
    types = _list(spec.get("policyTypes"))
    if len(types) > len(POLICY_TYPES):
        errs.append(
            fe.invalid("spec.policyTypes", GoValue(f"&{types}"), "may not specify more than two policyTypes")
        )
        return errs
    for i, kind in enumerate(types):
        if kind not in POLICY_TYPES:
            errs.append(fe.not_supported(f"spec.policyTypes[{i}]", kind, POLICY_TYPES))
    return errs


def _backend_errors(backend: Obj, path: str) -> list[FieldError]:
    service, resource = backend.get("service"), backend.get("resource")
    if service is not None and resource is not None:
        return [fe.invalid(path, "", "cannot set both resource and service backends")]
    if resource is not None:
        errs = []
        for key in ("kind", "name"):
            if not (resource or {}).get(key):
                errs.append(fe.required(f"{path}.resource.{key}", ""))
        return errs
    if service is None:
        return [fe.invalid(path, "", "resource or service backend is required")]
    errs = []
    name = str(service.get("name") or "")
    if not name:
        errs.append(fe.required(f"{path}.service.name", ""))
    else:
        errs.extend(fe.invalid(f"{path}.service.name", name, m) for m in names.is_dns1035_label(name))
    port = service.get("port") or {}
    port_name, port_number = port.get("name") or "", port.get("number") or 0
    if port_name and port_number:
        errs.append(fe.invalid(path, "", "cannot set both port name & port number"))
    elif port_name:
        errs.extend(
            fe.invalid(f"{path}.service.port.name", port_name, m) for m in names.is_valid_port_name(port_name)
        )
    elif port_number:
        errs.extend(
            fe.invalid(f"{path}.service.port.number", port_number, m)
            for m in names.is_valid_port_num(int(port_number))
        )
    else:
        errs.append(fe.required(path, "port name or number is required"))
    return errs


def _host_errors(host: str, path: str) -> list[FieldError]:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return [fe.invalid(path, host, "must be a DNS name, not an IP address")]
    checked = host[2:] if host.startswith("*.") else host
    return [fe.invalid(path, host, m) for m in names.is_dns1123_subdomain(checked)]


def validate_ingress(obj: Obj) -> list[FieldError]:
    spec = obj.get("spec") or {}
    if not isinstance(spec, dict):
        return []
    errs: list[FieldError] = []
    rules = _list(spec.get("rules"))
    if not rules and spec.get("defaultBackend") is None:
        errs.append(
            fe.invalid(
                "spec",
                GoValue("[]networking.IngressRule(nil)"),
                "either `defaultBackend` or `rules` must be specified",
            )
        )
    if isinstance(spec.get("defaultBackend"), dict):
        errs.extend(_backend_errors(spec["defaultBackend"], "spec.defaultBackend"))
    for i, rule in enumerate(rules):
        base = f"spec.rules[{i}]"
        if (rule or {}).get("host"):
            errs.extend(_host_errors(str(rule["host"]), f"{base}.host"))
        http = (rule or {}).get("http")
        if http is None:
            continue
        paths = _list((http or {}).get("paths"))
        if not paths:
            errs.append(fe.required(f"{base}.http.paths", ""))
        for j, item in enumerate(paths):
            p = f"{base}.http.paths[{j}]"
            kind = (item or {}).get("pathType")
            if not kind:
                errs.append(fe.required(f"{p}.pathType", "pathType must be specified"))
            elif kind not in PATH_TYPES:
                errs.append(fe.not_supported(f"{p}.pathType", kind, PATH_TYPES))
            elif kind in ("Exact", "Prefix") and not str((item or {}).get("path") or "").startswith("/"):
                errs.append(
                    fe.invalid(f"{p}.path", (item or {}).get("path") or "", "must be an absolute path")
                )
            errs.extend(_backend_errors((item or {}).get("backend") or {}, f"{p}.backend"))
    for i, tls in enumerate(_list(spec.get("tls"))):
        for j, host in enumerate(_list((tls or {}).get("hosts"))):
            errs.extend(_host_errors(str(host), f"spec.tls[{i}].hosts[{j}]"))
    class_name = spec.get("ingressClassName")
    if class_name is not None:
        errs.extend(
            fe.invalid("spec.ingressClassName", class_name, m)
            for m in names.is_dns1123_subdomain(str(class_name))
        )
    return errs


def validate_ingressclass(obj: Obj, old: Obj | None) -> list[FieldError]:
    spec = obj.get("spec") or {}
    if not isinstance(spec, dict):
        return []
    controller = str(spec.get("controller") or "")
    errs: list[FieldError] = []
    if not controller:
        errs.append(fe.required("spec.controller", ""))
    elif "/" not in controller.strip("/"):
        errs.append(
            fe.invalid(
                "spec.controller", controller, 'must be a domain-prefixed path (such as "acme.io/foo")'
            )
        )
    if old is not None and controller != str((old.get("spec") or {}).get("controller") or ""):
        errs.append(fe.invalid("spec.controller", controller, "field is immutable"))
    return errs
