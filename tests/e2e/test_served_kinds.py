"""The "also served" kinds on one real node with the real kubectl: the node's heartbeat Lease
(`kubectl describe node` shows it), users' Leases, events.k8s.io/v1, PodDisruptionBudgets (status
and the eviction subresource), NetworkPolicy and Ingress (stored, with an honest warning), HPA.
Words as the upstream API server, controllers and printers say them."""

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
        running_node = start_node(tmp_path_factory.mktemp("kinds"))
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


def test_networkpolicy_stored_with_a_warning(node: RunningNode, tmp_path: Path) -> None:
    policy = """apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress]
"""
    out = create(node, tmp_path, policy)
    assert out.stderr.strip() == (
        "Warning: podlab does not enforce NetworkPolicy: the policy is stored, pod traffic is not filtered"
    )
    table = node.kubectl("get", "netpol").stdout.splitlines()
    assert table[0].split() == ["NAME", "POD-SELECTOR", "AGE"] and table[1].split()[:2] == ["deny", "app=web"]
    bad = policy.replace("deny", "bad").replace("[Ingress]", "[Ingress, Sideways]")
    bad += "  ingress:\n  - from: [{}]\n    ports: [{port: 80, endPort: 70}]\n"
    out = create(node, tmp_path, bad, check=False)
    assert out.stderr.strip().splitlines() == [
        'The NetworkPolicy "bad" is invalid: ',
        "* spec.ingress[0].ports[0].endPort: Invalid value: 80: must be greater than or equal to `port`",
        "* spec.ingress[0].from[0]: Required value: must specify a peer",
        '* spec.policyTypes[1]: Unsupported value: "Sideways": supported values: "Ingress", "Egress"',
    ]


def test_ingress_stored_and_said_unrouted(node: RunningNode) -> None:
    out = node.kubectl(
        "create", "ingress", "web", "--rule=foo.com/bar*=svc1:8080,tls=my-cert", "--class=nginx"
    )
    assert (
        "Warning: podlab runs no ingress controller: the Ingress is stored, nothing routes it" in out.stderr
    )
    node.kubectl("create", "ingress", "catchall", "--rule=/=svc:80")
    rows = [line.split() for line in node.kubectl("get", "ing").stdout.splitlines()]
    assert rows[0] == ["NAME", "CLASS", "HOSTS", "ADDRESS", "PORTS", "AGE"]
    assert rows[1][:4] == ["catchall", "<none>", "*", "80"]
    assert rows[2][:5] == ["web", "nginx", "foo.com", "80,", "443"]
    spec = get_json(node, "ingress", "web")["spec"]
    assert spec["rules"][0]["http"]["paths"][0] == {
        "path": "/bar",
        "pathType": "Prefix",
        "backend": {"service": {"name": "svc1", "port": {"number": 8080}}},
    }
    events = wait_for(
        lambda: get_json(node, "events", "--field-selector", "involvedObject.kind=Ingress")["items"],
        timeout=10,
        what="the unrouted-ingress warnings",
    )
    assert {(e["type"], e["reason"]) for e in events} == {("Warning", "NoIngressController")}
    bad = node.kubectl("create", "ingress", "bad", "--rule=1.2.3.4/=svc:80", check=False)
    assert 'spec.rules[0].host: Invalid value: "1.2.3.4": must be a DNS name, not an IP address' in bad.stderr


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


def test_podlab_apply_refuses_a_mixed_file_whole(node: RunningNode, tmp_path: Path) -> None:
    path = tmp_path / "mixed.yaml"
    path.write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: mixed}\n---\n"
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r}\n---\n"
        "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: mixed}\n"
        "spec: {minAvailable: 1, selector: {matchLabels: {app: a}}}\n---\n"
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: cr}\n"
    )
    out = node.podlab("apply", "-f", str(path))
    assert out.returncode == 1
    assert "nothing was applied" in out.stderr
    assert (
        'no matches for kinds "Role" in version "rbac.authorization.k8s.io/v1" (document 2), '
        '"ClusterRole" in version "rbac.authorization.k8s.io/v1" (document 4); podlab serves'
    ) in out.stderr
    assert node.kubectl("get", "cm", "mixed", check=False).returncode == 1
    assert node.kubectl("get", "pdb", "mixed", check=False).returncode == 1
