"""The node heartbeat Lease, sans-IO (kubelet/node_lease.py): what kubelet's nodelease writes."""

from __future__ import annotations

from datetime import UTC, datetime

from podlab.kubelet.node_lease import LEASE_DURATION_SECONDS, RENEW_INTERVAL_SECONDS, new_node_lease, renewed

T0 = datetime(2026, 12, 7, 15, 4, 8, 123456, tzinfo=UTC)
T1 = datetime(2026, 12, 7, 15, 4, 18, 5, tzinfo=UTC)


def test_new_lease_is_owned_by_the_node_and_holds_its_name() -> None:
    lease = new_node_lease("podlab", "uid-1", T0)
    assert lease["metadata"] == {
        "name": "podlab",
        "namespace": "kube-node-lease",
        "ownerReferences": [{"apiVersion": "v1", "kind": "Node", "name": "podlab", "uid": "uid-1"}],
    }
    assert lease["spec"] == {
        "holderIdentity": "podlab",
        "leaseDurationSeconds": 40,
        "renewTime": "2026-12-07T15:04:08.123456Z",  # MicroTime
    }
    assert "acquireTime" not in lease["spec"]
    assert RENEW_INTERVAL_SECONDS == LEASE_DURATION_SECONDS / 4 == 10


def test_renewal_moves_renew_time_and_keeps_the_rest() -> None:
    stored = new_node_lease("podlab", "", T0)
    stored["metadata"]["resourceVersion"] = "7"
    stored["spec"]["leaseTransitions"] = 2
    out = renewed(stored, "podlab", "uid-1", T1)
    assert out["spec"]["renewTime"] == "2026-12-07T15:04:18.000005Z"
    assert out["spec"]["leaseTransitions"] == 2
    assert out["metadata"]["resourceVersion"] == "7"
    assert out["metadata"]["ownerReferences"][0]["uid"] == "uid-1"
    assert stored["spec"]["renewTime"] == "2026-12-07T15:04:08.123456Z"  # not mutated
