"""The "also served" kinds on one real node with the real kubectl: the node's heartbeat Lease
(`kubectl describe node` shows it), users' Leases, events.k8s.io/v1, PodDisruptionBudgets (status
and the eviction subresource), NetworkPolicy and Ingress (stored, with an honest warning), HPA.
Words as the upstream API server, controllers and printers say them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import RunningNode, start_node, stop_node, wait_for

NS = "default"


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningNode]:
    running_node = start_node(tmp_path_factory.mktemp("kinds"))
    yield running_node
    stop_node(running_node)


def create(node: RunningNode, tmp: Path, text: str, *, check: bool = True) -> Any:
    path = tmp / "m.yaml"
    path.write_text(text)
    return node.kubectl("create", "-f", str(path), check=check)


def get_json(node: RunningNode, *args: str) -> Any:
    return json.loads(node.kubectl("get", *args, "-o", "json").stdout)


def test_node_lease_in_describe_node(node: RunningNode) -> None:
    lease = wait_for(
        lambda: node.kubectl("get", "lease", "-n", "kube-node-lease", "podlab", "-o", "json", check=False),
        timeout=10,
        what="the node lease",
    )
    spec = json.loads(lease.stdout)["spec"]
    assert spec["holderIdentity"] == "podlab" and spec["leaseDurationSeconds"] == 40
    owner = json.loads(lease.stdout)["metadata"]["ownerReferences"][0]
    assert (owner["kind"], owner["name"]) == ("Node", "podlab")
    out = node.kubectl("describe", "node", "podlab").stdout
    block = out[out.index("Lease:") :].splitlines()[:4]
    assert block[1].split() == ["HolderIdentity:", "podlab"], block
    assert block[2].split() == ["AcquireTime:", "<unset>"], block
    assert block[3].split()[0] == "RenewTime:" and "Failed" not in block[3], block
    table = node.kubectl("get", "leases", "-A").stdout.splitlines()
    assert table[0].split() == ["NAMESPACE", "NAME", "HOLDER", "AGE"]
    assert table[1].split()[:3] == ["kube-node-lease", "podlab", "podlab"]


def test_user_lease_and_its_validation(node: RunningNode, tmp_path: Path) -> None:
    lease = """apiVersion: coordination.k8s.io/v1
kind: Lease
metadata: {name: leader}
spec: {holderIdentity: me, leaseDurationSeconds: 15, acquireTime: "2026-12-07T15:04:08.123456Z"}
"""
    create(node, tmp_path, lease)
    assert get_json(node, "lease", "leader")["spec"]["acquireTime"] == "2026-12-07T15:04:08.123456Z"
    bad = create(node, tmp_path, lease.replace("leader", "bad").replace("15", "0"), check=False)
    assert bad.returncode == 1
    assert (
        bad.stderr.strip()
        == 'The Lease "bad" is invalid: spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0'
    )


def test_node_lease_is_renewed(node: RunningNode) -> None:
    first = get_json(node, "lease", "-n", "kube-node-lease", "podlab")["spec"]["renewTime"]
    wait_for(
        lambda: get_json(node, "lease", "-n", "kube-node-lease", "podlab")["spec"]["renewTime"] > first,
        timeout=15,
        interval=0.5,
        what="a renewed node lease (every 10 s)",
    )
