"""The CronJob reconcile (k8s pkg/controller/cronjob/cronjob_controllerv2.go syncCronJob,
cleanupFinishedJobs; utils.go mostRecentScheduleTime, getJobFromTemplate2), sans-IO: given the
CronJob, the Jobs of its namespace and `now`, decide the Job to create (at most one: the most
recent missed schedule), the Jobs to delete (Replace, history limits), the status and the events.

One difference of form: Kubernetes requeues a CronJob for its next schedule time, so an event
about a skipped run (MissSchedule, JobAlreadyActive, TooManyMissedTimes) is said about once per
scheduled time. podlab's driver resyncs every second, so the caller passes `reported`, the
scheduled time whose skip it already told, and gets back the one to remember.
"""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from email.utils import format_datetime

from podlab.controllers.actions import JOBS, Action, CreateObject, DeleteObject, RecordEvent, SetStatus
from podlab.controllers.util import Obj, controller_ref, meta, name_of, namespace_of, owner_reference, uid_of
from podlab.k8s.cron import Schedule, ScheduleError, load_zone, parse_standard
from podlab.k8s.timestamps import format_time, parse_time

COMPONENT = "cronjob-controller"
CRONJOBS = ("batch", "cronjobs")
SCHEDULED_TIMESTAMP = "batch.kubernetes.io/cronjob-scheduled-timestamp"
# nextScheduleTime: more missed start times than this gets a warning (and still runs the last).
TOO_MANY_MISSED = 100


@dataclass(frozen=True, slots=True)
class CronJobSync:
    actions: list[Action]
    # The scheduled time whose skip has been reported (the caller keeps it for the next sync).
    reported: datetime | None = None
    # When the schedule next fires (the real controller requeues for then, plus 100 ms).
    next_at: datetime | None = None
    # The running Jobs it controls but did not start (UnexpectedJob said once for each).
    unexpected: frozenset[str] = frozenset()


def _spec(cj: Obj) -> Obj:
    s = cj.get("spec")
    return s if isinstance(s, dict) else {}


def finished_condition(job: Obj) -> str | None:
    """getFinishedStatus: "Complete" or "Failed" when that condition is True."""
    for cond in (job.get("status") or {}).get("conditions") or []:
        if cond.get("type") in ("Complete", "Failed") and cond.get("status") == "True":
            return str(cond["type"])
    return None


def job_name(cj: Obj, scheduled: datetime) -> str:
    """getJobName: the scheduled time in minutes since the epoch (getTimeHashInMinutes)."""
    return f"{name_of(cj)}-{int(scheduled.timestamp()) // 60}"


def _rfc3339(when: datetime, zone: tzinfo) -> str:
    """Go's time.RFC3339 in the CronJob's zone: `Z` for UTC, else the offset."""
    local = when.astimezone(zone)
    text = local.strftime("%Y-%m-%dT%H:%M:%S%z")
    if text.endswith("+0000") and zone is UTC:
        return text[:-5] + "Z"
    return f"{text[:-2]}:{text[-2:]}"


def job_from_template(cj: Obj, scheduled: datetime, zone: tzinfo) -> Obj:
    """getJobFromTemplate2: the template's labels and annotations, the scheduled-timestamp
    annotation, a controller reference, the deterministic name. The uid is chosen here so the
    status can point at the Job in the same pass (the API server keeps it: strategy.py)."""
    template = _spec(cj).get("jobTemplate") or {}
    tmeta = template.get("metadata") or {}
    annotations = dict(tmeta.get("annotations") or {})
    annotations[SCHEDULED_TIMESTAMP] = _rfc3339(scheduled, zone)
    job_meta: Obj = {
        "name": job_name(cj, scheduled),
        "namespace": namespace_of(cj),
        "uid": str(uuid.uuid4()),
        "annotations": annotations,
        "ownerReferences": [owner_reference(cj)],
    }
    if tmeta.get("labels"):
        job_meta["labels"] = dict(tmeta["labels"])
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": job_meta,
        "spec": copy.deepcopy(template.get("spec") or {}),
    }


def _job_ref(job: Obj) -> Obj:
    m = meta(job)
    ref: Obj = {
        "kind": "Job",
        "namespace": m.get("namespace", ""),
        "name": m.get("name", ""),
        "uid": m.get("uid", ""),
        "apiVersion": "batch/v1",
    }
    if m.get("resourceVersion"):
        ref["resourceVersion"] = str(m["resourceVersion"])
    return ref


