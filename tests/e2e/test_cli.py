"""The `podlab` command end to end: a detached node, its thin clients, and bad input."""

from __future__ import annotations

import json
import os
import queue
import re
import socket
import subprocess
import sys
import textwrap
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import alive, wait_for

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "examples" / "seed"


def podlab(
    home: Path, *args: str, cwd: Path | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "podlab", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        env={**os.environ, "PODLAB_HOME": str(home)},
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def node_home(tmp_path: Path) -> Iterator[Path]:
    """A detached node (podlab up --detach) with the images map of a podlab.yaml."""
    home = tmp_path / "home"
    config = tmp_path / "podlab.yaml"
    config.write_text(
        'images:\n  example.com/echo:1.0: "sh -c \'exec python3 -m http.server 8080 --bind \\"$PODLAB_POD_IP\\"\'"\n'
    )
    result = podlab(
        home, "up", "--detach", "--config", str(config), "-f", str(SEED / "wiremock-liveness.yaml")
    )
    assert result.returncode == 0, result.stderr
    assert "podlab node ready at" in result.stdout
    yield home
    state = json.loads((home / "node.json").read_text()) if (home / "node.json").exists() else None
    down = podlab(home, "down")
    assert down.returncode == 0, down.stderr
    if state is not None:
        wait_for(lambda: not alive(state["pid"]), timeout=30, what="the node process to exit after down")


def _pod_json(home: Path, name_prefix: str) -> dict[str, object] | None:
    result = podlab(home, "kubectl", "get", "pods", "-o", "json")
    for pod in json.loads(result.stdout)["items"]:
        if pod["metadata"]["name"].startswith(name_prefix):
            return dict(pod)
    return None


def test_detached_node_serves_the_cli_and_kubectl(node_home: Path, tmp_path: Path) -> None:
    kubeconfig = node_home / "kubeconfig"
    assert oct(kubeconfig.stat().st_mode & 0o777) == "0o600"
    assert "token:" in kubeconfig.read_text()
    wait_for(
        lambda: (p := _pod_json(node_home, "wiremock-")) and p["status"].get("podIP"),
        timeout=30,
        what="a wiremock pod with an IP",
    )
    # logs through the node's API: the stub's banner and, soon, a probe request
    logs = wait_for(
        lambda: (
            (r := podlab(node_home, "logs", "deploy/wiremock")).returncode == 0
            and "kube-probe/1.33" in r.stdout
            and r.stdout
        ),
        timeout=20,
        what="a probe in the log",
    )
    assert "Request received:" in logs
    events = podlab(node_home, "events")
    assert events.returncode == 0 and "Started" in events.stdout and "ScalingReplicaSet" in events.stdout
    # port-forward: a local TCP relay to the pod IP
    port = _free_port()
    forward = subprocess.Popen(
        [sys.executable, "-m", "podlab", "port-forward", "deploy/wiremock", f"{port}:8080"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PODLAB_HOME": str(node_home)},
    )
    try:
        body = wait_for(
            lambda: urllib.request.urlopen(f"http://127.0.0.1:{port}/get/this", timeout=5).read(),
            timeout=15,
            what="GET through podlab port-forward",
        )
        assert body == b"here it is!\n"
    finally:
        forward.terminate()
        forward.wait(timeout=10)
    nodes = podlab(node_home, "kubectl", "get", "nodes")
    assert re.search(r"^podlab\s+Ready\s+<none>\s+\S+\s+v1\.33\.0$", nodes.stdout, re.MULTILINE), nodes.stdout
    # a second `up` while one runs is refused
    again = podlab(node_home, "up", "--detach")
    assert again.returncode != 0 and "already running" in again.stderr


def test_images_map_runs_unknown_images_and_unmapped_ones_wait(node_home: Path, tmp_path: Path) -> None:
    manifest = tmp_path / "pods.yaml"
    manifest.write_text(
        textwrap.dedent("""\
        apiVersion: v1
        kind: Pod
        metadata: {name: mapped}
        spec:
          containers:
          - name: echo
            image: example.com/echo:1.0
            readinessProbe: {tcpSocket: {port: 8080}, periodSeconds: 1}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: unmapped}
        spec:
          containers:
          - {name: app, image: example.com/unknown:2.0}
        """)
    )
    applied = podlab(node_home, "apply", "-f", str(manifest))
    assert applied.returncode == 0, applied.stderr
    assert applied.stdout.splitlines() == ["pod/mapped created", "pod/unmapped created"]
    wait_for(
        lambda: (p := _pod_json(node_home, "mapped")) and p["status"]["containerStatuses"][0]["ready"],
        timeout=30,
        what="the mapped image Ready",
    )
    waiting = wait_for(
        lambda: (
            (p := _pod_json(node_home, "unmapped"))
            and (p["status"].get("containerStatuses") or [{}])[0].get("state", {}).get("waiting")
        ),
        timeout=30,
        what="the unmapped image waiting",
    )
    assert waiting["reason"] in ("ErrImagePull", "ImagePullBackOff")
    assert "podlab.yaml" in waiting["message"] and "podlab.dev/image-app" in waiting["message"]
    again = podlab(node_home, "apply", "-f", str(manifest))
    assert again.stdout.splitlines() == ["pod/mapped unchanged", "pod/unmapped unchanged"]
    deleted = podlab(node_home, "delete", "-f", str(manifest))
    assert deleted.returncode == 0 and "pod/mapped deleted" in deleted.stdout


def test_invalid_document_means_nothing_is_applied(node_home: Path, tmp_path: Path) -> None:
    manifest = tmp_path / "mixed.yaml"
    manifest.write_text(
        textwrap.dedent("""\
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: first-is-fine}
        data: {a: b}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: bad-probe}
        spec:
          containers:
          - name: app
            image: busybox
            livenessProbe: {exec: {command: ["true"]}, successThreshold: 2}
        """)
    )
    result = podlab(node_home, "apply", "-f", str(manifest))
    assert result.returncode == 1
    assert "mixed.yaml" in result.stderr and "(document 2)" in result.stderr
    assert "spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1" in result.stderr
    listed = podlab(node_home, "kubectl", "get", "configmap", "first-is-fine")
    assert listed.returncode != 0 and "NotFound" in listed.stderr


def test_bad_node_config_is_refused_before_anything_starts(tmp_path: Path) -> None:
    config = tmp_path / "podlab.yaml"
    config.write_text("images:\n  example.com/x: 42\n")
    result = podlab(tmp_path / "home", "up", "--no-live", "--config", str(config))
    assert result.returncode == 1
    assert f'{config}: images["example.com/x"]: expected a command line' in result.stderr
    assert not (tmp_path / "home" / "node.json").exists()
    config.write_text("imagez: {}\n")
    result = podlab(tmp_path / "home", "up", "--no-live", "--config", str(config))
    assert result.returncode == 1 and 'unknown field "imagez"' in result.stderr


def test_missing_manifest_file_is_named(tmp_path: Path) -> None:
    result = podlab(tmp_path / "home", "up", "--no-live", "-f", str(tmp_path / "nope.yaml"))
    assert result.returncode == 1 and "nope.yaml: cannot read file" in result.stderr


def test_clients_without_a_node_say_how_to_start_one(tmp_path: Path) -> None:
    result = podlab(tmp_path / "home", "events")
    assert (
        result.returncode == 1
        and "no podlab node is running" in result.stderr
        and "podlab up" in result.stderr
    )


class _Lines:
    """Lines of a streaming command, read by one thread so waits can have deadlines."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        stdout = process.stdout
        self._queue: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: [self._queue.put(line) for line in stdout], daemon=True).start()

    def until(self, needle: str, timeout: float) -> str:
        """What arrives until a line holds `needle`; fails at the deadline with what was seen."""
        seen = ""
        deadline = time.monotonic() + timeout
        while needle not in seen:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"no {needle!r} within {timeout}s; got:\n{seen}"
            try:
                seen += self._queue.get(timeout=remaining)
            except queue.Empty:
                continue
        return seen


def test_logs_follow_and_events_watch_stream(node_home: Path) -> None:
    env = {**os.environ, "PODLAB_HOME": str(node_home)}
    wait_for(
        lambda: (p := _pod_json(node_home, "wiremock-")) and p["status"].get("podIP"),
        timeout=30,
        what="a wiremock pod with an IP",
    )
    follow = subprocess.Popen(
        [sys.executable, "-m", "podlab", "logs", "-f", "deploy/wiremock"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    watch = subprocess.Popen(
        [sys.executable, "-m", "podlab", "events", "-w"], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        # The next probe (period 5 s) arrives while `logs -f` is attached.
        follow_lines, watch_lines = _Lines(follow), _Lines(watch)
        assert "Request received:" in follow_lines.until("kube-probe/1.33", timeout=20)
        watch_lines.until("LAST SEEN", timeout=10)
        pod = _pod_json(node_home, "wiremock-")
        assert pod is not None
        ip = pod["status"]["podIP"]
        request = urllib.request.Request(f"http://{ip}:8080/__admin/mappings", method="DELETE")
        urllib.request.urlopen(request, timeout=5).read()
        # Three failed probes later the watch shows kubelet's words as they happen.
        seen = watch_lines.until("failed liveness probe, will be restarted", timeout=40)
        assert "Liveness probe failed: HTTP probe failed with statuscode: 404" in seen
    finally:
        for process in (follow, watch):
            process.terminate()
            process.wait(timeout=10)


def test_port_forward_and_logs_bad_input_are_clear_errors(node_home: Path) -> None:
    bad_ports = podlab(node_home, "port-forward", "deploy/wiremock", "80x:8080")
    assert bad_ports.returncode == 2 and '"80x:8080" is not LOCAL:REMOTE' in bad_ports.stderr
    missing = podlab(node_home, "port-forward", "nope", "8080")
    assert missing.returncode == 1 and "Error from server (NotFound)" in missing.stderr
    assert "Traceback" not in missing.stderr
    missing_deploy = podlab(node_home, "logs", "deploy/nope")
    assert missing_deploy.returncode == 1 and 'deployments.apps "nope" not found' in missing_deploy.stderr


def test_kubectl_wrapper_without_a_node_says_so(tmp_path: Path) -> None:
    result = podlab(tmp_path / "home", "kubectl", "get", "pods")
    assert result.returncode == 1 and "no podlab node is running" in result.stderr


def test_every_place_names_the_same_https_url_and_the_node_limits_apply(tmp_path: Path) -> None:
    """up --detach, status, node.json, the kubeconfig and node.log agree on the URL kubectl uses;
    podlab.yaml's apiServer limits reach the API server."""
    import ssl

    import yaml

    home = tmp_path / "home"
    config = tmp_path / "podlab.yaml"
    config.write_text("apiServer:\n  maxHeaderCount: 20\n  headerTimeoutSeconds: 30\n")
    up = podlab(home, "up", "--detach", "--config", str(config))
    assert up.returncode == 0, up.stderr
    try:
        match = re.search(r"podlab node ready at (\S+) \(pid", up.stdout)
        assert match is not None, up.stdout
        url = match.group(1)
        assert re.fullmatch(r"https://127\.0\.0\.1:\d+", url), url
        status = podlab(home, "status")
        assert status.returncode == 0, status.stderr
        assert json.loads(status.stdout)["server"] == url
        state = json.loads((home / "node.json").read_text())
        assert state["server"] == url
        cluster = yaml.safe_load((home / "kubeconfig").read_text())["clusters"][0]["cluster"]
        assert cluster["server"] == url
        assert f"podlab node ready at {url};" in (home / "node.log").read_text()
        # podlab's own client talks https to that URL, trusting the certificate it was given.
        events = podlab(home, "events")
        assert events.returncode == 0, events.stderr
        # The node's limits: 21 headers are refused with 431, over TLS, verified by its CA.
        ctx = ssl.create_default_context(cadata=state["ca_pem"])
        port = int(url.rsplit(":", 1)[1])
        headers = "".join(f"X-H{i}: v\r\n" for i in range(20))
        with (
            socket.create_connection(("127.0.0.1", port), timeout=10) as raw,
            ctx.wrap_socket(raw, server_hostname="127.0.0.1") as sock,
        ):
            sock.sendall(f"GET /version HTTP/1.1\r\nHost: h\r\n{headers}\r\n".encode())
            answer = sock.recv(4096)
        assert answer.startswith(b"HTTP/1.1 431 Request Header Fields Too Large"), answer
    finally:
        down = podlab(home, "down")
        assert down.returncode == 0, down.stderr


def test_bad_api_server_limits_are_refused(tmp_path: Path) -> None:
    config = tmp_path / "podlab.yaml"
    for text, message in (
        ("apiServer:\n  maxHeaderCount: lots\n", "apiServer.maxHeaderCount: expected an integer, got 'lots'"),
        ("apiServer:\n  headerTimeoutSeconds: 0\n", "apiServer.headerTimeoutSeconds: must be greater than 0"),
        ("apiServer:\n  maxHeaders: 5\n", 'apiServer: unknown field "maxHeaders"'),
    ):
        config.write_text(text)
        result = podlab(tmp_path / "home", "up", "--no-live", "--config", str(config))
        assert result.returncode == 1 and f"{config}: {message}" in result.stderr, result.stderr
    assert not (tmp_path / "home" / "node.json").exists()
