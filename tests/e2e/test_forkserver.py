"""Wiremock pods forked from the node's fork server (runtime/forkserver.py, sandbox_entry.py).

The holder (PID 1 of the pod, a shell bwrap started) is the reference: bwrap confined it
exactly as it confines every container's program, so the forked stub (PID 2) must show the
same identity, capabilities, no_new_privs, seccomp, namespaces, root, mounts, cgroup and
limits. Then what the fork must not change: the stub serves, imports what it loads lazily
from the container's paths, its exit status reaches the kubelet, and a dead fork server is
replaced.
"""

from __future__ import annotations

import json
import os
import signal
import textwrap
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import RunningNode, descendants, start_node, stop_node, wait_for
from .forked_pods import fork_server, link, memory_holds, read, stub_and_holder

POD = textwrap.dedent(
    """\
    apiVersion: v1
    kind: Pod
    metadata:
      name: stub
    spec:
      containers:
      - name: wiremock
        image: wiremock/wiremock:3.13.2
    """
)
# What bwrap sets and the fork server must reproduce, field by field of /proc/PID/status.
CONFINEMENT = (
    "Uid",
    "Gid",
    "Groups",
    "CapInh",
    "CapPrm",
    "CapEff",
    "CapBnd",
    "CapAmb",
    "NoNewPrivs",
    "Seccomp",
    "Seccomp_filters",
)
NAMESPACES = ("user", "mnt", "pid", "net", "ipc", "uts", "cgroup")


def _start(home: Path) -> RunningNode:
    manifest = home.parent / f"{home.name}-pod.yaml"
    manifest.write_text(POD)
    node = start_node(home, manifest)
    node.kubectl("wait", "--for=condition=Ready", "pod/stub", "--timeout=60s", timeout=70)
    return node


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningNode]:
    running = _start(tmp_path_factory.mktemp("forkserver") / "home")
    yield running
    stop_node(running)


def _in_pod(node: RunningNode, script: str) -> str:
    return node.kubectl("exec", "stub", "--", "sh", "-c", script).stdout


def _fields(status: str) -> dict[str, str]:
    pairs = (line.split(":", 1) for line in status.splitlines() if ":" in line)
    return {key: value.strip() for key, value in pairs if key in CONFINEMENT}


def test_the_stub_is_confined_exactly_as_bwrap_confines_the_holder(node: RunningNode) -> None:
    """Read from the host (the stub is non-dumpable: the pod's own processes may not)."""
    stub, holder = stub_and_holder(node, "stub")
    assert _in_pod(node, "cat /proc/2/comm").strip() == "python3.11"  # PID 2: beside the holder
    holder_status, stub_status = (read(f"/proc/{pid}/status").decode() for pid in (holder, stub))
    assert _fields(stub_status) == _fields(holder_status)
    assert _fields(stub_status)["NoNewPrivs"] == "1" and _fields(stub_status)["Seccomp"] == "2"
    for ns in NAMESPACES:
        assert link(f"/proc/{stub}/ns/{ns}") == link(f"/proc/{holder}/ns/{ns}"), ns
    for view in ("mountinfo", "cgroup", "limits"):
        assert read(f"/proc/{stub}/{view}") == read(f"/proc/{holder}/{view}"), view
    # Same root directory (a chroot elsewhere would show other inodes), the image's workdir.
    holder_root, stub_root = (os.stat(f"/proc/{pid}/root/") for pid in (holder, stub))
    assert (stub_root.st_dev, stub_root.st_ino) == (holder_root.st_dev, holder_root.st_ino)
    assert link(f"/proc/{stub}/cwd") == "/home/wiremock"


def test_the_stubs_executable_is_no_host_file(node: RunningNode) -> None:
    """/proc/PID/exe of a fork would otherwise lead to the host's interpreter (CVE-2019-5736)."""
    stub, _ = stub_and_holder(node, "stub")
    assert link(f"/proc/{stub}/exe").startswith("/memfd:podlab-forkserver")
    result = node.kubectl("exec", "stub", "--", "sh", "-c", "echo x > /proc/2/exe", check=False)
    assert result.returncode != 0


def test_the_pods_processes_cannot_read_their_stub(node: RunningNode) -> None:
    """Every fork shares the server's str hash key and address layout: the pod may not read its
    stub's memory, mappings, environment or links (an exec'd stub would let it)."""
    out = node.kubectl(
        "exec",
        "stub",
        "--",
        "sh",
        "-c",
        "for f in mem maps environ; do cat /proc/2/$f >/dev/null 2>&1 && echo READ $f; done;"
        " for f in exe root cwd ns/pid fd/1; do readlink /proc/2/$f >/dev/null 2>&1 && echo READ $f; done;"
        " cat /proc/2/status >/dev/null && echo status",
    ).stdout
    assert out.split() == ["status"]


