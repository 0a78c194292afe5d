"""kubectl port-forward against a real node: servers that close first, WebSocket and SPDY paths."""

from __future__ import annotations

import re
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from .conftest import KUBECTL, RunningNode, wait_for

MANIFESTS = Path(__file__).parent / "manifests" / "network"
REQUESTS = 200


@pytest.fixture(scope="module")
def close_first_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningNode]:
    from .conftest import start_node, stop_node

    node = start_node(tmp_path_factory.mktemp("pf") / "home", MANIFESTS / "close-first-servers.yaml")
    try:
        for name in ("httpd", "pyhttp", "stub"):
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
    """One `Connection: close` request; the whole answer up to the server's FIN."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: pf\r\nConnection: close\r\n\r\n".encode())
        data = b""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            chunk = sock.recv(65536)
            if not chunk:
                return data
            data += chunk
    raise AssertionError(f"no FIN within 10 s; got {data[:200]!r}")


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
            answer = close_first_get(port, path)
            if not (
                answer.startswith(b"HTTP/1.") and b" 200 " in answer.split(b"\r\n", 1)[0] and expect in answer
            ):
                lost.append((i, answer[:120]))
            assert proc.poll() is None, f"kubectl exited after {i + 1} requests: {stop(proc)[-2000:]}"
    finally:
        err = stop(proc)
    assert lost == [], f"{len(lost)} of {REQUESTS} lost; first {lost[:3]}"
    assert "lost connection to pod" not in err
    assert "an error occurred forwarding" not in err


def wait_until(condition: Callable[[], bool], what: str) -> None:
    wait_for(condition, timeout=15, what=what)
