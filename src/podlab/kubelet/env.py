"""Container environment and ``$(VAR)`` expansion, as kubelet's ``makeEnvironmentVariables``
(k8s pkg/kubelet/kubelet_pods.go) and third_party/forked/golang/expansion build them.

Errors carry kubelet's wording; the caller shows them as ``CreateContainerConfigError`` with a
``Failed`` event ``Error: <message>``.
"""

from __future__ import annotations

import base64
import math
import os
import re
from collections import ChainMap
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from podlab.k8s.quantity import parse_quantity

Obj = dict[str, Any]
# lookup(kind, name) -> object in the pod's namespace or None; kind "ConfigMap" | "Secret".
Lookup = Callable[[str, str], Obj | None]

# A C identifier-ish env name, as validation.IsEnvVarName accepts (letters, digits, _ - .).
_ENV_NAME = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")


class EnvError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def expand(text: str, mapping: Mapping[str, str]) -> str:
    """``$(VAR)`` -> value when VAR is defined, left as written otherwise; ``$$`` -> ``$``."""
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "$" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt == "$":
                out.append("$")
                i += 2
                continue
            if nxt == "(":
                end = text.find(")", i + 2)
                if end != -1:
                    name = text[i + 2 : end]
                    out.append(mapping[name] if name in mapping else text[i : end + 1])
                    i = end + 1
                    continue
        out.append(ch)
        i += 1
    return "".join(out)


def _source_data(kind: str, obj: Obj) -> dict[str, str]:
    if kind == "ConfigMap":
        data = {k: str(v) for k, v in (obj.get("data") or {}).items()}
        data.update(
            {
                k: base64.b64decode(v).decode(errors="replace")
                for k, v in (obj.get("binaryData") or {}).items()
            }
        )
        return data
    data = {k: base64.b64decode(v).decode(errors="replace") for k, v in (obj.get("data") or {}).items()}
    data.update({k: str(v) for k, v in (obj.get("stringData") or {}).items()})
    return data


def _field_ref(pod: Obj, path: str, pod_ip: str, host_ip: str, node_name: str) -> str:
    meta = pod.get("metadata", {})
    spec = pod.get("spec", {})
    match = re.fullmatch(r"metadata\.(labels|annotations)\['(.+)'\]", path)
    if match:
        return str((meta.get(match.group(1)) or {}).get(match.group(2), ""))
    values = {
        "metadata.name": meta.get("name", ""),
        "metadata.namespace": meta.get("namespace", "default"),
        "metadata.uid": meta.get("uid", ""),
        "spec.nodeName": spec.get("nodeName") or node_name,
        "spec.serviceAccountName": spec.get("serviceAccountName", "default"),
        "status.hostIP": host_ip,
        "status.hostIPs": host_ip,
        "status.podIP": pod_ip,
        "status.podIPs": pod_ip,
    }
    if path not in values:
        raise EnvError(f"unsupported fieldPath: {path}")
    return str(values[path])


def _resource_ref(container: Obj, ref: Obj) -> str:
    """ExtractContainerResourceValue (pkg/api/v1/resource/helpers.go): the quantity divided by
    `divisor` (default 1) and rounded up; CPU in millicores (`500m` → `1`, divisor `1m` → `500`)."""
    resource = str(ref.get("resource", ""))
    section, _, name = resource.partition(".")
    value = ((container.get("resources") or {}).get(section) or {}).get(name)
    if value is None and section in ("limits", "requests"):
        # Unset limits default to node allocatable, which is this machine.
        if name == "cpu":
            value = os.cpu_count() or 1
        elif name == "memory":
            value = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        else:
            value = 0
    return resource_value(value or 0, ref.get("divisor") or 1)


def resource_value(quantity: str | int | float, divisor: str | int | float) -> str:
    """convertResourceCPUToString / convertResourceMemoryToString: ceil(quantity / divisor); the
    CPU form compares millicores, which for whole quantities is the same division."""
    amount, per = parse_quantity(quantity), parse_quantity(divisor)
    if per <= 0:
        per = Decimal(1)
    return str(math.ceil(amount / per))


def resolve_env(
    pod: Obj,
    container: Obj,
    lookup: Lookup,
    *,
    pod_ip: str,
    host_ip: str,
    node_name: str,
    service_env: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """envFrom first, then env in order (each value may use ``$(earlier)`` or a Service
    variable), then the Service variables the container did not define itself."""
    services: Mapping[str, str] = service_env or {}
    namespace = pod.get("metadata", {}).get("namespace", "default")
    env: dict[str, str] = {}
    for source in container.get("envFrom") or []:
        prefix = source.get("prefix", "")
        for kind, field in (("ConfigMap", "configMapRef"), ("Secret", "secretRef")):
            ref = source.get(field)
            if ref is None:
                continue
            obj = lookup(kind, ref.get("name", ""))
            if obj is None:
                if ref.get("optional"):
                    continue
                raise EnvError(f'{kind.lower()} "{ref.get("name", "")}" not found')
            for key, value in _source_data(kind, obj).items():
                if _ENV_NAME.match(prefix + key):  # invalid names are skipped (kubelet warns)
                    env[prefix + key] = value
    for var in container.get("env") or []:
        name = var["name"]
        if "valueFrom" not in var:
            env[name] = expand(str(var.get("value", "")), ChainMap(env, dict(services)))
            continue
        src = var["valueFrom"]
        if "fieldRef" in src:
            env[name] = _field_ref(pod, src["fieldRef"].get("fieldPath", ""), pod_ip, host_ip, node_name)
        elif "resourceFieldRef" in src:
            env[name] = _resource_ref(container, src["resourceFieldRef"])
        else:
            for kind, field in (("ConfigMap", "configMapKeyRef"), ("Secret", "secretKeyRef")):
                ref = src.get(field)
                if ref is None:
                    continue
                ref_name, key = ref.get("name", ""), ref.get("key", "")
                obj = lookup(kind, ref_name)
                if obj is None:
                    if ref.get("optional"):
                        break
                    raise EnvError(f'{kind.lower()} "{ref_name}" not found')
                data = _source_data(kind, obj)
                if key not in data:
                    if ref.get("optional"):
                        break
                    raise EnvError(f"couldn't find key {key} in {kind} {namespace}/{ref_name}")
                env[name] = data[key]
                break
    return {**services, **env}


def expand_command(container: Obj, env: Mapping[str, str]) -> Obj:
    """A copy of the container with ``$(VAR)`` expanded in command and args."""
    out = dict(container)
    for field in ("command", "args"):
        if container.get(field):
            out[field] = [expand(str(a), env) for a in container[field]]
    return out