def _zone(cj: Obj) -> tzinfo | None:
    """The schedule's zone: spec.timeZone, else the controller's own (UTC, as
    kube-controller-manager normally runs)."""
    name = _spec(cj).get("timeZone")
    return UTC if name is None else load_zone(str(name))


def most_recent_schedule(
    cj: Obj, now: datetime, sched: Schedule, zone: tzinfo
) -> tuple[datetime | None, int]:
    """mostRecentScheduleTime: (the latest missed start time, how many were missed), counting
    from lastScheduleTime (else creationTimestamp), no earlier than now - startingDeadlineSeconds."""
    status = cj.get("status") or {}
    earliest = (
        parse_time(status.get("lastScheduleTime")) or parse_time(meta(cj).get("creationTimestamp")) or now
    )
    deadline = _spec(cj).get("startingDeadlineSeconds")
    if deadline is not None:
        earliest = max(earliest, now - timedelta(seconds=int(deadline)))
    first = sched.next_after(earliest, zone)
    if first is None or first > now:
        return None, 0
    latest = sched.latest_at_or_before(now, zone) or first
    missed, t = 1, first
    while missed <= TOO_MANY_MISSED:
        nxt = sched.next_after(t, zone)
        if nxt is None or nxt > now:
            break
        missed, t = missed + 1, nxt
    return latest, missed


def _delete_job(cj: Obj, job: Obj) -> DeleteObject:
    # deleteJob: background propagation; the garbage collector takes the pods.
    return DeleteObject(
        JOBS,
        namespace_of(job),
        name_of(job),
        uid=uid_of(job),
        event=("SuccessfulDelete", f"Deleted job {name_of(job)}"),
        owner=cj,
        component=COMPONENT,
    )


def _start_key(job: Obj) -> tuple[int, str, str]:
    """byJobStartTime: by status.startTime (jobs without one last), then by name."""
    start = (job.get("status") or {}).get("startTime")
    return (0 if start else 1, str(start or ""), name_of(job))


def cleanup_finished(cj: Obj, children: list[Obj]) -> list[DeleteObject]:
    """cleanupFinishedJobs: the oldest finished Jobs beyond each history limit."""
    spec = _spec(cj)
    out: list[DeleteObject] = []
    for kind, key in (("Complete", "successfulJobsHistoryLimit"), ("Failed", "failedJobsHistoryLimit")):
        limit = spec.get(key)
        if limit is None:
            continue
        done = sorted((j for j in children if finished_condition(j) == kind), key=_start_key)
        out.extend(_delete_job(cj, j) for j in done[: max(0, len(done) - int(limit))])
    return out


def sync_cronjob(
    cj: Obj,
    jobs: list[Obj],
    now: datetime,
    reported: datetime | None = None,
    unexpected: frozenset[str] = frozenset(),
) -> CronJobSync:
    """One reconcile of a CronJob against the Jobs of its namespace. `reported` and `unexpected`:
    what earlier syncs already said (see the module docstring)."""
    actions: list[Action] = []
    events: list[RecordEvent] = []
    old_status = cj.get("status") or {}
    status: Obj = copy.deepcopy(old_status)
    active: list[Obj] = [dict(r) for r in status.get("active") or []]
    active_uids = {r.get("uid") for r in active}

    # Only Jobs it controls. kubectl 1.37's `create job --from` makes a controller reference,
    # so such a Job is one it "did not create or forgot" (older kubectl made a plain reference,
    # which neither status.active nor the history limits count: kubernetes#110430).
    children = [
        j
        for j in jobs
        if namespace_of(j) == namespace_of(cj)
        and (ref := controller_ref(j)) is not None
        and ref.get("kind") == "CronJob"
        and ref.get("uid") == uid_of(cj)
    ]
    child_uids = {uid_of(j) for j in children}
    still_unexpected: set[str] = set()
    for job in children:
        condition = finished_condition(job)
        found = uid_of(job) in active_uids
        if condition is None and not found:
            still_unexpected.add(uid_of(job))
            if uid_of(job) not in unexpected:
                message = f"Saw a job that the controller did not create or forgot: {name_of(job)}"
                events.append(RecordEvent(cj, "Warning", "UnexpectedJob", message, COMPONENT))
        if condition is not None and found:
            active = [r for r in active if r.get("uid") != uid_of(job)]
            message = f"Saw completed job: {name_of(job)}, status: {condition}"
            events.append(RecordEvent(cj, "Normal", "SawCompletedJob", message, COMPONENT))
        if condition == "Complete":
            done = parse_time((job.get("status") or {}).get("completionTime"))
            last = parse_time(status.get("lastSuccessfulTime"))
            if done is not None and (last is None or done > last):
                status["lastSuccessfulTime"] = format_time(done)
    for ref in list(active):
        if ref.get("uid") not in child_uids:
            events.append(
                RecordEvent(
                    cj, "Normal", "MissingJob", f"Active job went missing: {ref.get('name')}", COMPONENT
                )
            )
            active = [r for r in active if r.get("uid") != ref.get("uid")]

    run, reported, next_at = _decide_run(cj, children, active, now, reported, events)
    if run is not None:
        scheduled, zone = run
        if _spec(cj).get("concurrencyPolicy") == "Replace":
            by_uid = {uid_of(j): j for j in children}
            for ref in active:
                victim = by_uid.get(str(ref.get("uid")))
                if victim is not None:
                    actions.append(_delete_job(cj, victim))
            active = []
        new_job = job_from_template(cj, scheduled, zone)
        actions.append(
            CreateObject(
                JOBS, new_job, event=("SuccessfulCreate", "Created job {name}"), owner=cj, component=COMPONENT
            )
        )
        active.append(_job_ref(new_job))
        status["lastScheduleTime"] = format_time(scheduled)

    if active:
        status["active"] = active
    else:
        status.pop("active", None)
    # Replace's deletes and the create first, then the status that names the new Job.
    if status != old_status:
        actions.append(SetStatus(CRONJOBS, namespace_of(cj), name_of(cj), status))
    if not meta(cj).get("deletionTimestamp"):
        actions.extend(cleanup_finished(cj, children))
    actions.extend(events)
    return CronJobSync(actions, reported, next_at, frozenset(still_unexpected))


