"""The official Python client against the server: CRUD, patches, errors, watch, logs."""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path
from typing import Any

import pytest
from kubernetes import watch
from kubernetes.client.rest import ApiException

from podlab.runtime.crilog import LogLine, encode

from .conftest import Clients, Node, http, wait_for


def pod_body(name: str, **labels: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "labels": labels},
        "spec": {"containers": [{"name": "app", "image": "busybox:1.36", "command": ["sleep", "3600"]}]},
    }


def deployment_body(name: str, replicas: int = 1) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {
                    "containers": [{"name": "web", "image": "nginx:1.25", "ports": [{"containerPort": 80}]}]
                },
            },
        },
    }


def status_of(err: ApiException) -> dict[str, Any]:
    return json.loads(err.body or "{}")


def test_pod_crud_with_defaults(node: Node, clients: Clients) -> None:
    made = clients.core.create_namespaced_pod("default", pod_body("web", app="web"))
    assert made.metadata.uid and made.metadata.resource_version
    assert made.spec.restart_policy == "Always"  # defaulted by podlab.k8s
    assert made.spec.containers[0].termination_message_path == "/dev/termination-log"
    listed = clients.core.list_namespaced_pod("default", label_selector="app=web")
    assert [p.metadata.name for p in listed.items] == ["web"]
    got = clients.core.read_namespaced_pod("web", "default")
    assert got.metadata.uid == made.metadata.uid
    patched = clients.core.patch_namespaced_pod("web", "default", {"metadata": {"labels": {"tier": "front"}}})
    assert patched.metadata.labels == {"app": "web", "tier": "front"}
    clients.core.delete_namespaced_pod("web", "default")
    with pytest.raises(ApiException) as info:
        clients.core.read_namespaced_pod("web", "default")
    assert info.value.status == 404
    assert status_of(info.value)["message"] == 'pods "web" not found'


def test_already_exists_and_conflict(node: Node, clients: Clients) -> None:
    clients.core.create_namespaced_config_map("default", {"metadata": {"name": "cfg"}, "data": {"a": "1"}})
    with pytest.raises(ApiException) as info:
        clients.core.create_namespaced_config_map("default", {"metadata": {"name": "cfg"}})
    assert info.value.status == 409
    assert status_of(info.value)["reason"] == "AlreadyExists"
    assert status_of(info.value)["message"] == 'configmaps "cfg" already exists'
    current = clients.core.read_namespaced_config_map("cfg", "default")
    current.data = {"a": "2"}
    clients.core.replace_namespaced_config_map("cfg", "default", current)
    current.data = {"a": "3"}  # still carries the old resourceVersion
    with pytest.raises(ApiException) as info:
        clients.core.replace_namespaced_config_map("cfg", "default", current)
    assert info.value.status == 409
    assert status_of(info.value)["message"] == (
        'Operation cannot be fulfilled on configmaps "cfg": the object has been modified; '
        "please apply your changes to the latest version and try again"
    )


def test_validation_is_422_with_kubernetes_wording(node: Node, clients: Clients) -> None:
    body = deployment_body("bad")
    body["spec"]["template"]["spec"]["containers"][0]["livenessProbe"] = {
        "httpGet": {"path": "/", "port": 80},
        "successThreshold": 2,
    }
    with pytest.raises(ApiException) as info:
        clients.apps.create_namespaced_deployment("default", body)
    assert info.value.status == 422
    status = status_of(info.value)
    assert status["reason"] == "Invalid"
    assert status["message"] == (
        'Deployment.apps "bad" is invalid: '
        "spec.template.spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1"
    )


