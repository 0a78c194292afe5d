"""Job controller decisions (sans-IO): pods from the template, counting finished pods before
their tracking finalizer goes, interim then terminal conditions, backoff limit (failures and
OnFailure restarts), active deadline, suspend, the failure back-off, TTL and orphans."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from podlab.controllers.actions import (
    CreateObject,
    DeleteObject,
    PatchObject,
    RecordEvent,
    SetStatus,
)
from podlab.controllers.job import creation_backoff, sync_job
from podlab.controllers.job_cleanup import orphan_finalizers, ttl_expired
from podlab.controllers.job_pods import TRACKING_FINALIZER, format_indexes, parse_indexes
from podlab.k8s.timestamps import format_time

from .world import T0

UID = "job-uid"


def job(**spec: Any) -> dict[str, Any]:
    labels = {"batch.kubernetes.io/controller-uid": UID, "batch.kubernetes.io/job-name": "pi"}
    status = spec.pop("status", {})
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "pi", "namespace": "default", "uid": UID},
        "spec": {
            "completions": 1,
            "parallelism": 1,
            "backoffLimit": 6,
            "completionMode": "NonIndexed",
            "suspend": False,
            "selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": UID}},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"restartPolicy": "Never", "containers": [{"name": "w", "image": "busybox"}]},
            },
            **spec,
        },
        "status": status,
    }


def pod(
    name: str, phase: str = "Running", *, index: int | None = None, at: float = 0, **extra: Any
) -> dict[str, Any]:
    labels = {"batch.kubernetes.io/controller-uid": UID}
    annotations = {}
    if index is not None:
        annotations["batch.kubernetes.io/job-completion-index"] = str(index)
    finished = format_time(T0 + timedelta(seconds=at))
    state = {"terminated": {"finishedAt": finished}} if phase in ("Succeeded", "Failed") else {"running": {}}
    meta = {
        "name": name,
        "namespace": "default",
        "uid": f"uid-{name}",
        "labels": labels,
        "annotations": annotations,
        "finalizers": [TRACKING_FINALIZER],
        "ownerReferences": [{"kind": "Job", "name": "pi", "uid": UID, "controller": True}],
        "creationTimestamp": format_time(T0),
    }
    meta.update(extra.pop("meta", {}))
    return {
        "metadata": meta,
        "status": {
            "phase": phase,
            "containerStatuses": [{"name": "w", "state": state, "restartCount": extra.pop("restarts", 0)}],
        },
    }


def of(actions: list[Any], kind: type) -> list[Any]:
    return [a for a in actions if isinstance(a, kind)]


def status_of(actions: list[Any]) -> dict[str, Any]:
    (status,) = of(actions, SetStatus)
    return dict(status.status)


def test_creates_parallelism_pods_with_finalizer_labels_and_owner() -> None:
    actions = sync_job(job(completions=5, parallelism=2), [], T0)
    creates = of(actions, CreateObject)
    assert len(creates) == 2
    made = creates[0].obj
    assert made["metadata"]["generateName"] == "pi-"
    assert made["metadata"]["finalizers"] == [TRACKING_FINALIZER]
    assert made["metadata"]["ownerReferences"][0]["controller"] is True
    assert creates[0].event == ("SuccessfulCreate", "Created pod: {name}")
    assert creates[0].component == "job-controller"
    status = status_of(actions)
    assert status["startTime"] == format_time(T0)
    assert status["ready"] == 0 and status["terminating"] == 0 and status["uncountedTerminatedPods"] == {}


def test_indexed_pods_carry_their_index() -> None:
    actions = sync_job(job(completions=3, parallelism=3, completionMode="Indexed"), [pod("a", index=1)], T0)
    made = [c.obj for c in of(actions, CreateObject)]
    assert [m["metadata"]["generateName"] for m in made] == ["pi-0-", "pi-2-"]
    first = made[0]
    assert first["spec"]["hostname"] == "pi-0"
    assert first["metadata"]["annotations"]["batch.kubernetes.io/job-completion-index"] == "0"
    assert first["metadata"]["labels"]["batch.kubernetes.io/job-completion-index"] == "0"
    assert first["spec"]["containers"][0]["env"] == [
        {
            "name": "JOB_COMPLETION_INDEX",
            "valueFrom": {
                "fieldRef": {"fieldPath": "metadata.labels['batch.kubernetes.io/job-completion-index']"}
            },
        }
    ]


def test_success_is_counted_then_criteria_met_then_complete() -> None:
    j = job()
    actions = sync_job(j, [pod("a", "Succeeded")], T0)
    status = status_of(actions)
    assert status["succeeded"] == 1
    assert [(c["type"], c["reason"]) for c in status["conditions"]] == [
        ("SuccessCriteriaMet", "CompletionsReached"),
        ("Complete", "CompletionsReached"),
    ]
    assert status["completionTime"] == format_time(T0)
    assert of(actions, PatchObject)[0].merge == {"metadata": {"finalizers": None}}
    assert [(e.type, e.reason, e.message) for e in of(actions, RecordEvent)] == [
        ("Normal", "Completed", "Job completed")
    ]
    # The status write comes before the finalizer removal: a crash between never loses a count.
    assert actions.index(of(actions, SetStatus)[0]) < actions.index(of(actions, PatchObject)[0])


def test_backoff_limit_failure_target_first_failed_once_pods_are_gone() -> None:
    j = job(completions=2, parallelism=2, backoffLimit=0)
    actions = sync_job(j, [pod("a", "Failed"), pod("b")], T0)
    status = status_of(actions)
    assert [(c["type"], c["reason"], c["message"]) for c in status["conditions"]] == [
        ("FailureTarget", "BackoffLimitExceeded", "Job has reached the specified backoff limit")
    ]
    assert [d.name for d in of(actions, DeleteObject)] == ["b"]
    assert status["failed"] == 1 and not of(actions, RecordEvent)
    # Next sync: b is terminating (counted failed), then gone.
    j["status"] = status
    terminating = pod("b", meta={"deletionTimestamp": format_time(T0)})
    a_counted = pod("a", "Failed", meta={"finalizers": []})
    status = status_of(sync_job(j, [a_counted, terminating], T0))
    assert status["failed"] == 2 and status["terminating"] == 1
    assert [c["type"] for c in status["conditions"]] == ["FailureTarget"]
    j["status"] = status
    actions = sync_job(j, [a_counted], T0 + timedelta(seconds=1))
    status = status_of(actions)
    assert [c["type"] for c in status["conditions"]] == ["FailureTarget", "Failed"]
    assert [(e.type, e.reason) for e in of(actions, RecordEvent)] == [("Warning", "BackoffLimitExceeded")]


def test_on_failure_restarts_count_toward_the_backoff_limit() -> None:
    j = job(backoffLimit=2)
    j["spec"]["template"]["spec"]["restartPolicy"] = "OnFailure"
    assert "conditions" not in status_of(sync_job(j, [pod("a", restarts=1)], T0))
    status = status_of(sync_job(j, [pod("a", restarts=2)], T0))
    assert status["conditions"][0]["reason"] == "BackoffLimitExceeded"


def test_active_deadline_counts_from_start_time() -> None:
    start = {"startTime": format_time(T0)}
    j = job(activeDeadlineSeconds=5, status=start)
    assert not of(sync_job(j, [pod("a")], T0 + timedelta(seconds=4)), DeleteObject)
    actions = sync_job(j, [pod("a")], T0 + timedelta(seconds=5))
    assert status_of(actions)["conditions"][0]["reason"] == "DeadlineExceeded"
    assert status_of(actions)["conditions"][0]["message"] == "Job was active longer than specified deadline"
    assert [d.name for d in of(actions, DeleteObject)] == ["a"]


def test_suspend_deletes_active_pods_and_resume_resets_start_time() -> None:
    j = job(suspend=True, status={"startTime": format_time(T0)})
    actions = sync_job(j, [pod("a")], T0)
    status = status_of(actions)
    assert [d.name for d in of(actions, DeleteObject)] == ["a"]
    # deleteJobPods: the finalizer goes before the delete, so the pod is never counted.
    assert actions.index(of(actions, PatchObject)[0]) < actions.index(of(actions, DeleteObject)[0])
    assert [(c["type"], c["status"], c["reason"]) for c in status["conditions"]] == [
        ("Suspended", "True", "JobSuspended")
    ]
    assert [(e.reason, e.message) for e in of(actions, RecordEvent)] == [("Suspended", "Job suspended")]
    j["status"] = status
    released = pod("a", meta={"deletionTimestamp": format_time(T0), "finalizers": []})
    status = status_of(sync_job(j, [released], T0))
    assert "failed" not in status and status["terminating"] == 1
    j["status"], j["spec"]["suspend"] = status, False
    later = T0 + timedelta(seconds=30)
    actions = sync_job(j, [], later)
    status = status_of(actions)
    assert status["startTime"] == format_time(later)
    assert status["conditions"][0]["reason"] == "JobResumed" and len(of(actions, CreateObject)) == 1


def test_failure_back_off_delays_replacement_pods() -> None:
    j = job(backoffLimit=6)
    failed = pod("a", "Failed", at=0, meta={"finalizers": []})
    assert creation_backoff(j, [failed], T0 + timedelta(seconds=3)) == 7.0
    assert not of(sync_job(j, [failed], T0 + timedelta(seconds=3)), CreateObject)
    assert len(of(sync_job(j, [failed], T0 + timedelta(seconds=10)), CreateObject)) == 1
    second = pod("b", "Failed", at=10, meta={"finalizers": []})
    assert creation_backoff(j, [failed, second], T0 + timedelta(seconds=10)) == 20.0


def test_work_queue_keeps_running_pods_after_a_success() -> None:
    j = job(completions=None, parallelism=2)
    actions = sync_job(j, [pod("a", "Succeeded"), pod("b")], T0)
    assert not of(actions, DeleteObject) and not of(actions, CreateObject)
    assert "conditions" not in status_of(actions)
    status = status_of(sync_job(j, [pod("a", "Succeeded"), pod("b", "Succeeded")], T0))
    assert [c["type"] for c in status["conditions"]] == ["SuccessCriteriaMet", "Complete"]


def test_indexes_round_trip() -> None:
    assert format_indexes({0, 1, 2, 4, 6, 7}) == "0-2,4,6-7"
    assert parse_indexes("0-2,4,9", 5) == {0, 1, 2, 4}


def test_indexed_success_needs_every_index() -> None:
    j = job(completions=3, parallelism=3, completionMode="Indexed")
    pods = [pod("a", "Succeeded", index=0), pod("b", "Succeeded", index=2), pod("c", "Succeeded", index=2)]
    status = status_of(sync_job(j, pods, T0))
    assert status["completedIndexes"] == "0,2" and status["succeeded"] == 2


def test_ttl_after_finished_and_orphaned_finalizers() -> None:
    finished = {"conditions": [{"type": "Complete", "status": "True", "lastTransitionTime": format_time(T0)}]}
    j = job(ttlSecondsAfterFinished=5, status=finished)
    assert ttl_expired(j, T0 + timedelta(seconds=4)) is None
    expired = ttl_expired(j, T0 + timedelta(seconds=5))
    assert expired is not None and (expired.name, expired.uid) == ("pi", UID)
    patches = orphan_finalizers([pod("a"), pod("b", meta={"finalizers": []})], [])
    assert [(p.name, p.merge) for p in patches] == [("a", {"metadata": {"finalizers": None}})]
    assert orphan_finalizers([pod("a")], [j]) == []


def _exited(name: str, code: int, **extra: Any) -> dict[str, Any]:
    p = pod(name, "Failed", **extra)
    p["status"]["containerStatuses"][0]["state"] = {
        "terminated": {"exitCode": code, "finishedAt": format_time(T0)}
    }
    return p


POLICY = {
    "rules": [
        {"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget", "status": "True"}]},
        {"action": "FailJob", "onExitCodes": {"containerName": "w", "operator": "In", "values": [42]}},
        {"action": "Ignore", "onExitCodes": {"operator": "In", "values": [3]}},
    ]
}


def test_pod_failure_policy_fail_job_and_ignore() -> None:
    j = job(completions=2, parallelism=2, podFailurePolicy=POLICY)
    actions = sync_job(j, [_exited("a", 42), pod("b")], T0)
    status = status_of(actions)
    assert [(c["type"], c["reason"], c["message"]) for c in status["conditions"]] == [
        (
            "FailureTarget",
            "PodFailurePolicy",
            "Container w for pod default/a failed with exit code 42 matching FailJob rule at index 1",
        )
    ]
    assert [d.name for d in of(actions, DeleteObject)] == ["b"]
    # Ignore: the finalizer goes and no failure is counted (the creation back-off still applies).
    actions = sync_job(job(backoffLimit=0, podFailurePolicy=POLICY), [_exited("a", 3)], T0)
    status = status_of(actions)
    assert "failed" not in status and "conditions" not in status
    assert of(actions, PatchObject)[0].name == "a"
    # No rule matched: counted, and past a backoffLimit of 0.
    status = status_of(sync_job(job(backoffLimit=0, podFailurePolicy=POLICY), [_exited("a", 1)], T0))
    assert status["failed"] == 1 and status["conditions"][0]["reason"] == "BackoffLimitExceeded"


def test_backoff_limit_per_index() -> None:
    j = job(
        completions=3, parallelism=3, completionMode="Indexed", backoffLimitPerIndex=1, backoffLimit=2**31 - 1
    )
    first = pod("a", "Failed", index=1, at=0)
    ok = [pod("b", "Succeeded", index=0), pod("c", "Succeeded", index=2)]
    actions = sync_job(j, [first, *ok], T0)
    status = status_of(actions)
    assert (status["failedIndexes"], status["completedIndexes"], status["failed"]) == ("", "0,2", 1)
    assert not of(actions, CreateObject)  # the index's own back-off: 10 s after its failure
    j["status"] = status
    counted = [{**p, "metadata": {**p["metadata"], "finalizers": []}} for p in (first, *ok)]
    (retry,) = of(sync_job(j, counted, T0 + timedelta(seconds=10)), CreateObject)
    assert retry.obj["metadata"]["annotations"]["batch.kubernetes.io/job-index-failure-count"] == "1"
    assert retry.obj["metadata"]["generateName"] == "pi-1-"
    second = pod("d", "Failed", index=1, at=11)
    status = status_of(sync_job(j, [*counted, second], T0 + timedelta(seconds=11)))
    assert status["failedIndexes"] == "1" and status["failed"] == 2
    assert [(c["type"], c["reason"], c["message"]) for c in status["conditions"]] == [
        ("FailureTarget", "FailedIndexes", "Job has failed indexes"),
        ("Failed", "FailedIndexes", "Job has failed indexes"),
    ]
    limited = job(
        completions=3, parallelism=3, completionMode="Indexed", backoffLimitPerIndex=0, maxFailedIndexes=0
    )
    status = status_of(sync_job(limited, [pod("a", "Failed", index=1), pod("b", index=0)], T0))
    assert status["conditions"][0]["reason"] == "MaxFailedIndexesExceeded"
