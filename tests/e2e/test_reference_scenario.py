"""The blog post's scenario on podlab, unchanged manifest, real kubectl and the official client."""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from podlab import kube_version
from podlab.node.home import remove_run_dirs

from .conftest import KUBECTL, ROOT, RunningNode, alive, descendants, wait_for

SEED = ROOT / "examples" / "seed"
# The post's cluster sent kube-probe/1.33; podlab sends its configured version's MAJOR.MINOR.
PROBE_AGENT = kube_version.current().user_agent
pytestmark = pytest.mark.slow


def _http(
    host: str, port: int, method: str, path: str, body: bytes | None = None
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection(host, port, timeout=5)
    try:
        conn.request(method, path, body=body)
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wiremock_pod(node: RunningNode) -> Any:
    pods = node.core_api().list_namespaced_pod("default", label_selector="app=wiremock").items
    live = [p for p in pods if p.metadata.deletion_timestamp is None]
    return live[0] if len(live) == 1 else None


def _ready(pod: Any) -> bool:
    return bool(pod and pod.status.container_statuses and pod.status.container_statuses[0].ready)


def test_reference_scenario_end_to_end(node_factory: Any) -> None:
    node: RunningNode = node_factory(SEED / "wiremock-liveness.yaml")

    pod = wait_for(
        lambda: (p := _wiremock_pod(node)) and _ready(p) and p, timeout=30, what="wiremock pod Ready"
    )
    name = pod.metadata.name
    assert name.startswith("wiremock-") and len(name.split("-")) == 3
    assert pod.status.phase == "Running"
    assert pod.status.pod_ip.startswith("10.244.")  # its own network namespace (issue 6)

    describe = node.kubectl("describe", "deploy", "wiremock").stdout
    # kubectl 1.37 words the thresholds successThreshold=/failureThreshold= (1.36: #success=/#failure=).
    liveness = r"Liveness:\s+http-get http://:8080/get/this delay=0s timeout=1s period=5s"
    assert re.search(liveness + " successThreshold=1 failureThreshold=3", describe), describe

    # The probe's requests show in the container log as the post shows them (--verbose).
    log = wait_for(
        lambda: (out := node.kubectl("logs", name).stdout) and PROBE_AGENT in out and out,
        timeout=15,
        what="a probe request in the verbose log",
    )
    for line in (
        "Request received:",
        f"User-Agent: [{PROBE_AGENT}]",
        "Matched response definition:",
        "Response:",
        "HTTP/1.1 200",
        "Matched-Stub-Id:",
    ):
        assert line in log, line

    # kubectl port-forward, then the post's curl calls through it.
    port = _free_port()
    forward = subprocess.Popen(
        [KUBECTL, "--kubeconfig", str(node.kubeconfig), "port-forward", "deploy/wiremock", f"{port}:8080"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        status, headers, body = wait_for(
            lambda: _http("127.0.0.1", port, "GET", "/get/this"),
            timeout=15,
            what="GET /get/this through port-forward",
        )
        assert (status, body) == (200, b"here it is!\n")
        assert "matched-stub-id" in headers
        new = json.dumps(
            {
                "request": {"url": "/get/that", "method": "GET"},
                "response": {"status": 200, "body": "Here it is!\n"},
            }
        ).encode()
        status, _, _ = _http("127.0.0.1", port, "POST", "/__admin/mappings/new", new)
        assert status == 201  # wiremock/wiremock:2.35.0 → WireMock 2.x admin API
        assert _http("127.0.0.1", port, "GET", "/get/that")[2] == b"Here it is!\n"
    finally:
        forward.terminate()
        forward.wait(timeout=10)

    # Break the stub: three failed probes, then kubelet restarts the container.
    first_id = pod.status.container_statuses[0].container_id
    with node.port_forward(f"pod/{name}", 8080) as local:
        assert _http("127.0.0.1", local, "DELETE", "/__admin/mappings")[0] == 200
    restarted = wait_for(
        lambda: (p := _wiremock_pod(node)) and p.status.container_statuses[0].restart_count == 1 and p,
        timeout=40,
        what="restartCount 1 after liveness failures",
    )
    status = restarted.status.container_statuses[0]
    assert status.container_id != first_id
    assert status.last_state.terminated is not None
    # WireMock is a JVM: SIGTERM ends it with 143, which kubelet reports as reason Error.
    assert (status.last_state.terminated.exit_code, status.last_state.terminated.reason) == (143, "Error")
    events = node.core_api().list_namespaced_event("default").items
    messages = {(e.reason, e.message) for e in events}
    assert ("Unhealthy", "Liveness probe failed: HTTP probe failed with statuscode: 404") in messages
    assert ("Killing", "Container wiremock failed liveness probe, will be restarted") in messages
    unhealthy = next(e for e in events if e.reason == "Unhealthy")
    assert unhealthy.count >= 3 and unhealthy.type == "Warning"

    # The restarted container loads the ConfigMap mapping again.
    wait_for(lambda: _ready(_wiremock_pod(node)), timeout=20, what="Ready again after restart")

    # No readiness probe: Ready comes as soon as the process runs, before the server binds.
    # A fresh port-forward per try: kubectl ends a session on the first refused dial.
    def answer() -> tuple[int, dict[str, str], bytes]:
        with node.port_forward(f"pod/{name}", 8080) as local:
            return _http("127.0.0.1", local, "GET", "/get/this")

    status_code, _, body = wait_for(answer, timeout=15, what="the restarted stub to answer")
    assert (status_code, body) == (200, b"here it is!\n")


def test_node_stop_leaves_no_process(node_factory: Any) -> None:
    node: RunningNode = node_factory(SEED / "wiremock-liveness.yaml")
    wait_for(lambda: _ready(_wiremock_pod(node)), timeout=30, what="wiremock pod Ready")
    below = descendants(node.process.pid)
    assert below, "the container should run below the node process"
    node.process.kill()  # SIGKILL: no chance to clean up
    node.process.wait(timeout=10)
    wait_for(lambda: not any(alive(pid) for pid in below), timeout=10, what="no process left after SIGKILL")
    # A killed node leaves its tmpfs volumes (the pod's projected ServiceAccount token) mounted;
    # the next `podlab up` on the home removes them, as this does.
    remove_run_dirs(node.home)


def test_blog_configmap_with_typos_is_refused(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "podlab", "up", "--no-live", "-f", str(SEED / "configmap.wiremock.yaml")],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "PODLAB_HOME": str(tmp_path)},
    )
    assert result.returncode != 0
    assert "configmap.wiremock.yaml" in result.stderr
    assert "apiVersion" in result.stderr
    assert not (tmp_path / "node.json").exists()
