"""Served kinds with controllers behind them, on one real node with the real kubectl:
PodDisruptionBudgets (status, the eviction subresource, `kubectl drain`), the
HorizontalPodAutoscaler (`kubectl autoscale`, a real cpu burner) and DaemonSet revisions
(`kubectl rollout history/undo ds`). Words as the upstream controllers and printers say them."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import RunningNode, start_node, stop_node, wait_for

NS = "default"


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningNode]:
    # The autoscaler syncs every second instead of every 15 (test-only knob).
    before = os.environ.get("PODLAB_HPA_SYNC_SECONDS")
    os.environ["PODLAB_HPA_SYNC_SECONDS"] = "1"
    try:
        running_node = start_node(tmp_path_factory.mktemp("kinds-ctl"))
    finally:
        if before is None:
            os.environ.pop("PODLAB_HPA_SYNC_SECONDS", None)
        else:
            os.environ["PODLAB_HPA_SYNC_SECONDS"] = before
    yield running_node
    stop_node(running_node)


def create(node: RunningNode, tmp: Path, text: str, *, check: bool = True) -> Any:
    path = tmp / "m.yaml"
    path.write_text(text)
    return node.kubectl("create", "-f", str(path), check=check)


def get_json(node: RunningNode, *args: str) -> Any:
    return json.loads(node.kubectl("get", *args, "-o", "json").stdout)


BUDGETED = """apiVersion: apps/v1
kind: Deployment
metadata: {name: budgeted}
spec:
  replicas: 2
  selector: {matchLabels: {app: budgeted}}
  template:
    metadata: {labels: {app: budgeted}}
    spec:
      terminationGracePeriodSeconds: 0
      containers: [{name: c, image: busybox, command: [sleep, "3600"]}]
"""


def pdb_status(node: RunningNode, name: str) -> Any:
    return get_json(node, "pdb", name).get("status") or {}


def test_pdb_status_and_eviction(node: RunningNode, tmp_path: Path) -> None:
    from kubernetes import client
    from kubernetes.client.rest import ApiException

    create(node, tmp_path, BUDGETED)
    node.kubectl("create", "pdb", "budget", "--selector=app=budgeted", "--min-available=2")
    wait_for(lambda: pdb_status(node, "budget").get("currentHealthy") == 2, timeout=30, what="2 healthy pods")
    status = pdb_status(node, "budget")
    assert (status["desiredHealthy"], status["expectedPods"], status["disruptionsAllowed"]) == (2, 2, 0)
    cond = status["conditions"][0]
    assert (cond["type"], cond["status"], cond["reason"]) == (
        "DisruptionAllowed",
        "False",
        "InsufficientPods",
    )
    table = node.kubectl("get", "pdb", "budget").stdout.splitlines()
    assert table[0].split() == [
        "NAME",
        "MIN",
        "AVAILABLE",
        "MAX",
        "UNAVAILABLE",
        "ALLOWED",
        "DISRUPTIONS",
        "AGE",
    ]
    assert table[1].split()[:4] == ["budget", "2", "N/A", "0"]

    core = node.core_api()
    victim = sorted(
        p.metadata.name for p in core.list_namespaced_pod(NS, label_selector="app=budgeted").items
    )[0]
    eviction = client.V1Eviction(metadata=client.V1ObjectMeta(name=victim, namespace=NS))
    with pytest.raises(ApiException) as refused:
        core.create_namespaced_pod_eviction(victim, NS, eviction)
    assert refused.value.status == 429
    body = json.loads(refused.value.body)
    assert body["message"] == "Cannot evict pod as it would violate the pod's disruption budget."
    assert body["details"]["causes"] == [
        {
            "reason": "DisruptionBudget",
            "message": "The disruption budget budget needs 2 healthy pods and has 2 currently",
        }
    ]

    node.kubectl("patch", "pdb", "budget", "--type=merge", "-p", '{"spec":{"minAvailable":1}}')
    wait_for(lambda: pdb_status(node, "budget").get("disruptionsAllowed") == 1, timeout=20, what="1 allowed")
    core.create_namespaced_pod_eviction(victim, NS, eviction)
    wait_for(
        lambda: victim not in node.kubectl("get", "pods", "-l", "app=budgeted", "-o", "name").stdout,
        timeout=20,
        what="the evicted pod gone",
    )
    # kubectl drain evicts the rest through the same subresource, waiting for the budget.
    try:
        out = node.kubectl("drain", "podlab", "--pod-selector=app=budgeted", "--timeout=40s", timeout=60)
        assert "evicted" in out.stdout
    finally:
        node.kubectl("uncordon", "podlab")


def test_pdb_validation(node: RunningNode, tmp_path: Path) -> None:
    both = """apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: both}
