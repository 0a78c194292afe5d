"""to_table: the real printers' columns and cells (docs/reference/kubelet-probes.md §7.4, docs/reference/kube-api-surface.md §5)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from podlab.k8s import to_table

NOW = datetime(2026, 11, 28, 6, 0, 0, tzinfo=UTC)


def _pod(
    statuses: list[dict[str, Any]], *, phase: str = "Running", ready: bool = False, **meta: Any
) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": "wiremock-7c5ddbdf54-x2k9q",
            "namespace": "default",
            "creationTimestamp": "2026-11-28T05:55:00Z",
            **meta,
        },
        "spec": {"containers": [{"name": s["name"], "image": "i"} for s in statuses], "nodeName": "podlab"},
        "status": {
            "phase": phase,
            "podIP": "127.244.0.2",
            "podIPs": [{"ip": "127.244.0.2"}],
            "conditions": [{"type": "Ready", "status": "True" if ready else "False"}],
            "containerStatuses": statuses,
        },
    }


def _cells(obj: dict[str, Any], kind: str = "Pod") -> list[Any]:
    return to_table(kind, [obj], NOW)["rows"][0]["cells"]


def test_pod_columns_match_the_real_server() -> None:
    table = to_table("Pod", [], NOW)
    assert table["kind"] == "Table" and table["apiVersion"] == "meta.k8s.io/v1"
    cols = [(c["name"], c["priority"]) for c in table["columnDefinitions"]]
    assert cols == [
        ("Name", 0), ("Ready", 0), ("Status", 0), ("Restarts", 0), ("Age", 0),
        ("IP", 1), ("Node", 1), ("Nominated Node", 1), ("Readiness Gates", 1),
    ]  # fmt: skip
    assert table["columnDefinitions"][0]["format"] == "name"


def test_running_ready_pod() -> None:
    pod = _pod(
        [
            {
                "name": "c",
                "ready": True,
                "restartCount": 0,
                "state": {"running": {"startedAt": "2026-11-28T05:55:01Z"}},
            }
        ],
        ready=True,
    )
    table = to_table("Pod", [pod], NOW)
    assert table["rows"][0]["cells"] == [
        "wiremock-7c5ddbdf54-x2k9q",
        "1/1",
        "Running",
        "0",
        "5m",
        "127.244.0.2",
        "podlab",
        "<none>",
        "<none>",
    ]
    assert table["rows"][0]["object"] == {
        "kind": "PartialObjectMetadata",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": pod["metadata"],
    }


def test_crash_loop_with_restart_age() -> None:
    pod = _pod(
        [
            {
                "name": "c",
                "ready": False,
                "restartCount": 3,
                "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                "lastState": {
                    "terminated": {"exitCode": 137, "reason": "Error", "finishedAt": "2026-11-28T05:59:15Z"}
                },
            }
        ]
    )
    assert _cells(pod)[1:4] == ["0/1", "CrashLoopBackOff", "3 (45s ago)"]


def test_unready_running_container_is_still_running() -> None:
    pod = _pod([{"name": "c", "ready": False, "restartCount": 0, "state": {"running": {}}}])
    assert _cells(pod)[1:3] == ["0/1", "Running"]


def test_terminated_reasons_and_exit_codes() -> None:
    done = _pod(
        [{"name": "c", "restartCount": 0, "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}],
        phase="Succeeded",
    )
    assert _cells(done)[2] == "Completed"
    assert to_table("Pod", [done], NOW)["rows"][0]["conditions"][0]["reason"] == "Succeeded"
    err = _pod(
        [{"name": "c", "restartCount": 0, "state": {"terminated": {"exitCode": 1, "reason": "Error"}}}],
        phase="Failed",
    )
    assert _cells(err)[2] == "Error"
    signal = _pod([{"name": "c", "restartCount": 0, "state": {"terminated": {"exitCode": 0, "signal": 9}}}])
    assert _cells(signal)[2] == "Signal:9"
    code = _pod([{"name": "c", "restartCount": 0, "state": {"terminated": {"exitCode": 2}}}])
    assert _cells(code)[2] == "ExitCode:2"


def test_completed_with_running_sibling_becomes_running_or_notready() -> None:
    statuses = [
        {"name": "a", "ready": True, "restartCount": 0, "state": {"running": {}}},
        {
            "name": "b",
            "ready": False,
            "restartCount": 0,
            "state": {"terminated": {"exitCode": 0, "reason": "Completed"}},
        },
    ]
    assert _cells(_pod(statuses, ready=False))[1:3] == ["1/2", "NotReady"]
    assert _cells(_pod(statuses, ready=True))[1:3] == ["1/2", "Running"]


def test_creating_pending_and_terminating() -> None:
    creating = _pod(
        [{"name": "c", "restartCount": 0, "state": {"waiting": {"reason": "ContainerCreating"}}}],
        phase="Pending",
    )
    assert _cells(creating)[2] == "ContainerCreating"
    pending = _pod([], phase="Pending")
    pending["status"].pop("podIPs")
    pending["status"].pop("podIP")
    assert _cells(pending)[1:3] == ["0/0", "Pending"]
    assert _cells(pending)[5] == "<none>"
    deleting = _pod(
        [{"name": "c", "ready": True, "restartCount": 0, "state": {"running": {}}}],
        deletionTimestamp="2026-11-28T06:00:30Z",
    )
    assert _cells(deleting)[2] == "Terminating"


def test_init_containers() -> None:
    pod = _pod(
        [{"name": "c", "restartCount": 0, "state": {"waiting": {"reason": "PodInitializing"}}}],
        phase="Pending",
    )
    pod["spec"]["initContainers"] = [{"name": "init", "image": "i"}]
    pod["status"]["initContainerStatuses"] = [{"name": "init", "restartCount": 0, "state": {"running": {}}}]
    assert _cells(pod)[2] == "Init:0/1"
    pod["status"]["initContainerStatuses"] = [
        {"name": "init", "restartCount": 2, "state": {"waiting": {"reason": "CrashLoopBackOff"}}}
    ]
    assert _cells(pod)[2:4] == ["Init:CrashLoopBackOff", "2"]


def test_deployment_and_replicaset_rows() -> None:
    d: dict[str, Any] = {
        "metadata": {"name": "wiremock", "creationTimestamp": "2026-11-28T04:00:00Z"},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "wiremock"}},
            "template": {
                "spec": {
                    "containers": [
                        {"name": "wiremock", "image": "wiremock/wiremock:2.35.0"},
                        {"name": "s", "image": "busybox"},
                    ]
                }
            },
        },
        "status": {"readyReplicas": 1, "updatedReplicas": 2, "availableReplicas": 1},
    }
    table = to_table("Deployment", [d], NOW)
    assert [c["name"] for c in table["columnDefinitions"]] == [
        "Name",
        "Ready",
        "Up-to-date",
        "Available",
        "Age",
        "Containers",
        "Images",
        "Selector",
    ]
    assert table["rows"][0]["cells"] == [
        "wiremock",
        "1/2",
        2,
        1,
        "120m",
        "wiremock,s",
        "wiremock/wiremock:2.35.0,busybox",
        "app=wiremock",
    ]
    rs = {
        "metadata": {"name": "wiremock-7c5ddbdf54", "creationTimestamp": "2026-11-28T05:00:00Z"},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"pod-template-hash": "7c5ddbdf54", "app": "wiremock"}},
            "template": d["spec"]["template"],
        },
        "status": {"replicas": 1},
    }
    table = to_table("ReplicaSet", [rs], NOW)
    assert [c["name"] for c in table["columnDefinitions"]][:5] == [
        "Name",
        "Desired",
        "Current",
        "Ready",
        "Age",
    ]
    assert table["rows"][0]["cells"][:5] == ["wiremock-7c5ddbdf54", 1, 1, 0, "60m"]
    assert table["rows"][0]["cells"][7] == "app=wiremock,pod-template-hash=7c5ddbdf54"


def test_event_rows() -> None:
    ev = {
        "metadata": {"name": "wiremock-abc.18ec", "namespace": "default"},
        "involvedObject": {"kind": "Pod", "name": "wiremock-abc", "fieldPath": "spec.containers{wiremock}"},
        "reason": "Unhealthy",
        "message": "Liveness probe failed: HTTP probe failed with statuscode: 404\n",
        "source": {"component": "kubelet", "host": "podlab"},
        "firstTimestamp": "2026-11-28T05:58:00Z",
        "lastTimestamp": "2026-11-28T05:59:50Z",
        "count": 4,
        "type": "Warning",
    }
    table = to_table("Event", [ev], NOW)
    names = [(c["name"], c["priority"]) for c in table["columnDefinitions"]]
    assert [n for n, p in names if p == 0] == ["Last Seen", "Type", "Reason", "Object", "Message"]
    assert table["rows"][0]["cells"] == [
        "10s", "Warning", "Unhealthy", "pod/wiremock-abc", "spec.containers{wiremock}", "kubelet, podlab",
        "Liveness probe failed: HTTP probe failed with statuscode: 404", "2m", 4, "wiremock-abc.18ec",
    ]  # fmt: skip
    singleton = {
        "metadata": {"name": "e"},
        "involvedObject": {"kind": "Deployment", "name": "d"},
        "eventTime": "2026-11-28T05:59:59.500000Z",
        "reportingController": "x",
    }
    cells = to_table("Event", [singleton], NOW)["rows"][0]["cells"]
    assert cells[0] == "0s" and cells[5] == "<unknown>" and cells[8] == 1


def test_config_namespace_service_and_default_tables() -> None:
    cm = {
        "metadata": {"name": "wiremock-mappings", "creationTimestamp": "2026-11-28T05:59:00Z"},
        "data": {"a": "1", "b": "2"},
        "binaryData": {"c": "eA=="},
    }
    assert to_table("ConfigMap", [cm], NOW)["rows"][0]["cells"] == ["wiremock-mappings", 3, "60s"]
    secret = {
        "metadata": {"name": "s", "creationTimestamp": "2026-11-28T05:59:00Z"},
        "type": "Opaque",
        "data": {"a": "MQ=="},
    }
    assert to_table("Secret", [secret], NOW)["rows"][0]["cells"] == ["s", "Opaque", 1, "60s"]
    ns = {
        "metadata": {"name": "default", "creationTimestamp": "2026-11-27T06:00:00Z"},
        "status": {"phase": "Active"},
    }
    assert to_table("Namespace", [ns], NOW)["rows"][0]["cells"] == ["default", "Active", "24h"]
    svc = {
        "metadata": {"name": "web"},
        "spec": {
            "type": "ClusterIP",
            "clusterIP": "10.0.0.1",
            "ports": [{"port": 80, "protocol": "TCP"}],
            "selector": {"app": "web"},
        },
    }
    assert to_table("Service", [svc], NOW)["rows"][0]["cells"] == [
        "web",
        "ClusterIP",
        "10.0.0.1",
        "<none>",
        "80/TCP",
        "<unknown>",
        "app=web",
    ]
    other = to_table(
        "Widget", [{"metadata": {"name": "w", "creationTimestamp": "2026-11-28T05:00:00Z"}}], NOW
    )
    assert [c["name"] for c in other["columnDefinitions"]] == ["Name", "Created At"]
    assert other["rows"][0]["cells"] == ["w", "2026-11-28T05:00:00Z"]


def test_node_row_ready_roles_and_version() -> None:
    from datetime import UTC, datetime

    from podlab.k8s import to_table

    node = {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": "podlab",
            "creationTimestamp": "2026-11-28T07:00:00Z",
            "labels": {"node-role.kubernetes.io/control-plane": ""},
        },
        "spec": {"unschedulable": True},
        "status": {
            "conditions": [{"type": "Ready", "status": "True"}],
            "addresses": [{"type": "InternalIP", "address": "127.0.0.1"}],
            "nodeInfo": {
                "kubeletVersion": "v1.33.0",
                "osImage": "podlab",
                "kernelVersion": "6.1",
                "containerRuntimeVersion": "podlab://0.1.0",
            },
        },
    }
    table = to_table("Node", [node], datetime(2026, 11, 28, 7, 0, 42, tzinfo=UTC))
    assert [c["name"] for c in table["columnDefinitions"]][:5] == [
        "Name",
        "Status",
        "Roles",
        "Age",
        "Version",
    ]
    assert table["rows"][0]["cells"] == [
        "podlab",
        "Ready,SchedulingDisabled",
        "control-plane",
        "42s",
        "v1.33.0",
        "127.0.0.1",
        "<none>",
        "podlab",
        "6.1",
        "podlab://0.1.0",
    ]
