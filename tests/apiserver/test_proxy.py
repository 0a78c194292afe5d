"""pods/proxy and services/proxy through a real `kubectl proxy` process, to real HTTP servers."""

from __future__ import annotations

import http.client
import http.server
import json
import re
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from podlab.apiserver.proxy_target import (
    ENDPOINT_SLICES,
    ProxyPath,
    endpoints_in_slices,
    parse_proxy_path,
    split_scheme_name_port,
)
from podlab.k8s.resources import resource_for_key

from .conftest import Node
from .test_python_client import pod_body

PODS = ("", "pods")
SERVICES = ("", "services")


class PodServer:
    """An HTTP server on a pod address that answers with what it received, and its name."""

    def __init__(self, name: str, ip: str) -> None:
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                seen = {
                    "pod": outer.name,
                    "method": self.command,
                    "path": self.path,
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                    "body": self.rfile.read(length).decode(),
                }
                body = json.dumps(seen).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            do_GET = do_POST = do_HEAD = do_DELETE = _answer

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self.name = name
        self.ip = ip
        self.server = http.server.ThreadingHTTPServer((ip, 0), Handler)
        self.port = int(self.server.server_address[1])
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def add_pod(node: Node, name: str, ip: str, port: int, *, ready: bool = True, app: str = "web") -> None:
    def create() -> None:
        body = pod_body(name, app=app)
        body["spec"]["nodeName"] = "podlab"
        body["spec"]["containers"][0]["ports"] = [{"name": "http", "containerPort": port}]
        made = node.store.create(PODS, body)
        made["status"] = {
            "phase": "Running",
            "podIP": ip,
            "podIPs": [{"ip": ip}],
            "conditions": [{"type": "Ready", "status": "True" if ready else "False"}],
        }
        node.store.update(PODS, made, subresource="status")

    node.call(create)


def add_service(node: Node, name: str, ports: list[dict[str, Any]], app: str = "web") -> None:
    body = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"selector": {"app": app}, "ports": ports},
    }
    node.call(lambda: node.store.create(SERVICES, body))


