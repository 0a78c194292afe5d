"""apps/v1 StatefulSets on a real node with real kubectl: three replicas started in order, web-1
only once web-0 is Ready (its readiness probe reads a file `kubectl exec` creates), per-pod DNS
through the headless Service, `kubectl get sts` and `rollout status`, the controller's events.
Words as the statefulset controller (pkg/controller/statefulset) says them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import RunningNode, start_node, stop_node, wait_for

NS = "default"

MANIFEST = """apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  clusterIP: None
  selector: {app: web}
  ports: [{name: http, port: 80}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec:
  serviceName: web
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 0
      containers:
      - name: c
        image: busybox
        # Every pod but web-0 makes itself ready; web-0 waits for the test. The file is on the
        # pod's claim, so a recreated web-0 is ready at once.
        command: [sh, -c, 'if [ "$(hostname)" != web-0 ]; then touch /data/ready; fi; exec sleep 3600']
        readinessProbe:
          exec: {command: [cat, /data/ready]}
          periodSeconds: 1
        volumeMounts: [{name: data, mountPath: /data}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Gi}}
"""


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningNode]:
    running_node = start_node(tmp_path_factory.mktemp("sts"))
    yield running_node
    stop_node(running_node)


def apply(node: RunningNode, tmp: Path, text: str) -> None:
    path = tmp / "m.yaml"
    path.write_text(text)
    node.kubectl("apply", "-f", str(path))


def pods(node: RunningNode) -> dict[str, Any]:
    items = json.loads(node.kubectl("get", "pods", "-l", "app=web", "-o", "json").stdout)["items"]
    return {p["metadata"]["name"]: p for p in items}


def ready(pod: Any) -> bool:
    return any(
        c["type"] == "Ready" and c["status"] == "True"
        for c in (pod.get("status") or {}).get("conditions") or []
    )


def sts_events(node: RunningNode) -> list[tuple[str, str, str]]:
    items = json.loads(
        node.kubectl(
            "get", "events", "--field-selector", "involvedObject.kind=StatefulSet", "-o", "json"
        ).stdout
    )["items"]
    return [(e["type"], e["reason"], e["message"]) for e in items]


def test_ordered_ready_start_and_per_pod_dns(node: RunningNode, tmp_path: Path) -> None:
    apply(node, tmp_path, MANIFEST)
    # web-0 runs, and its readiness probe fails (no file yet): web-1 must not exist.
    wait_for(
        lambda: any(
            e["reason"] == "Unhealthy"
            for e in json.loads(
                node.kubectl(
                    "get", "events", "--field-selector", "involvedObject.name=web-0", "-o", "json"
                ).stdout
            )["items"]
        ),
        timeout=30,
        what="web-0's readiness probe failing",
    )
    current = pods(node)
    assert list(current) == ["web-0"] and not ready(current["web-0"])
    labels = current["web-0"]["metadata"]["labels"]
    assert labels["statefulset.kubernetes.io/pod-name"] == "web-0"
    assert labels["apps.kubernetes.io/pod-index"] == "0"
    assert labels["controller-revision-hash"].startswith("web-")
    assert current["web-0"]["spec"]["hostname"] == "web-0" and current["web-0"]["spec"]["subdomain"] == "web"

    node.kubectl("exec", "web-0", "--", "touch", "/data/ready")
    wait_for(lambda: len([p for p in pods(node).values() if ready(p)]) == 3, timeout=30, what="3 ready pods")
    current = pods(node)
    ready_at = {
        name: next(c["lastTransitionTime"] for c in p["status"]["conditions"] if c["type"] == "Ready")
        for name, p in current.items()
    }
    created = {name: p["metadata"]["creationTimestamp"] for name, p in current.items()}
    assert created["web-1"] >= ready_at["web-0"] and created["web-2"] >= ready_at["web-1"]

    out = node.kubectl("rollout", "status", "sts/web", "--timeout=20s").stdout
    assert out.startswith("partitioned roll out complete: 3 new pods have been updated...") or out.startswith(
        "statefulset rolling update complete 3 pods at revision web-"
    ), out
    table = node.kubectl("get", "sts", "web").stdout.splitlines()
    assert table[0].split() == ["NAME", "READY", "AGE"] and table[1].split()[:2] == ["web", "3/3"]
    events = sts_events(node)
    for i in range(3):
        assert ("Normal", "SuccessfulCreate", f"create Pod web-{i} in StatefulSet web successful") in events
        claim = (
            "Normal",
            "SuccessfulCreate",
            f"create Claim data-web-{i} Pod web-{i} in StatefulSet web success",
        )
        assert claim in events

    client = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "dns-client"},
        "spec": {
            "terminationGracePeriodSeconds": 0,
            "containers": [
                {
                    "name": "c",
                    "image": "busybox",
                    "command": [
                        "sh",
                        "-c",
                        "nslookup web-0.web.default.svc.cluster.local; echo DONE; sleep 3600",
                    ],
                }
            ],
        },
    }
    apply(node, tmp_path, json.dumps(client))

    def client_done() -> str | None:
        out = node.kubectl("logs", "dns-client", check=False).stdout
        return out if "DONE" in out else None

    logs = wait_for(client_done, timeout=30, what="the client's nslookup")
    ip = pods(node)["web-0"]["status"]["podIP"]
    assert f"Name:\tweb-0.web.default.svc.cluster.local\nAddress: {ip}\n" in logs, logs
    node.kubectl("delete", "pod", "dns-client", "--wait=false")


def test_claims_bound_to_local_path_volumes_keep_data_across_pod_deletion(node: RunningNode) -> None:
    claims = node.kubectl("get", "pvc").stdout.splitlines()
    assert claims[0].split() == [
        "NAME", "STATUS", "VOLUME", "CAPACITY", "ACCESS", "MODES", "STORAGECLASS", "VOLUMEATTRIBUTESCLASS", "AGE"
    ]  # fmt: skip
    row = claims[1].split()
    assert row[0] == "data-web-0" and row[1] == "Bound" and row[2].startswith("pvc-")
    assert row[3:7] == ["1Gi", "RWO", "standard", "<unset>"]
    pvc = json.loads(node.kubectl("get", "pvc", "data-web-0", "-o", "json").stdout)
    assert row[2] == f"pvc-{pvc['metadata']['uid']}"
    assert pvc["metadata"]["finalizers"] == ["kubernetes.io/pvc-protection"]
    pv = json.loads(node.kubectl("get", "pv", row[2], "-o", "json").stdout)
    assert pv["spec"]["claimRef"]["name"] == "data-web-0"
    assert pv["spec"]["persistentVolumeReclaimPolicy"] == "Delete" and pv["status"]["phase"] == "Bound"
    directory = Path(pv["spec"]["hostPath"]["path"])
    assert directory == node.home / "local-path-provisioner" / f"{row[2]}_default_data-web-0"
    sc = node.kubectl("get", "sc").stdout.splitlines()
    assert sc[0].split() == [
        "NAME",
        "PROVISIONER",
        "RECLAIMPOLICY",
        "VOLUMEBINDINGMODE",
        "ALLOWVOLUMEEXPANSION",
        "AGE",
    ]
    assert sc[1].split()[:6] == [
        "standard",
        "(default)",
        "rancher.io/local-path",
        "Delete",
        "WaitForFirstConsumer",
        "false",
    ]

    node.kubectl("exec", "web-0", "--", "sh", "-c", "echo kept > /data/note")
    old_uid = pods(node)["web-0"]["metadata"]["uid"]
    node.kubectl("delete", "pod", "web-0")
    wait_for(
        lambda: (p := pods(node).get("web-0")) is not None and p["metadata"]["uid"] != old_uid and ready(p),
        timeout=30,
        what="web-0 recreated and ready",
    )
    assert node.kubectl("exec", "web-0", "--", "cat", "/data/note").stdout == "kept\n"
    assert (directory / "note").read_text() == "kept\n"


def test_scale_down_removes_the_highest_ordinal_and_keeps_its_claim(node: RunningNode) -> None:
    node.kubectl("scale", "sts/web", "--replicas=2")
    wait_for(lambda: sorted(pods(node)) == ["web-0", "web-1"], timeout=20, what="web-2 gone")
    assert ("Normal", "SuccessfulDelete", "delete Pod web-2 in StatefulSet web successful") in sts_events(
        node
    )
    pvc = json.loads(node.kubectl("get", "pvc", "data-web-2", "-o", "json").stdout)  # Retain: kept
    pv_name = pvc["spec"]["volumeName"]
    pv = json.loads(node.kubectl("get", "pv", pv_name, "-o", "json").stdout)
    directory = Path(pv["spec"]["hostPath"]["path"])
    assert directory.is_dir()
    node.kubectl("delete", "pvc", "data-web-2")
    wait_for(
        lambda: node.kubectl("get", "pv", pv_name, check=False).returncode != 0 and not directory.exists(),
        timeout=20,
        what="the released volume and its directory deleted",
    )


def test_claims_waiting_and_a_missing_class(node: RunningNode, tmp_path: Path) -> None:
    apply(
        node,
        tmp_path,
        """apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: waiting}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: nowhere}
spec: {storageClassName: nope, accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
""",
    )

    def said(name: str) -> list[tuple[str, str, str]]:
        items = json.loads(
            node.kubectl(
                "get", "events", "--field-selector", f"involvedObject.name={name}", "-o", "json"
            ).stdout
        )["items"]
        return [(e["type"], e["reason"], e["message"]) for e in items]

    wait_for(
        lambda: (
            ("Normal", "WaitForFirstConsumer", "waiting for first consumer to be created before binding")
            in said("waiting")
        ),
        timeout=10,
        what="WaitForFirstConsumer",
    )
    wait_for(
        lambda: (
            ("Warning", "ProvisioningFailed", 'storageclass.storage.k8s.io "nope" not found')
            in said("nowhere")
        ),
        timeout=10,
        what="ProvisioningFailed",
    )
    assert (
        json.loads(node.kubectl("get", "pvc", "waiting", "-o", "json").stdout)["status"]["phase"] == "Pending"
    )
    node.kubectl("delete", "pvc", "waiting", "nowhere")
