"""Service spec validation (k8s `pkg/apis/core/validation/validation.go`, ValidateService and
validateServicePort), in its words. ClusterIP and nodePort *allocation* errors are the API
server's (`apiserver/services.py`), because they depend on what other Services hold."""

from __future__ import annotations

from typing import Any

from podlab.k8s import errors as fe
from podlab.k8s import names
from podlab.k8s.errors import FieldError, Obj

SERVICE_TYPES = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]
PROTOCOLS = ["SCTP", "TCP", "UDP"]
AFFINITIES = ["ClientIP", "None"]
# core.MaxClientIPServiceAffinitySeconds
MAX_AFFINITY_SECONDS = 86400


def _each(path: str, value: Any, details: list[str]) -> list[FieldError]:
    return [fe.invalid(path, value, d) for d in details]


def _validate_port(port: Obj, path: str, several: bool, names_seen: set[str]) -> list[FieldError]:
    errs: list[FieldError] = []
    name = port.get("name") or ""
    if several and not name:
        errs.append(fe.required(f"{path}.name", ""))
    elif name:
        errs.extend(_each(f"{path}.name", name, names.is_dns1123_label(name)))
        if name in names_seen:
            errs.append(fe.duplicate(f"{path}.name", name))
        names_seen.add(name)
    number = port.get("port")
    if isinstance(number, int) and not isinstance(number, bool):
        errs.extend(_each(f"{path}.port", number, names.is_valid_port_num(number)))
    else:
        errs.append(fe.required(f"{path}.port", ""))
    protocol = port.get("protocol")
    if protocol not in PROTOCOLS:
        errs.append(fe.not_supported(f"{path}.protocol", protocol, PROTOCOLS))
    target = port.get("targetPort")
    if isinstance(target, int) and not isinstance(target, bool):
        errs.extend(_each(f"{path}.targetPort", target, names.is_valid_port_num(target)))
    elif isinstance(target, str):
        errs.extend(_each(f"{path}.targetPort", target, names.is_valid_port_name(target)))
    return errs


def validate_service_spec(spec: Any) -> list[FieldError]:
    if not isinstance(spec, dict):
        return []
    errs: list[FieldError] = []
    stype = spec.get("type")
    if stype not in SERVICE_TYPES:
        errs.append(fe.not_supported("spec.type", stype, SERVICE_TYPES))
    ports = [p for p in spec.get("ports") or [] if isinstance(p, dict)]
    headless = spec.get("clusterIP") == "None"
    if stype == "ExternalName":
        if not spec.get("externalName"):
            errs.append(fe.required("spec.externalName", ""))
    elif not ports and not headless:
        errs.append(fe.required("spec.ports", ""))
    seen: set[str] = set()
    for i, port in enumerate(ports):
        errs.extend(_validate_port(port, f"spec.ports[{i}]", len(ports) > 1, seen))
    affinity = spec.get("sessionAffinity")
    if affinity not in AFFINITIES:
        errs.append(fe.not_supported("spec.sessionAffinity", affinity, AFFINITIES))
    elif affinity == "ClientIP":
        timeout = ((spec.get("sessionAffinityConfig") or {}).get("clientIP") or {}).get("timeoutSeconds")
        if not isinstance(timeout, int) or not 0 < timeout <= MAX_AFFINITY_SECONDS:
            errs.append(
                fe.invalid(
                    "spec.sessionAffinityConfig.clientIP.timeoutSeconds",
                    timeout,
                    f"must be greater than 0 and less than {MAX_AFFINITY_SECONDS}",
                )
            )
    elif spec.get("sessionAffinityConfig"):
        errs.append(
            fe.forbidden(
                "spec.sessionAffinityConfig",
                f"must not be set when session affinity is {affinity}",
            )
        )
    return errs
