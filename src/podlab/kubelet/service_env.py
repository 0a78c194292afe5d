"""Service environment variables, as kubelet's `getServiceEnvVarMap` picks the Services
(k8s pkg/kubelet/kubelet_pods.go) and `envvars.FromServices` names them
(k8s pkg/kubelet/envvars/envvars.go): `{SVC}_SERVICE_HOST/PORT[_NAME]` and the Docker-link
family `{SVC}_PORT[_{port}_{PROTO}[_PROTO|_PORT|_ADDR]]`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

Obj = dict[str, Any]

# The API server's own Service: always offered, even with enableServiceLinks false, because
# in-cluster clients find the API through KUBERNETES_SERVICE_HOST/PORT.
MASTER_NAMESPACE = "default"
MASTER_SERVICES = frozenset({"kubernetes"})


def _ip_set(svc: Obj) -> bool:
    ip = (svc.get("spec") or {}).get("clusterIP")
    return bool(ip) and ip != "None"


def _var_name(name: str) -> str:
    return name.replace("-", "_").upper()


def _join_host_port(host: str, port: int) -> str:
    # Go's net.JoinHostPort: IPv6 addresses in brackets.
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def pick_services(services: Iterable[Obj], namespace: str, enable_service_links: bool) -> list[Obj]:
    """The Services whose variables a container of a pod in `namespace` gets, by name."""
    chosen: dict[str, Obj] = {}
    for svc in services:
        if not _ip_set(svc):
            continue
        meta = svc.get("metadata") or {}
        name, ns = str(meta.get("name", "")), str(meta.get("namespace") or "default")
        if ns == MASTER_NAMESPACE and name in MASTER_SERVICES:
            chosen.setdefault(name, svc)
        elif ns == namespace and enable_service_links:
            chosen[name] = svc
    return list(chosen.values())


def service_env(services: Iterable[Obj]) -> dict[str, str]:
    """The variables for these Services (FromServices)."""
    env: dict[str, str] = {}
    for svc in services:
        spec = svc.get("spec") or {}
        ports = spec.get("ports") or []
        if not _ip_set(svc) or not ports:
            continue
        prefix = _var_name(str(svc["metadata"]["name"]))
        ip = str(spec["clusterIP"])
        env[f"{prefix}_SERVICE_HOST"] = ip
        env[f"{prefix}_SERVICE_PORT"] = str(ports[0].get("port"))
        for port in ports:
            if port.get("name"):
                env[f"{prefix}_SERVICE_PORT_{_var_name(str(port['name']))}"] = str(port.get("port"))
        for index, port in enumerate(ports):
            protocol = str(port.get("protocol") or "TCP")
            number = int(port.get("port") or 0)
            url = f"{protocol.lower()}://{_join_host_port(ip, number)}"
            if index == 0:
                env[f"{prefix}_PORT"] = url  # Docker special-cases the first port
            port_prefix = f"{prefix}_PORT_{number}_{protocol.upper()}"
            env[port_prefix] = url
            env[f"{port_prefix}_PROTO"] = protocol.lower()
            env[f"{port_prefix}_PORT"] = str(number)
            env[f"{port_prefix}_ADDR"] = ip
    return env


def pod_service_env(pod: Obj, services: Iterable[Obj]) -> dict[str, str]:
    """What a container of `pod` starting now gets from the Services that exist now."""
    spec = pod.get("spec") or {}
    namespace = str((pod.get("metadata") or {}).get("namespace") or "default")
    # The API defaults enableServiceLinks to true.
    links = spec.get("enableServiceLinks") is not False
    return service_env(pick_services(services, namespace, links))
