"""Issue 6's acceptance, end to end: readiness decides where a Service's traffic goes.

Two replicas of busybox httpd bind 0.0.0.0:80 (each in its own pod network namespace) behind a
Service; a client pod calls the Service by name and through $WEB_SERVICE_HOST and logs which
replica answered. Readiness is an exec probe on a file, toggled with `kubectl exec`.
"""

from __future__ import annotations

import http.client
import json
import re
import time
from pathlib import Path
from typing import Any

import pytest

from .conftest import RunningNode, wait_for

pytestmark = pytest.mark.slow

BUSYBOX = "registry.k8s.io/e2e-test-images/busybox:1.36.1-1"
PERIOD = 1  # readiness periodSeconds

APP = f"""
apiVersion: apps/v1
kind: Deployment
metadata: {{name: web}}
spec:
  replicas: 2
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: httpd
        image: {BUSYBOX}
        command: [sh, -c, 'mkdir -p /www && hostname > /www/index.html && touch /tmp/ready && exec httpd -f -p 80 -h /www']
        ports: [{{containerPort: 80, name: http}}]
        readinessProbe:
          exec: {{command: [cat, /tmp/ready]}}
          periodSeconds: {PERIOD}
          failureThreshold: 1
---
apiVersion: v1
kind: Service
metadata: {{name: web}}
spec:
  selector: {{app: web}}
  ports: [{{port: 80, targetPort: http}}]
---
apiVersion: v1
kind: Service
metadata: {{name: web-np}}
spec:
  type: NodePort
  selector: {{app: web}}
  ports: [{{port: 80, targetPort: http}}]
---
apiVersion: v1
kind: Service
metadata: {{name: web-lb}}
spec:
  type: LoadBalancer
  selector: {{app: web}}
  ports: [{{port: 18080, targetPort: 80}}]
---
apiVersion: v1
kind: Service
metadata: {{name: web-headless}}
spec:
  clusterIP: None
  selector: {{app: web}}
  ports: [{{port: 80}}]
"""

# Started after the Services exist, so the kubelet gives it their environment variables.
CLIENT = f"""
apiVersion: v1
kind: Pod
metadata: {{name: client}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: loop
    image: {BUSYBOX}
    command: [sh, -c, 'i=0; while [ $i -lt 100000 ]; do i=$((i+1)); echo "by-name $(printf ''GET / HTTP/1.0\\r\\n\\r\\n'' | nc -w 1 web 80 2>&1 | tail -n 1)"; echo "by-env $(printf ''GET / HTTP/1.0\\r\\n\\r\\n'' | nc -w 1 $WEB_SERVICE_HOST $WEB_SERVICE_PORT 2>&1 | tail -n 1)"; sleep 0.1; done']
"""


def _pods(node: RunningNode) -> list[Any]:
    pods = node.core_api().list_namespaced_pod("default", label_selector="app=web").items
    return [p for p in pods if p.metadata.deletion_timestamp is None]


def _ready(pod: Any) -> bool:
    return any(c.type == "Ready" and c.status == "True" for c in pod.status.conditions or [])


def _client_lines(node: RunningNode, since: int) -> list[str]:
    out = node.kubectl("logs", "client").stdout.splitlines()
    return out[since:]


def _answers(lines: list[str]) -> set[str]:
    return {line.split(" ", 1)[1].strip() for line in lines if " " in line}


def _slice_ready(node: RunningNode) -> dict[str, bool]:
    raw = node.kubectl("get", "endpointslices", "-l", "kubernetes.io/service-name=web", "-o", "json").stdout
    out: dict[str, bool] = {}
    for item in json.loads(raw)["items"]:
        for ep in item.get("endpoints") or []:
            out[ep["targetRef"]["name"]] = bool(ep["conditions"].get("ready"))
    return out


def _get(port: int) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=3)
    try:
        conn.request("GET", "/")
        return conn.getresponse().read().decode().strip()
    finally:
        conn.close()


