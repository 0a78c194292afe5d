"""The EndpointSlice reconcile (eps `reconciler.go`), sans-IO: given a Service, the pods of its
namespace, the slices this controller keeps for it and `now`, decide creates, patches, deletes.

Pods whose resolved ports differ go to different slices (a named targetPort can resolve to 8080
on some pods and 9090 on others); a Service with no endpoints keeps one placeholder slice.
Slices of deleted Services go by garbage collection (their ownerReference), as in Kubernetes.
"""

from __future__ import annotations

from datetime import datetime

from podlab.controllers import service_pods as sp
from podlab.controllers.actions import Action, CreateObject, DeleteObject, PatchObject, ResourceKey
from podlab.controllers.util import Obj, meta, name_of, namespace_of, owner_reference, uid_of

ENDPOINTSLICES: ResourceKey = ("discovery.k8s.io", "endpointslices")
API_VERSION = "discovery.k8s.io/v1"
# kube-controller-manager --max-endpoints-per-slice default.
MAX_ENDPOINTS_PER_SLICE = 100


def is_managed_slice_of(slice_: Obj, svc: Obj) -> bool:
    labels = meta(slice_).get("labels") or {}
    return (
        namespace_of(slice_) == namespace_of(svc)
        and labels.get(sp.SERVICE_NAME_LABEL) == name_of(svc)
        and labels.get(sp.MANAGED_BY_LABEL) == sp.MANAGED_BY
    )


def _slice_ports(ports: tuple[sp.ResolvedPort, ...]) -> list[Obj]:
    out = []
    for name, number, protocol, app_protocol in ports:
        entry: Obj = {"name": name, "port": number, "protocol": protocol}
        if app_protocol:
            entry["appProtocol"] = app_protocol
        out.append(entry)
    return out


def _endpoint(svc: Obj, pod: Obj) -> Obj:
    return {"addresses": [sp.pod_ip(pod)], "conditions": sp.conditions(svc, pod), **sp.placement(svc, pod)}


def desired_groups(svc: Obj, pods: list[Obj]) -> list[tuple[list[Obj], list[Obj]]]:
    """(ports, endpoints) of each slice the Service should have, at most 100 endpoints each."""
    groups: dict[tuple[sp.ResolvedPort, ...], list[Obj]] = {}
    for pod in sp.selected_pods(svc, pods):
        groups.setdefault(sp.resolved_ports(svc, pod), []).append(_endpoint(svc, pod))
    out = []
    for ports, endpoints in groups.items():
        for start in range(0, len(endpoints), MAX_ENDPOINTS_PER_SLICE):
            out.append((_slice_ports(ports), endpoints[start : start + MAX_ENDPOINTS_PER_SLICE]))
    return out


def _labels(svc: Obj) -> dict[str, str]:
    return {**sp.service_labels(svc), sp.SERVICE_NAME_LABEL: name_of(svc), sp.MANAGED_BY_LABEL: sp.MANAGED_BY}


def _new_slice(svc: Obj, ports: list[Obj] | None, endpoints: list[Obj], now: datetime) -> Obj:
    slice_: Obj = {
        "apiVersion": API_VERSION,
        "kind": "EndpointSlice",
        "metadata": {
            "generateName": f"{name_of(svc)}-",
            "namespace": namespace_of(svc),
            "labels": _labels(svc),
            "annotations": {sp.TRIGGER_TIME: sp.trigger_time(now)},
            "ownerReferences": [owner_reference(svc)],
        },
        "addressType": "IPv4",
        "endpoints": endpoints,
    }
    if ports is not None:
        slice_["ports"] = ports
    return slice_


def _patch(
    slice_: Obj, svc: Obj, ports: list[Obj] | None, endpoints: list[Obj], now: datetime
) -> Action | None:
    """A merge patch bringing `slice_` to (ports, endpoints, labels), or None when it is already there."""
    labels = _labels(svc)
    current_labels = meta(slice_).get("labels") or {}
    if (
        slice_.get("ports") == ports
        and (slice_.get("endpoints") or []) == endpoints
        and current_labels == labels
    ):
        return None
    label_patch: Obj = {k: None for k in current_labels if k not in labels}
    label_patch.update(labels)
    merge: Obj = {
        "metadata": {"labels": label_patch, "annotations": {sp.TRIGGER_TIME: sp.trigger_time(now)}},
        "ports": ports,
        "endpoints": endpoints,
    }
    return PatchObject(ENDPOINTSLICES, namespace_of(slice_), name_of(slice_), merge)


def sync_endpointslices(svc: Obj, pods: list[Obj], slices: list[Obj], now: datetime) -> list[Action]:
    """One reconcile of a Service's slices; `slices` may hold any slices of its namespace."""
    if not sp.wants_endpoints(svc) or meta(svc).get("deletionTimestamp"):
        return []
    mine = sorted((s for s in slices if is_managed_slice_of(s, svc) and _owned_by(s, svc)), key=name_of)
    desired: list[tuple[list[Obj] | None, list[Obj]]] = list(desired_groups(svc, pods))
    if not desired:
        desired = [(None, [])]  # the placeholder slice: no endpoints, ports unset
    actions: list[Action] = []
    unused = list(mine)
    pending: list[tuple[list[Obj] | None, list[Obj]]] = []
    for ports, endpoints in desired:
        # Reuse the slice that already has these ports, so a readiness flip is one patch.
        match = next((s for s in unused if s.get("ports") == ports), None)
        if match is None:
            pending.append((ports, endpoints))
            continue
        unused.remove(match)
        patch = _patch(match, svc, ports, endpoints, now)
        if patch is not None:
            actions.append(patch)
    for ports, endpoints in pending:
        if unused:
            patch = _patch(unused.pop(0), svc, ports, endpoints, now)
            if patch is not None:
                actions.append(patch)
        else:
            actions.append(CreateObject(ENDPOINTSLICES, _new_slice(svc, ports, endpoints, now)))
    for stale in unused:
        actions.append(DeleteObject(ENDPOINTSLICES, namespace_of(stale), name_of(stale), uid=uid_of(stale)))
    return actions


def _owned_by(slice_: Obj, svc: Obj) -> bool:
    refs = meta(slice_).get("ownerReferences") or []
    return any(ref.get("uid") == uid_of(svc) for ref in refs)
