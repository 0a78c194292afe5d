"""CronJob controller decisions (sans-IO, the clock passed in): the Job it creates (name in
minutes since the epoch, the scheduled-timestamp annotation, a controller reference), only the
most recent missed run, startingDeadlineSeconds, Forbid/Replace, suspend, history limits, manual
Jobs ignored, and the driver running one CronJob twice on a clock the test sets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from podlab.controllers import Controllers
from podlab.controllers.actions import CreateObject, DeleteObject, RecordEvent, SetStatus
from podlab.controllers.cronjob import SCHEDULED_TIMESTAMP, sync_cronjob
from podlab.controllers.driver import cronjob_clock_from_env
from podlab.k8s import apply_defaults
from podlab.k8s.timestamps import format_time
from podlab.store import Store

CREATED = datetime(2026, 12, 7, 13, 0, 10, tzinfo=UTC)
UID = "cj-uid"


def cronjob(status: dict[str, Any] | None = None, **spec: Any) -> dict[str, Any]:
    obj = apply_defaults(
        {
            "apiVersion": "batch/v1",
            "kind": "CronJob",
            "metadata": {
                "name": "hello",
                "namespace": "default",
                "uid": UID,
                "creationTimestamp": format_time(CREATED),
            },
            "spec": {
                "schedule": "*/5 * * * *",
                "jobTemplate": {
                    "metadata": {"labels": {"team": "a"}, "annotations": {"note": "x"}},
                    "spec": {
                        "template": {
                            "spec": {
                                "restartPolicy": "Never",
                                "containers": [{"name": "c", "image": "busybox"}],
                            }
                        }
                    },
                },
                **spec,
            },
        }
    )
    obj["status"] = status or {}
    return obj


def job(
    name: str, condition: str | None = None, *, controller: bool = True, start: str = "", done: str = ""
) -> dict[str, Any]:
    ref: dict[str, Any] = {"apiVersion": "batch/v1", "kind": "CronJob", "name": "hello", "uid": UID}
    if controller:
        ref |= {"controller": True, "blockOwnerDeletion": True}
    status: dict[str, Any] = {}
    if condition:
        status["conditions"] = [{"type": condition, "status": "True"}]
    if start:
        status["startTime"] = start
    if done:
        status["completionTime"] = done
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name, "namespace": "default", "uid": f"uid-{name}", "ownerReferences": [ref]},
        "status": status,
    }


def of(actions: list[Any], kind: type) -> list[Any]:
    return [a for a in actions if isinstance(a, kind)]


def events(actions: list[Any]) -> list[tuple[str, str]]:
    return [(e.reason, e.message) for e in of(actions, RecordEvent)]


def at(h: int, m: int, s: int = 0) -> datetime:
    return datetime(2026, 12, 7, h, m, s, tzinfo=UTC)


def test_nothing_before_the_first_schedule() -> None:
    result = sync_cronjob(cronjob(), [], at(13, 4, 59))
    assert result.actions == []
    assert result.next_at == at(13, 5)


def test_the_job_it_creates() -> None:
    result = sync_cronjob(cronjob(), [], at(13, 5, 1))
    (create,) = of(result.actions, CreateObject)
    new = create.obj
    minutes = int(at(13, 5).timestamp()) // 60
    assert new["metadata"]["name"] == f"hello-{minutes}"
    assert new["metadata"]["labels"] == {"team": "a"}
    assert new["metadata"]["annotations"] == {"note": "x", SCHEDULED_TIMESTAMP: "2026-12-07T13:05:00Z"}
    (ref,) = new["metadata"]["ownerReferences"]
    assert (ref["kind"], ref["uid"], ref["controller"]) == ("CronJob", UID, True)
    assert create.event == ("SuccessfulCreate", "Created job {name}")
    assert create.component == "cronjob-controller"
    (status,) = of(result.actions, SetStatus)
    assert status.status["lastScheduleTime"] == "2026-12-07T13:05:00Z"
    assert status.status["active"] == [
        {
            "kind": "Job",
            "namespace": "default",
            "name": new["metadata"]["name"],
            "uid": new["metadata"]["uid"],
            "apiVersion": "batch/v1",
        }
    ]
    # The create comes before the status that names it.
    assert result.actions.index(create) < result.actions.index(status)


def test_time_zone_annotation_and_schedule() -> None:
    cj = cronjob(schedule="0 14 * * *", timeZone="Europe/Berlin")
    # Created at 13:00:10 UTC, just after 14:00 in Berlin: the next run is tomorrow's.
    assert sync_cronjob(cj, [], at(13, 0, 30)).next_at == datetime(2026, 12, 8, 13, 0, tzinfo=UTC)
    cj["metadata"]["creationTimestamp"] = format_time(at(12, 0))
    result = sync_cronjob(cj, [], at(13, 0, 30))
    (create,) = of(result.actions, CreateObject)
    assert create.obj["metadata"]["annotations"][SCHEDULED_TIMESTAMP] == "2026-12-07T14:00:00+01:00"


def test_only_the_most_recent_missed_time_runs() -> None:
    cj = cronjob(status={"lastScheduleTime": format_time(at(13, 5))})
    result = sync_cronjob(cj, [], at(13, 32))
    (create,) = of(result.actions, CreateObject)
    assert create.obj["metadata"]["annotations"][SCHEDULED_TIMESTAMP] == "2026-12-07T13:30:00Z"


def test_too_many_missed_times_warns_and_still_runs() -> None:
    cj = cronjob(schedule="* * * * *")
    result = sync_cronjob(cj, [], at(16, 0, 30))
    assert (
        "TooManyMissedTimes",
        "too many missed start times: 101. Set or decrease .spec.startingDeadlineSeconds or check clock skew",
    ) in events(result.actions)
    assert len(of(result.actions, CreateObject)) == 1


def test_starting_deadline_drops_late_runs() -> None:
    """mostRecentScheduleTime starts no earlier than now - startingDeadlineSeconds, so a run
    later than the deadline is simply not a candidate (which also makes the controller's
    MissSchedule branch unreachable in practice, as in Kubernetes)."""
    cj = cronjob(startingDeadlineSeconds=10)
    assert of(sync_cronjob(cj, [], at(13, 6)).actions, CreateObject) == []
    assert len(of(sync_cronjob(cj, [], at(13, 5, 9)).actions, CreateObject)) == 1
    result = sync_cronjob(cronjob(startingDeadlineSeconds=100), [], at(13, 6, 30))
    assert len(of(result.actions, CreateObject)) == 1


def test_forbid_skips_while_a_job_runs() -> None:
    running = job("hello-1")
    ref = {
        "kind": "Job",
        "name": "hello-1",
        "uid": "uid-hello-1",
        "namespace": "default",
        "apiVersion": "batch/v1",
    }
    cj = cronjob(
        concurrencyPolicy="Forbid", status={"active": [ref], "lastScheduleTime": format_time(at(13, 0))}
    )
    result = sync_cronjob(cj, [running], at(13, 5, 1))
    assert of(result.actions, CreateObject) == []
    assert events(result.actions) == [
        (
            "JobAlreadyActive",
            "Not starting job because prior execution is running and concurrency policy is Forbid",
        )
    ]
    assert events(sync_cronjob(cj, [running], at(13, 5, 2), reported=result.reported).actions) == []


def test_replace_deletes_the_running_job_first() -> None:
    running = job("hello-1")
    ref = {
        "kind": "Job",
        "name": "hello-1",
        "uid": "uid-hello-1",
        "namespace": "default",
        "apiVersion": "batch/v1",
    }
    cj = cronjob(
        concurrencyPolicy="Replace", status={"active": [ref], "lastScheduleTime": format_time(at(13, 0))}
    )
    result = sync_cronjob(cj, [running], at(13, 5, 1))
    (delete,) = of(result.actions, DeleteObject)
    assert (delete.name, delete.event) == ("hello-1", ("SuccessfulDelete", "Deleted job hello-1"))
    (create,) = of(result.actions, CreateObject)
    assert result.actions.index(delete) < result.actions.index(create)
    (status,) = of(result.actions, SetStatus)
    assert [r["name"] for r in status.status["active"]] == [create.obj["metadata"]["name"]]


def test_allow_runs_alongside() -> None:
    running = job("hello-1")
    ref = {
        "kind": "Job",
        "name": "hello-1",
        "uid": "uid-hello-1",
        "namespace": "default",
        "apiVersion": "batch/v1",
    }
    cj = cronjob(status={"active": [ref], "lastScheduleTime": format_time(at(13, 0))})
    result = sync_cronjob(cj, [running], at(13, 5, 1))
    (status,) = of(result.actions, SetStatus)
    assert len(status.status["active"]) == 2


def test_suspended_creates_nothing() -> None:
    assert of(sync_cronjob(cronjob(suspend=True), [], at(13, 30)).actions, CreateObject) == []


def test_completed_job_leaves_active_with_events_and_last_successful_time() -> None:
    done = job("hello-1", "Complete", start="2026-12-07T13:00:01Z", done="2026-12-07T13:00:09Z")
    ref = {
        "kind": "Job",
        "name": "hello-1",
        "uid": "uid-hello-1",
        "namespace": "default",
        "apiVersion": "batch/v1",
    }
    cj = cronjob(status={"active": [ref], "lastScheduleTime": format_time(at(13, 0))})
    result = sync_cronjob(cj, [done], at(13, 1))
    (status,) = of(result.actions, SetStatus)
    assert status.status == {
        "lastScheduleTime": "2026-12-07T13:00:00Z",
        "lastSuccessfulTime": "2026-12-07T13:00:09Z",
    }
    assert events(result.actions) == [("SawCompletedJob", "Saw completed job: hello-1, status: Complete")]


def test_missing_active_job() -> None:
    ref = {"kind": "Job", "name": "gone", "uid": "uid-gone", "namespace": "default", "apiVersion": "batch/v1"}
    cj = cronjob(status={"active": [ref], "lastScheduleTime": format_time(at(13, 0))})
    result = sync_cronjob(cj, [], at(13, 1))
    assert events(result.actions) == [("MissingJob", "Active job went missing: gone")]


def test_history_limits_delete_the_oldest_finished() -> None:
    jobs = [job(f"ok-{i}", "Complete", start=f"2026-12-07T1{i}:00:00Z") for i in range(5)]
    jobs += [job(f"bad-{i}", "Failed", start=f"2026-12-07T1{i}:00:00Z") for i in range(2)]
    jobs.append(job("manual", "Complete", controller=False, start="2026-12-07T00:00:00Z"))
    cj = cronjob(status={"lastScheduleTime": format_time(at(13, 0))})
    result = sync_cronjob(cj, jobs, at(13, 1))
    deleted = [d.name for d in of(result.actions, DeleteObject)]
    # successfulJobsHistoryLimit 3, failedJobsHistoryLimit 1; the manual Job is not counted.
    assert deleted == ["ok-0", "ok-1", "bad-0"]


def test_a_running_job_it_did_not_start_is_unexpected_once() -> None:
    """kubectl 1.37's `create job --from=cronjob/x` gives the Job a controller reference."""
    manual = job("by-hand")
    cj = cronjob(status={"lastScheduleTime": format_time(at(13, 0))})
    result = sync_cronjob(cj, [manual], at(13, 1))
    assert events(result.actions) == [
        ("UnexpectedJob", "Saw a job that the controller did not create or forgot: by-hand")
    ]
    assert result.unexpected == {"uid-by-hand"}
    again = sync_cronjob(cj, [manual], at(13, 1, 1), unexpected=result.unexpected)
    assert again.actions == [] and again.unexpected == {"uid-by-hand"}


