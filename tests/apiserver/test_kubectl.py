"""Real kubectl 1.37 against the server: get, apply, describe, delete, watch, logs, port-forward."""

from __future__ import annotations

import asyncio
import re
import socket
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from .conftest import Node, wait_for
from .test_python_client import pod_body, write_log

# The project keeps the reference manifests exactly as the post gives them.
SEED_DIR = Path(__file__).resolve().parents[2] / "examples" / "seed"

SEED = SEED_DIR / "wiremock-liveness.yaml"
PODS = ("", "pods")


def make_running_pod(node: Node, name: str, ip: str) -> dict[str, Any]:
    def create() -> dict[str, Any]:
        body = pod_body(name, app=name)
        body["spec"]["nodeName"] = "podlab"
        made = node.store.create(PODS, body)
        made["status"] = {"phase": "Running", "podIP": ip, "podIPs": [{"ip": ip}], "hostIP": "127.0.0.1"}
        return node.store.update(PODS, made, subresource="status")

    return node.call(create)


def test_get_pods_prints_table_columns(node: Node) -> None:
    empty = node.kubectl("get", "pods")
    assert "No resources found in default namespace." in empty.stderr
    make_running_pod(node, "web", "127.244.0.9")
    out = node.kubectl("get", "pods").stdout
    header, row = out.splitlines()[:2]
    assert header.split() == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert row.split()[0] == "web" and "Running" in row
    assert node.kubectl("get", "pod", "web", "-o", "jsonpath={.status.podIP}").stdout == "127.244.0.9"
    missing = node.kubectl("get", "pod", "nope", check=False)
    assert missing.returncode == 1
    assert 'Error from server (NotFound): pods "nope" not found' in missing.stderr


def test_apply_describe_get_and_delete_seed_manifest(node: Node) -> None:
    applied = node.kubectl("apply", "-f", str(SEED))
    assert applied.stdout.splitlines() == [
        "configmap/wiremock-mappings created",
        "deployment.apps/wiremock created",
    ]
    again = node.kubectl("apply", "-f", str(SEED))
    assert again.stdout.splitlines() == [
        "configmap/wiremock-mappings unchanged",
        "deployment.apps/wiremock unchanged",
    ]
    deploys = node.kubectl("get", "deploy").stdout.splitlines()
    assert deploys[0].split() == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
    assert deploys[1].split()[:2] == ["wiremock", "0/1"]
    described = node.kubectl("describe", "deploy", "wiremock").stdout
    liveness = [" ".join(line.split()) for line in described.splitlines() if "Liveness:" in line]
    # kubectl 1.37 spells the thresholds out (1.36 and earlier printed "#success=1 #failure=3");
    # the values come from the server's defaulting of the stored probe.
    assert liveness == [
        "Liveness: http-get http://:8080/get/this delay=0s timeout=1s period=5s successThreshold=1 failureThreshold=3"
    ]
    assert re.search(r"^StrategyType:\s+RollingUpdate$", described, re.M)
    deleted = node.kubectl("delete", "-f", str(SEED), timeout=60)
    assert deleted.stdout.splitlines() == [
        'configmap "wiremock-mappings" deleted from default namespace',
        'deployment.apps "wiremock" deleted from default namespace',
    ]
    assert node.call(lambda: node.store.list(("apps", "deployments"))[0]) == []


def test_apply_changed_manifest_patches(node: Node, tmp_path: Path) -> None:
    manifest = SEED.read_text()
    node.kubectl("apply", "-f", str(SEED))
    changed = tmp_path / "changed.yaml"
    changed.write_text(
        manifest.replace("replicas: 1", "replicas: 2").replace("periodSeconds: 5", "periodSeconds: 7")
    )
    out = node.kubectl("apply", "-f", str(changed)).stdout.splitlines()
    assert "deployment.apps/wiremock configured" in out
    deploy = node.call(lambda: node.store.get(("apps", "deployments"), "default", "wiremock"))
    assert deploy["spec"]["replicas"] == 2
    container = deploy["spec"]["template"]["spec"]["containers"][0]
    assert container["livenessProbe"]["periodSeconds"] == 7
    assert container["volumeMounts"][0]["mountPath"] == "/home/wiremock/mappings"
    assert deploy["metadata"]["generation"] == 2


def test_server_side_apply_and_strict_validation(node: Node, tmp_path: Path) -> None:
    out = node.kubectl("apply", "--server-side", "-f", str(SEED)).stdout.splitlines()
    assert out == [
        "configmap/wiremock-mappings serverside-applied",
        "deployment.apps/wiremock serverside-applied",
    ]
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad\ndata: {}\nbogus: 1\n")
    failed = node.kubectl("apply", "-f", str(bad), check=False)
    assert failed.returncode == 1
    assert 'unknown field "bogus"' in failed.stderr


