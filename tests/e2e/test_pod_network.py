"""Pods in network namespaces of their own, driven through a real node with the wheel's kubectl."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from podlab.node.home import remove_run_dirs

from .conftest import KUBECTL, RunningNode, descendants, wait_for

pytestmark = pytest.mark.skipif(
    subprocess.run(["unshare", "--user", "--map-root-user", "--net", "true"], capture_output=True).returncode
    != 0,
    reason="this machine cannot make user and network namespaces",
)
NAMESPACES = "pod network: namespaces, pods 10.244.0.0/16, services 10.96.0.0/12"

WEB = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1  # httpd as PID 1 ignores SIGTERM
      containers:
      - name: httpd
        image: busybox
        command: ["sh", "-c", "echo hello from $HOSTNAME $PODLAB_POD_IP $MY_IP > /tmp/index.html; exec httpd -f -p 80 -h /tmp"]
        ports: [{containerPort: 80}]
        env: [{name: MY_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}]
        readinessProbe:
          httpGet: {path: /index.html, port: 80}
          periodSeconds: 1
"""

# The server listens on the pod's localhost only; the client container reaches it there.
PAIR = """
apiVersion: v1
kind: Pod
metadata: {name: NAME}
spec:
  restartPolicy: Never
  containers:
  - name: server
    image: busybox
    command: ["sh", "-c", "echo from-server > /tmp/index.html; exec httpd -f -p 127.0.0.1:8081 -h /tmp"]
  - name: client
    image: busybox
    command: ["sh", "-c", "for i in $(seq 50); do printf '$REQUEST' | nc 127.0.0.1 8081 && exit 0; sleep 0.2; done; exit 1"]
"""

# A lone client: its localhost is its own, so the same request finds nothing.
LONE = """
apiVersion: v1
kind: Pod
metadata: {name: lone}
spec:
  restartPolicy: Never
  containers:
  - name: client
    image: busybox
    command: ["sh", "-c", "printf '$REQUEST' | nc 127.0.0.1 8081"]
"""

# busybox nc, not wget: the static busybox's wget crashes in glibc's resolver without NSS.
REQUEST = "GET /index.html HTTP/1.0\\\\r\\\\n\\\\r\\\\n"
PAIR, LONE = PAIR.replace("$REQUEST", REQUEST), LONE.replace("$REQUEST", REQUEST)
Factory = Callable[..., RunningNode]


def _pods(node: RunningNode, selector: str) -> list[Any]:
    return list(json.loads(node.kubectl("get", "pods", "-l", selector, "-o", "json").stdout)["items"])


def _pod(node: RunningNode, name: str) -> Any:
    return json.loads(node.kubectl("get", "pod", name, "-o", "json").stdout)


def _ready(pod: Any) -> bool:
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    return bool(statuses) and all(s.get("ready") for s in statuses)


