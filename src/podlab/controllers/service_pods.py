"""What the endpoints and endpointslice controllers share: which pods back a Service, each pod's
endpoint conditions, and its resolved ports (eps `utils.go`, k8s `pkg/api/v1/endpoints`,
`util/controller_utils.go`). Pure functions of the objects."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from podlab.controllers.util import Obj, is_pod_ready, meta, name_of, namespace_of, uid_of

SERVICE_NAME_LABEL = "kubernetes.io/service-name"
MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by"
MANAGED_BY = "endpointslice-controller.k8s.io"
HEADLESS_LABEL = "service.kubernetes.io/headless"
TRIGGER_TIME = "endpoints.kubernetes.io/last-change-trigger-time"

# (name, port, protocol, appProtocol): one resolved Service port for one pod.
ResolvedPort = tuple[str, int, str, str | None]


def spec_of(obj: Obj) -> Obj:
    spec = obj.get("spec")
    return spec if isinstance(spec, dict) else {}


def wants_endpoints(svc: Obj) -> bool:
    """Services without a selector (their users own the endpoints) and ExternalName ones get none."""
    spec = spec_of(svc)
    return spec.get("selector") is not None and spec.get("type") != "ExternalName"


def is_headless(svc: Obj) -> bool:
    return spec_of(svc).get("clusterIP") == "None"


def publishes_not_ready(svc: Obj) -> bool:
    return bool(spec_of(svc).get("publishNotReadyAddresses"))


def pod_ip(pod: Obj) -> str:
    status = pod.get("status") or {}
    ips = [entry.get("ip") for entry in status.get("podIPs") or [] if isinstance(entry, dict)]
    return str(next((ip for ip in ips if ip and ":" not in ip), None) or status.get("podIP") or "")


def is_terminating(pod: Obj) -> bool:
    return bool(meta(pod).get("deletionTimestamp"))


def selected_pods(svc: Obj, pods: list[Obj]) -> list[Obj]:
    """ShouldPodBeInEndpoints(pod, includeTerminating=true): pods of the Service's namespace matching
    its selector, not finished, with an IP; sorted by name so the output is stable."""
    selector = spec_of(svc).get("selector") or {}
    chosen = []
    for pod in pods:
        if namespace_of(pod) != namespace_of(svc):
            continue
        labels = meta(pod).get("labels") or {}
        if not all(labels.get(k) == v for k, v in selector.items()):
            continue
        if (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed") or not pod_ip(pod):
            continue
        chosen.append(pod)
    return sorted(chosen, key=name_of)


def conditions(svc: Obj, pod: Obj) -> Obj:
    """podToEndpoint: serving = Ready; terminating = being deleted; ready = publishNotReadyAddresses
    or (serving and not terminating)."""
    serving = is_pod_ready(pod)
    terminating = is_terminating(pod)
    return {
        "ready": publishes_not_ready(svc) or (serving and not terminating),
        "serving": serving,
        "terminating": terminating,
    }


def hostname(svc: Obj, pod: Obj) -> str | None:
    """ShouldSetHostname: spec.hostname, only when spec.subdomain names this Service."""
    spec = spec_of(pod)
    if (
        spec.get("hostname")
        and spec.get("subdomain") == name_of(svc)
        and namespace_of(pod) == namespace_of(svc)
    ):
        return str(spec["hostname"])
    return None


def placement(svc: Obj, pod: Obj) -> Obj:
    """The fields both an EndpointSlice endpoint and an Endpoints address carry beside the IP:
    targetRef, nodeName (when scheduled) and hostname (ShouldSetHostname)."""
    out: Obj = {"targetRef": target_ref(pod)}
    node = spec_of(pod).get("nodeName")
    if node:
        out["nodeName"] = node
    host = hostname(svc, pod)
    if host:
        out["hostname"] = host
    return out


def target_ref(pod: Obj) -> Obj:
    return {"kind": "Pod", "namespace": namespace_of(pod), "name": name_of(pod), "uid": uid_of(pod)}


def _find_port(pod: Obj, target: Any, protocol: str) -> int | None:
    """podutil.FindPort: a number as is; a name by the first container port with that name and
    protocol, regular containers first, then sidecar (restartPolicy: Always) init containers."""
    if isinstance(target, int):
        return target
    if isinstance(target, str) and target.isdigit():
        return int(target)
    spec = spec_of(pod)
    sidecars = [c for c in spec.get("initContainers") or [] if c.get("restartPolicy") == "Always"]
    for container in [*(spec.get("containers") or []), *sidecars]:
        for port in container.get("ports") or []:
            if port.get("name") == target and port.get("protocol", "TCP") == protocol:
                return int(port["containerPort"])
    return None


def resolved_ports(svc: Obj, pod: Obj) -> tuple[ResolvedPort, ...]:
    """getEndpointPorts: each Service port with its targetPort resolved for this pod; a port
    that does not resolve is left out for this pod."""
    out: list[ResolvedPort] = []
    for port in spec_of(svc).get("ports") or []:
        protocol = str(port.get("protocol") or "TCP")
        number = _find_port(pod, port.get("targetPort", port.get("port")), protocol)
        if number is None:
            continue
        out.append((str(port.get("name") or ""), number, protocol, port.get("appProtocol")))
    return tuple(out)


def service_labels(svc: Obj) -> dict[str, str]:
    labels = dict(meta(svc).get("labels") or {})
    if is_headless(svc):
        labels[HEADLESS_LABEL] = ""
    return labels


def trigger_time(now: datetime) -> str:
    """RFC 3339 with fractional seconds (Go's RFC3339Nano drops trailing zeros)."""
    text = now.strftime("%Y-%m-%dT%H:%M:%S.%f").rstrip("0").rstrip(".")
    return text + "Z"