def test_get_watch_prints_new_pods(node: Node) -> None:
    proc = node.kubectl_popen("get", "pods", "-w")
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(proc.stdout.readline, "")), daemon=True)  # type: ignore[union-attr]
    reader.start()
    try:
        time.sleep(0)  # nothing to wait for yet: the pod is created while kubectl watches
        wait_for(lambda: proc.poll() is None and _watch_open(node), timeout=15)
        make_running_pod(node, "watched", "127.244.0.10")
        wait_for(lambda: any(line.startswith("watched") for line in lines), timeout=15)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _watch_open(node: Node) -> bool:
    return bool(node.call(lambda: [w for w in node.store._watchers if w.key == PODS]))


def test_logs(node: Node) -> None:
    made = node.call(lambda: node.store.create(PODS, pod_body("logger")))
    write_log(node.home, made, "app", 0, ["one", "two", "three"])
    assert node.kubectl("logs", "logger").stdout == "one\ntwo\nthree\n"
    assert node.kubectl("logs", "logger", "--tail=1").stdout == "three\n"
    previous = node.kubectl("logs", "logger", "-p", check=False)
    assert 'previous terminated container "app" in pod "logger" not found' in previous.stderr


class EchoServer:
    """A TCP server on a 127.244.0.x address that answers each line with `echo: <line>`."""

    def __init__(self, host: str) -> None:
        self.host = host
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        self._ready.wait(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            while line := await reader.readline():
                writer.write(b"echo: " + line)
                await writer.drain()
            writer.close()

        async def start() -> None:
            self._server = await asyncio.start_server(handle, self.host, 0)
            self.port = self._server.sockets[0].getsockname()[1]
            self._ready.set()

        self._loop.run_until_complete(start())
        self._loop.run_forever()

    def close(self) -> None:
        self._loop.call_soon_threadsafe(self._server.close)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


def test_port_forward_relays_to_pod_ip(node: Node) -> None:
    echo = EchoServer("127.244.0.77")
    make_running_pod(node, "echo", "127.244.0.77")
    proc = node.kubectl_popen("port-forward", "pod/echo", f":{echo.port}")
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        match = re.match(rf"Forwarding from 127\.0\.0\.1:(\d+) -> {echo.port}", first)
        assert match, first + (proc.stderr.read() if proc.poll() is not None and proc.stderr else "")
        local = int(match.group(1))
        for attempt in range(2):  # two connections over the same SPDY session
            with socket.create_connection(("127.0.0.1", local), timeout=10) as sock:
                sock.sendall(f"hello {attempt}\n".encode())
                got = b""
                while not got.endswith(b"\n"):
                    chunk = sock.recv(1024)
                    assert chunk, "connection closed early"
                    got += chunk
                assert got == f"echo: hello {attempt}\n".encode()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        echo.close()


@pytest.mark.parametrize("name", ["nobody"])
def test_port_forward_to_missing_pod_fails_cleanly(node: Node, name: str) -> None:
    out = node.kubectl("port-forward", f"pod/{name}", ":80", check=False, timeout=30)
    assert out.returncode == 1
    assert f'pods "{name}" not found' in out.stderr


def test_delete_graceful_pod_waits_for_final_delete(node: Node) -> None:
    make_running_pod(node, "slow", "127.244.0.11")
    proc = node.kubectl_popen("delete", "pod", "slow")
    try:
        # kubectl now waits on a watch-list for the DELETED event; play the kubelet's part.
        wait_for(
            lambda: node.call(lambda: node.store.get(PODS, "default", "slow"))["metadata"].get(
                "deletionTimestamp"
            )
        )
        wait_for(lambda: _watch_open(node), timeout=15)
        assert proc.poll() is None
        node.call(lambda: node.store.delete(PODS, "default", "slow", grace_period_seconds=0))
        out, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert out.strip() == 'pod "slow" deleted from default namespace'


def test_logs_follow(node: Node) -> None:
    made = node.call(lambda: node.store.create(PODS, pod_body("tail")))
    write_log(node.home, made, "app", 0, ["first"])
    proc = node.kubectl_popen("logs", "-f", "tail")
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline() == "first\n"
        write_log(node.home, made, "app", 0, ["second"])
        assert proc.stdout.readline() == "second\n"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_scale_label_and_rollout_restart(node: Node) -> None:
    node.kubectl("apply", "-f", str(SEED))
    assert (
        node.kubectl("scale", "deploy/wiremock", "--replicas=3").stdout.strip()
        == "deployment.apps/wiremock scaled"
    )
    assert (
        node.kubectl("label", "deploy/wiremock", "team=qa").stdout.strip()
        == "deployment.apps/wiremock labeled"
    )
    restarted = node.kubectl("rollout", "restart", "deploy/wiremock").stdout.strip()
    assert restarted == "deployment.apps/wiremock restarted"
    deploy = node.call(lambda: node.store.get(("apps", "deployments"), "default", "wiremock"))
    assert deploy["spec"]["replicas"] == 3
    assert deploy["metadata"]["labels"]["team"] == "qa"
    assert "kubectl.kubernetes.io/restartedAt" in deploy["spec"]["template"]["metadata"]["annotations"]
    yaml_out = node.kubectl("get", "deploy", "wiremock", "-o", "yaml").stdout
    assert "replicas: 3" in yaml_out
    labels = node.kubectl("get", "deploy", "--show-labels").stdout
    assert "team=qa" in labels


def test_port_forward_dial_failure_is_reported(node: Node) -> None:
    # Nothing listens on this address and port: kubelet's error text reaches kubectl's stderr.
    make_running_pod(node, "dead", "127.244.0.78")
    proc = node.kubectl_popen("port-forward", "pod/dead", ":9")
    try:
        assert proc.stdout is not None
        match = re.match(r"Forwarding from 127\.0\.0\.1:(\d+) -> 9", proc.stdout.readline())
        assert match
        with socket.create_connection(("127.0.0.1", int(match.group(1))), timeout=10) as sock:
            assert sock.recv(1024) == b""  # closed without data
        _, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "error forwarding port 9 to pod dead" in err
    assert "failed to connect to 127.244.0.78:9" in err


IMPERATIVE = [
    (["create", "namespace", "demo"], "/api/v1/namespaces", "/api/v1/namespaces/demo"),
    (
        ["create", "configmap", "c1", "--from-literal=x=y", "--from-literal=z=w"],
        "/api/v1/namespaces/default/configmaps",
        "/api/v1/namespaces/default/configmaps/c1",
    ),
    (
        ["create", "secret", "generic", "s1", "--from-literal=a=b"],
        "/api/v1/namespaces/default/secrets",
        "/api/v1/namespaces/default/secrets/s1",
    ),
    (
        ["create", "deployment", "web", "--image=nginx:1.25", "--replicas=2", "--port=80"],
        "/apis/apps/v1/namespaces/default/deployments",
        "/apis/apps/v1/namespaces/default/deployments/web",
    ),
    (
        ["run", "pod1", "--image=busybox", "--restart=Never", "--port=8080", "--env=A=B", "--labels=app=x"],
        "/api/v1/namespaces/default/pods",
        "/api/v1/namespaces/default/pods/pod1",
    ),
    (
        ["create", "service", "clusterip", "svc1", "--tcp=80:8080"],
        "/api/v1/namespaces/default/services",
        "/api/v1/namespaces/default/services/svc1",
    ),
]


@pytest.mark.parametrize(
    ("args", "collection", "item"), IMPERATIVE, ids=lambda v: v[1] if isinstance(v, list) else ""
)
def test_imperative_create_sends_protobuf_that_decodes_like_json(
    node: Node, args: list[str], collection: str, item: str
) -> None:
    import json

    from .conftest import http

    intent = json.loads(node.kubectl(*args, "--dry-run=client", "-o", "json").stdout)
    status, _, raw = http(node, "POST", collection + "?dryRun=All", intent)
    assert status == 201, raw
    via_json = json.loads(raw)
    node.kubectl(*args)  # the real thing: kubectl sends application/vnd.kubernetes.protobuf
    _, _, raw = http(node, "GET", item)
    via_protobuf = json.loads(raw)
    # managedFields name the client: kubectl-create there, the test's urllib here.
    # The ServiceAccount admission plugin names its volume with a random suffix, per create.
    via_json, via_protobuf = (
        json.loads(re.sub(r"kube-api-access-[a-z0-9]{5}", "kube-api-access-x", json.dumps(obj)))
        for obj in (via_json, via_protobuf)
    )
    volatile = ("uid", "creationTimestamp", "resourceVersion", "managedFields")
    for obj in (via_json, via_protobuf):
        for key in volatile:
            obj["metadata"].pop(key, None)
    assert via_protobuf == via_json


def test_exec_is_refused_with_a_clear_message(node: Node) -> None:
    make_running_pod(node, "box", "127.244.0.12")
    out = node.kubectl("exec", "box", "--", "ls", check=False)
    assert out.returncode != 0
    assert "pods/exec is not supported by podlab's API server" in out.stderr


def test_diff_uses_server_dry_run(node: Node, tmp_path: Path) -> None:
    node.kubectl("apply", "-f", str(SEED))
    changed = tmp_path / "changed.yaml"
    changed.write_text(SEED.read_text().replace("replicas: 1", "replicas: 4"))
    out = node.kubectl("diff", "-f", str(changed), check=False)
    assert out.returncode == 1  # differences found
    changes = [line for line in out.stdout.splitlines() if line.startswith(("-  ", "+  "))]
    assert changes == ["-  generation: 1", "+  generation: 2", "-  replicas: 1", "+  replicas: 4"]
    stored = node.call(lambda: node.store.get(("apps", "deployments"), "default", "wiremock"))
    assert stored["spec"]["replicas"] == 1  # nothing was written
