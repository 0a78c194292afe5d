"""hostPort on a real node: published on the host's 127.0.0.1, or the pod waits with the scheduler's words."""

from __future__ import annotations

import json
import socket
import textwrap
from collections.abc import Callable
from pathlib import Path

from .conftest import RunningNode, wait_for

NO_FREE_PORTS = "0/1 nodes are available: 1 node(s) didn't have free ports for the requested pod ports."


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def httpd_pod(name: str, host_port: int) -> str:
    return textwrap.dedent(f"""\
        apiVersion: v1
        kind: Pod
        metadata: {{name: {name}}}
        spec:
          terminationGracePeriodSeconds: 1  # httpd as PID 1 ignores SIGTERM, as on a node
          containers:
          - name: app
            image: busybox
            command: ["sh", "-c", "mkdir -p /tmp/www && echo {name} > /tmp/www/index.html && exec httpd -f -p $POD_IP:8080 -h /tmp/www"]
            env: [{{name: POD_IP, valueFrom: {{fieldRef: {{fieldPath: status.podIP}}}}}}]
            ports: [{{containerPort: 8080, hostPort: {host_port}}}]
            readinessProbe: {{tcpSocket: {{port: 8080}}, periodSeconds: 1}}
        """)


def get(port: int) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"GET /index.html HTTP/1.0\r\n\r\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return data


def pod(node: RunningNode, name: str) -> dict[str, object]:
    return dict(json.loads(node.kubectl("get", "pod", name, "-o", "json").stdout))


def scheduled_condition(node: RunningNode, name: str) -> dict[str, str]:
    conditions = pod(node, name).get("status", {}).get("conditions") or []  # type: ignore[union-attr]
    return next((c for c in conditions if c["type"] == "PodScheduled"), {})


def apply(node: RunningNode, tmp_path: Path, name: str, host_port: int) -> None:
    manifest = tmp_path / f"{name}.yaml"
    manifest.write_text(httpd_pod(name, host_port))
    node.kubectl("apply", "-f", str(manifest))


def test_host_port_reaches_the_pod_while_it_runs(
    node_factory: Callable[..., RunningNode], tmp_path: Path
) -> None:
    node = node_factory()
    port = free_port()
    apply(node, tmp_path, "published", port)
    wait_for(lambda: get(port).endswith(b"\r\n\r\npublished\n"), timeout=60, what="hostPort answering")
    # A second pod asking for the same host port does not fit the node: Pending, in the scheduler's words.
    apply(node, tmp_path, "second", port)
    wait_for(
        lambda: scheduled_condition(node, "second").get("reason") == "Unschedulable",
        timeout=15,
        what="second pod unschedulable",
    )
    condition = scheduled_condition(node, "second")
    assert (condition["status"], condition["message"]) == ("False", NO_FREE_PORTS)
    assert pod(node, "second")["status"]["phase"] == "Pending"  # type: ignore[index]
    assert not pod(node, "second")["spec"].get("nodeName")  # type: ignore[union-attr]
    # The first pod goes: its port is released, the second gets it.
    node.kubectl("delete", "pod", "published", "--wait=true", timeout=60)
    wait_for(
        lambda: get(port).endswith(b"\r\n\r\nsecond\n"), timeout=60, what="the second pod on the freed port"
    )
    node.kubectl("delete", "pod", "second", "--wait=true", timeout=60)

    def refused() -> bool:
        try:
            get(port)
        except ConnectionRefusedError:
            return True
        return False

    wait_for(refused, timeout=15, what="the host port closed after the pod went")


def test_a_port_taken_on_the_host_keeps_the_pod_pending(
    node_factory: Callable[..., RunningNode], tmp_path: Path
) -> None:
    node = node_factory()
    squatter = socket.socket()
    squatter.bind(("127.0.0.1", 0))
    squatter.listen(1)
    port = int(squatter.getsockname()[1])
    try:
        apply(node, tmp_path, "blocked", port)
        wait_for(
            lambda: scheduled_condition(node, "blocked").get("reason") == "Unschedulable",
            timeout=15,
            what="pod unschedulable",
        )
        assert scheduled_condition(node, "blocked")["message"] == NO_FREE_PORTS
        described = node.kubectl("describe", "pod", "blocked").stdout
        assert (
            "FailedScheduling" in described
            and "didn't have free ports for the requested pod ports" in described
        )
        assert "default-scheduler" in described
        listed = node.kubectl("get", "pod", "blocked", "--no-headers").stdout.split()
        assert listed[2] == "Pending"
    finally:
        squatter.close()
    # Once the port is free the scheduler's retry (backoff at most 10 s) places the pod.
    wait_for(lambda: get(port).endswith(b"\r\n\r\nblocked\n"), timeout=60, what="the pod on the freed port")