def test_manual_jobs_are_not_active() -> None:
    manual = job("hello-manual", controller=False)
    result = sync_cronjob(cronjob(status={"lastScheduleTime": format_time(at(13, 0))}), [manual], at(13, 1))
    assert result.actions == []


def test_driver_runs_a_cronjob_twice_on_a_set_clock() -> None:
    """The issue's "a CronJob running twice", in virtual time: the driver against the real Store."""
    now = [CREATED]
    store = Store(None, clock=lambda: now[0])
    controllers = Controllers(store, clock=lambda: now[0])
    cj = cronjob()
    cj["metadata"] = {"name": "hello", "namespace": "default"}
    store.create(("batch", "cronjobs"), cj)
    controllers.sync_once()
    assert store.list(("batch", "jobs"))[0] == []
    now[0] = at(13, 5, 1)
    controllers.sync_once()
    now[0] = at(13, 10, 1)
    controllers.sync_once()
    jobs, _ = store.list(("batch", "jobs"))
    minutes = int(at(13, 5).timestamp()) // 60
    assert sorted(j["metadata"]["name"] for j in jobs) == [f"hello-{minutes}", f"hello-{minutes + 5}"]
    # The API server's create strategy ran: a generated selector naming the Job's own uid.
    for j in jobs:
        assert (
            j["spec"]["selector"]["matchLabels"]["batch.kubernetes.io/controller-uid"] == j["metadata"]["uid"]
        )
    stored = store.get(("batch", "cronjobs"), "default", "hello")
    assert sorted(r["uid"] for r in stored["status"]["active"]) == sorted(j["metadata"]["uid"] for j in jobs)
    reasons = [e["reason"] for e in store.list(("", "events"))[0]]
    assert reasons.count("SuccessfulCreate") >= 2


def test_clock_speed_option() -> None:
    assert cronjob_clock_from_env({}) is None
    assert cronjob_clock_from_env({"PODLAB_CRONJOB_CLOCK_SPEED": "nope"}) is None
    ticks = iter([CREATED, CREATED + timedelta(seconds=2)])
    clock = cronjob_clock_from_env({"PODLAB_CRONJOB_CLOCK_SPEED": "60"}, lambda: next(ticks))
    assert clock is not None and clock() == CREATED + timedelta(minutes=2)