spec: {minAvailable: 1, maxUnavailable: 120%, selector: {matchLabels: {app: x}}}
"""
    out = create(node, tmp_path, both, check=False)
    assert out.stderr.strip().splitlines() == [
        'The PodDisruptionBudget "both" is invalid: ',
        "* spec: Invalid value: minAvailable and maxUnavailable cannot be both set",
        "* spec.maxUnavailable: Invalid value: 120%: must not be greater than 100%",
    ]


BURN = """apiVersion: apps/v1
kind: Deployment
metadata: {name: burn}
spec:
  replicas: 1
  selector: {matchLabels: {app: burn}}
  template:
    metadata: {labels: {app: burn}}
    spec:
      terminationGracePeriodSeconds: 0
      containers:
      - name: c
        image: busybox
        command: [sh, -c, 'while true; do :; done']
        resources: {requests: {cpu: 20m}, limits: {cpu: 100m}}
"""


def test_hpa_scales_on_cpu(node: RunningNode, tmp_path: Path) -> None:
    create(node, tmp_path, BURN)
    try:
        node.kubectl("autoscale", "deploy", "burn", "--cpu=50%", "--min=1", "--max=2")
        wait_for(
            lambda: get_json(node, "deploy", "burn")["spec"]["replicas"] == 2,
            timeout=40,
            interval=0.5,
            what="the autoscaler scaling burn to 2",
        )
        hpa = get_json(node, "hpa", "burn")
        conditions = {c["type"]: (c["status"], c["reason"]) for c in hpa["status"]["conditions"]}
        assert conditions["AbleToScale"] == ("True", "SucceededRescale")
        assert conditions["ScalingActive"] == ("True", "ValidMetricFound")
        rows = [line.split() for line in node.kubectl("get", "hpa", "burn").stdout.splitlines()]
        assert rows[0] == ["NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS", "AGE"]
        assert rows[1][:3] == ["burn", "Deployment/burn", "cpu:"] and rows[1][3].endswith("/50%")
        events = get_json(node, "events", "--field-selector", "involvedObject.kind=HorizontalPodAutoscaler")
        messages = [e["message"] for e in events["items"] if e["reason"] == "SuccessfulRescale"]
        assert (
            "New size: 2; reason: cpu resource utilization (percentage of request) above target" in messages
        )
    finally:
        node.kubectl("delete", "deploy", "burn", "--wait=false")


AGENT = """apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      terminationGracePeriodSeconds: 0
      containers: [{name: c, image: busybox, command: [sleep, "3600"], env: [{name: V, value: "1"}]}]
"""


def test_daemonset_rollout_history_and_undo(node: RunningNode, tmp_path: Path) -> None:
    create(node, tmp_path, AGENT)
    node.kubectl("rollout", "status", "ds/agent", "--timeout=30s", timeout=40)
    node.kubectl("set", "env", "ds/agent", "V=2")
    node.kubectl("rollout", "status", "ds/agent", "--timeout=30s", timeout=40)
    history = node.kubectl("rollout", "history", "ds/agent").stdout.split()
    assert history[-6:] == ["REVISION", "CHANGE-CAUSE", "1", "<none>", "2", "<none>"]
    assert node.kubectl("rollout", "undo", "ds/agent").stdout.strip() == "daemonset.apps/agent rolled back"
    node.kubectl("rollout", "status", "ds/agent", "--timeout=30s", timeout=40)
    env = get_json(node, "ds", "agent")["spec"]["template"]["spec"]["containers"][0]["env"]
    assert env == [{"name": "V", "value": "1"}]
    history = node.kubectl("rollout", "history", "ds/agent").stdout.split()
    assert history[-4:] == ["2", "<none>", "3", "<none>"]
    skipped = node.kubectl("rollout", "undo", "ds/agent", "--to-revision=3").stdout.strip()
    assert skipped == "daemonset.apps/agent skipped rollback (current template already matches revision 3)"
