"""The node's heartbeat Lease (k8s component-helpers/apimachinery/lease/controller.go and
pkg/kubelet/nodelease.go), no I/O.

kubelet keeps `kube-node-lease/<node>` with holderIdentity = node name, leaseDurationSeconds 40
(--node-lease-duration-seconds) and renews renewTime every quarter of it (10 s,
nodeLeaseRenewIntervalFraction 0.25). The lease is owned by the Node, so it goes with it.
kubelet never sets acquireTime: `kubectl describe node` shows `AcquireTime: <unset>`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from podlab.k8s.timestamps import format_micro_time

Obj = dict[str, Any]

LEASES = ("coordination.k8s.io", "leases")
NODE_LEASE_NAMESPACE = "kube-node-lease"
LEASE_DURATION_SECONDS = 40
RENEW_INTERVAL_SECONDS = LEASE_DURATION_SECONDS * 0.25


def new_node_lease(node_name: str, node_uid: str, now: datetime) -> Obj:
    """The Lease kubelet creates when none exists yet (newLease + setNodeOwnerFunc)."""
    meta: Obj = {"name": node_name, "namespace": NODE_LEASE_NAMESPACE}
    if node_uid:
        meta["ownerReferences"] = [{"apiVersion": "v1", "kind": "Node", "name": node_name, "uid": node_uid}]
    return {
        "apiVersion": "coordination.k8s.io/v1",
        "kind": "Lease",
        "metadata": meta,
        "spec": {
            "holderIdentity": node_name,
            "leaseDurationSeconds": LEASE_DURATION_SECONDS,
            "renewTime": format_micro_time(now),
        },
    }


def renewed(lease: Obj, node_name: str, node_uid: str, now: datetime) -> Obj:
    """The stored lease with renewTime moved to `now` (and owner/holder put back if lost)."""
    fresh = new_node_lease(node_name, node_uid, now)
    out = dict(lease)
    meta = dict(lease.get("metadata") or {})
    if not meta.get("ownerReferences") and "ownerReferences" in fresh["metadata"]:
        meta["ownerReferences"] = fresh["metadata"]["ownerReferences"]
    out["metadata"] = meta
    out["spec"] = {**(lease.get("spec") or {}), **fresh["spec"]}
    return out
