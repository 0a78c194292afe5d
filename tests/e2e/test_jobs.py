"""batch/v1 Jobs on a real node with real kubectl and the official client: an Indexed Job with a
failing index and backoffLimit, completion with `kubectl wait`, `kubectl logs job/x`, cascading
delete, a liveness probe that restarts an OnFailure pod until the backoff limit, the active
deadline and ttlSecondsAfterFinished. Words as the job controller (pkg/controller/job) says them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import RunningNode, start_node, stop_node, wait_for

NS = "default"
BACKOFF = ("BackoffLimitExceeded", "Job has reached the specified backoff limit")


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningNode]:
    running_node = start_node(tmp_path_factory.mktemp("jobs"))
    yield running_node
    stop_node(running_node)


@pytest.fixture(scope="module")
def batch(node: RunningNode) -> Any:
    from kubernetes import client, config

    return client.BatchV1Api(config.new_client_from_config(config_file=str(node.kubeconfig)))


@pytest.fixture(scope="module")
def core(node: RunningNode) -> Any:
    return node.core_api()


def apply(node: RunningNode, tmp: Path, text: str) -> None:
    path = tmp / "job.yaml"
    path.write_text(text)
    node.kubectl("apply", "-f", str(path))


def job_yaml(name: str, spec: str, container: str, restart: str = "Never") -> str:
    return f"""apiVersion: batch/v1
kind: Job
metadata:
  name: {name}
