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
from typing import Any

import pytest

from podlab import kube_version

from .conftest import alive, port_forward, wait_for

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
            and kube_version.current().user_agent in r.stdout
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
    version = re.escape(kube_version.current().git_version)
    assert re.search(rf"^podlab\s+Ready\s+<none>\s+\S+\s+{version}$", nodes.stdout, re.MULTILINE), (
        nodes.stdout
    )
    # The default is the bundled kubectl's version: no skew warning.
    versions = podlab(node_home, "kubectl", "version")
    assert versions.returncode == 0 and "WARNING" not in versions.stderr, versions.stderr
    assert f"Server Version: {kube_version.current().git_version}" in versions.stdout
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
          terminationGracePeriodSeconds: 1
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
    # Deleting again once gone: kubectl's NotFound line per object on stderr, exit 1, no stdout.
    for name in ("mapped", "unmapped"):
        wait_for(lambda n=name: _pod_json(node_home, n) is None, timeout=40, what=f"pod {name} gone")
    again = podlab(node_home, "delete", "-f", str(manifest))
    assert again.returncode == 1 and again.stdout == ""
    assert again.stderr.splitlines()[0] == (
        f'Error from server (NotFound): error when deleting "{manifest}": pods "mapped" not found'
    )


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
        assert "Request received:" in follow_lines.until(kube_version.current().user_agent, timeout=20)
        watch_lines.until("LAST SEEN", timeout=10)
        pod = _pod_json(node_home, "wiremock-")
        assert pod is not None
        pod_name = pod["metadata"]["name"]
        with port_forward(node_home / "kubeconfig", f"pod/{pod_name}", 8080) as local:
            request = urllib.request.Request(f"http://127.0.0.1:{local}/__admin/mappings", method="DELETE")
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
    assert missing.returncode == 1 and missing.stderr.startswith("Error from server (NotFound): ")
    assert "Traceback" not in missing.stderr
    missing_deploy = podlab(node_home, "logs", "deploy/nope")
    assert missing_deploy.returncode == 1 and 'deployments.apps "nope" not found' in missing_deploy.stderr


def test_kubectl_wrapper_without_a_node_says_so(tmp_path: Path) -> None:
    result = podlab(tmp_path / "home", "kubectl", "get", "pods")
    assert result.returncode == 1 and "no podlab node is running" in result.stderr


def _configmap(name: str) -> str:
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}}}\ndata: {{k: v}}\n"


def _podlab_stdin(home: Path, text: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "podlab", *args],
        input=text,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PODLAB_HOME": str(home)},
    )


def test_apply_and_delete_take_what_kubectl_apply_takes(node_home: Path, tmp_path: Path) -> None:
    manifests = tmp_path / "manifests"
    (manifests / "sub").mkdir(parents=True)
    (manifests / "b.yaml").write_text(_configmap("b"))
    (manifests / "a.yml").write_text(_configmap("a"))
    (manifests / "notes.txt").write_text("not a manifest: a directory gives only .json, .yaml, .yml\n")
    (manifests / "sub" / "c.json").write_text(
        json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}})
    )
    # A directory: its manifest files in lexical order, subdirectories only with -R.
    applied = podlab(node_home, "apply", "-f", str(manifests))
    assert applied.returncode == 0, applied.stderr
    assert applied.stdout.splitlines() == ["configmap/a created", "configmap/b created"]
    recursive = podlab(node_home, "apply", "-R", "-f", str(manifests))
    assert recursive.stdout.splitlines() == [
        "configmap/a unchanged",
        "configmap/b unchanged",
        "configmap/c created",
    ]
    # Several -f, and - for standard input, in the order given.
    mixed = _podlab_stdin(node_home, _configmap("d"), "apply", "-f", str(manifests / "b.yaml"), "-f", "-")
    assert mixed.returncode == 0, mixed.stderr
    assert mixed.stdout.splitlines() == ["configmap/b unchanged", "configmap/d created"]
    # One invalid document anywhere under the directory: nothing applied, file and field named.
    (manifests / "e.yaml").write_text(_configmap("e"))
    (manifests / "sub" / "bad.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: bad}\nspec:\n  containers:\n"
        '  - {name: app, image: busybox, livenessProbe: {exec: {command: ["true"]}, successThreshold: 2}}\n'
    )
    refused = podlab(node_home, "apply", "-R", "-f", str(manifests))
    assert refused.returncode == 1
    assert f'error validating "{manifests / "sub" / "bad.yaml"}" (document 1)' in refused.stderr
    assert "spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1" in refused.stderr
    listed = podlab(node_home, "kubectl", "get", "configmap", "e")
    assert listed.returncode != 0 and "NotFound" in listed.stderr
    from_stdin = _podlab_stdin(
        node_home, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndat: {}\n", "apply", "-f", "-"
    )
    assert from_stdin.returncode == 1 and 'error validating "STDIN"' in from_stdin.stderr
    (manifests / "sub" / "bad.yaml").unlink()
    fixed = podlab(node_home, "apply", "-R", "-f", str(manifests))
    assert fixed.stdout.splitlines() == [
        "configmap/a unchanged",
        "configmap/b unchanged",
        "configmap/e created",
        "configmap/c unchanged",
    ]
    deleted = podlab(node_home, "delete", "-f", str(manifests), "--recursive")
    assert deleted.returncode == 0, deleted.stderr
    assert deleted.stdout.splitlines() == [
        "configmap/a deleted",
        "configmap/b deleted",
        "configmap/e deleted",
        "configmap/c deleted",
    ]


