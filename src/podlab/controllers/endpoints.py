"""The v1 Endpoints reconcile (k8s `pkg/controller/endpoint/endpoints_controller.go`), sans-IO.

The mirror differs from the slices: terminating pods are left out (unless the Service
publishes not-ready addresses), not-ready pods go to `notReadyAddresses`, and addresses with
the same resolved ports share one subset. The object has the Service's name.
"""

from __future__ import annotations

from datetime import datetime

from podlab.controllers import service_pods as sp
from podlab.controllers.actions import Action, CreateObject, DeleteObject, PatchObject, ResourceKey
from podlab.controllers.util import Obj, is_pod_ready, meta, name_of, namespace_of, uid_of

ENDPOINTS: ResourceKey = ("", "endpoints")
# maxCapacity: beyond this many addresses the object is truncated and annotated.
MAX_CAPACITY = 1000
OVER_CAPACITY = "endpoints.kubernetes.io/over-capacity"


def _address(svc: Obj, pod: Obj) -> Obj:
    return {"ip": sp.pod_ip(pod), **sp.placement(svc, pod)}


def desired_subsets(svc: Obj, pods: list[Obj]) -> list[Obj]:
    """Subsets grouped by resolved ports (RepackSubsets), addresses sorted by IP."""
    publish = sp.publishes_not_ready(svc)
    groups: dict[tuple[sp.ResolvedPort, ...], tuple[list[Obj], list[Obj]]] = {}
    count = 0
    for pod in sp.selected_pods(svc, pods):
        if sp.is_terminating(pod) and not publish:
            continue
        if count >= MAX_CAPACITY:
            break
        ports = sp.resolved_ports(svc, pod)
        if not ports and sp.spec_of(svc).get("ports"):
            continue  # no Service port resolves on this pod
        ready, not_ready = groups.setdefault(ports, ([], []))
        (ready if publish or is_pod_ready(pod) else not_ready).append(_address(svc, pod))
        count += 1
    subsets = []
    for ports, (ready, not_ready) in groups.items():
        subset: Obj = {}
        if ready:
            subset["addresses"] = sorted(ready, key=lambda a: a["ip"])
        if not_ready:
            subset["notReadyAddresses"] = sorted(not_ready, key=lambda a: a["ip"])
        if ports:
            subset["ports"] = [
                {"name": n, "port": p, "protocol": proto, **({"appProtocol": app} if app else {})}
                for n, p, proto, app in ports
            ]
        subsets.append(subset)
    return subsets


def _labels(svc: Obj) -> dict[str, str]:
    return sp.service_labels(svc)


def sync_endpoints(svc: Obj, pods: list[Obj], current: Obj | None, now: datetime) -> list[Action]:
    """One reconcile of the Service's Endpoints object (`current`, None if absent)."""
    if not sp.wants_endpoints(svc) or meta(svc).get("deletionTimestamp"):
        return []
    subsets = desired_subsets(svc, pods)
    labels = _labels(svc)
    stamp = {sp.TRIGGER_TIME: sp.trigger_time(now)}
    if current is None:
        obj: Obj = {
            "apiVersion": "v1",
            "kind": "Endpoints",
            "metadata": {
                "name": name_of(svc),
                "namespace": namespace_of(svc),
                "labels": labels,
                "annotations": stamp,
            },
        }
        if subsets:
            obj["subsets"] = subsets
        return [CreateObject(ENDPOINTS, obj)]
    current_labels = meta(current).get("labels") or {}
    if (current.get("subsets") or []) == subsets and current_labels == labels:
        return []
    label_patch: Obj = {k: None for k in current_labels if k not in labels}
    label_patch.update(labels)
    merge: Obj = {"metadata": {"labels": label_patch, "annotations": stamp}, "subsets": subsets or None}
    return [PatchObject(ENDPOINTS, namespace_of(current), name_of(current), merge)]


def stale_endpoints(services: list[Obj], endpoints: list[Obj]) -> list[Action]:
    """Deletes for Endpoints this controller made (they carry its trigger-time annotation) whose
    Service is gone or no longer has a selector, as the controller does on a Service's removal."""
    wanted = {(namespace_of(s), name_of(s)) for s in services if sp.wants_endpoints(s)}
    out: list[Action] = []
    for ep in endpoints:
        annotations = meta(ep).get("annotations") or {}
        if sp.TRIGGER_TIME in annotations and (namespace_of(ep), name_of(ep)) not in wanted:
            out.append(DeleteObject(ENDPOINTS, namespace_of(ep), name_of(ep), uid=uid_of(ep)))
    return out