def test_deployment_patches_scale_and_status(node: Node, clients: Clients) -> None:
    made = clients.apps.create_namespaced_deployment("default", deployment_body("web"))
    assert made.metadata.generation == 1
    assert made.spec.strategy.type == "RollingUpdate"
    # strategic merge (the client's default for a dict body): containers merge by name
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "web", "image": "nginx:1.26"}]}}}}
    patched = clients.apps.patch_namespaced_deployment("web", "default", patch)
    assert patched.metadata.generation == 2
    container = patched.spec.template.spec.containers[0]
    assert (container.image, container.ports[0].container_port) == ("nginx:1.26", 80)
    # JSON patch (a list body)
    ops = [{"op": "replace", "path": "/spec/replicas", "value": 3}]
    assert clients.apps.patch_namespaced_deployment("web", "default", ops).spec.replicas == 3
    scale = clients.apps.read_namespaced_deployment_scale("web", "default")
    assert (scale.spec.replicas, scale.status.selector) == (3, "app=web")
    clients.apps.patch_namespaced_deployment_scale("web", "default", {"spec": {"replicas": 0}})
    assert clients.apps.read_namespaced_deployment("web", "default").spec.replicas == 0
    status = {"status": {"replicas": 0, "observedGeneration": 4}}
    clients.apps.patch_namespaced_deployment_status("web", "default", status)
    got = clients.apps.read_namespaced_deployment("web", "default")
    assert got.status.observed_generation == 4
    result = clients.apps.delete_namespaced_deployment("web", "default")
    # this client generation hands the Status back as a plain dict
    result = result if isinstance(result, dict) else result.to_dict()
    assert result["status"] == "Success" and result["details"]["name"] == "web"
    assert result["details"]["group"] == "apps" and result["details"]["kind"] == "deployments"


def test_dry_run_stores_nothing(node: Node, clients: Clients) -> None:
    made = clients.core.create_namespaced_config_map("default", {"metadata": {"name": "dry"}}, dry_run="All")
    assert made.metadata.uid
    assert clients.core.list_namespaced_config_map("default").items == []


def test_dry_run_generate_name_uses_the_apiserver_generator(node: Node, clients: Clients) -> None:
    # storage/names SimpleNameGenerator: the prefix cut to 58 characters, then 5 of rand's alphabet
    for prefix in ("web-", "x" * 70):
        made = clients.core.create_namespaced_config_map(
            "default", {"metadata": {"generateName": prefix}}, dry_run="All"
        )
        assert re.fullmatch(prefix[:58] + "[bcdfghjklmnpqrstvwxz2456789]{5}", made.metadata.name)
    assert clients.core.list_namespaced_config_map("default").items == []


def test_node_status_subresource(node: Node, clients: Clients) -> None:
    clients.core.create_node({"metadata": {"name": "n1"}})
    patched = clients.core.patch_node_status("n1", {"status": {"phase": "Running"}})
    assert patched.status.phase == "Running"
    assert clients.core.read_node_status("n1").status.phase == "Running"


def test_deletecollection_follows_the_discovered_verbs(node: Node, clients: Clients) -> None:
    # nodes list deletecollection in discovery, namespaces do not (as on a real cluster)
    clients.core.create_node({"metadata": {"name": "n2"}})
    clients.core.delete_collection_node()
    assert clients.core.list_node().items == []
    status, _, _ = http(node, "DELETE", "/api/v1/namespaces")
    assert status == 405


def test_graceful_pod_delete_then_final(node: Node, clients: Clients) -> None:
    body = pod_body("slow")
    body["spec"]["nodeName"] = "podlab"
    clients.core.create_namespaced_pod("default", body)
    first = clients.core.delete_namespaced_pod("slow", "default")
    assert first.metadata.deletion_timestamp is not None
    assert first.metadata.deletion_grace_period_seconds == 30
    clients.core.delete_namespaced_pod("slow", "default", grace_period_seconds=0)
    assert clients.core.list_namespaced_pod("default").items == []