def test_manifest_inputs_kubectl_refuses_are_refused_in_its_words(tmp_path: Path) -> None:
    one, two = tmp_path / "one.yaml", tmp_path / "two.yaml"
    one.write_text(_configmap("one"))
    two.write_text(_configmap("two"))
    # `-f dir/*.yaml`: the shell hands the second file over as a positional argument.
    for command in ("apply", "delete", "up"):
        result = podlab(tmp_path / "home", command, "-f", str(one), str(two))
        assert result.returncode == 1, result.stderr
        assert result.stderr.startswith(f"error: Unexpected args: [{two}]\n"), result.stderr
        assert f"See 'podlab {command} -h' for help and examples" in result.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    result = podlab(tmp_path / "home", "apply", "-f", str(empty))
    assert result.returncode == 1
    assert f"error reading [{empty}]: recognized file extensions are [.json .yaml .yml]" in result.stderr


def test_exec_probe_events_read_as_one_line_and_causes_come_first(node_home: Path, tmp_path: Path) -> None:
    manifest = tmp_path / "not-ready.yaml"
    manifest.write_text(
        textwrap.dedent("""\
        apiVersion: v1
        kind: Pod
        metadata: {name: not-ready}
        spec:
          containers:
          - name: app
            image: busybox
            args: [sh, -c, "sleep 600"]
            readinessProbe: {exec: {command: [cat, /tmp/ready]}, periodSeconds: 1}
        """)
    )
    assert podlab(node_home, "apply", "-f", str(manifest)).returncode == 0
    failed = "Readiness probe failed: cat: can't open '/tmp/ready': No such file or directory"
    listing = wait_for(
        lambda: (r := podlab(node_home, "events")).returncode == 0 and failed in r.stdout and r.stdout,
        timeout=30,
        what="the exec readiness probe's Unhealthy event",
    )
    # kubelet keeps the command's trailing newline in the Event; the listing shows it as one line.
    assert "" not in listing.splitlines(), listing
    event = next(e for e in _events_json(node_home) if e["reason"] == "Unhealthy")
    assert event["message"] == failed + "\n"
    # The Deployment's and ReplicaSet's events come before the pod events they caused, though
    # they share a second and the API lists them by name (the pod's first).
    reasons = [
        m.group(1)
        for line in listing.splitlines()
        if "wiremock" in line and (m := re.search(r"\s(?:Normal|Warning)\s+(\S+)\s", line))
    ]
    order = ["ScalingReplicaSet", "SuccessfulCreate", "Scheduled", "Pulled", "Created", "Started"]
    assert [r for r in reasons if r in order][: len(order)] == order, listing


