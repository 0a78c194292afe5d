"""kubectl port-forward against a real node: servers that close first, WebSocket and SPDY paths."""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import KUBECTL, RunningNode, wait_for

MANIFESTS = Path(__file__).parent / "manifests" / "network"
SEED = Path(__file__).resolve().parents[2] / "examples" / "seed"
REQUESTS = 200


@pytest.fixture(scope="module")
def close_first_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningNode]:
    from .conftest import start_node, stop_node

    node = start_node(
        tmp_path_factory.mktemp("pf") / "home",
        MANIFESTS / "close-first-servers.yaml",
        SEED / "wiremock-liveness.yaml",
    )
    try:
        for name in ("httpd", "pyhttp", "stub", wiremock_pod(node)):
            wait_for(
                lambda name=name: (
                    "true"
                    in node.kubectl(
                        "get", "pod", name, "-o", "jsonpath={.status.containerStatuses[0].ready}"
                    ).stdout
                ),
                timeout=60,
                what=f"pod {name} ready",
            )
        yield node
    finally:
        stop_node(node)


def start_forward(
    node: RunningNode, target: str, remote: int, env: dict[str, str] | None = None
) -> tuple[subprocess.Popen[str], int]:
    """`kubectl port-forward target :remote`; returns the process and its local port."""
    proc = subprocess.Popen(
        [KUBECTL, "--kubeconfig", str(node.kubeconfig), "port-forward", target, f":{remote}", "-v=6"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    match = re.match(rf"Forwarding from 127\.0\.0\.1:(\d+) -> {remote}", line)
    if not match:
        proc.kill()
        raise AssertionError(f"kubectl port-forward did not start: {line!r} {proc.communicate()[1]}")
    return proc, int(match.group(1))


def close_first_get(port: int, path: str) -> bytes:
    """One `Connection: close` request, read as curl reads it: up to Content-Length, then close.

    Closing as soon as the body is in (not waiting for the server's FIN) is what makes kubectl
    send its own FIN while the pod's is on the way: the race that used to end the session.
    """
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: pf\r\nConnection: close\r\n\r\n".encode())
        data = b""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            head, sep, body = data.partition(b"\r\n\r\n")
            length = re.search(rb"(?im)^content-length:\s*(\d+)", head)
            if sep and length and len(body) >= int(length.group(1)):
                return data
            chunk = sock.recv(65536)
            if not chunk:
                return data  # no Content-Length: the server's FIN ends the body
            data += chunk
    raise AssertionError(f"no complete answer within 10 s; got {data[:200]!r}")


def stop(proc: subprocess.Popen[str]) -> str:
    """Stop kubectl (if still running) and return what it wrote to stderr."""
    if proc.poll() is None:
        proc.terminate()
    try:
        _, err = proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    return err


@pytest.mark.parametrize(
    ("pod", "path", "expect"),
    [
        ("httpd", "/index.html", b"hello\n"),
        ("pyhttp", "/index.html", b"hello\n"),
        ("stub", "/__admin/health", b'"status"'),
    ],
)
def test_servers_that_close_first_lose_nothing(
    close_first_node: RunningNode, pod: str, path: str, expect: bytes
) -> None:
    proc, port = start_forward(close_first_node, f"pod/{pod}", 8080)
    lost: list[tuple[int, bytes]] = []
    try:
        for i in range(REQUESTS):
            try:
                answer = close_first_get(port, path)
            except OSError as exc:  # kubectl resets local connections when its session dies
                answer = repr(exc).encode()
            if not (
                answer.startswith(b"HTTP/1.") and b" 200 " in answer.split(b"\r\n", 1)[0] and expect in answer
            ):
                lost.append((i, answer[:120]))
            if proc.poll() is not None or lost:
                raise AssertionError(
                    f"request {i + 1} of {REQUESTS} lost {lost}; kubectl: {stop(proc)[-1500:]}"
                )
    finally:
        err = stop(proc)
    assert lost == [], f"{len(lost)} of {REQUESTS} lost; first {lost[:3]}"
    assert "lost connection to pod" not in err
    assert "an error occurred forwarding" not in err


def wiremock_pod(node: RunningNode) -> str:
    """The seed Deployment's pod, once it exists."""
    return wait_for(
        lambda: (
            node.kubectl(
                "get", "pod", "-l", "app=wiremock", "-o", "jsonpath={.items[0].metadata.name}"
            ).stdout
        ),
        timeout=30,
        what="the seed's wiremock pod",
    )


def test_spdy_fallback_loses_nothing_either(close_first_node: RunningNode) -> None:
    env = {**os.environ, "KUBECTL_PORT_FORWARD_WEBSOCKETS": "false"}  # kubectl < 1.31's only path
    proc, port = start_forward(close_first_node, "pod/httpd", 8080, env)
    try:
        answers = [close_first_get(port, "/index.html") for _ in range(REQUESTS)]
        assert proc.poll() is None
    finally:
        err = stop(proc)
    assert sum(a.endswith(b"\r\n\r\nhello\n") for a in answers) == REQUESTS, err[-2000:]
    assert "port-forward to pod httpd over SPDY/3.1" in close_first_node.log()


def test_kubectl_uses_the_websocket_tunnel_without_falling_back(close_first_node: RunningNode) -> None:
    before = close_first_node.log().count("port-forward to pod pyhttp over")
    proc, port = start_forward(close_first_node, "pod/pyhttp", 8080)
    try:
        assert close_first_get(port, "/index.html").endswith(b"hello\n")
    finally:
        stop(proc)
    lines = [
        line for line in close_first_node.log().splitlines() if "port-forward to pod pyhttp over" in line
    ]
    assert len(lines) == before + 1
    assert lines[-1].endswith("over WebSocket (SPDY/3.1+portforward.k8s.io)")


def test_python_client_portforward_to_the_seed_wiremock(close_first_node: RunningNode) -> None:
    from kubernetes.stream import portforward

    api = close_first_node.core_api()
    name = wiremock_pod(close_first_node)
    for _ in range(3):  # a WebSocket per call, each ending with its one connection
        forward = portforward(api.connect_get_namespaced_pod_portforward, name, "default", ports="8080")
        conn = http.client.HTTPConnection("wiremock", 8080, timeout=10)
        conn.sock = forward.socket(8080)
        conn.request("GET", "/get/this")
        response = conn.getresponse()
        assert (response.status, response.read()) == (200, b"here it is!\n")
        conn.close()
        forward.close()
        assert forward.error(8080) is None
    refused = portforward(api.connect_get_namespaced_pod_portforward, name, "default", ports="9")
    sock = refused.socket(9)
    sock.settimeout(10)
    assert sock.recv(1) == b""
    error = refused.error(9)
    assert error is not None and error.startswith(f"error forwarding port 9 to pod {name}, uid ")
    assert "connect: connection refused" in error
