"""Services on a real node (`podlab up`), driven by the wheel's kubectl and the `kubernetes`
client, traffic over real sockets from the host side of the pod network (in loopback mode a
ClusterIP is a host loopback address): readiness steering EndpointSlices and traffic, refusal
with no ready endpoint, NodePort and LoadBalancer on 127.0.0.1, `kubectl expose` of the seed's
WireMock, the `kubernetes` Service reaching the API server."""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from .conftest import ROOT, RunningNode, wait_for

MANIFESTS = Path(__file__).parent / "manifests" / "services"
SEED = ROOT / "examples" / "seed"
# web.yaml's readiness probe period.
READINESS_PERIOD = 1.0
pytestmark = pytest.mark.slow


# These tests reach ClusterIPs and pod IPs from the host, which only the loopback pod network
# allows (with namespaces they live inside the node; tests/e2e/test_service_traffic.py covers that
# form from client pods).
@pytest.fixture(autouse=True)
def _loopback_pod_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PODLAB_POD_NETWORK", "loopback")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(host: str, port: int, path: str = "/") -> str:
    conn = http.client.HTTPConnection(host, port, timeout=3)
    try:
        conn.request("GET", path)
        return conn.getresponse().read().decode().strip()
    finally:
        conn.close()


def _refused(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=2).close()
    except ConnectionRefusedError:
        return True
    return False


def _web_node(node_factory: Any, tmp_path: Path) -> tuple[RunningNode, Path, int]:
    ctl = tmp_path / "ctl"
    ctl.mkdir()
    lb_port = _free_port()
    text = (MANIFESTS / "web.yaml").read_text().replace("CTL_DIR", str(ctl)).replace("LB_PORT", str(lb_port))
    manifest = tmp_path / "web.yaml"
    manifest.write_text(text)
    node: RunningNode = node_factory(manifest)
    return node, ctl, lb_port


def _ready_pods(node: RunningNode) -> list[str]:
    pods = node.core_api().list_namespaced_pod("default", label_selector="app=web").items
    return sorted(
        p.metadata.name
        for p in pods
        if p.status.container_statuses and all(c.ready for c in p.status.container_statuses)
    )


def _slice_conditions(node: RunningNode) -> dict[str, bool]:
    out = node.kubectl("get", "endpointslices", "-l", "kubernetes.io/service-name=web", "-o", "json").stdout
    return {
        e["targetRef"]["name"]: e["conditions"]["ready"]
        for item in json.loads(out)["items"]
        for e in item.get("endpoints") or []
    }


