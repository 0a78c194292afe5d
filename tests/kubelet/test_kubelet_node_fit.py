"""node_fit: the scheduler's NodeAffinity and VolumeBinding verdicts for the one node (sans-IO)."""

from __future__ import annotations

from typing import Any

import pytest

from podlab.kubelet.node_fit import matches_node, unschedulable_message

NODE = {"metadata": {"name": "podlab", "labels": {"kubernetes.io/os": "linux", "zone": "a", "gen": "3"}}}


def required(*terms: dict[str, Any]) -> dict[str, Any]:
    return {
        "affinity": {
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": list(terms)}
            }
        }
    }


def expr(key: str, op: str, *values: str) -> dict[str, Any]:
    return {"key": key, "operator": op, "values": list(values)}


@pytest.mark.parametrize(
    ("spec", "fits"),
    [
        ({}, True),
        ({"nodeSelector": {"zone": "a"}}, True),
        ({"nodeSelector": {"zone": "b"}}, False),
        (required({"matchExpressions": [expr("zone", "In", "a", "b")]}), True),
        (required({"matchExpressions": [expr("zone", "NotIn", "a")]}), False),
        (required({"matchExpressions": [expr("disk", "DoesNotExist")]}), True),
        (required({"matchExpressions": [expr("disk", "Exists")]}), False),
        (required({"matchExpressions": [expr("gen", "Gt", "2")]}), True),
        (required({"matchExpressions": [expr("gen", "Lt", "2")]}), False),
        # Terms are ORed; an empty term matches nothing.
        (
            required(
                {"matchExpressions": [expr("zone", "In", "b")]},
                {"matchExpressions": [expr("zone", "In", "a")]},
            ),
            True,
        ),
        (required({}), False),
        (required({"matchFields": [expr("metadata.name", "In", "podlab")]}), True),
        (required({"matchFields": [expr("metadata.name", "In", "other")]}), False),
    ],
)
def test_node_selector_and_required_affinity(spec: dict[str, Any], fits: bool) -> None:
    assert matches_node(spec, NODE) is fits


def test_a_missing_claim_is_said_before_affinity() -> None:
    pod = {
        "metadata": {"namespace": "default"},
        "spec": {
            "nodeSelector": {"zone": "b"},
            "volumes": [{"name": "d", "persistentVolumeClaim": {"claimName": "d"}}],
        },
    }
    assert unschedulable_message(pod, NODE) == (
        '0/1 nodes are available: persistentvolumeclaim "d" not found. '
        "preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling."
    )
    assert unschedulable_message(pod, NODE, lambda ns, name: True) == (
        "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. "
        "preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling."
    )
