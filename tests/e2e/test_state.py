"""State survives (store.db): objects and PersistentVolume data are back after `podlab down` + `up`
and after a SIGKILL of the node; pods restart as kubelet restarts them after a node reboot
(restartCount + 1, lastState exit 255 reason Unknown, event SandboxChanged); a pod being deleted
when the node died finishes deleting; `up --fresh` starts empty; a store.db that is not one is a
CLI error naming the file. All through the CLI and the real kubectl."""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import KUBECTL, alive, wait_for

APP = """apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {greeting: hello}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 0
      containers:
      - {name: c, image: busybox, command: [sleep, "3600"]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: 1
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      terminationGracePeriodSeconds: 0
      containers:
      - name: c
        image: busybox
        # One line per start of the container, on the claim.
        command: [sh, -c, 'echo started >> /data/starts; exec sleep 3600']
        volumeMounts: [{name: data, mountPath: /data}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Gi}}
"""

# Ignores SIGTERM and has a long grace: still being deleted when the node is killed.
SLOW_TO_DIE = """apiVersion: v1
kind: Pod
metadata: {name: slow}
spec:
  terminationGracePeriodSeconds: 600
  containers:
  - {name: c, image: busybox, command: [sh, -c, 'trap "" TERM; while true; do sleep 1; done']}
"""


def podlab(home: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "podlab", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PODLAB_HOME": str(home)},
    )


def kubectl(home: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [KUBECTL, "--kubeconfig", str(home / "kubeconfig"), *args], capture_output=True, text=True, timeout=30
    )
    if check and result.returncode != 0:
        raise AssertionError(f"kubectl {' '.join(args)}: {result.stderr}")
    return result


def get(home: Path, *args: str) -> Any:
    return json.loads(kubectl(home, "get", *args, "-o", "json").stdout)


