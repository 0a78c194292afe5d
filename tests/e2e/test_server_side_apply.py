"""Server-side apply and managedFields with the real kubectl: `apply --server-side` creates and
owns fields, a re-apply that drops a field removes it, a field another manager owns is a conflict
in kube-apiserver's words until `--force-conflicts`, `kubectl scale` takes replicas over, and
`get --show-managed-fields` shows it all. Also `kubectl debug --copy-to` (a Pod create kubectl
sends as protobuf) and an ephemeral debug container."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import RunningNode, start_node, stop_node, wait_for

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: REPLICAS
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 0
      containers:
      - {name: app, image: busybox, command: [sleep, "3600"]}
"""

CONFIG = """apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data:
DATA"""

HINT = "Please review the fields above--they currently have other managers."


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningNode]:
    running_node = start_node(tmp_path_factory.mktemp("ssa"))
    yield running_node
    stop_node(running_node)


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def managed(node: RunningNode, *target: str) -> list[dict[str, Any]]:
    out = node.kubectl("get", *target, "-o", "json", "--show-managed-fields").stdout
    return list(json.loads(out)["metadata"].get("managedFields") or [])


def test_apply_creates_owns_and_prunes(node: RunningNode, tmp_path: Path) -> None:
    full = write(tmp_path, "full.yaml", CONFIG.replace("DATA", "  a: '1'\n  b: '2'\n"))
    out = node.kubectl("apply", "--server-side", "-f", full).stdout
    assert out.strip() == "configmap/cfg serverside-applied"
    (entry,) = managed(node, "configmap", "cfg")
    assert entry["manager"] == "kubectl" and entry["operation"] == "Apply"
    assert entry["apiVersion"] == "v1" and entry["fieldsType"] == "FieldsV1"
    assert entry["fieldsV1"] == {"f:data": {"f:a": {}, "f:b": {}}}

    # Another manager's field survives the applier dropping its own.
    node.kubectl("label", "configmap", "cfg", "team=blue")
    fewer = write(tmp_path, "fewer.yaml", CONFIG.replace("DATA", "  a: '1'\n"))
    node.kubectl("apply", "--server-side", "-f", fewer)
    cm = json.loads(node.kubectl("get", "configmap", "cfg", "-o", "json").stdout)
    assert cm["data"] == {"a": "1"}
    assert cm["metadata"]["labels"] == {"team": "blue"}
    assert "managedFields" not in cm["metadata"]  # kubectl hides them unless asked
    managers = {(e["manager"], e["operation"]) for e in managed(node, "configmap", "cfg")}
    assert managers == {("kubectl", "Apply"), ("kubectl-label", "Update")}


def test_conflicts_force_and_scale(node: RunningNode, tmp_path: Path) -> None:
    zero = write(tmp_path, "zero.yaml", DEPLOYMENT.replace("REPLICAS", "0"))
    one = write(tmp_path, "one.yaml", DEPLOYMENT.replace("REPLICAS", "1"))
    node.kubectl("apply", "-f", zero)
    (entry,) = managed(node, "deployment", "web")
    assert (entry["manager"], entry["operation"]) == ("kubectl-client-side-apply", "Update")
    assert "f:replicas" in entry["fieldsV1"]["f:spec"]

    failed = node.kubectl("apply", "--server-side", "-f", one, check=False)
    assert failed.returncode == 1
    assert failed.stderr.startswith(
        'error: Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: '
        ".spec.replicas\n" + HINT
    ), failed.stderr
    assert json.loads(node.kubectl("get", "deploy", "web", "-o", "json").stdout)["spec"]["replicas"] == 0

    out = node.kubectl("apply", "--server-side", "--force-conflicts", "-f", one).stdout
    assert out.strip() == "deployment.apps/web serverside-applied"
    applier = next(e for e in managed(node, "deployment", "web") if e["operation"] == "Apply")
    assert applier["manager"] == "kubectl"
    assert applier["fieldsV1"]["f:spec"]["f:replicas"] == {}
    containers = applier["fieldsV1"]["f:spec"]["f:template"]["f:spec"]["f:containers"]
    assert containers['k:{"name":"app"}']["."] == {}

    # `kubectl scale` is an Update of the scale subresource: it takes replicas over, and the
    # next apply of another count conflicts with it, as on a cluster.
    node.kubectl("scale", "deployment", "web", "--replicas=0")
    scaler = next(e for e in managed(node, "deployment", "web") if e.get("subresource") == "scale")
    assert (scaler["manager"], scaler["operation"]) == ("kubectl", "Update")
    assert scaler["fieldsV1"] == {"f:spec": {"f:replicas": {}}}
    failed = node.kubectl("apply", "--server-side", "-f", one, check=False)
    assert failed.returncode == 1
    assert failed.stderr.startswith(
        'error: Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using apps/v1: '
        ".spec.replicas\n"
    ), failed.stderr


def test_debug_copy_to_and_ephemeral_container(node: RunningNode) -> None:
    node.kubectl("run", "orig", "--image=busybox", "--", "sleep", "3600")
    wait_for(
        lambda: node.kubectl("get", "pod", "orig", "-o", "jsonpath={.status.phase}").stdout == "Running",
        timeout=30,
        what="pod orig running",
    )
    # kubectl sends the copy as a protobuf Pod create, the whole spec of the original included.
    node.kubectl("debug", "orig", "--copy-to=orig-copy", "--image=busybox", "--", "sleep", "3600")
    names = node.kubectl(
        "get", "pod", "orig-copy", "-o", "jsonpath={.spec.containers[*].name}"
    ).stdout.split()
    assert names[0] == "orig" and names[1].startswith("debugger-")
    wait_for(
        lambda: node.kubectl("get", "pod", "orig-copy", "-o", "jsonpath={.status.phase}").stdout == "Running",
        timeout=30,
        what="the copy running",
    )
    node.kubectl("debug", "orig", "--image=busybox", "--", "true")
    ephemeral = node.kubectl(
        "get", "pod", "orig", "-o", "jsonpath={.spec.ephemeralContainers[*].name}"
    ).stdout
    assert ephemeral.startswith("debugger-")


def test_podlab_apply_is_its_own_manager(node: RunningNode, tmp_path: Path) -> None:
    manifest = write(tmp_path, "p.yaml", CONFIG.replace("cfg", "by-podlab").replace("DATA", "  a: '1'\n"))
    result = node.podlab("apply", "-f", manifest)
    assert result.returncode == 0, result.stderr
    (entry,) = managed(node, "configmap", "by-podlab")
    assert (entry["manager"], entry["operation"]) == ("podlab", "Update")
    changed = write(tmp_path, "p2.yaml", CONFIG.replace("cfg", "by-podlab").replace("DATA", "  a: '2'\n"))
    failed = node.kubectl("apply", "--server-side", "-f", changed, check=False)
    assert failed.stderr.startswith(
        'error: Apply failed with 1 conflict: conflict with "podlab" using v1: .data.a\n'
    )