def test_readiness_steers_service_traffic(node_factory: Any, tmp_path: Path) -> None:
    app = tmp_path / "app.yaml"
    app.write_text(APP)
    node: RunningNode = node_factory(app)
    pods = wait_for(
        lambda: (ps := _pods(node)) and len(ps) == 2 and all(_ready(p) for p in ps) and ps,
        timeout=60,
        what="two web replicas Ready",
    )
    names = sorted(p.metadata.name for p in pods)
    ips = sorted(p.status.pod_ip for p in pods)
    assert len(set(ips)) == 2

    client = tmp_path / "client.yaml"
    client.write_text(CLIENT)
    node.kubectl("apply", "-f", str(client))
    # Both replicas answer, by name and through the environment.
    wait_for(
        lambda: _answers([x for x in _client_lines(node, 0) if x.startswith("by-name")]) >= set(names),
        timeout=60,
        what="both replicas answering by name",
    )
    wait_for(
        lambda: _answers([x for x in _client_lines(node, 0) if x.startswith("by-env")]) >= set(names),
        timeout=30,
        what="both replicas answering through $WEB_SERVICE_HOST",
    )

    # NodePort and LoadBalancer answer on the host's loopback.
    svc = node.core_api().read_namespaced_service("web-np", "default")
    node_port = svc.spec.ports[0].node_port
    assert 30000 <= node_port <= 32767
    assert wait_for(lambda: _get(node_port) in names, timeout=10, what="NodePort answer")
    lb = wait_for(
        lambda: (
            (s := node.core_api().read_namespaced_service("web-lb", "default")).status.load_balancer.ingress
            and s
        ),
        timeout=10,
        what="LoadBalancer ingress",
    )
    assert lb.status.load_balancer.ingress[0].ip == "127.0.0.1"
    assert wait_for(lambda: _get(18080) in names, timeout=10, what="LoadBalancer answer")

    # Headless DNS returns the pod IPs.
    out = node.kubectl("exec", "client", "--", "nslookup", "web-headless.default.svc.cluster.local").stdout
    assert set(ips) <= set(re.findall(r"Address(?: \d+)?:\s*(10\.\d+\.\d+\.\d+|127\.\d+\.\d+\.\d+)", out)), (
        out
    )

    # One replica unready: its endpoint goes ready: false and traffic moves to the other.
    down, up = names
    node.kubectl("exec", down, "--", "rm", "/tmp/ready")
    wait_for(
        lambda: _slice_ready(node).get(down) is False,
        timeout=PERIOD + 5,
        what=f"{down} not ready in the slice",
    )
    switched_at = len(_client_lines(node, 0))
    time.sleep(PERIOD + 1)  # the bound: one readiness period + 1 s, then every request goes to `up`
    mark = len(_client_lines(node, 0))
    wait_for(lambda: len(_client_lines(node, mark)) >= 10, timeout=20, what="10 more client requests")
    assert _answers(_client_lines(node, mark)) == {up}, _client_lines(node, switched_at)

    # Both unready: connection refused (wget prints its error; never a replica's name).
    node.kubectl("exec", up, "--", "rm", "/tmp/ready")
    wait_for(lambda: not any(_slice_ready(node).values()), timeout=PERIOD + 5, what="no ready endpoint")
    time.sleep(PERIOD + 1)
    mark = len(_client_lines(node, 0))
    wait_for(lambda: len(_client_lines(node, mark)) >= 6, timeout=20, what="6 more client requests")
    later = _client_lines(node, mark)
    assert not (_answers(later) & set(names)), later
    assert any("refused" in line.lower() for line in later), later

    # Ready again: traffic returns to both.
    for name in names:
        node.kubectl("exec", name, "--", "touch", "/tmp/ready")
    mark = len(_client_lines(node, 0))
    wait_for(
        lambda: _answers(_client_lines(node, mark)) >= set(names),
        timeout=30,
        what="traffic back on both replicas",
    )


SEED = Path(__file__).resolve().parents[2] / "examples" / "seed" / "wiremock-liveness.yaml"

SEED_CLIENT = f"""
apiVersion: v1
kind: Pod
metadata: {{name: seed-client}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: curl
    image: {BUSYBOX}
    command: [sh, -c, 'i=0; while [ $i -lt 100000 ]; do i=$((i+1)); printf ''GET /get/this HTTP/1.0\\r\\nHost: wiremock\\r\\n\\r\\n'' | nc -w 1 wiremock 8080 | grep "here it is"; sleep 0.5; done']
"""


def test_the_seed_wiremock_answers_a_client_pod_by_name_after_expose(
    node_factory: Any, tmp_path: Path
) -> None:
    node: RunningNode = node_factory(SEED)
    wait_for(
        lambda: (
            (ps := node.core_api().list_namespaced_pod("default", label_selector="app=wiremock").items)
            and _ready(ps[0])
        ),
        timeout=60,
        what="the seed's wiremock Ready",
    )
    node.kubectl("expose", "deploy/wiremock", "--port=8080")
    client = tmp_path / "seed-client.yaml"
    client.write_text(SEED_CLIENT)
    node.kubectl("apply", "-f", str(client))
    try:
        wait_for(
            lambda: "here it is!" in node.kubectl("logs", "seed-client").stdout,
            timeout=60,
            what="http://wiremock:8080/get/this from a client pod",
        )
    except AssertionError as exc:
        raise AssertionError(
            f"{exc}; client log: {node.kubectl('logs', 'seed-client').stdout[-500:]!r}"
        ) from None
