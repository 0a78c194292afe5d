"""The Service registry's allocations (k8s `pkg/registry/core/service/storage`): ClusterIPs and
nodePorts filled in or checked on create and update, in kube-apiserver's words.

What is taken is read off the stored Services on every write, so a deleted Service (or a
deleted namespace) frees its addresses and ports at once, with no second copy that could
drift. The API server's handlers run one at a time on the node's loop, so reading then
storing cannot race.
"""

from __future__ import annotations

import ipaddress
import random
from typing import Any

from podlab.k8s import errors as fe
from podlab.k8s.errors import FieldError
from podlab.network import allocation
from podlab.store import Store

Obj = dict[str, Any]
SERVICES = ("", "services")
_NODE_PORT_TYPES = ("NodePort", "LoadBalancer")


def _spec(svc: Obj) -> Obj:
    spec = svc.get("spec")
    return spec if isinstance(spec, dict) else {}


def _ports(spec: Obj) -> list[Obj]:
    return [p for p in spec.get("ports") or [] if isinstance(p, dict)]


def _identity(svc: Obj) -> tuple[str, str]:
    meta = svc.get("metadata") or {}
    return (str(meta.get("namespace") or "default"), str(meta.get("name") or ""))


class ServiceAllocations:
    """Fills spec.clusterIP(s), ipFamilies, ipFamilyPolicy and nodePorts of a Service being written."""

    def __init__(self, store: Store, cidr: ipaddress.IPv4Network, rng: random.Random | None = None) -> None:
        self._store = store
        self.cidr = cidr
        self._rng = rng or random.Random()

    def _others(self, svc: Obj) -> list[Obj]:
        items, _ = self._store.list(SERVICES)
        me = _identity(svc)
        return [s for s in items if _identity(s) != me]

    def admit(self, svc: Obj, old: Obj | None) -> list[FieldError]:
        """Allocate into `svc` (in place); the field errors if what it asks for cannot be had."""
        spec = svc.get("spec")
        if not isinstance(spec, dict):
            return []
        others = self._others(svc)
        old_spec = _spec(old) if old is not None else {}
        errs = self._cluster_ip(spec, old_spec, others)
        errs.extend(self._node_ports(spec, old_spec, others))
        return errs

    # -- ClusterIP -------------------------------------------------------------------------
    def _cluster_ip(self, spec: Obj, old_spec: Obj, others: list[Obj]) -> list[FieldError]:
        if spec.get("type") == "ExternalName":
            if old_spec.get("type") != "ExternalName" and spec.get("clusterIP") == old_spec.get("clusterIP"):
                # dropTypeDependentFields: becoming ExternalName releases the ClusterIP.
                for field in ("clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"):
                    spec.pop(field, None)
            return []
        errs: list[FieldError] = []
        families = spec.get("ipFamilies") or []
        for i, family in enumerate(families):
            if family != "IPv4":
                errs.append(fe.invalid(f"spec.ipFamilies[{i}]", family, "not configured on this cluster"))
        if errs:
            return errs
        old_ip = old_spec.get("clusterIP") if old_spec.get("type") != "ExternalName" else None
        ips = spec.get("clusterIPs") or []
        wanted = spec.get("clusterIP") or (ips[0] if ips else "")
        if not wanted and old_ip:
            # patchAllocatedValues: an update that leaves the ClusterIP out keeps the allocated one.
            wanted = old_ip
            ips = list(old_spec.get("clusterIPs") or [old_ip])
        if old_ip and wanted != old_ip:
            return [fe.invalid("spec.clusterIP", wanted, "field is immutable")]
        if ips and ips[0] != wanted:
            return [
                fe.invalid(
                    "spec.clusterIPs",
                    list(ips),
                    "element [0] must match clusterIP",
                )
            ]
        if wanted == "None":
            spec.update(clusterIP="None", clusterIPs=["None"])
        elif wanted and wanted != old_ip:
            taken = {str(_spec(s).get("clusterIP")) for s in others if _spec(s).get("clusterIP")}
            detail = allocation.cluster_ip_error(self.cidr, str(wanted), taken)
            if detail is not None:
                return [fe.invalid("spec.clusterIPs", [wanted], detail)]
            spec.update(clusterIP=wanted, clusterIPs=[wanted])
        elif wanted:
            spec.update(clusterIP=wanted, clusterIPs=ips or [wanted])
        else:
            taken = {str(_spec(s).get("clusterIP")) for s in others if _spec(s).get("clusterIP")}
            ip = allocation.allocate_cluster_ip(self.cidr, taken, self._rng)
            if ip is None:
                return [fe.invalid("spec.clusterIPs", [], "failed to allocate a serviceIP: range is full")]
            spec.update(clusterIP=ip, clusterIPs=[ip])
        spec.setdefault("ipFamilies", ["IPv4"])
        spec.setdefault("ipFamilyPolicy", "SingleStack")
        return []

    # -- NodePort --------------------------------------------------------------------------
    def _node_ports(self, spec: Obj, old_spec: Obj, others: list[Obj]) -> list[FieldError]:
        ports = _ports(spec)
        stype = spec.get("type")
        if stype not in _NODE_PORT_TYPES:
            errs = []
            for i, port in enumerate(ports):
                if not port.get("nodePort"):
                    continue
                if old_spec.get("type") in _NODE_PORT_TYPES:
                    # A type change away from NodePort releases the ports (as since k8s 1.20).
                    port.pop("nodePort")
                else:
                    errs.append(
                        fe.forbidden(f"spec.ports[{i}].nodePort", f"may not be used when `type` is '{stype}'")
                    )
            return errs
        taken = {int(p["nodePort"]) for s in others for p in _ports(_spec(s)) if p.get("nodePort")}
        old_ports = {(p.get("port"), p.get("protocol", "TCP")): p.get("nodePort") for p in _ports(old_spec)}
        errs = []
        allocate = stype == "NodePort" or spec.get("allocateLoadBalancerNodePorts", True) is not False
        for i, port in enumerate(ports):
            wanted = port.get("nodePort")
            kept = old_ports.get((port.get("port"), port.get("protocol", "TCP")))
            if not wanted and kept:
                wanted = kept  # patchAllocatedValues, as for the ClusterIP
            if wanted:
                # `others` leaves this Service out: a port it already holds stays its own.
                detail = allocation.node_port_error(int(wanted), taken)
                if detail is not None:
                    errs.append(fe.invalid(f"spec.ports[{i}].nodePort", int(wanted), detail))
                    continue
                port["nodePort"] = int(wanted)
                taken.add(int(wanted))
            elif allocate:
                chosen = allocation.allocate_node_port(taken, self._rng)
                if chosen is None:
                    errs.append(
                        fe.invalid(
                            f"spec.ports[{i}].nodePort", 0, "failed to allocate a nodePort: range is full"
                        )
                    )
                    continue
                port["nodePort"] = chosen
                taken.add(chosen)
        return errs