def _decide_run(
    cj: Obj,
    children: list[Obj],
    active: list[Obj],
    now: datetime,
    reported: datetime | None,
    events: list[RecordEvent],
) -> tuple[tuple[datetime, tzinfo] | None, datetime | None, datetime | None]:
    """The scheduled time to run now, if any: (run, reported, next_at)."""
    spec = _spec(cj)
    if meta(cj).get("deletionTimestamp"):
        return None, reported, None
    zone = _zone(cj)
    if zone is None:
        name = spec.get("timeZone")
        if reported is None:
            message = f'invalid timeZone: "{name}": unknown time zone {name}'
            events.append(RecordEvent(cj, "Warning", "UnknownTimeZone", message, COMPONENT))
        return None, now, None
    if spec.get("suspend"):
        return None, reported, None
    try:
        sched = parse_standard(str(spec.get("schedule") or ""))
    except ScheduleError as exc:
        if reported is None:
            message = f'unparseable schedule: "{spec.get("schedule")}" : {exc}'
            events.append(RecordEvent(cj, "Warning", "UnparseableSchedule", message, COMPONENT))
        return None, now, None
    next_at = sched.next_after(now, zone)
    scheduled, missed = most_recent_schedule(cj, now, sched, zone)
    if scheduled is None:
        return None, reported, next_at
    first_look = reported != scheduled
    if missed > TOO_MANY_MISSED and first_look:
        message = (
            f"too many missed start times: {missed}. Set or decrease .spec.startingDeadlineSeconds "
            "or check clock skew"
        )
        events.append(RecordEvent(cj, "Warning", "TooManyMissedTimes", message, COMPONENT))
    deadline = spec.get("startingDeadlineSeconds")
    if deadline is not None and scheduled + timedelta(seconds=int(deadline)) < now:
        if first_look:
            message = f"Missed scheduled time to start a job: {format_datetime(scheduled.astimezone(UTC))}"
            events.append(RecordEvent(cj, "Warning", "MissSchedule", message, COMPONENT))
        return None, scheduled, next_at
    name = job_name(cj, scheduled)
    last = parse_time((cj.get("status") or {}).get("lastScheduleTime"))
    if any(r.get("name") == name for r in active) or last == scheduled:
        return None, reported, next_at
    if spec.get("concurrencyPolicy") == "Forbid" and active:
        if first_look:
            message = "Not starting job because prior execution is running and concurrency policy is Forbid"
            events.append(RecordEvent(cj, "Normal", "JobAlreadyActive", message, COMPONENT))
        return None, scheduled, next_at
    if any(name_of(j) == name for j in children):
        # Created already (AlreadyExists in Kubernetes): assume its status was written.
        return None, reported, next_at
    return (scheduled, zone), reported, next_at
