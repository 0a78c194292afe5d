"""Namespace deletion, authorization reviews and list paging against a real node, driven by
real kubectl and the `kubernetes` client (one node for the module)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import RunningNode, start_node, stop_node, wait_for

# Graceful on SIGTERM, but not at once: the namespace's deletion can be seen waiting for it.
SLOW_POD = """
apiVersion: v1
kind: Pod
metadata: {name: slow, namespace: doomed}
spec:
  terminationGracePeriodSeconds: 5
  containers:
  - name: app
    image: busybox:1.36
    command: ["sh", "-c", "trap 'sleep 1; exit 0' TERM; while true; do sleep 0.1; done"]
"""


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningNode]:
    running = start_node(tmp_path_factory.mktemp("apilife") / "home")
    try:
        yield running
    finally:
        stop_node(running)


def _json(node: RunningNode, *args: str) -> Any:
    return json.loads(node.kubectl(*args, "-o", "json").stdout)


def test_namespace_deletion_terminates_pods_gracefully_then_goes(node: RunningNode, tmp_path: Path) -> None:
    node.kubectl("create", "namespace", "doomed")
    node.kubectl("create", "configmap", "cfg", "-n", "doomed")
    manifest = tmp_path / "slow.yaml"
    manifest.write_text(SLOW_POD)
    node.kubectl("apply", "-f", str(manifest))
    wait_for(
        lambda: _json(node, "get", "pod", "slow", "-n", "doomed")["status"].get("phase") == "Running",
        timeout=20,
        what="pod slow Running",
    )
    node.kubectl("delete", "namespace", "doomed", "--wait=false")
    ns = _json(node, "get", "namespace", "doomed")
    assert ns["status"]["phase"] == "Terminating"
    assert ns["metadata"]["deletionTimestamp"]

    # The pod is deleted as `kubectl delete pod` would: with its grace period, by its kubelet.
    pod = wait_for(
        lambda: (
            (p := _json(node, "get", "pod", "slow", "-n", "doomed"))["metadata"].get("deletionTimestamp")
            and p
        ),
        timeout=10,
        what="pod slow marked for deletion",
    )
    assert pod["metadata"]["deletionGracePeriodSeconds"] == 5
    remaining = wait_for(
        lambda: {
            c["type"]: c for c in _json(node, "get", "namespace", "doomed")["status"].get("conditions", [])
        }.get("NamespaceContentRemaining"),
        timeout=10,
        what="the NamespaceContentRemaining condition",
    )
    assert remaining["status"] == "True", remaining
    assert remaining["reason"] == "SomeResourcesRemain"
    assert remaining["message"] == "Some resources are remaining: pods. has 1 resource instances"
    assert node.kubectl("get", "configmaps", "-n", "doomed", "-o", "name").stdout == ""

    node.kubectl("wait", "--for=delete", "namespace/doomed", "--timeout=20s", timeout=30)
    gone = node.kubectl("get", "namespace", "doomed", check=False)
    assert gone.stderr.strip() == 'Error from server (NotFound): namespaces "doomed" not found'


def test_protected_namespace_refused_and_node_lease_recreated(node: RunningNode) -> None:
    refused = node.kubectl("delete", "namespace", "kube-system", check=False)
    assert refused.stderr.strip() == (
        'Error from server (Forbidden): namespaces "kube-system" is forbidden: this namespace may not be deleted'
    )
    old_uid = _json(node, "get", "namespace", "kube-node-lease")["metadata"]["uid"]
    node.kubectl("delete", "namespace", "kube-node-lease", "--wait=false")
    wait_for(
        lambda: _json(node, "get", "namespace", "kube-node-lease")["metadata"]["uid"] != old_uid,
        timeout=15,
        what="kube-node-lease recreated",
    )
    assert _json(node, "get", "namespace", "kube-node-lease")["status"]["phase"] == "Active"


def test_auth_whoami_and_can_i(node: RunningNode) -> None:
    who = node.kubectl("auth", "whoami").stdout.splitlines()
    assert who[1].split() == ["Username", "kubernetes-admin"]
    assert who[2].split() == ["Groups", "[system:masters", "system:authenticated]"]
    assert node.kubectl("auth", "can-i", "create", "deployments.apps").stdout == "yes\n"
    assert node.kubectl("auth", "can-i", "delete", "nodes").stdout == "yes\n"
    from kubernetes import client

    api = node.core_api().api_client
    review = client.AuthorizationV1Api(api).create_self_subject_access_review(
        client.V1SelfSubjectAccessReview(
            spec=client.V1SelfSubjectAccessReviewSpec(
                non_resource_attributes=client.V1NonResourceAttributes(path="/healthz", verb="get")
            )
        )
    )
    assert review.status.allowed is True


def test_chunked_lists_cover_every_object(node: RunningNode) -> None:
    every = node.kubectl("get", "serviceaccounts", "-A", "-o", "name").stdout.split()
    assert len(every) >= 4  # one `default` per namespace
    chunked = node.kubectl("get", "serviceaccounts", "-A", "-o", "name", "--chunk-size=2").stdout.split()
    assert chunked == every
    page = node.core_api().list_service_account_for_all_namespaces(limit=2)
    assert len(page.items) == 2 and page.metadata.remaining_item_count == len(every) - 2