def _events_json(home: Path) -> list[dict[str, Any]]:
    result = podlab(home, "kubectl", "get", "events", "-o", "json")
    assert result.returncode == 0, result.stderr
    return list(json.loads(result.stdout)["items"])


def test_kubernetes_version_is_settable_and_down_clears_the_run(tmp_path: Path) -> None:
    home = tmp_path / "home"
    # The manifests come on standard input: the detached node gets them through its own.
    started = _podlab_stdin(
        home,
        (SEED / "wiremock-liveness.yaml").read_text(),
        *("up", "--detach", "--kubernetes-version", "v1.36.2", "-f", "-"),
    )
    assert started.returncode == 0, started.stderr
    state = json.loads((home / "node.json").read_text())
    try:
        versions = podlab(home, "kubectl", "version", "-o", "json")
        server = json.loads(versions.stdout)["serverVersion"]
        assert (server["major"], server["minor"], server["gitVersion"]) == ("1", "36", "v1.36.2")
        nodes = podlab(
            home, "kubectl", "get", "nodes", "-o", "jsonpath={.items[0].status.nodeInfo.kubeletVersion}"
        )
        assert nodes.stdout == "v1.36.2"
        wait_for(
            lambda: "kube-probe/1.36" in podlab(home, "logs", "deploy/wiremock").stdout,
            timeout=30,
            what="a kube-probe/1.36 request in the stub's log",
        )
        # What the run made: pod logs and sandboxes, the start handshake.
        assert any((home / "pods").iterdir()) and (home / "ready").exists()
    finally:
        down = podlab(home, "down")
    assert down.returncode == 0, down.stderr
    assert f"podlab node stopped (pid {state['pid']})" in down.stdout
    assert f"{home / 'kubeconfig'} stays" in down.stdout
    assert not alive(state["pid"])
    # The ServiceAccount signing key and the stored objects stay with the home, as the kubeconfig
    # does. (Caches stay too: busybox, and `python/`, the compiled copy of podlab a checkout
    # without fresh bytecode gets, runtime/pycache.py.)
    assert sorted(p.name for p in home.iterdir() if p.name not in ("busybox", "python")) == [
        "kubeconfig",
        "node.log",
        "sa.key",
        "store.db",
    ]
    # With no node, status and down say which home they looked in.
    for command in ("status", "down"):
        result = podlab(home, command)
        assert result.returncode == 1
        assert f"no podlab node is running in {home} (PODLAB_HOME)" in result.stderr, result.stderr


def test_bad_kubernetes_version_is_a_cli_error_naming_the_option(tmp_path: Path) -> None:
    for value in ("1.x", "latest", "1"):
        result = podlab(tmp_path / "home", "up", "--no-live", "--kubernetes-version", value)
        assert result.returncode == 2
        assert f"Invalid value for '--kubernetes-version': \"{value}\" is not a Kubernetes version" in (
            result.stderr
        )
    assert not (tmp_path / "home" / "node.json").exists()


def test_a_taken_port_is_named_with_the_option_that_picks_another(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        for detach in ([], ["--detach"]):
            result = podlab(tmp_path / "home", "up", "--no-live", "--port", str(port), *detach)
            assert result.returncode == 1
            assert f"Error: port {port} on 127.0.0.1 is already in use" in result.stderr, result.stderr
            assert "--port" in result.stderr and "Errno" not in result.stderr


def test_help_texts_and_kubectl_flags_pass_through(tmp_path: Path) -> None:
    home = tmp_path / "home"
    kubectl_help = podlab(home, "kubectl", "--help")
    assert kubectl_help.returncode == 0, kubectl_help.stderr
    assert "kubectl controls the Kubernetes cluster manager" in kubectl_help.stdout
    get_help = podlab(home, "kubectl", "get", "-h")
    assert get_help.returncode == 0 and "Display one or many resources" in get_help.stdout
    client = podlab(home, "kubectl", "version", "--client", "-o", "json")
    assert client.returncode == 0 and "clientVersion" in json.loads(client.stdout)
    down_help = podlab(home, "down", "--help")
    assert "Stop the running node (detached or in a terminal)" in down_help.stdout
    assert "Stop a detached node" not in down_help.stdout


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