spec:
{spec}
  template:
    spec:
      restartPolicy: {restart}
      terminationGracePeriodSeconds: 1
      containers:
      - name: w
        image: busybox
{container}
"""


def conditions(job: Any) -> list[tuple[str, str, str, str]]:
    return [(c.type, c.status, c.reason, c.message) for c in job.status.conditions or []]


def job_pods(core: Any, name: str) -> list[Any]:
    return list(core.list_namespaced_pod(NS, label_selector=f"batch.kubernetes.io/job-name={name}").items)


def job_events(core: Any, name: str) -> list[tuple[str, str, str]]:
    items = core.list_namespaced_event(NS, field_selector=f"involvedObject.name={name}").items
    return [(e.type, e.reason, e.message) for e in items if e.involved_object.kind == "Job"]


def test_indexed_job_with_a_failing_index_reaches_its_backoff_limit(
    node: RunningNode, batch: Any, core: Any, tmp_path: Path
) -> None:
    # Index 1 fails a second after the others succeeded (had it failed first, the Job would delete
    # the running pods and count them as failed too, as Kubernetes does).
    command = """        command: ["sh", "-c", "echo index=$JOB_COMPLETION_INDEX host=$(hostname); test $JOB_COMPLETION_INDEX != 1 || (sleep 1; exit 1)"]"""
    spec = "  completions: 3\n  parallelism: 3\n  completionMode: Indexed\n  backoffLimit: 0"
    apply(node, tmp_path, job_yaml("idx", spec, command))
    node.kubectl("wait", "--for=condition=failed", "job/idx", "--timeout=20s")
    job = batch.read_namespaced_job("idx", NS)
    assert conditions(job) == [("FailureTarget", "True", *BACKOFF), ("Failed", "True", *BACKOFF)]
    assert (job.status.succeeded, job.status.failed, job.status.active) == (2, 1, None)
    assert job.status.completed_indexes == "0,2" and job.status.completion_time is None
    assert job.spec.selector.match_labels == {"batch.kubernetes.io/controller-uid": job.metadata.uid}
    row = node.kubectl("get", "job", "idx", "--no-headers").stdout.split()
    assert row[:3] == ["idx", "Failed", "2/3"]
    pods = {
        p.metadata.annotations["batch.kubernetes.io/job-completion-index"]: p for p in job_pods(core, "idx")
    }
    assert sorted(pods) == ["0", "1", "2"]
    for index, pod in pods.items():
        assert pod.metadata.name.startswith(f"idx-{index}-") and pod.spec.hostname == f"idx-{index}"
        assert pod.metadata.labels["batch.kubernetes.io/job-completion-index"] == index
        assert pod.metadata.labels["job-name"] == "idx"
        assert pod.metadata.labels["controller-uid"] == job.metadata.uid
        ref = pod.metadata.owner_references[0]
        assert (ref.kind, ref.name, ref.controller, ref.block_owner_deletion) == ("Job", "idx", True, True)
        assert not pod.metadata.finalizers  # batch.kubernetes.io/job-tracking removed once counted
    assert pods["1"].status.phase == "Failed" and pods["2"].status.phase == "Succeeded"
    log = node.kubectl("logs", pods["2"].metadata.name).stdout
    assert log == "index=2 host=idx-2\n"
    events = job_events(core, "idx")
    assert ("Warning", *BACKOFF) in events
    assert sum(1 for e in events if e[1] == "SuccessfulCreate") == 3
    described = node.kubectl("describe", "job", "idx").stdout
    assert "Completed Indexes:  0,2" in described
    assert "Pods Statuses:      0 Active (0 Ready) / 2 Succeeded / 1 Failed" in described


def test_job_completes_waits_logs_and_deletes_with_its_pods(
    node: RunningNode, batch: Any, core: Any, tmp_path: Path
) -> None:
    spec = "  completions: 2\n  parallelism: 2"
    apply(node, tmp_path, job_yaml("pi", spec, '        command: ["echo", "done"]'))
    node.kubectl("wait", "--for=condition=complete", "job/pi", "--timeout=20s")
    job = batch.read_namespaced_job("pi", NS)
    reached = ("CompletionsReached", "Reached expected number of succeeded pods")
    assert conditions(job) == [("SuccessCriteriaMet", "True", *reached), ("Complete", "True", *reached)]
    assert job.status.succeeded == 2 and job.status.completion_time is not None
    assert node.kubectl("get", "job", "pi", "--no-headers").stdout.split()[:3] == ["pi", "Complete", "2/2"]
    assert node.kubectl("logs", "job/pi").stdout == "done\n"
    assert ("Normal", "Completed", "Job completed") in job_events(core, "pi")
    assert len(job_pods(core, "pi")) == 2
    node.kubectl("delete", "job", "pi")
    wait_for(lambda: not job_pods(core, "pi"), timeout=15, what="the Job's pods to be collected")


def test_liveness_failure_restarts_an_on_failure_pod_until_the_backoff_limit(
    node: RunningNode, batch: Any, core: Any, tmp_path: Path
) -> None:
    container = """        command: ["sleep", "60"]
        livenessProbe:
          exec: {command: ["false"]}
          periodSeconds: 1
          failureThreshold: 1"""
    apply(node, tmp_path, job_yaml("live", "  backoffLimit: 1", container, restart="OnFailure"))
    node.kubectl("wait", "--for=condition=failed", "job/live", "--timeout=25s")
    job = batch.read_namespaced_job("live", NS)
    assert conditions(job)[-1] == ("Failed", "True", *BACKOFF)
    assert ("Warning", *BACKOFF) in job_events(core, "live")
    # The kubelet restarted the container in place; the restart reached the limit, so the job
    # controller deleted the pod (gone by now) and said so.
    events = core.list_namespaced_event(NS).items
    killing = [
        e.message for e in events if e.reason == "Killing" and e.involved_object.name.startswith("live-")
    ]
    assert "Container w failed liveness probe, will be restarted" in killing
    assert any(e[1] == "SuccessfulDelete" for e in job_events(core, "live"))


def test_active_deadline_fails_the_job_and_ttl_deletes_it(
    node: RunningNode, batch: Any, core: Any, tmp_path: Path
) -> None:
    spec = "  activeDeadlineSeconds: 1\n  ttlSecondsAfterFinished: 1"
    apply(node, tmp_path, job_yaml("slow", spec, '        command: ["sleep", "60"]'))
    node.kubectl("wait", "--for=condition=failed", "job/slow", "--timeout=15s")
    deadline = ("DeadlineExceeded", "Job was active longer than specified deadline")
    assert ("Warning", *deadline) in job_events(core, "slow")
    node.kubectl("wait", "--for=delete", "job/slow", "--timeout=15s")
    wait_for(lambda: not job_pods(core, "slow"), timeout=15, what="the expired Job's pods to be collected")
