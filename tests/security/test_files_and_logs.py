"""Trust: files at rest, disk and logs, against a real node (`podlab up`) and real kubectl.

What a hostile test found and this file pins: secrets and logs readable by other users,
a full disk hanging containers and deletions, logs never rotated and read whole on the
event loop, emptyDir sizeLimit ignored.
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from e2e.conftest import KUBECTL, RunningNode, start_node, stop_node, wait_for
from podlab.runtime.crilog import LogLine, encode

BUSYBOX = "busybox:1.36"
root_only = pytest.mark.skipif(os.geteuid() != 0, reason="needs root (setpriv to nobody, tmpfs mounts)")


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def pod(name: str, script: str, **spec: Any) -> dict[str, Any]:
    container = {"name": "c", "image": BUSYBOX, "command": ["/bin/sh", "-c", script], "workingDir": "/"}
    container.update(spec.pop("container", {}))
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name},
        "spec": {
            "restartPolicy": "Never",
            "terminationGracePeriodSeconds": 2,
            "containers": [container],
            **spec,
        },
    }


def apply(node: RunningNode, tmp_path: Path, *objects: dict[str, Any]) -> None:
    path = tmp_path / f"objects-{time.monotonic_ns()}.yaml"
    path.write_text(yaml.safe_dump_all(objects))
    node.kubectl("apply", "-f", str(path))


def phase(node: RunningNode, name: str) -> str:
    return node.kubectl("get", "pod", name, "-o", "jsonpath={.status.phase}").stdout


def pod_json(node: RunningNode, name: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(node.kubectl("get", "pod", name, "-o", "json").stdout)
    return result


def events_for(node: RunningNode, name: str) -> list[dict[str, Any]]:
    out = node.kubectl("get", "events", "--field-selector", f"involvedObject.name={name}", "-o", "json")
    items: list[dict[str, Any]] = json.loads(out.stdout)["items"]
    return items


def log_dir(node: RunningNode, name: str) -> Path:
    uid = pod_json(node, name)["metadata"]["uid"]
    return node.home / "pods" / f"default_{name}_{uid}" / "c"


@pytest.fixture
def node(tmp_path: Path) -> Iterator[RunningNode]:
    config = tmp_path / "podlab.yaml"
    # Small rotation size so 30 MB of output exercises rotation, gzip and pruning.
    config.write_text("containerLogMaxSize: 2Mi\ncontainerLogMaxFiles: 5\n")
    running = start_node(tmp_path / "home", args=["--config", str(config)])
    yield running
    stop_node(running)


# -- files at rest ---------------------------------------------------------------------------
@root_only
def test_secrets_logs_and_credentials_are_owner_only(node: RunningNode, tmp_path: Path) -> None:
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "db"},
        "stringData": {"password": "hunter2", "user": "admin", "key": "k"},
    }
    volumes = [
        {"name": "s", "secret": {"secretName": "db"}},
        {"name": "ro", "secret": {"secretName": "db", "defaultMode": 0o440}},
        {
            "name": "items",
            "secret": {"secretName": "db", "items": [{"key": "key", "path": "k", "mode": 0o400}]},
        },
    ]
    mounts = [
        {"name": "s", "mountPath": "/etc/s"},
        {"name": "ro", "mountPath": "/etc/ro"},
        {"name": "items", "mountPath": "/etc/items"},
    ]
    # -L: the names are the atomic writer's links into ..data, as on a node; the modes are the files'.
    script = "stat -L -c '%a %n' /etc/s/password /etc/ro/user /etc/items/k; echo printed-secret; sleep 3600"
    apply(node, tmp_path, secret, pod("reader", script, volumes=volumes, container={"volumeMounts": mounts}))
    wait_for(lambda: "printed-secret" in node.kubectl("logs", "reader").stdout, timeout=60, what="the modes")
    # Inside the container: the modes the manifest asks for (0644 by default).
    assert node.kubectl("logs", "reader").stdout.splitlines()[:3] == [
        "644 /etc/s/password",
        "440 /etc/ro/user",
        "400 /etc/items/k",
    ]
    home = node.home
    uid = pod_json(node, "reader")["metadata"]["uid"]
    volume = home / "sandbox" / uid / "volumes" / "s"
    assert (volume / "password").read_text() == "hunter2"
    # On the host: the home, the credentials and the logs are the owner's only.
    assert mode_of(home) == 0o700
    assert mode_of(home / "kubeconfig") == 0o600 and mode_of(home / "node.json") == 0o600
    logs = log_dir(node, "reader")
    assert mode_of(logs) == 0o700 and mode_of(logs / "0.log") == 0o600
    # Another user cannot read the secret, nor the container's output.
    for target in (volume / "password", logs / "0.log"):
        denied = subprocess.run(
            ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "cat", str(target)],
            capture_output=True,
            text=True,
            timeout=10,
        )
        assert denied.returncode != 0 and "Permission denied" in denied.stderr, denied
    # As root the secret volume is a tmpfs (kubelet's), never written to the disk.
    mounts_now = Path("/proc/self/mountinfo").read_text()
    assert any(line.split()[4] == str(volume) and " - tmpfs " in line for line in mounts_now.splitlines())
    node.kubectl("delete", "pod", "reader", "--wait=true", timeout=60)
    # Gone with the pod: the tmpfs, the volume and the logs.
    assert str(volume) not in Path("/proc/self/mountinfo").read_text()
    assert not volume.exists() and not logs.exists()


def test_detached_node_log_is_private_and_down_needs_no_sigkill(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o755)  # as an older podlab left it
    env = {**os.environ, "PODLAB_HOME": str(home)}

    def podlab(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "podlab", *args], capture_output=True, text=True, timeout=60, env=env
        )

    up = podlab("up", "--detach")
    assert up.returncode == 0, up.stderr
    try:
        assert mode_of(home) == 0o700 and mode_of(home / "node.log") == 0o600
        assert mode_of(home / "store.db") == 0o600  # holds Secrets
    finally:
        started = time.monotonic()
        down = podlab("down")
    assert down.returncode == 0, down.stderr
    assert "SIGKILL" not in down.stderr and time.monotonic() - started < 25


# -- logs: rotation and reading --------------------------------------------------------------
def test_fast_logs_rotate_and_tail_reads_across_files(node: RunningNode, tmp_path: Path) -> None:
    # 30 000 lines of 1000 bytes (30 MB), then three markers.
    script = (
        'L=$(head -c 999 /dev/zero | tr "\\0" x); yes "$L" | head -n 30000; '
        "echo last-1; echo last-2; echo last-3"
    )
    apply(node, tmp_path, pod("chatty", script))
    wait_for(lambda: phase(node, "chatty") == "Succeeded", timeout=90, what="chatty to finish")
    files = sorted(p.name for p in log_dir(node, "chatty").iterdir() if ".log" in p.name)
    assert len(files) <= 5, files
    rotated = [f for f in files if f != "0.log"]
    assert all(re.fullmatch(r"0\.log\.\d{8}-\d{6}(-\d+)?(\.gz)?", f) for f in rotated), rotated
    # kubelet: every rotated file but the newest is compressed.
    assert sum(f.endswith(".gz") for f in rotated) == len(rotated) - 1 >= 1, rotated
    started = time.monotonic()
    assert node.kubectl("logs", "chatty", "--tail=3").stdout == "last-1\nlast-2\nlast-3\n"
    assert time.monotonic() - started < 5
    # --tail reaching past the live file continues in the rotated ones.
    live_lines = (log_dir(node, "chatty") / "0.log").read_bytes().count(b"\n")
    tail = node.kubectl("logs", "chatty", f"--tail={live_lines + 2}").stdout.splitlines()
    assert len(tail) == live_lines + 2 and tail[0] == "x" * 999 and tail[-1] == "last-3"
    # -f --tail=0 on a finished container: nothing replayed, and it returns.
    assert node.kubectl("logs", "chatty", "-f", "--tail=0", timeout=15).stdout == ""


def test_follow_crosses_a_rotation(node: RunningNode, tmp_path: Path) -> None:
    # ~4.4 MB of numbered lines: two rotations at 2Mi while kubectl follows.
    script = (
        "sleep 2; P=$(head -c 100 /dev/zero | tr '\\0' p); i=0; "
        'while [ $i -lt 40000 ]; do echo "n-$i-$P"; i=$((i+1)); done'
    )
    apply(node, tmp_path, pod("counter", script))
    wait_for(lambda: phase(node, "counter") == "Running", timeout=60, what="counter to run")
    follow = node.kubectl("logs", "-f", "counter", timeout=120)
    numbers = [int(line.split("-")[1]) for line in follow.stdout.splitlines()]
    assert numbers == list(range(40000))
    assert any(p.name.startswith("0.log.") for p in log_dir(node, "counter").iterdir())


def _write_big_log(path: Path, size: int) -> int:
    """A CRI log of `size` bytes written directly (faster than a container); returns its lines."""
    now = time.time_ns()
    line = encode(LogLine(now, "stdout", False, b"y" * 200))
    block = line * (8 * 1024 * 1024 // len(line))
    written = 0
    with open(path, "wb") as f:
        while written < size:
            f.write(block)
            written += len(block)
        for i in (1, 2, 3):
            f.write(encode(LogLine(now, "stdout", False, b"end-%d" % i)))
    return written // len(line) + 3


def test_big_log_is_streamed_without_stalling_the_node(node: RunningNode, tmp_path: Path) -> None:
    apply(node, tmp_path, pod("big", "echo small"))
    wait_for(lambda: phase(node, "big") == "Succeeded", timeout=60, what="big to finish")
    lines = _write_big_log(log_dir(node, "big") / "0.log", 300 * 1024 * 1024)
    started = time.monotonic()
    assert node.kubectl("logs", "big", "--tail=3").stdout == "end-1\nend-2\nend-3\n"
    assert time.monotonic() - started < 3
    # A full read (300 MB through the API) while kubectl get pods keeps answering.
    counted: dict[str, int] = {}

    def read_all() -> None:
        with subprocess.Popen(
            [KUBECTL, "--kubeconfig", str(node.kubeconfig), "logs", "big"], stdout=subprocess.PIPE
        ) as proc:
            assert proc.stdout is not None
            counted["lines"] = sum(
                chunk.count(b"\n") for chunk in iter(lambda: proc.stdout.read(1 << 20), b"")
            )
            proc.wait(timeout=120)

    def api_seconds() -> float:
        # The node's own answer time over its https port: what a blocked loop would delay.
        request = urllib.request.Request(
            node.server + "/api/v1/namespaces/default/pods", headers={"Authorization": f"Bearer {node.token}"}
        )
        t0 = time.monotonic()
        with urllib.request.urlopen(request, timeout=10, context=node.ssl_context()) as response:
            response.read()
        return time.monotonic() - t0

    reader = threading.Thread(target=read_all)
    reader.start()
    kubectl_times: list[float] = []
    api_times: list[float] = []
    deadline = time.monotonic() + 120
    while reader.is_alive() and time.monotonic() < deadline:
        api_times.append(api_seconds())
        t0 = time.monotonic()
        node.kubectl("get", "pods", timeout=10)
        kubectl_times.append(time.monotonic() - t0)
    reader.join(timeout=120)
    assert counted.get("lines") == lines
    assert kubectl_times, "the read ended before kubectl could ask"
    # The loop answers at once; kubectl itself needs 0.25-0.5 s to start on this 2-core machine
    # shared with other test runs, so its median is held to 1 s and its worst case to 2 s.
    assert max(api_times) < 0.5, f"the API took {max(api_times):.2f}s during the read"
    median = sorted(kubectl_times)[len(kubectl_times) // 2]
    assert median < 1.0 and max(kubectl_times) < 2.0, f"kubectl get pods took {kubectl_times}"
    # The node never held the log in memory (it used to reach 1.47 GB).
    status = Path(f"/proc/{node.process.pid}/status").read_text()
    peak_kb = int(re.search(r"VmHWM:\s+(\d+)", status).group(1))  # type: ignore[union-attr]
    assert peak_kb < 300 * 1024, f"node peak RSS {peak_kb} kB"
    node.kubectl("delete", "pod", "big", "--wait=true", timeout=60)
    # The pod worker releases the pod's directories as it ends, just after the API object goes.
    wait_for(
        lambda: not any((node.home / "pods").glob("default_big_*")),
        timeout=10,
        what="the deleted pod's logs to be removed",
    )


# -- disk full ---------------------------------------------------------------------------------
@root_only
def test_disk_full_is_an_event_never_a_hang(tmp_path: Path) -> None:
    home = tmp_path / "home"
    logs = home / "pods"
    logs.mkdir(parents=True)
    # The containers' logs on a 4 MiB disk of their own, as /var/log/pods on a node's disk: the
    # stored objects (store.db) stay writable, as etcd on its own disk does, so the kubelet can
    # still record what happened. (With store.db on the full disk every API write is refused
    # with a 500 naming the file, as a full etcd refuses writes.)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(logs)], check=True, timeout=10)
    try:
        running = start_node(home, out_path=tmp_path / "node.out")
        try:
            _disk_full_scenario(running, tmp_path)
        finally:
            started = time.monotonic()
            stop_node(running)
            assert time.monotonic() - started < 15, "the node needed more than a normal stop"
        assert "Traceback" not in running.log(), running.log()
    finally:
        subprocess.run(["umount", "-l", str(logs)], check=False, timeout=10)


def _disk_full_scenario(node: RunningNode, tmp_path: Path) -> None:
    # 20 MB into a disk with ~4 MB free; the container must finish, not block on its pipe.
    apply(node, tmp_path, pod("filler", "yes 0123456789abcdef | head -c 20000000; echo wrote-all"))
    wait_for(lambda: phase(node, "filler") == "Succeeded", timeout=60, what="filler to finish")
    warned = wait_for(
        lambda: [e for e in events_for(node, "filler") if "no space left on device" in e["message"]],
        timeout=30,
        what="a no-space event for filler",
    )
    assert warned[0]["type"] == "Warning" and warned[0]["reason"] == "FailedLogWrite"
    # A new container cannot get its files written: an event, no traceback.
    apply(node, tmp_path, pod("late", "echo hello-from-late; sleep 3600"))
    wait_for(
        lambda: any("no space left on device" in e["message"] for e in events_for(node, "late")),
        timeout=30,
        what="a no-space event for late",
    )
    started = time.monotonic()
    node.kubectl("delete", "pod", "filler", "late", "--wait=true", timeout=60)
    assert time.monotonic() - started < 30


# -- emptyDir sizeLimit --------------------------------------------------------------------
def test_emptydir_size_limit_evicts_the_pod(node: RunningNode, tmp_path: Path) -> None:
    volumes = [{"name": "x", "emptyDir": {"sizeLimit": "10Mi"}}]
    mounts = [{"name": "x", "mountPath": "/data"}]
    script = "dd if=/dev/zero of=data/big bs=1048576 count=50; echo wrote; sleep 3600"
    apply(node, tmp_path, pod("hog", script, volumes=volumes, container={"volumeMounts": mounts}))
    wait_for(lambda: phase(node, "hog") == "Failed", timeout=60, what="hog to be evicted")
    status = pod_json(node, "hog")["status"]
    message = 'Usage of EmptyDir volume "x" exceeds the limit "10Mi". '
    assert status["reason"] == "Evicted" and status["message"] == message
    evicted = [e for e in events_for(node, "hog") if e["reason"] == "Evicted"]
    assert evicted and evicted[0]["type"] == "Warning" and evicted[0]["message"] == message
    node.kubectl("delete", "pod", "hog", "--wait=true", timeout=60)


@root_only
def test_memory_emptydir_is_a_tmpfs_of_its_size_limit(node: RunningNode, tmp_path: Path) -> None:
    volumes = [{"name": "m", "emptyDir": {"medium": "Memory", "sizeLimit": "4Mi"}}]
    mounts = [{"name": "m", "mountPath": "/mem"}]
    script = "dd if=/dev/zero of=mem/big bs=1048576 count=8 2>&1; echo size=$(du -k mem/big | cut -f1)"
    apply(node, tmp_path, pod("ram", script, volumes=volumes, container={"volumeMounts": mounts}))
    wait_for(lambda: phase(node, "ram") in ("Succeeded", "Failed"), timeout=60, what="ram to finish")
    out = node.kubectl("logs", "ram").stdout
    # Writes stop at the tmpfs size (kubelet sizes memory-backed emptyDirs to sizeLimit).
    assert "No space left on device" in out and "size=4096" in out, out


def test_log_rotation_settings_are_validated(tmp_path: Path) -> None:
    from podlab.node.config import ConfigError, load_config

    config = tmp_path / "podlab.yaml"
    config.write_text("containerLogMaxSize: 1Mi\ncontainerLogMaxFiles: 3\n")
    rotation = load_config(config).log_rotation
    assert (rotation.max_size, rotation.max_files) == (1 << 20, 3)
    for text, error in [
        (
            "containerLogMaxFiles: 1\n",
            "invalid configuration: containerLogMaxFiles (1) must be greater than 1",
        ),
        ("containerLogMaxSize: ten\n", 'containerLogMaxSize: invalid quantity "ten"'),
        ("containerLogMaxSize: 0\n", 'containerLogMaxSize: must be positive, got "0"'),
    ]:
        config.write_text(text)
        with pytest.raises(ConfigError) as err:
            load_config(config)
        assert str(err.value) == f"{config}: {error}"