def up(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    result = podlab(home, "up", "--detach", *args)
    assert result.returncode == 0, result.stderr
    return result


def node_pid(home: Path) -> int:
    return int(json.loads((home / "node.json").read_text())["pid"])


def running_pods(home: Path, restarts: int) -> dict[str, Any] | None:
    """name -> pod once every pod is Running and Ready with `restarts` restarts, else None."""
    pods = {p["metadata"]["name"]: p for p in get(home, "pods")["items"]}
    for p in pods.values():
        statuses = p["status"].get("containerStatuses") or [{}]
        if p["status"].get("phase") != "Running" or not all(
            cs.get("ready") and cs.get("restartCount") == restarts for cs in statuses
        ):
            return None
    return pods if len(pods) >= 2 else None


@pytest.fixture
def home(tmp_path: Path) -> Iterator[Path]:
    home = tmp_path / "home"
    yield home
    if (home / "node.json").exists() and alive(pid := node_pid(home)):
        os.kill(pid, signal.SIGTERM)  # what `podlab down` sends, without a CLI start-up
        wait_for(lambda: not alive(pid), timeout=40, what="the node to stop")


def assert_restarted_after_reboot(home: Path, before: dict[str, Any], restarts: int) -> dict[str, Any]:
    pods = wait_for(
        lambda: running_pods(home, restarts), timeout=60, what=f"the pods Running with {restarts} restarts"
    )
    for name, pod in before.items():
        assert pods[name]["metadata"]["uid"] == pod["metadata"]["uid"], name  # the same pods, not new ones
        (cs,) = pods[name]["status"]["containerStatuses"]
        last = cs["lastState"]["terminated"]
        assert (last["exitCode"], last["reason"]) == (255, "Unknown"), cs
        assert last["containerID"] == pod["status"]["containerStatuses"][0]["containerID"]
        assert cs["containerID"] != last["containerID"]
        assert pods[name]["status"]["startTime"] == pod["status"]["startTime"]

    def sandbox_changed() -> set[str]:
        events = get(home, "events", "--field-selector", "reason=SandboxChanged")["items"]
        return {e["involvedObject"]["name"] for e in events if e["message"] == SANDBOX_CHANGED}

    wait_for(lambda: set(before) <= sandbox_changed(), timeout=10, what="SandboxChanged for every pod")
    return pods


SANDBOX_CHANGED = "Pod sandbox changed, it will be killed and re-created."


def test_objects_and_volume_data_survive_down_up_and_sigkill(home: Path, tmp_path: Path) -> None:
    app = tmp_path / "app.yaml"
    app.write_text(APP)
    up(home, "-f", str(app))
    status = json.loads(podlab(home, "status").stdout)
    assert status["state"] == f"objects persist in {home / 'store.db'}"
    first = wait_for(lambda: running_pods(home, 0), timeout=60, what="the pods Running")
    claim = get(home, "pvc", "data-db-0")
    starts = Path(get(home, "pv", claim["spec"]["volumeName"])["spec"]["hostPath"]["path"]) / "starts"
    wait_for(lambda: starts.read_text() == "started\n", timeout=10, what="the first start on the claim")
    rv = max(int(pod["metadata"]["resourceVersion"]) for pod in first.values())

    down = podlab(home, "down")
    assert down.returncode == 0, down.stderr
    assert f"its objects stay in {home / 'store.db'}" in down.stdout
    assert f"objects persist in {home / 'store.db'}" in up(home).stdout
    assert get(home, "configmap", "settings")["data"] == {"greeting": "hello"}
    assert get(home, "deployment", "web")["spec"]["replicas"] == 1
    again = get(home, "pvc", "data-db-0")
    assert again["status"]["phase"] == "Bound" and again["spec"]["volumeName"] == claim["spec"]["volumeName"]
    second = assert_restarted_after_reboot(home, first, restarts=1)
    assert starts.read_text() == "started\n" * 2  # the data was there, and the pod wrote to it again
    # The node made a new CA at this start: the restored kube-root-ca.crt names it, not the old one.
    ca = base64.b64decode(
        yaml.safe_load((home / "kubeconfig").read_text())["clusters"][0]["cluster"][
            "certificate-authority-data"
        ]
    ).decode()
    assert get(home, "configmap", "kube-root-ca.crt")["data"]["ca.crt"] == ca
    assert min(int(pod["metadata"]["resourceVersion"]) for pod in second.values()) > rv  # never back

    # Written just before the kill: on disk before kubectl had its answer.
    kubectl(home, "create", "configmap", "late", "--from-literal=k=v")
    slow = tmp_path / "slow.yaml"
    slow.write_text(SLOW_TO_DIE)
    kubectl(home, "apply", "-f", str(slow))
    wait_for(
        lambda: get(home, "pod", "slow")["status"]["phase"] == "Running", timeout=30, what="slow Running"
    )
    kubectl(home, "delete", "pod", "slow", "--wait=false")
    assert get(home, "pod", "slow")["metadata"]["deletionTimestamp"]
    pid = node_pid(home)
    os.kill(pid, signal.SIGKILL)
    wait_for(lambda: not alive(pid), timeout=10, what="the killed node to be gone")
    up(home)
    assert get(home, "configmap", "late")["data"] == {"k": "v"}
    wait_for(
        lambda: "NotFound" in kubectl(home, "get", "pod", "slow", check=False).stderr,
        timeout=30,
        what="pod slow, being deleted when the node died, to be gone",
    )
    assert_restarted_after_reboot(home, second, restarts=2)
    assert starts.read_text() == "started\n" * 3


def test_a_store_that_is_not_one_is_named_and_kept_until_up_fresh(home: Path) -> None:
    home.mkdir(mode=0o700)
    db = home / "store.db"
    db.write_bytes(b"not a database\n" * 400)
    (home / "local-path-provisioner" / "pvc-1_default_data").mkdir(parents=True)  # a volume's data
    # --detach: the node (`up --no-live`, in the background) says it, and `up` repeats its words.
    result = podlab(home, "up", "--detach")
    assert result.returncode == 1, result.stdout
    assert (
        f"Error: cannot load the node's stored objects from {db}: file is not a database. "
        "The file is left as it is: move it away to keep it, or start empty with `podlab up --fresh`"
    ) in result.stderr, result.stderr
    assert "Traceback" not in result.stderr + (home / "node.log").read_text()
    assert db.read_bytes() == b"not a database\n" * 400
    assert not (home / "node.json").exists()
    fresh = up(home, "--fresh")
    removed = f"{db}, {home / 'local-path-provisioner'}"
    assert f"--fresh: starting empty (removed: {removed})" in fresh.stdout
    assert not (home / "local-path-provisioner").exists()
    # Empty: what every node starts with, nothing else.
    assert get(home, "namespace", "kube-system")["status"]["phase"] == "Active"
    configmaps = [cm["metadata"]["name"] for cm in get(home, "configmaps")["items"]]
    assert configmaps == ["kube-root-ca.crt"] and get(home, "pvc")["items"] == []