def test_the_stub_serves_and_imports_what_it_loads_late_from_the_containers_paths(node: RunningNode) -> None:
    mapping = {
        "request": {
            "method": "POST",
            "url": "/xml",
            # Document matchers and lxml load with the first stub that uses one (after the fork).
            "bodyPatterns": [{"equalToXml": "<a><b>1</b></a>"}],
        },
        "response": {"status": 201, "body": "xml matched"},
    }
    with node.port_forward("pod/stub", 8080) as port:
        base = f"http://127.0.0.1:{port}"
        request = urllib.request.Request(
            f"{base}/__admin/mappings", data=json.dumps(mapping).encode(), method="POST"
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert answer.status == 201
        post = urllib.request.Request(f"{base}/xml", data=b"<a> <b>1</b> </a>", method="POST")
        with urllib.request.urlopen(post, timeout=10) as answer:
            assert (answer.status, answer.read()) == (201, b"xml matched")
    stub, _ = stub_and_holder(node, "stub")
    assert b"lxml" in read(f"/proc/{stub}/maps")  # imported in the pod, from /podlab/site


def _restarts(node: RunningNode) -> tuple[int, dict[str, object]]:
    pod = json.loads(node.kubectl("get", "pod", "stub", "-o", "json").stdout)
    status = pod["status"]["containerStatuses"][0]
    return int(status["restartCount"]), status


def _restarted(node: RunningNode, before: int) -> tuple[int, dict[str, object]] | None:
    count, status = _restarts(node)
    return (count, status) if count > before and status.get("ready") else None


def test_the_stubs_exit_status_reaches_the_kubelet(node: RunningNode) -> None:
    before, _ = _restarts(node)
    for sig, code in ((signal.SIGTERM, 143), (signal.SIGKILL, 137)):
        _in_pod(node, f"kill -{int(sig)} 2")
        count, status = wait_for(
            lambda b=before: _restarted(node, b), timeout=60, what=f"a restart after signal {sig.name}"
        )
        terminated = status["lastState"]["terminated"]  # type: ignore[index]
        assert terminated["exitCode"] == code, terminated
        before = count
        stub_and_holder(node, "stub")  # the restarted container is forked again


def test_a_dead_fork_server_is_replaced(tmp_path: Path) -> None:
    node = _start(tmp_path / "home")
    try:
        first = fork_server(node)
        before, _ = _restarts(node)
        os.kill(first, signal.SIGKILL)
        # The holder reads EOF: the container ends (137) and its restart forks from a new server.
        _, status = wait_for(lambda: _restarted(node, before), timeout=60, what="a restart, Ready again")
        assert status["lastState"]["terminated"]["exitCode"] == 137  # type: ignore[index]
        assert fork_server(node) != first
        stub_and_holder(node, "stub")
    finally:
        stop_node(node)


def test_switched_off_every_stub_is_its_own_interpreter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PODLAB_FORKSERVER", "0")
    node = _start(tmp_path / "home")
    try:
        assert "podlab.stub" in _in_pod(node, "tr '\\0' ' ' < /proc/1/cmdline")
        assert not any(
            b"forkserver_main" in read(f"/proc/{p}/cmdline") for p in descendants(node.process.pid)
        )
    finally:
        stop_node(node)


def test_the_fork_server_never_holds_a_pods_environment(node: RunningNode) -> None:
    """Every later fork inherits what the server once held, freed or not, and a pod can read its
    stub's memory: a Secret in one pod's env must never reach the server (it reaches the entrant
    only, which reads the spec from a memfd)."""
    marker = "podlab-secret-" + os.urandom(8).hex()
    manifest = node.home.parent / "secret-pod.yaml"
    manifest.write_text(
        POD.replace("name: stub", "name: secretive") + f"    env:\n    - name: TOKEN\n      value: {marker}\n"
    )
    node.kubectl("apply", "-f", str(manifest))
    node.kubectl("wait", "--for=condition=Ready", "pod/secretive", "--timeout=60s", timeout=70)
    stub = node.kubectl("exec", "secretive", "--", "sh", "-c", "echo $TOKEN").stdout
    assert stub.strip() == marker  # the pod itself has it
    assert not memory_holds(fork_server(node), [marker.encode()])
