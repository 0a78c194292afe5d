"""The "also served" kinds on one real node with the real kubectl: the node's heartbeat Lease
(`kubectl describe node` shows it), users' Leases, events.k8s.io/v1, NetworkPolicy and Ingress
(stored, with an honest warning), and `podlab apply` refusing a file with unserved kinds whole.
PDB, HPA and DaemonSet revisions: test_disruption_autoscaling.py. Words as the upstream API
server and printers say them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
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
    create(node, tmp_path, EVENT.replace("elected", "fixed"))  # this test's own (xdist runs tests apart)
    patched = node.kubectl(
        "patch", "events.v1.events.k8s.io", "fixed", "--type=merge", "-p", '{"note":"x"}', check=False
    )
    assert (
        patched.stderr.strip()
        == 'The Event "fixed" is invalid: message: Invalid value: "x": field is immutable'
    )


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


def test_podlab_apply_refuses_a_mixed_file_whole(node: RunningNode, tmp_path: Path) -> None:
    path = tmp_path / "mixed.yaml"
    path.write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: mixed}\n---\n"
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: r}\n---\n"
        "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: mixed}\n"
        "spec: {minAvailable: 1, selector: {matchLabels: {app: a}}}\n---\n"
        "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingWebhookConfiguration\nmetadata: {name: cr}\n"
    )
    out = node.podlab("apply", "-f", str(path))
    assert out.returncode == 1
    assert "nothing was applied" in out.stderr
    assert (
        'no matches for kinds "CustomResourceDefinition" in version "apiextensions.k8s.io/v1" (document 2), '
        '"ValidatingWebhookConfiguration" in version "admissionregistration.k8s.io/v1" (document 4); '
        "podlab serves"
    ) in out.stderr
    assert node.kubectl("get", "cm", "mixed", check=False).returncode == 1
    assert node.kubectl("get", "pdb", "mixed", check=False).returncode == 1


HPA_V1 = """apiVersion: autoscaling/v1
kind: HorizontalPodAutoscaler
metadata: {name: legacy}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: legacy}
  minReplicas: 1
  maxReplicas: 3
  targetCPUUtilizationPercentage: 60
"""


def test_autoscaling_v1_manifests_are_served_as_v2(node: RunningNode, tmp_path: Path) -> None:
    path = tmp_path / "hpa.yaml"
    path.write_text(HPA_V1)
    node.kubectl("apply", "-f", str(path))
    v2 = get_json(node, "horizontalpodautoscalers.v2.autoscaling", "legacy")
    target = v2["spec"]["metrics"][0]["resource"]["target"]
    assert target == {"type": "Utilization", "averageUtilization": 60}
    v1 = json.loads(
        node.kubectl(
            "get", "--raw", "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers/legacy"
        ).stdout
    )
    assert v1["apiVersion"] == "autoscaling/v1" and v1["spec"]["targetCPUUtilizationPercentage"] == 60
    path.write_text(HPA_V1.replace("60", "70"))
    assert "configured" in node.kubectl("apply", "-f", str(path)).stdout
    row = node.kubectl("get", "hpa", "legacy").stdout.splitlines()[1].split()
    assert row[:4] == ["legacy", "Deployment/legacy", "cpu:", "<unknown>/70%"]


def test_node_lease_is_renewed(node: RunningNode) -> None:
    # Last in the module: by now the first 10 s renewal is due or done, so this rarely waits.
    def renewed_after_creation() -> bool:
        lease = get_json(node, "lease", "-n", "kube-node-lease", "podlab")
        created = datetime.fromisoformat(lease["metadata"]["creationTimestamp"].replace("Z", "+00:00"))
        renewed = datetime.fromisoformat(lease["spec"]["renewTime"].replace("Z", "+00:00"))
        return renewed >= created + timedelta(seconds=9)

    wait_for(renewed_after_creation, timeout=15, interval=0.5, what="a renewed node lease (every 10 s)")
