"""batch/v1 CronJob and apps/v1 DaemonSet on a real node with real kubectl: a DaemonSet's pod
becomes Ready and an env change rolls it (`kubectl rollout status ds/x`); a CronJob made with
`kubectl create cronjob` (protobuf), run by hand with `kubectl create job --from=cronjob/x` and
twice by its schedule on a sped-up cronjob clock (PODLAB_CRONJOB_CLOCK_SPEED, test-only);
bad input refused with Kubernetes' Status."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest

from .conftest import RunningNode, start_node, stop_node, wait_for

NS = "default"
# 60x: a `* * * * *` schedule fires about once a second.
SPEED = "60"


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningNode]:
    before = os.environ.get("PODLAB_CRONJOB_CLOCK_SPEED")
    os.environ["PODLAB_CRONJOB_CLOCK_SPEED"] = SPEED
    try:
        running_node = start_node(tmp_path_factory.mktemp("cron"))
    finally:
        if before is None:
            os.environ.pop("PODLAB_CRONJOB_CLOCK_SPEED", None)
        else:
            os.environ["PODLAB_CRONJOB_CLOCK_SPEED"] = before
    yield running_node
    stop_node(running_node)


@pytest.fixture(scope="module")
def batch(node: RunningNode) -> Any:
    from kubernetes import client, config

    return client.BatchV1Api(config.new_client_from_config(config_file=str(node.kubeconfig)))


def events_of(node: RunningNode, kind: str, name: str) -> list[tuple[str, str, str]]:
    items = node.core_api().list_namespaced_event(NS, field_selector=f"involvedObject.name={name}").items
    return [(e.reason, e.message, e.source.component) for e in items if e.involved_object.kind == kind]


DAEMONSET = """apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  selector:
    matchLabels: {app: agent}
  template:
    metadata:
      labels: {app: agent}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: c
        image: busybox
        command: ["sh", "-c", "echo color=$COLOR; exec sleep 3600"]
        env: [{name: COLOR, value: blue}]
