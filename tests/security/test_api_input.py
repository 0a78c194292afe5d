"""Hostile API input against a real node: errors in the protocol's own words, no stalls.

A real `podlab up` process, driven by the wheel's kubectl, the `kubernetes` client and raw HTTPS
requests carrying the node's token.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import ssl
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.client import HTTPSConnection
from pathlib import Path
from typing import Any

import pytest
import yaml

from e2e.conftest import KUBECTL, RunningNode, start_node, stop_node
from podlab.apiserver import ApiServer
from podlab.runtime.logsource import LogSource
from podlab.store import Store

CM_PATH = "/api/v1/namespaces/default/configmaps"
POD_PATH = "/api/v1/namespaces/default/pods"
TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningNode]:
    running = start_node(tmp_path_factory.mktemp("apiinput") / "home")
    yield running
    stop_node(running)


def _ssl(node: RunningNode) -> ssl.SSLContext:
    config = yaml.safe_load(node.kubeconfig.read_text())
    ca = base64.b64decode(config["clusters"][0]["cluster"]["certificate-authority-data"]).decode()
    return ssl.create_default_context(cadata=ca)


def http(
    node: RunningNode,
    method: str,
    path: str,
    body: bytes | None = None,
    *,
    content_type: str = "application/json",
    accept: str | None = None,
) -> tuple[int, Any, bytes]:
    req = urllib.request.Request(node.server.replace("http://", "https://") + path, data=body, method=method)
    req.add_header("Authorization", f"Bearer {node.token}")
    req.add_header("Content-Type", content_type)
    if accept:
        req.add_header("Accept", accept)
    try:
        with urllib.request.urlopen(req, timeout=30, context=_ssl(node)) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


def kubectl(node: RunningNode, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [KUBECTL, "--kubeconfig", str(node.kubeconfig), "--cache-dir", str(node.home / "kube-cache"), *args],
        capture_output=True,
        text=True,
        timeout=60,
        input=input,
    )


def status_of(raw: bytes) -> dict[str, Any]:
    body = json.loads(raw)
    assert body["kind"] == "Status" and body["apiVersion"] == "v1" and body["status"] == "Failure"
    return dict(body)


def cm(name: str, **extra: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"k": "v"}, **extra}


class _Poller:
    """GETs `path` over one keep-alive connection every 0.2 s on a thread, timing each answer."""

    def __init__(self, node: RunningNode, path: str, accept: str) -> None:
        host, port = node.server.split("//")[1].rsplit(":", 1)
        self._conn = HTTPSConnection(host, int(port), context=_ssl(node), timeout=60)
        self._headers = {"Authorization": f"Bearer {node.token}", "Accept": accept}
        self._path = path
        self.latencies: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            t0 = time.monotonic()
            self._conn.request("GET", self._path, headers=self._headers)
            response = self._conn.getresponse()
            response.read()
            assert response.status == 200
            self.latencies.append(time.monotonic() - t0)
            self._stop.wait(0.2)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=70)
        self._conn.close()

    def worst(self) -> float:
        return max(self.latencies)

    def __repr__(self) -> str:
        ordered = sorted(self.latencies)
        return f"n={len(ordered)} worst={ordered[-1]:.2f}s median={ordered[len(ordered) // 2]:.2f}s"


# ---- malformed and deep bodies ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (b'{"a":' * 10_000 + b"1" + b"}" * 10_000, "exceeded max depth"),
        (b"[" * 10_000 + b"]" * 10_000, "exceeded max depth"),
        (json.dumps(cm("deep", data={"k": "v"}, metadata={"name": "deep", "x": [[[[[1]]]]]})).encode(), None),
        (b'{"kind":"ConfigMap","metadata":{"name":"nan"},"data":NaN}', "invalid character 'N'"),
    ],
    ids=["deep-object", "deep-array", "shallow-is-fine", "nan"],
)
def test_bad_bodies_are_400_status_without_traceback(
    node: RunningNode, body: bytes, detail: str | None
) -> None:
    status, _, raw = http(node, "POST", CM_PATH, body)
    if detail is None:
        assert status == 201, raw
        return
    assert status == 400
    answer = status_of(raw)
    assert answer["reason"] == "BadRequest" and answer["code"] == 400
    assert answer["message"].startswith("couldn't get version/kind; json parse error: ")
    assert detail in answer["message"]
    assert "Traceback" not in node.log()


def test_deep_yaml_body_is_400(node: RunningNode) -> None:
    body = ("a:\n" + "".join(" " * i + "- \n" for i in range(1, 200))).encode()
    status, _, raw = http(node, "POST", CM_PATH, b"metadata: " + b"[" * 5000, content_type="application/yaml")
    assert status == 400 and status_of(raw)["reason"] == "BadRequest"
    status, _, raw = http(node, "POST", CM_PATH, body, content_type="application/yaml")
    assert status == 400 and "exceeded max depth" in status_of(raw)["message"]


# ---- fieldValidation: unknown fields ---------------------------------------------------------


def test_field_validation_modes_over_http(node: RunningNode) -> None:
    obj = cm("fv", spec={"foo": 1})
    status, _, raw = http(node, "POST", CM_PATH + "?fieldValidation=Strict", json.dumps(obj).encode())
    assert status == 400
    assert status_of(raw)["message"] == (
        'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "spec"'
    )
    for mode, name, warned in (
        ("", "fv-default", True),
        ("Warn", "fv-warn", True),
        ("Ignore", "fv-ignore", False),
    ):
        query = f"?fieldValidation={mode}" if mode else ""
        status, headers, raw = http(
            node, "POST", CM_PATH + query, json.dumps(cm(name, spec={"foo": 1})).encode()
        )
        assert status == 201, raw
        assert headers.get_all("Warning") == (['299 - "unknown field \\"spec\\""'] if warned else None)
        assert "spec" not in json.loads(raw), "an unknown field must be dropped, not echoed"
        _, _, stored = http(node, "GET", f"{CM_PATH}/{name}")
        assert "spec" not in json.loads(stored), "an unknown field must be dropped, not stored"


def test_field_validation_with_kubectl(node: RunningNode, tmp_path: Path) -> None:
    manifest = tmp_path / "pod.yaml"
    for validate in ("strict", "warn", "ignore", "false"):
        name = f"kv-{validate}"
        manifest.write_text(
            f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\nspec:\n  foo: bar\n"
            "  containers:\n  - name: c\n    image: busybox\n    command: [sleep, '60']\n"
        )
        result = kubectl(
            node, "create", f"--validate={validate}", "--dry-run=server", "-o", "json", "-f", str(manifest)
        )
        if validate == "strict":
            assert result.returncode == 1
            assert (
                'Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.foo"'
                in result.stderr
            )
            continue
        assert result.returncode == 0, result.stderr
        assert "foo" not in json.loads(result.stdout)["spec"]
        assert ('Warning: unknown field "spec.foo"' in result.stderr) == (validate == "warn"), result.stderr


def test_python_client_gets_warn_semantics(node: RunningNode) -> None:
    # The typed methods refuse extra fields client-side (pydantic), so the body goes through the
    # client's own request path; like every call of the client it sends no fieldValidation.
    api = node.core_api().api_client
    params = api.param_serialize(
        method="POST",
        resource_path=CM_PATH,
        header_params={"Content-Type": "application/json", "Accept": "application/json"},
        body=cm("py-client", bogus={"x": 1}),
        auth_settings=["BearerToken"],
    )
    response = api.call_api(*params)
    response.read()
    assert response.status == 201
    assert "fieldValidation" not in params[1]
    assert response.getheader("Warning") == '299 - "unknown field \\"bogus\\""'
    assert "bogus" not in json.loads(response.data)
    _, _, stored = http(node, "GET", f"{CM_PATH}/py-client")
    assert "bogus" not in json.loads(stored)


# ---- duplicate keys --------------------------------------------------------------------------


def test_duplicate_json_keys_follow_field_validation(node: RunningNode) -> None:
    body = b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dup-a","name":"dup-b"},"data":{}}'
    status, _, raw = http(node, "POST", CM_PATH + "?fieldValidation=Strict", body)
    assert status == 400
    assert status_of(raw)["message"] == (
        'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: '
        'duplicate field "metadata.name"'
    )
    status, headers, raw = http(node, "POST", CM_PATH, body)
    assert status == 201
    assert headers.get_all("Warning") == ['299 - "duplicate field \\"metadata.name\\""']
    assert json.loads(raw)["metadata"]["name"] == "dup-b"  # the last one wins, as in Go


def test_duplicate_yaml_keys_in_a_strict_body(node: RunningNode) -> None:
    body = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: y1\n  name: y2\n"
    status, _, raw = http(
        node, "POST", CM_PATH + "?fieldValidation=Strict", body, content_type="application/yaml"
    )
    assert status == 400
    assert status_of(raw)["message"] == (
        'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: '
        'yaml: unmarshal errors:\n  line 5: key "name" already set in map'
    )


def test_podlab_apply_refuses_a_duplicated_key(node: RunningNode, tmp_path: Path) -> None:
    manifest = tmp_path / "dup.yaml"
    manifest.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: one\n  name: two\n")
    result = node.podlab("apply", "-f", str(manifest))
    assert result.returncode != 0
    assert (
        f'error parsing "{manifest}" (document 1): error converting YAML to JSON: yaml: unmarshal errors: '
        'line 5: mapping key "name" already defined at line 4'
    ) in result.stderr.splitlines()[-1]
    assert http(node, "GET", f"{CM_PATH}/two")[0] == 404


# ---- paths -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("volume", "mount_path", "message"),
    [
        (
            {"hostPath": {"path": "rel/dir"}},
            "/data",
            'spec.volumes[0].hostPath.path: Invalid value: "rel/dir": must be an absolute path',
        ),
        (
            {"hostPath": {"path": "/tmp/../etc"}},
            "/data",
            "spec.volumes[0].hostPath.path: Invalid value: \"/tmp/../etc\": must not contain '..'",
        ),
        (
            {"emptyDir": {}},
            "/data/../../etc",
            "spec.containers[0].volumeMounts[0].mountPath: Invalid value: \"/data/../../etc\": must not contain '..'",
        ),
    ],
    ids=["relative-hostpath", "hostpath-backsteps", "mountpath-backsteps"],
)
def test_unsafe_paths_are_422(
    node: RunningNode, volume: dict[str, Any], mount_path: str, message: str
) -> None:
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "paths"},
        "spec": {
            "volumes": [{"name": "v", **volume}],
            "containers": [
                {
                    "name": "c",
                    "image": "busybox",
                    "command": ["true"],
                    "volumeMounts": [{"name": "v", "mountPath": mount_path}],
                }
            ],
        },
    }
    status, _, raw = http(node, "POST", POD_PATH, json.dumps(pod).encode())
    assert status == 422
    answer = status_of(raw)
    assert answer["reason"] == "Invalid"
    assert answer["message"] == f'Pod "paths" is invalid: {message}'


# ---- heavy work never stalls other clients ---------------------------------------------------


@pytest.mark.serial
def test_kubectl_get_pods_answers_while_a_400_container_pod_starts(tmp_path: Path) -> None:
    node = start_node(tmp_path / "home")
    try:
        containers = [{"name": f"c{i}", "image": "busybox", "command": ["sleep", "600"]} for i in range(400)]
        pod = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "big"},
            "spec": {"terminationGracePeriodSeconds": 0, "containers": containers},
        }
        kubectl(node, "get", "pods")  # warm kubectl's discovery cache: time the list, not discovery
        started = time.monotonic()
        status, _, raw = http(node, "POST", POD_PATH, json.dumps(pod).encode())
        assert status == 201, raw
        raw_latencies = _Poller(node, POD_PATH, TABLE)
        timings: list[float] = []
        try:
            while time.monotonic() - started < 12:
                t0 = time.monotonic()
                result = kubectl(node, "get", "pods", "--request-timeout=20s")
                timings.append(time.monotonic() - t0)
                assert result.returncode == 0, result.stderr
                time.sleep(0.5)
        finally:
            raw_latencies.stop()
        table = json.loads(http(node, "GET", POD_PATH + "/big", accept=TABLE)[2])
        running = int(table["rows"][0]["cells"][1].split("/")[0])
        print(
            f"kubectl get pods during the start: n={len(timings)} worst={max(timings):.2f}s "
            f"median={sorted(timings)[len(timings) // 2]:.2f}s; raw GET (Table): {raw_latencies}; "
            f"{running}/400 running after 12 s"
        )
        # Was one stall of 60-90 s. The bound leaves room for a machine shared by parallel test
        # runs (kubectl itself takes 0.2-1 s there); alone the server answers in well under 1 s.
        assert raw_latencies.worst() < 5.0, raw_latencies
    finally:
        kubectl(node, "delete", "pod", "big", "--grace-period=0", "--force", "--wait=false")
        stop_node(node)


def test_a_5000_configmap_list_does_not_block_others(node: RunningNode) -> None:
    data = {"k": "v" * 200}
    host, port = node.server.split("//")[1].rsplit(":", 1)
    conn = HTTPSConnection(host, int(port), context=_ssl(node), timeout=30)
    headers = {"Authorization": f"Bearer {node.token}", "Content-Type": "application/json"}
    for i in range(5000):  # one keep-alive connection: a TLS handshake per object would dominate
        conn.request("POST", CM_PATH, json.dumps({"metadata": {"name": f"many-{i}"}, "data": data}), headers)
        response = conn.getresponse()
        assert response.status == 201, response.read()
        response.read()
    conn.close()
    poller = _Poller(node, "/version", "application/json")
    try:
        for accept in (None, TABLE, None):
            t0 = time.monotonic()
            status, _, raw = http(node, "GET", CM_PATH, accept=accept)
            assert status == 200 and len(raw) > 1_000_000
            print(f"list of 5000 configmaps ({'Table' if accept else 'JSON'}): {time.monotonic() - t0:.2f}s")
    finally:
        poller.stop()
    print(f"/version during the lists: {poller}")
    # Alone: about 0.7 s (one list holds the loop while it is encoded); under a parallel full
    # test run up to 1.6 s. Streaming the list in chunks is what would bring it under 1 s.
    assert poller.worst() < 3.0, poller


# ---- a handler bug is a Status, not a traceback ----------------------------------------------


class _BrokenStore(Store):
    """A store whose list has a bug: stands in for any handler failure."""

    def list(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    def list_page(self, *args: Any, **kwargs: Any) -> Any:  # the list handler's path since paging
        raise RuntimeError("boom")


def test_handler_bug_is_500_status_and_one_log_line(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    async def scenario() -> tuple[bytes, list[logging.LogRecord]]:
        store = _BrokenStore(None)
        server = ApiServer(store, token="t0k3n", logs=LogSource(tmp_path), tls=False)
        await server.start()
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
            writer.write(
                f"GET {CM_PATH} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t0k3n\r\nConnection: close\r\n\r\n".encode()
            )
            raw = await asyncio.wait_for(reader.read(), timeout=10)
            writer.close()
            return raw, list(caplog.records)
        finally:
            await server.stop()
            store.close()

    with caplog.at_level(logging.INFO):
        raw, records = asyncio.run(scenario())
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 500 ")
    answer = status_of(body)
    assert answer["reason"] == "InternalError" and answer["code"] == 500
    assert answer["message"] == "Internal error occurred: RuntimeError: boom"
    errors = [r for r in records if r.levelno >= logging.WARNING]
    assert [r.getMessage() for r in errors] == [f"GET {CM_PATH}: internal error: RuntimeError: boom"]
    assert all(r.exc_info is None for r in errors)