def test_watch_stream_sees_changes(node: Node, clients: Clients) -> None:
    clients.core.create_namespaced_config_map("default", {"metadata": {"name": "before"}})
    seen: list[tuple[str, str]] = []
    w = watch.Watch()

    def consume() -> None:
        for event in w.stream(clients.core.list_namespaced_config_map, "default", timeout_seconds=5):
            seen.append((event["type"], event["object"].metadata.name))
            if len(seen) == 3:
                w.stop()

    thread = threading.Thread(target=consume)
    thread.start()
    wait_for(lambda: seen)  # the synthetic ADDED of the existing object has arrived
    clients.core.create_namespaced_config_map("default", {"metadata": {"name": "after"}})
    clients.core.delete_namespaced_config_map("after", "default")
    thread.join(timeout=10)
    assert seen == [("ADDED", "before"), ("ADDED", "after"), ("DELETED", "after")]


def write_log(home: Path, pod: dict[str, Any], container: str, restart: int, lines: list[str]) -> None:
    meta = pod["metadata"]
    path = home / "pods" / f"{meta['namespace']}_{meta['name']}_{meta['uid']}" / container / f"{restart}.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    base = 1_795_000_000_000_000_000
    with open(path, "ab") as f:
        for i, text in enumerate(lines):
            f.write(encode(LogLine(base + i * 1_000_000_000, "stdout", False, text.encode())))


def test_logs_read_tail_and_previous(node: Node, clients: Clients) -> None:
    made = node.call(lambda: node.store.create(("", "pods"), pod_body("logger")))
    write_log(node.home, made, "app", 0, ["old one", "old two"])
    write_log(node.home, made, "app", 1, ["first", "second", "third"])
    assert clients.core.read_namespaced_pod_log("logger", "default") == "first\nsecond\nthird\n"
    assert clients.core.read_namespaced_pod_log("logger", "default", tail_lines=1) == "third\n"
    assert clients.core.read_namespaced_pod_log("logger", "default", previous=True) == "old one\nold two\n"
    stamped = clients.core.read_namespaced_pod_log("logger", "default", tail_lines=1, timestamps=True)
    assert stamped.endswith("Z third\n") and stamped.startswith("20")
    with pytest.raises(ApiException) as info:
        clients.core.read_namespaced_pod_log("logger", "default", container="nope")
    assert info.value.status == 400
    assert status_of(info.value)["message"] == "container nope is not valid for pod logger"


def test_logs_follow_streams_new_lines(node: Node, clients: Clients) -> None:
    made = node.call(lambda: node.store.create(("", "pods"), pod_body("follower")))
    write_log(node.home, made, "app", 0, ["hello"])
    resp = clients.core.read_namespaced_pod_log("follower", "default", follow=True, _preload_content=False)
    received = b""
    chunks = resp.stream(64)
    received += next(chunks)
    assert received == b"hello\n"
    write_log(node.home, made, "app", 0, ["world"])
    while b"world" not in received:
        received += next(chunks)
    assert received == b"hello\nworld\n"
    resp.release_conn()


def test_logs_since_limit_and_waiting_container(node: Node, clients: Clients) -> None:
    made = node.call(lambda: node.store.create(("", "pods"), pod_body("aged")))
    write_log(node.home, made, "app", 0, ["long ago", "also long ago"])  # timestamps from 2026-11
    assert clients.core.read_namespaced_pod_log("aged", "default", since_seconds=1) == ""
    assert clients.core.read_namespaced_pod_log("aged", "default", limit_bytes=4) == "long"

    def waiting() -> None:
        pod = node.store.get(("", "pods"), "default", "aged")
        pod["status"] = {
            "phase": "Pending",
            "containerStatuses": [
                {"name": "app", "restartCount": 0, "state": {"waiting": {"reason": "ContainerCreating"}}}
            ],
        }
        node.store.update(("", "pods"), pod, subresource="status")

    node.call(waiting)
    with pytest.raises(ApiException) as info:
        clients.core.read_namespaced_pod_log("aged", "default")
    assert (
        status_of(info.value)["message"]
        == 'container "app" in pod "aged" is waiting to start: ContainerCreating'
    )
