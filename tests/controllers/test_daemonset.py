"""DaemonSet controller decisions on the one node (sans-IO): the pod it creates (revision
labels, node-name affinity, daemon tolerations), nodeSelector and taints, status counts,
RollingUpdate (maxUnavailable, then maxSurge) and OnDelete, failed pods replaced."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from podlab.controllers.actions import CreateObject, DeleteObject, RecordEvent, SetStatus
from podlab.controllers.daemonset import REVISION_HASH, sync_daemonset, template_hash
from podlab.k8s import apply_defaults
from podlab.k8s.timestamps import format_time

NOW = datetime(2026, 12, 7, 13, 0, tzinfo=UTC)
NODE = {
    "metadata": {
        "name": "podlab",
        "labels": {"kubernetes.io/hostname": "podlab", "kubernetes.io/os": "linux"},
    }
}


def daemonset(image: str = "busybox:1", **spec: Any) -> dict[str, Any]:
    return apply_defaults(
        {
            "apiVersion": "apps/v1",
            "kind": "DaemonSet",
            "metadata": {"name": "agent", "namespace": "default", "uid": "ds-uid", "generation": 1},
            "spec": {
                "selector": {"matchLabels": {"app": "agent"}},
                "template": {
                    "metadata": {"labels": {"app": "agent"}},
                    "spec": {"containers": [{"name": "c", "image": image}]},
                },
                **spec,
            },
        }
    )


def pod_of(
    ds: dict[str, Any], name: str, *, ready: bool = True, phase: str = "Running", at: int = 0
) -> dict[str, Any]:
    (create,) = [a for a in sync_daemonset(ds, [], NODE, NOW) if isinstance(a, CreateObject)]
    pod = copy.deepcopy(create.obj)
    pod["metadata"] |= {
        "name": name,
        "uid": f"uid-{name}",
        "creationTimestamp": f"2026-12-07T12:00:{at:02d}Z",
    }
    conditions = [
        {"type": "Ready", "status": "True" if ready else "False", "lastTransitionTime": format_time(NOW)}
    ]
    pod["status"] = {"phase": phase, "conditions": conditions}
    return pod


def of(actions: list[Any], kind: type) -> list[Any]:
    return [a for a in actions if isinstance(a, kind)]


def test_the_pod_it_creates() -> None:
    ds = daemonset()
    actions = sync_daemonset(ds, [], NODE, NOW)
    (create,) = of(actions, CreateObject)
    pod = create.obj
    assert pod["metadata"]["generateName"] == "agent-"
    assert pod["metadata"]["labels"] == {
        "app": "agent",
        REVISION_HASH: template_hash(ds),
        "pod-template-generation": "1",
    }
    assert pod["metadata"]["ownerReferences"][0]["kind"] == "DaemonSet"
    assert "nodeName" not in pod["spec"]
    assert pod["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"] == {
        "nodeSelectorTerms": [
            {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["podlab"]}]}
        ]
    }
    keys = {(t["key"], t["effect"]) for t in pod["spec"]["tolerations"]}
    assert ("node.kubernetes.io/not-ready", "NoExecute") in keys
    assert ("node.kubernetes.io/unschedulable", "NoSchedule") in keys
    assert ("node.kubernetes.io/network-unavailable", "NoSchedule") not in keys
    assert (create.event, create.component) == (
        ("SuccessfulCreate", "Created pod: {name}"),
        "daemonset-controller",
    )
    (status,) = of(actions, SetStatus)
    assert status.status["desiredNumberScheduled"] == 1
    assert status.status["currentNumberScheduled"] == 0


def test_status_once_the_pod_is_ready() -> None:
    ds = daemonset()
    pod = pod_of(ds, "agent-abcde")
    actions = sync_daemonset(ds, [pod], NODE, NOW)
    assert of(actions, CreateObject) == []
    (status,) = of(actions, SetStatus)
    assert status.status == {
        "currentNumberScheduled": 1,
        "numberMisscheduled": 0,
        "desiredNumberScheduled": 1,
        "numberReady": 1,
        "observedGeneration": 1,
        "updatedNumberScheduled": 1,
        "numberAvailable": 1,
        "numberUnavailable": 0,
    }
    ds["status"] = status.status
    assert sync_daemonset(ds, [pod], NODE, NOW) == []


def test_node_selector_and_taints() -> None:
    ds = daemonset()
    ds["spec"]["template"]["spec"]["nodeSelector"] = {"disktype": "ssd"}
    actions = sync_daemonset(ds, [], NODE, NOW)
    assert of(actions, CreateObject) == []
    assert of(actions, SetStatus)[0].status["desiredNumberScheduled"] == 0
    # A pod left on a node that no longer fits is deleted.
    placed = pod_of(daemonset(), "agent-old")
    (delete,) = of(sync_daemonset(ds, [placed], NODE, NOW), DeleteObject)
    assert delete.event == ("SuccessfulDelete", "Deleted pod: agent-old")
    tainted = {**NODE, "spec": {"taints": [{"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}]}}
    assert of(sync_daemonset(daemonset(), [], tainted, NOW), CreateObject) == []
    tolerant = daemonset()
    tolerant["spec"]["template"]["spec"]["tolerations"] = [{"key": "dedicated", "operator": "Exists"}]
    assert len(of(sync_daemonset(tolerant, [], tainted, NOW), CreateObject)) == 1
    # The daemon tolerations cover an unschedulable (cordoned) node.
    cordoned = {
        **NODE,
        "spec": {"taints": [{"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}]},
    }
    assert len(of(sync_daemonset(daemonset(), [], cordoned, NOW), CreateObject)) == 1


def test_rolling_update_replaces_the_pod() -> None:
    old_ds = daemonset("busybox:1")
    pod = pod_of(old_ds, "agent-old")
    new_ds = daemonset("busybox:2")
    new_ds["metadata"]["generation"] = 2
    actions = sync_daemonset(new_ds, [pod], NODE, NOW)
    (delete,) = of(actions, DeleteObject)
    assert delete.name == "agent-old"
    assert of(actions, CreateObject) == []
    (status,) = of(actions, SetStatus)
    assert (status.status["updatedNumberScheduled"], status.status["observedGeneration"]) == (0, 2)
    # Once the old pod is terminating, the new one is created.
    pod["metadata"]["deletionTimestamp"] = format_time(NOW)
    (create,) = of(sync_daemonset(new_ds, [pod], NODE, NOW), CreateObject)
    assert create.obj["spec"]["containers"][0]["image"] == "busybox:2"
    assert create.obj["metadata"]["labels"]["pod-template-generation"] == "2"


def test_surge_starts_the_new_pod_first() -> None:
    rolling = {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}}
    old = pod_of(daemonset("busybox:1", updateStrategy=rolling), "agent-old")
    new_ds = daemonset("busybox:2", updateStrategy=rolling)
    actions = sync_daemonset(new_ds, [old], NODE, NOW)
    assert len(of(actions, CreateObject)) == 1 and of(actions, DeleteObject) == []
    new = pod_of(new_ds, "agent-new", ready=False, at=5)
    assert of(sync_daemonset(new_ds, [old, new], NODE, NOW), DeleteObject) == []
    new = pod_of(new_ds, "agent-new", at=5)
    (delete,) = of(sync_daemonset(new_ds, [old, new], NODE, NOW), DeleteObject)
    assert delete.name == "agent-old"


def test_on_delete_leaves_old_pods() -> None:
    old = pod_of(daemonset("busybox:1"), "agent-old")
    new_ds = daemonset("busybox:2", updateStrategy={"type": "OnDelete"})
    actions = sync_daemonset(new_ds, [old], NODE, NOW)
    assert of(actions, DeleteObject) == [] and of(actions, CreateObject) == []


def test_failed_pod_is_replaced() -> None:
    ds = daemonset()
    failed = pod_of(ds, "agent-dead", phase="Failed")
    actions = sync_daemonset(ds, [failed], NODE, NOW)
    (event,) = of(actions, RecordEvent)
    assert (event.type, event.reason, event.message) == (
        "Warning",
        "FailedDaemonPod",
        "Found failed daemon pod default/agent-dead on node podlab, will try to kill it",
    )
    assert [d.name for d in of(actions, DeleteObject)] == ["agent-dead"]
    assert len(of(actions, CreateObject)) == 1


def test_extra_pods_are_deleted_keeping_the_oldest() -> None:
    ds = daemonset()
    first, second = pod_of(ds, "agent-a", at=1), pod_of(ds, "agent-b", at=2)
    (delete,) = of(sync_daemonset(ds, [second, first], NODE, NOW), DeleteObject)
    assert delete.name == "agent-b"
