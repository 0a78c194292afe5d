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


EVENT = """apiVersion: events.k8s.io/v1
kind: Event
metadata: {name: elected}
eventTime: "2026-12-07T15:04:08.123456Z"
reportingController: example.com/leader
reportingInstance: leader-0
action: Elect
reason: LeaderElected
note: leader-0 became leader
type: Normal
regarding: {kind: Lease, namespace: default, name: leader, apiVersion: coordination.k8s.io/v1}
"""


def test_events_k8s_io_is_a_view_of_core_events(node: RunningNode, tmp_path: Path) -> None:
    create(node, tmp_path, EVENT)
    new = get_json(node, "events.v1.events.k8s.io", "elected")
    assert new["apiVersion"] == "events.k8s.io/v1" and new["note"] == "leader-0 became leader"
    core = get_json(node, "events.v1.", "elected")
    assert core["apiVersion"] == "v1" and core["message"] == "leader-0 became leader"
    assert core["involvedObject"]["name"] == "leader"
    assert core["reportingComponent"] == "example.com/leader" and core["reportingInstance"] == "leader-0"
    # A kubelet event (core/v1, legacy fields) read through events.k8s.io/v1.
    node.kubectl("run", "ev-pod", "--image=busybox", "--restart=Never", "--", "true")
    listed = wait_for(
        lambda: [
            e
            for e in get_json(node, "events.v1.events.k8s.io")["items"]
            if e.get("regarding", {}).get("name") == "ev-pod" and e["reason"] == "Scheduled"
        ],
        timeout=20,
        what="the pod's Scheduled event via events.k8s.io",
    )
    scheduled = listed[0]
    assert scheduled["deprecatedSource"] == {"component": "default-scheduler"}
    assert scheduled["deprecatedCount"] == 1 and scheduled["eventTime"] is None
    assert scheduled["note"].startswith("Successfully assigned default/ev-pod to ")
    table = node.kubectl("get", "events.v1.events.k8s.io", "--field-selector", "metadata.name=elected").stdout
    assert table.splitlines()[1].split()[1:4] == ["Normal", "LeaderElected", "lease/leader"]


def test_events_k8s_io_strict_checks(node: RunningNode, tmp_path: Path) -> None:
    bad = EVENT.replace("elected", "bad").replace("Normal", "Info")
    bad = "\n".join(line for line in bad.splitlines() if not line.startswith(("eventTime", "action")))
    out = create(node, tmp_path, bad, check=False)
    assert out.returncode == 1
    assert out.stderr.strip().splitlines() == [
        'The Event "bad" is invalid: ',
        "* eventTime: Required value",
        '* type: Invalid value: "": has invalid value: Info',
    ]
    patched = node.kubectl(
        "patch", "events.v1.events.k8s.io", "elected", "--type=merge", "-p", '{"note":"x"}', check=False
    )
    assert (
        patched.stderr.strip()
        == 'The Event "elected" is invalid: message: Invalid value: "x": field is immutable'
    )