@pytest.fixture
def proxy(node: Node) -> Iterator[int]:
    """A running `kubectl proxy --port=0`; yields its port."""
    proc = node.kubectl_popen("proxy", "--port=0")
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        match = re.match(r"Starting to serve on 127\.0\.0\.1:(\d+)", line)
        assert match, line + (proc.stderr.read() if proc.stderr and proc.poll() is not None else "")
        yield int(match.group(1))
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def call(port: int, method: str, path: str, body: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        conn.request(method, path, body=body, headers={"X-Custom": "kept"})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def test_pod_proxy_relays_method_path_query_and_body(node: Node, proxy: int) -> None:
    web = PodServer("web", "127.244.2.1")
    try:
        add_pod(node, "web", web.ip, web.port)
        base = "/api/v1/namespaces/default/pods"
        for ident in ("web", f"web:{web.port}", "web:http", f"http:web:{web.port}"):
            status, _, raw = call(proxy, "POST", f"{base}/{ident}/proxy/echo/a%20b?x=1&y=2", b"payload")
            assert status == 200, raw
            seen = json.loads(raw)
            assert (seen["method"], seen["path"], seen["body"]) == ("POST", "/echo/a%20b?x=1&y=2", "payload")
            assert seen["headers"]["x-custom"] == "kept"
            assert "authorization" not in seen["headers"]  # the token stays with the API server
            assert seen["headers"]["x-forwarded-for"].endswith("127.0.0.1")
        status, headers, raw = call(proxy, "HEAD", f"{base}/web/proxy/")
        assert status == 200 and raw == b"" and int(headers["content-length"]) > 0
        # Nothing after the name: redirected to the same path with a slash, as the API server does.
        status, headers, _ = call(proxy, "GET", f"{base}/web/proxy?q=1")
        assert status == 301 and headers["location"] == f"{base}/web/proxy/?q=1"
    finally:
        web.close()


def test_pod_proxy_errors_in_the_api_servers_words(node: Node, proxy: int) -> None:
    add_pod(node, "dead", "127.244.2.9", 9)  # nothing listens there
    base = "/api/v1/namespaces/default/pods"
    status, _, raw = call(proxy, "GET", f"{base}/dead/proxy/")
    assert status == 503
    assert json.loads(raw)["message"] == (
        "error trying to reach service: dial tcp 127.244.2.9:9: connect: connection refused"
    )
    status, _, raw = call(proxy, "GET", f"{base}/nope/proxy/")
    assert status == 404 and json.loads(raw)["message"] == 'pods "nope" not found'
    status, _, raw = call(proxy, "GET", f"{base}/ftp:dead:9/proxy/")
    assert status == 400 and json.loads(raw)["message"] == 'invalid pod request "ftp:dead:9"'


def test_a_pod_that_hangs_up_without_answering(node: Node, proxy: int) -> None:
    listener = socket.create_server(("127.244.2.10", 0))
    port = listener.getsockname()[1]

    def hang_up() -> None:
        with listener:
            conn, _ = listener.accept()
            conn.recv(65536)
            conn.close()

    thread = threading.Thread(target=hang_up, daemon=True)
    thread.start()
    add_pod(node, "rude", "127.244.2.10", port)
    status, _, raw = call(proxy, "GET", "/api/v1/namespaces/default/pods/rude/proxy/")
    thread.join(10)
    assert status == 503 and json.loads(raw)["message"] == "error trying to reach service: EOF"


def test_service_proxy_goes_to_ready_pods_only(node: Node, proxy: int) -> None:
    ready = PodServer("ready", "127.244.2.2")
    unready = PodServer("unready", "127.244.2.3")
    try:
        add_pod(node, "ready", ready.ip, ready.port)
        add_pod(node, "unready", unready.ip, unready.port, ready=False)
        add_service(node, "web", [{"name": "http", "port": 80, "targetPort": "http"}])
        base = "/api/v1/namespaces/default/services"
        for ident in ("web", "web:80", "web:http", "http:web:http"):
            for _ in range(5):
                status, _, raw = call(proxy, "GET", f"{base}/{ident}/proxy/x")
                assert status == 200, raw
                assert json.loads(raw)["pod"] == "ready"
        status, _, raw = call(proxy, "GET", f"{base}/web:81/proxy/")
        assert status == 503 and json.loads(raw)["message"] == 'no service port 81 found for service "web"'
        status, _, raw = call(proxy, "GET", f"{base}/missing/proxy/")
        assert status == 404 and json.loads(raw)["message"] == 'services "missing" not found'
        node.call(lambda: node.store.delete(PODS, "default", "ready", grace_period_seconds=0))
        status, _, raw = call(proxy, "GET", f"{base}/web/proxy/")
        assert status == 503 and json.loads(raw)["message"] == 'no endpoints available for service "web"'
    finally:
        ready.close()
        unready.close()


def test_service_proxy_follows_endpointslices_when_there_are_any(node: Node, proxy: int) -> None:
    if resource_for_key(ENDPOINT_SLICES) is None:  # the Services work adds the kind
        pytest.skip("discovery.k8s.io/v1 EndpointSlice is not a served kind in this build")
    one = PodServer("one", "127.244.2.4")
    two = PodServer("two", "127.244.2.5")
    try:
        add_pod(node, "one", one.ip, one.port)  # Ready, but the slice says otherwise
        add_pod(node, "two", two.ip, two.port, ready=False)
        add_service(node, "sliced", [{"name": "web", "port": 80, "targetPort": one.port}])
        slice_body = {
            "apiVersion": "discovery.k8s.io/v1",
            "kind": "EndpointSlice",
            "metadata": {
                "name": "sliced-abc",
                "namespace": "default",
                "labels": {"kubernetes.io/service-name": "sliced"},
            },
            "addressType": "IPv4",
            "ports": [{"name": "web", "port": two.port, "protocol": "TCP"}],
            "endpoints": [
                {"addresses": [one.ip], "conditions": {"ready": False}},
                {"addresses": [two.ip], "conditions": {"ready": True}},
            ],
        }
        node.call(lambda: node.store.create(ENDPOINT_SLICES, slice_body))
        for _ in range(5):
            status, _, raw = call(proxy, "GET", "/api/v1/namespaces/default/services/sliced/proxy/")
            assert status == 200 and json.loads(raw)["pod"] == "two"
    finally:
        one.close()
        two.close()


def test_proxy_paths_taken_apart() -> None:
    assert parse_proxy_path("/api/v1/namespaces/ns/services/https:web:8443/proxy/a/b%2Fc/") == ProxyPath(
        "ns", "services", "https:web:8443", "/a/b%2Fc/"
    )
    assert parse_proxy_path("/api/v1/namespaces/ns/pods/web/proxy") == ProxyPath("ns", "pods", "web", "")
    assert parse_proxy_path("/api/v1/namespaces/ns/pods/web/log") is None
    assert parse_proxy_path("/api/v1/namespaces/ns/configmaps/web/proxy/") is None
    assert split_scheme_name_port("web") == ("", "web", "")
    assert split_scheme_name_port("https:web:") == ("https", "web", "")
    assert split_scheme_name_port("ftp:web:80") is None
    assert split_scheme_name_port(":80") is None
    assert split_scheme_name_port("a:b:c:d") is None


def test_slice_endpoints_ready_or_unset_only() -> None:
    slices = [
        {
            "ports": [{"name": "http", "port": 8080}, {"name": "metrics", "port": 9090}],
            "endpoints": [
                {"addresses": ["10.0.0.1"], "conditions": {"ready": True}},
                {"addresses": ["10.0.0.2"], "conditions": {"ready": False, "serving": True}},
                {"addresses": ["10.0.0.3"]},  # discovery/v1: no condition reads as ready
            ],
        },
        {"ports": [], "endpoints": []},  # the controller's placeholder slice of an empty Service
    ]
    ports = {"http": 8080, "metrics": 9090}
    assert endpoints_in_slices(slices) == [("10.0.0.1", ports), ("10.0.0.3", ports)]