"""


def agent_pods(node: RunningNode) -> list[Any]:
    pods = node.core_api().list_namespaced_pod(NS, label_selector="app=agent").items
    return [p for p in pods if p.metadata.deletion_timestamp is None]


def test_daemonset_runs_one_pod_and_rolls_it_on_an_env_change(node: RunningNode, tmp_path: Any) -> None:
    path = tmp_path / "ds.yaml"
    path.write_text(DAEMONSET)
    node.kubectl("apply", "-f", str(path))
    node.kubectl("rollout", "status", "ds/agent", "--timeout=20s")
    (first,) = agent_pods(node)
    assert first.metadata.name.startswith("agent-") and first.spec.node_name == "podlab"
    assert "controller-revision-hash" in first.metadata.labels
    row = node.kubectl("get", "ds", "agent", "--no-headers").stdout.split()
    assert row[:7] == ["agent", "1", "1", "1", "1", "1", "<none>"]
    header = node.kubectl("get", "ds").stdout.splitlines()[0].split()
    assert header[:8] == [
        "NAME",
        "DESIRED",
        "CURRENT",
        "READY",
        "UP-TO-DATE",
        "AVAILABLE",
        "NODE",
        "SELECTOR",
    ]

    node.kubectl("set", "env", "ds/agent", "COLOR=green")
    node.kubectl("rollout", "status", "ds/agent", "--timeout=20s")
    pods = wait_for(
        lambda: [
            p
            for p in agent_pods(node)
            if p.metadata.name != first.metadata.name and p.status.phase == "Running"
        ],
        timeout=15,
        what="the rolled pod",
    )
    (second,) = pods
    assert (
        second.metadata.labels["controller-revision-hash"]
        != first.metadata.labels["controller-revision-hash"]
    )
    assert second.metadata.labels["pod-template-generation"] == "2"
    wait_for(
        lambda: "color=green" in node.kubectl("logs", second.metadata.name, check=False).stdout,
        timeout=10,
        what="the new pod's log",
    )
    events = events_of(node, "DaemonSet", "agent")
    created = [e for e in events if e[0] == "SuccessfulCreate"]
    assert (("SuccessfulCreate", f"Created pod: {first.metadata.name}", "daemonset-controller")) in created
    assert ("SuccessfulDelete", f"Deleted pod: {first.metadata.name}", "daemonset-controller") in events
    ds = node.apps_api().read_namespaced_daemon_set("agent", NS)
    assert ds.status.observed_generation == 2 and ds.status.updated_number_scheduled == 1
    node.kubectl("delete", "ds", "agent", "--wait=false")


def test_cronjob_runs_by_hand_and_twice_by_schedule(node: RunningNode, batch: Any) -> None:
    # kubectl create cronjob sends protobuf.
    node.kubectl(
        "create", "cronjob", "hello", "--image=busybox", "--schedule=* * * * *", "--", "sh", "-c", "echo hi"
    )
    header, row = node.kubectl("get", "cronjobs").stdout.splitlines()[:2]
    assert header.split() == ["NAME", "SCHEDULE", "TIMEZONE", "SUSPEND", "ACTIVE", "LAST", "SCHEDULE", "AGE"]
    assert row.split()[:7] == ["hello", "*", "*", "*", "*", "*", "<none>"]

    node.kubectl("create", "job", "by-hand", "--from=cronjob/hello")
    manual = batch.read_namespaced_job("by-hand", NS)
    assert manual.metadata.annotations["cronjob.kubernetes.io/instantiate"] == "manual"
    (ref,) = manual.metadata.owner_references
    # kubectl 1.37 makes it a controller reference (so the CronJob's history counts it).
    assert (ref.kind, ref.name, ref.uid) == (
        "CronJob",
        "hello",
        batch.read_namespaced_cron_job("hello", NS).metadata.uid,
    )
    node.kubectl("wait", "--for=condition=complete", "job/by-hand", "--timeout=20s")
    assert node.kubectl("logs", "job/by-hand").stdout == "hi\n"

    def scheduled() -> list[Any]:
        jobs = batch.list_namespaced_job(NS).items
        return [j for j in jobs if j.metadata.name != "by-hand" and j.metadata.name.startswith("hello-")]

    jobs: list[Any] = wait_for(lambda: scheduled()[1:] and scheduled(), timeout=15, what="two scheduled Jobs")
    for job in jobs:
        minutes = int(job.metadata.name.removeprefix("hello-"))
        stamp = job.metadata.annotations["batch.kubernetes.io/cronjob-scheduled-timestamp"]
        assert stamp.endswith(":00Z") and minutes > 29_000_000
        (ref,) = job.metadata.owner_references
        assert (ref.kind, ref.controller) == ("CronJob", True)
    events = events_of(node, "CronJob", "hello")
    assert any(e[0] == "SuccessfulCreate" and e[1].startswith("Created job hello-") for e in events)
    assert all(e[2] == "cronjob-controller" for e in events)
    cj = batch.read_namespaced_cron_job("hello", NS)
    assert cj.status.last_schedule_time is not None
    node.kubectl("delete", "cronjob", "hello")
    wait_for(
        lambda: not batch.list_namespaced_job(NS).items, timeout=15, what="the CronJob's Jobs to be collected"
    )


def test_bad_cronjob_gets_kubernetes_status(node: RunningNode, batch: Any) -> None:
    from kubernetes.client.exceptions import ApiException

    result = node.kubectl("create", "cronjob", "bad", "--image=busybox", "--schedule=61 * * * *", check=False)
    assert result.stderr == (
        'error: failed to create cronjob: CronJob.batch "bad" is invalid: spec.schedule: Invalid value: '
        '"61 * * * *": end of range (61) above maximum (59): 61\n'
    )
    body = {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": "bad"},
        "spec": {
            "schedule": "@hourly",
            "timeZone": "Mars/Olympus",
            "jobTemplate": {
                "spec": {
                    "template": {
                        "spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]}
                    }
                }
            },
        },
    }
    with pytest.raises(ApiException) as info:
        batch.create_namespaced_cron_job(NS, body)
    assert info.value.status == 422
    status = json.loads(str(info.value.body))
    assert (status["reason"], status["details"]["kind"]) == ("Invalid", "CronJob")
    assert status["details"]["causes"] == [
        {
            "reason": "FieldValueInvalid",
            "message": 'Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus',
            "field": "spec.timeZone",
        }
    ]