def test_traffic_follows_readiness_through_cluster_ip_node_port_and_load_balancer(
    node_factory: Any, tmp_path: Path
) -> None:
    node, ctl, lb_port = _web_node(node_factory, tmp_path)
    pods = wait_for(lambda: len(p := _ready_pods(node)) == 2 and p, timeout=60, what="two ready replicas")
    svc = node.core_api().read_namespaced_service("web", "default")
    ip = svc.spec.cluster_ip
    assert ip.startswith("127.96.")
    answers = {_get(ip, 80) for _ in range(40)}
    assert answers == set(pods), "both replicas answer through the ClusterIP"

    # A watch of endpointslices with the Python client sees the readiness flip.
    from kubernetes import client, config, watch

    discovery = client.DiscoveryV1Api(config.new_client_from_config(config_file=str(node.kubeconfig)))
    flips: list[dict[str, bool]] = []
    errors: list[Exception] = []
    watcher = watch.Watch()
    done = threading.Event()

    def follow() -> None:
        try:
            for event in watcher.stream(
                discovery.list_namespaced_endpoint_slice,
                "default",
                label_selector="kubernetes.io/service-name=web",
                timeout_seconds=60,
            ):
                eps = event["object"].endpoints or []
                flips.append({e.target_ref.name: e.conditions.ready for e in eps})
        except Exception as exc:  # the node stopping under an open watch is the one expected end
            if not done.is_set():
                errors.append(exc)

    thread = threading.Thread(target=follow, daemon=True)
    thread.start()
    wait_for(lambda: flips, timeout=10, what="the watch's initial events")

    unready, other = pods
    started = time.monotonic()
    (ctl / f"unready-{unready}").touch()

    def only_other() -> bool:
        return all(_get(ip, 80) == other for _ in range(10))

    wait_for(only_other, timeout=READINESS_PERIOD + 1 + 5, what="traffic only to the ready replica")
    shifted = time.monotonic() - started
    print(f"traffic shifted to the ready replica {shifted:.2f}s after its peer's readiness file")
    assert shifted <= READINESS_PERIOD + 1, f"traffic shifted after {shifted:.2f}s"
    assert _slice_conditions(node) == {unready: False, other: True}
    wait_for(lambda: {unready: False, other: True} in flips, timeout=5, what="the watch seeing ready: false")
    endpoints = node.kubectl("get", "endpoints", "web", "-o", "json").stdout
    subset = json.loads(endpoints)["subsets"][0]
    assert [a["targetRef"]["name"] for a in subset["notReadyAddresses"]] == [unready]

    (ctl / f"unready-{other}").touch()
    wait_for(
        lambda: _refused(ip, 80), timeout=READINESS_PERIOD + 1 + 5, what="ECONNREFUSED with no ready endpoint"
    )
    for child in ctl.iterdir():
        child.unlink()
    wait_for(lambda: {_get(ip, 80) for _ in range(20)} == set(pods), timeout=10, what="traffic back to both")

    node_port = node.core_api().read_namespaced_service("web-np", "default").spec.ports[0].node_port
    assert _get("127.0.0.1", node_port) in pods
    lb = node.core_api().read_namespaced_service("web-lb", "default")
    assert [(i.ip, i.ip_mode) for i in lb.status.load_balancer.ingress] == [("127.0.0.1", "VIP")]
    assert _get("127.0.0.1", lb_port) in pods
    row = node.kubectl("get", "svc", "web-lb", "--no-headers").stdout.split()
    assert row[1:4] == ["LoadBalancer", lb.spec.cluster_ip, "127.0.0.1"]
    describe = node.kubectl("describe", "svc", "web-lb").stdout
    assert "LoadBalancer Ingress:     127.0.0.1 (VIP)" in describe
    pod_ips = sorted(p.status.pod_ip for p in node.core_api().list_namespaced_pod("default").items)
    # kubectl lists the slice's endpoints in the slice's order; which replica comes first is not the point.
    line = next(li for li in describe.splitlines() if li.startswith("Endpoints:"))
    assert sorted(line.split()[1].split(",")) == sorted(f"{ip}:8080" for ip in pod_ips), line
    done.set()
    watcher.stop()
    assert errors == []


def test_kubectl_expose_seed_wiremock_and_the_kubernetes_service(node_factory: Any, tmp_path: Path) -> None:
    node: RunningNode = node_factory(SEED / "wiremock-liveness.yaml")
    wait_for(
        lambda: (
            node.kubectl("get", "deploy", "wiremock", "-o", "jsonpath={.status.readyReplicas}").stdout == "1"
        ),
        timeout=60,
        what="wiremock Ready",
    )
    node.kubectl("expose", "deploy/wiremock", "--port=8080")
    ip = node.core_api().read_namespaced_service("wiremock", "default").spec.cluster_ip
    body = wait_for(lambda: _get(ip, 8080, "/get/this"), timeout=10, what="/get/this through the ClusterIP")
    assert body == "here it is!"
    assert ":8080" in node.kubectl("get", "endpoints", "wiremock", "--no-headers").stdout

    kubernetes = node.core_api().read_namespaced_service("kubernetes", "default")
    assert (kubernetes.spec.cluster_ip, kubernetes.spec.ports[0].port) == ("127.96.0.1", 443)
    assert kubernetes.metadata.labels == {"component": "apiserver", "provider": "kubernetes"}
    # The kubernetes Service splices to the API server: a TLS /version through 127.96.0.1:443.
    context = ssl.create_default_context(cadata=node.ca_pem)
    context.check_hostname = False
    conn = http.client.HTTPSConnection("127.96.0.1", 443, timeout=5, context=context)
    conn.request("GET", "/version")
    assert '"major"' in conn.getresponse().read().decode()
    conn.close()