def _terminated(pod: Any, container: str) -> Any:
    for s in pod["status"].get("containerStatuses", []):
        if s["name"] == container and "terminated" in s.get("state", {}):
            return s["state"]["terminated"]
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_two_replicas_bind_port_80_with_their_own_ips(node_factory: Factory, tmp_path: Path) -> None:
    manifest = tmp_path / "web.yaml"
    manifest.write_text(WEB)
    node = node_factory(manifest)
    pods = wait_for(
        lambda: (p := _pods(node, "app=web")) and len(p) == 2 and all(_ready(x) for x in p) and p,
        timeout=60,
        what="both web replicas Ready (httpGet readiness on :80)",
    )
    ips = sorted(p["status"]["podIP"] for p in pods)
    assert len(set(ips)) == 2 and all(ip.startswith("10.244.") for ip in ips), ips
    for pod in pods:
        assert pod["status"]["podIPs"] == [{"ip": pod["status"]["podIP"]}]
    # The mode is said where users look: `podlab up` output and `podlab status`.
    assert NAMESPACES in node.log()
    assert json.loads(node.podlab("status").stdout)["network"] == NAMESPACES

    # port-forward to each pod reaches that pod's own server on :80.
    for pod in pods:
        name = pod["metadata"]["name"]
        port = _free_port()
        forward = subprocess.Popen(
            [KUBECTL, "--kubeconfig", str(node.kubeconfig), "port-forward", f"pod/{name}", f"{port}:80"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        try:
            body = wait_for(
                lambda port=port: urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/index.html", timeout=5
                ).read(),
                timeout=20,
                what=f"GET through port-forward to {name}",
            )
            # PODLAB_POD_IP and the downward API agree with status.podIP.
            ip = pod["status"]["podIP"]
            assert body == f"hello from {name} {ip} {ip}\n".encode()
        finally:
            forward.terminate()
            forward.wait(timeout=10)


def test_containers_of_a_pod_share_localhost_and_pods_do_not(node_factory: Factory, tmp_path: Path) -> None:
    (tmp_path / "pair.yaml").write_text(PAIR.replace("NAME", "pair"))
    (tmp_path / "lone.yaml").write_text(LONE)
    node = node_factory(tmp_path / "pair.yaml", tmp_path / "lone.yaml")
    done = wait_for(
        lambda: _terminated(_pod(node, "pair"), "client"), timeout=60, what="pair's client finished"
    )
    assert done["exitCode"] == 0
    reply = node.kubectl("logs", "pair", "-c", "client").stdout
    # (the first tries may be refused while the server starts; kubectl logs shows CRLF as LF)
    assert "HTTP/1.1 200 OK\n" in reply and reply.endswith("\n\nfrom-server\n"), reply
    lone = wait_for(lambda: _terminated(_pod(node, "lone"), "client"), timeout=60, what="lone finished")
    assert lone["exitCode"] != 0  # pair's server is not on lone's localhost


def test_standalone_stub_and_a_pod_use_the_same_port(node_factory: Factory, tmp_path: Path) -> None:
    port = _free_port()
    manifest = tmp_path / "web.yaml"
    one = WEB.replace("replicas: 2", "replicas: 1").replace("-p 80", f"-p {port}")
    manifest.write_text(
        one.replace("port: 80", f"port: {port}").replace("containerPort: 80", f"containerPort: {port}")
    )
    node = node_factory(manifest)
    wait_for(
        lambda: (p := _pods(node, "app=web")) and all(_ready(x) for x in p) and p,
        timeout=60,
        what=f"the web pod Ready on :{port}",
    )
    stub = subprocess.Popen(
        [sys.executable, "-m", "podlab", "stub", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        answer = wait_for(
            lambda: urllib.request.urlopen(f"http://127.0.0.1:{port}/__admin/mappings", timeout=5).read(),
            timeout=20,
            what=f"podlab stub answering on 127.0.0.1:{port} while a pod listens on {port}",
        )
        assert b"mappings" in answer
    finally:
        stub.terminate()
        stub.wait(timeout=10)


WITH_MEMORY_VOLUME = """        volumeMounts: [{name: scratch, mountPath: /scratch}]
      volumes: [{name: scratch, emptyDir: {medium: Memory}}]
"""


def _net_namespaces(pids: set[int] | None = None) -> set[str]:
    """The network namespaces processes are in (all, or `pids`), by inode (`net:[4026532...]`)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (pids is None or int(entry.name) in pids):
            try:
                found.add(str((entry / "ns" / "net").readlink()))
            except OSError:
                pass
    return found


def _podlab_processes() -> list[str]:
    """Processes of the pod network and its sandboxes, by command line."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                argv = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            text = b" ".join(argv).decode(errors="replace")
            if argv[0] in (b"podlab-pause", b"bwrap") or "podlab.network.helper" in text:
                found.append(f"{entry.name}: {text}")
    return found


def _mounts(under: Path) -> list[str]:
    """Mounts under this test's directory (other test runs on the machine mount elsewhere)."""
    return [line for line in Path("/proc/self/mountinfo").read_text().splitlines() if str(under) in line]


@pytest.mark.parametrize("how", ["SIGKILL", "podlab down"])
def test_nothing_of_the_pod_network_outlives_the_node(
    node_factory: Factory, tmp_path: Path, how: str
) -> None:
    """What it checks: no helper, pod holder (podlab-pause) or bwrap process of this node is left
    (by command line, below the node's pid); no network namespace that appeared with the node
    remains (/proc/*/ns/net inodes of the node's descendants, gone after); no mount is left
    under the node's home after `podlab down` (a tmpfs volume per pod while it ran)."""
    others = set(_podlab_processes())  # parallel test runs have their own; ours are new
    host_ns = _net_namespaces({os.getpid()})
    manifest = tmp_path / "web.yaml"
    manifest.write_text(WEB + WITH_MEMORY_VOLUME)
    node = node_factory(manifest)
    wait_for(
        lambda: (p := _pods(node, "app=web")) and len(p) == 2 and all(_ready(x) for x in p),
        timeout=60,
        what="both web replicas Ready",
    )
    ours = set(_podlab_processes()) - others
    assert any("podlab-pause" in p for p in ours) and any("podlab.network.helper" in p for p in ours), ours
    # The node's descendants: the helper (node netns), holders and containers (pod netns).
    new_ns = _net_namespaces(descendants(node.process.pid)) - host_ns
    assert len(new_ns) == 3, new_ns  # the node netns and one per pod
    # Per pod, two tmpfs mounts: the memory emptyDir and the projected ServiceAccount token.
    assert len(_mounts(tmp_path)) == 4, _mounts(tmp_path)
    if how == "SIGKILL":
        node.process.kill()
        node.process.wait(timeout=10)
    else:
        assert node.podlab("down", timeout=60).returncode == 0
    wait_for(lambda: not (set(_podlab_processes()) & ours), timeout=20, what="no helper/holder/bwrap left")
    wait_for(lambda: not (_net_namespaces() & new_ns), timeout=20, what="the node's namespaces gone")
    if how == "SIGKILL":
        # tmpfs volumes live in the host's mount table, which no process death clears: the
        # next `podlab up` on this home unmounts what a killed node left (remove_run_dirs).
        # Not the pod network's to fix; checked here so the gap stays visible.
        assert len(_mounts(tmp_path)) == 4
        remove_run_dirs(node.home)
    assert _mounts(tmp_path) == []
