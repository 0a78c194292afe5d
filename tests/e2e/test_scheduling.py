"""No silent acceptance at scheduling: a pod the node cannot take stays Pending, saying why in
kube-scheduler's words (FailedScheduling, PodScheduled False / Unschedulable), and is scheduled
once the node's labels let it. Real node, real kubectl, the official client.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .conftest import RunningNode, start_node, stop_node, wait_for
from .test_probe_catalogue import MANIFESTS, find_event, get_pod, pod_events, running, wait_pod

SECCTX = MANIFESTS / "secctx"
PREEMPTION = "preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling."
AFFINITY = f"0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. {PREEMPTION}"


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningNode]:
    running_node = start_node(tmp_path_factory.mktemp("sched"))
    yield running_node
    stop_node(running_node)


@pytest.fixture(scope="module")
def api(node: RunningNode) -> Any:
    return node.core_api()


def assert_unschedulable(node: RunningNode, api: Any, name: str, message: str) -> None:
    event = wait_for(
        lambda: find_event(pod_events(api, name), "FailedScheduling", message),
        timeout=15,
        what=f"FailedScheduling for {name}",
    )
    assert event.type == "Warning" and event.source.component == "default-scheduler"
    pod = get_pod(api, name)
    assert pod.status.phase == "Pending" and not pod.spec.node_name
    scheduled = next(c for c in pod.status.conditions if c.type == "PodScheduled")
    assert (scheduled.status, scheduled.reason, scheduled.message) == ("False", "Unschedulable", message)
    described = node.kubectl("describe", "pod", name).stdout
    assert "Warning  FailedScheduling" in described and message in described


def test_unsatisfiable_node_selector_is_pending_until_the_node_gets_the_label(
    node: RunningNode, api: Any
) -> None:
    node.kubectl("apply", "-f", str(SECCTX / "node-selector.yaml"))
    assert_unschedulable(node, api, "node-selector", AFFINITY)
    node.kubectl("label", "node", "podlab", "disktype=ssd")
    pod = wait_pod(api, "node-selector", running, timeout=30, what="Running once the node matches")
    assert pod.spec.node_name == "podlab"
    node.kubectl("label", "node", "podlab", "disktype-")


def test_unsatisfiable_required_node_affinity_is_pending(node: RunningNode, api: Any) -> None:
    node.kubectl("apply", "-f", str(SECCTX / "node-affinity.yaml"))
    assert_unschedulable(node, api, "node-affinity", AFFINITY)


def test_missing_persistent_volume_claim_is_pending(node: RunningNode, api: Any) -> None:
    node.kubectl("apply", "-f", str(SECCTX / "missing-claim.yaml"))
    assert_unschedulable(
        node,
        api,
        "missing-claim",
        f'0/1 nodes are available: persistentvolumeclaim "data" not found. {PREEMPTION}',
    )
