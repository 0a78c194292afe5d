"""The Job reconcile (k8s pkg/controller/job/job_controller.go syncJob, indexed_job_utils.go,
backoff_utils.go), sans-IO: given the Job, the pods of its namespace and `now`, decide pod
creates and deletes, finalizer removals, the status and the events.

Behaviour of 1.31+ (JobManagedBy / JobPodReplacementPolicy on): a Job that meets its success or
failure criteria first gets `SuccessCriteriaMet` / `FailureTarget`, its remaining pods are
deleted, and only once no pod of it is left running does it get `Complete` / `Failed`.
Finished pods are counted into status.succeeded/failed before their
`batch.kubernetes.io/job-tracking` finalizer is removed (the status write comes first in the
returned actions, so a crash between the two never loses a count... nor counts twice, as a pod
without the finalizer is never counted again).
"""

from __future__ import annotations

import copy
from datetime import datetime, timedelta

from podlab.controllers.actions import (
    JOBS,
    PODS,
    Action,
    CreateObject,
    DeleteObject,
    PatchObject,
    RecordEvent,
    SetStatus,
)
from podlab.controllers.claims import claim
from podlab.controllers.job_failure_policy import match_pod_failure_policy
from podlab.controllers.job_pods import (
    COMPLETION_INDEX,
    TRACKING_FINALIZER,
    format_indexes,
    parse_indexes,
    pod_from_template,
)
from podlab.controllers.util import (
    Obj,
    condition,
    controller_ref,
    is_pod_ready,
    meta,
    name_of,
    namespace_of,
    uid_of,
)
from podlab.k8s.timestamps import format_time, parse_time

COMPONENT = "job-controller"
# job_controller.go: DefaultJobPodFailureBackOff, MaxJobPodFailureBackOff.
POD_FAILURE_BACKOFF = 10.0
MAX_POD_FAILURE_BACKOFF = 600.0
# job_controller.go MaxPodCreateDeletePerSync.
MAX_POD_CREATE_DELETE_PER_SYNC = 500
DEFAULT_BACKOFF_LIMIT = 6

MAX_FAILED_INDEXES_EXCEEDED = (
    "MaxFailedIndexesExceeded",
    "Job has exceeded the specified maximal number of failed indexes",
)
FAILED_INDEXES = ("FailedIndexes", "Job has failed indexes")
# Condition reasons and messages (pkg/apis/batch/types.go, job_controller.go).
BACKOFF_LIMIT_EXCEEDED = ("BackoffLimitExceeded", "Job has reached the specified backoff limit")
DEADLINE_EXCEEDED = ("DeadlineExceeded", "Job was active longer than specified deadline")
COMPLETIONS_REACHED = ("CompletionsReached", "Reached expected number of succeeded pods")


# ---- small facts about a Job and its pods ---------------------------------------------------------


def _spec(job: Obj) -> Obj:
    s = job.get("spec")
    return s if isinstance(s, dict) else {}


def is_indexed(job: Obj) -> bool:
    return _spec(job).get("completionMode") == "Indexed"


def _parallelism(job: Obj) -> int:
    p = _spec(job).get("parallelism")
    return 1 if p is None else int(p)


def _completions(job: Obj) -> int | None:
    c = _spec(job).get("completions")
    return None if c is None else int(c)


def _backoff_limit(job: Obj) -> int:
    b = _spec(job).get("backoffLimit")
    return DEFAULT_BACKOFF_LIMIT if b is None else int(b)


def _restart_policy(job: Obj) -> str:
    return str(((_spec(job).get("template") or {}).get("spec") or {}).get("restartPolicy") or "")


def is_job_finished(job: Obj) -> bool:
    """IsJobFinished: a Complete or Failed condition that is True."""
    return any(_true(job, t) for t in ("Complete", "Failed"))


def _true(job: Obj, ctype: str) -> bool:
    cond = condition(job, ctype)
    return cond is not None and cond.get("status") == "True"


def _phase(pod: Obj) -> str:
    return str((pod.get("status") or {}).get("phase") or "")


def has_tracking_finalizer(pod: Obj) -> bool:
    return TRACKING_FINALIZER in (meta(pod).get("finalizers") or [])


def pod_index(pod: Obj) -> int | None:
    """getCompletionIndex: the annotation (then the label) as a non-negative integer."""
    for source in ("annotations", "labels"):
        value = (meta(pod).get(source) or {}).get(COMPLETION_INDEX)
        if isinstance(value, str) and value.isdigit():
            return int(value)
    return None


def _valid_index(job: Obj, pod: Obj) -> int | None:
    index = pod_index(pod)
    completions = _completions(job)
    if index is None or completions is None or index >= completions:
        return None
    return index


def is_pod_failed(job: Obj, pod: Obj) -> bool:
    """isPodFailed: Failed, or (replacement policy TerminatingOrFailed) deleted before it
    succeeded, so an orphan that never reaches Failed is still counted."""
    if _phase(pod) == "Failed":
        return True
    if _spec(job).get("podFailurePolicy") is not None or _spec(job).get("podReplacementPolicy") == "Failed":
        return False
    return bool(meta(pod).get("deletionTimestamp")) and _phase(pod) != "Succeeded"


def _finished_at(pod: Obj) -> datetime | None:
    """When the pod finished: the latest container finishedAt (getFinishedTime)."""
    latest: datetime | None = None
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    for cs in statuses:
        terminated = (cs.get("state") or {}).get("terminated") or {}
        at = parse_time(terminated.get("finishedAt"))
        if at is not None and (latest is None or at > latest):
            latest = at
    if latest is not None:
        return latest
    deleted = parse_time(meta(pod).get("deletionTimestamp"))
    if deleted is not None:
        # getFinishTimeFromDeletionTimestamp: the timestamp is the end of the grace period.
        return deleted - timedelta(seconds=int(meta(pod).get("deletionGracePeriodSeconds") or 0))
    return parse_time(meta(pod).get("creationTimestamp"))


# ---- the reconcile --------------------------------------------------------------------------------


def _new_condition(ctype: str, status: str, reason: str, message: str, now: datetime) -> Obj:
    stamp = format_time(now)
    return {
        "type": ctype,
        "status": status,
        "lastProbeTime": stamp,
        "lastTransitionTime": stamp,
        "reason": reason,
        "message": message,
    }


def _set_condition(conditions: list[Obj], new: Obj) -> bool:
    """ensureJobConditionStatus: add, or update a condition whose status changed."""
    for i, cond in enumerate(conditions):
        if cond.get("type") == new["type"]:
            if cond.get("status") == new["status"]:
                return False
            conditions[i] = new
            return True
    conditions.append(new)
    return True


def remove_tracking_finalizer(pod: Obj) -> PatchObject:
    kept = [f for f in meta(pod).get("finalizers") or [] if f != TRACKING_FINALIZER]
    return PatchObject(PODS, namespace_of(pod), name_of(pod), {"metadata": {"finalizers": kept or None}})


def _delete_pod(job: Obj, pod: Obj) -> DeleteObject:
    return DeleteObject(
        PODS,
        namespace_of(pod),
        name_of(pod),
        uid=uid_of(pod),
        event=("SuccessfulDelete", f"Deleted pod: {name_of(pod)}"),
        owner=job,
        component=COMPONENT,
    )


def _release_and_delete(job: Obj, pods: list[Obj]) -> list[Action]:
    """deleteJobPods: the finalizer goes first, so a pod the Job itself no longer wants (suspended,
    beyond parallelism, a duplicate index) is never counted as failed."""
    out: list[Action] = []
    for pod in pods:
        if has_tracking_finalizer(pod):
            out.append(remove_tracking_finalizer(pod))
        out.append(_delete_pod(job, pod))
    return out


def _create_pod(job: Obj, index: int | None, failures: int | None = None) -> CreateObject:
    return CreateObject(
        PODS,
        pod_from_template(job, index, failures),
        event=("SuccessfulCreate", "Created pod: {name}"),
        owner=job,
        component=COMPONENT,
    )


def _restarts(pods: list[Obj]) -> int:
    """pastBackoffLimitOnFailure's sum: restarts of the Pending and Running pods' containers."""
    total = 0
    for pod in pods:
        if _phase(pod) in ("Pending", "Running"):
            status = pod.get("status") or {}
            for key in ("initContainerStatuses", "containerStatuses"):
                total += sum(int(cs.get("restartCount") or 0) for cs in status.get(key) or [])
    return total


def past_backoff_limit_on_failure(job: Obj, pods: list[Obj]) -> bool:
    if _restart_policy(job) != "OnFailure":
        return False
    restarts = _restarts(pods)
    limit = _backoff_limit(job)
    return restarts > 0 if limit == 0 else restarts >= limit


def creation_backoff(job: Obj, pods: list[Obj], now: datetime) -> float:
    """Seconds before new pods may be created (backoff_utils.go): 10 s doubled per failure
    since the last success, up to 10 min, counted from the last failure."""
    failed = [p for p in pods if is_pod_failed(job, p)]
    if not failed:
        return 0.0
    succeeded = [_finished_at(p) for p in pods if _phase(p) == "Succeeded"]
    last_success = max((t for t in succeeded if t is not None), default=None)
    times = [t for t in (_finished_at(p) for p in failed) if t is not None]
    recent = [t for t in times if last_success is None or t > last_success]
    if not recent:
        return 0.0
    delay = min(POD_FAILURE_BACKOFF * 2 ** (len(recent) - 1), MAX_POD_FAILURE_BACKOFF)
    return max(0.0, (max(recent) + timedelta(seconds=delay) - now).total_seconds())


def sync_job(job: Obj, pods: list[Obj], now: datetime) -> list[Action]:
    """One reconcile of a Job against the pods of its namespace."""
    actions: list[Action] = []
    if meta(job).get("deletionTimestamp"):
        # Being deleted: release its pods' finalizers so the garbage collector can remove them.
        return [
            remove_tracking_finalizer(p) for p in pods if has_tracking_finalizer(p) and _controlled_by(p, job)
        ]
    owned, claims = claim(job, pods, PODS)
    if is_job_finished(job):
        return [remove_tracking_finalizer(p) for p in owned if has_tracking_finalizer(p)]
    actions.extend(claims)

    old_status = job.get("status") or {}
    status: Obj = copy.deepcopy(old_status)
    conditions: list[Obj] = [dict(c) for c in status.get("conditions") or []]
    events: list[RecordEvent] = []

    # 1. Count the pods that finished since the last sync (those still holding the finalizer).
    suspended = bool(_spec(job).get("suspend"))
    completions = _completions(job)
    indexed = is_indexed(job)
    completed_indexes = parse_indexes(status.get("completedIndexes"), completions or 0) if indexed else set()
    succeeded, failed = int(status.get("succeeded") or 0), int(status.get("failed") or 0)
    per_index = indexed and _spec(job).get("backoffLimitPerIndex") is not None
    failed_indexes = parse_indexes(status.get("failedIndexes"), completions or 0) if per_index else set()
    index_failures: dict[int, int] = {}  # counted failures per index, from the pods still present
    new_failures = 0
    fail_job_message: str | None = None
    policy = _spec(job).get("podFailurePolicy")
    counted: list[Obj] = []
    for pod in owned:
        if not has_tracking_finalizer(pod):
            continue
        if _phase(pod) == "Succeeded":
            counted.append(pod)
            if indexed:
                index = _valid_index(job, pod)
                if index is not None and index not in completed_indexes:
                    completed_indexes.add(index)
                    succeeded += 1
            else:
                succeeded += 1
        elif is_pod_failed(job, pod):
            counted.append(pod)
            match = match_pod_failure_policy(policy, pod)
            if match.message is not None and fail_job_message is None:
                fail_job_message = match.message
            if not match.counts:
                continue  # Ignore: neither in status.failed nor toward the backoff limit
            failed += 1
            if per_index and (index := _valid_index(job, pod)) is not None and match.action == "FailIndex":
                failed_indexes.add(index)
            new_failures += 1

    if per_index:
        limit = int(_spec(job).get("backoffLimitPerIndex") or 0)
        for pod in owned:
            index = _valid_index(job, pod)
            if index is not None and is_pod_failed(job, pod) and match_pod_failure_policy(policy, pod).counts:
                index_failures[index] = index_failures.get(index, 0) + 1
        failed_indexes |= {i for i, n in index_failures.items() if n > limit and i not in completed_indexes}

    active = [
        p for p in owned if _phase(p) not in ("Succeeded", "Failed") and not meta(p).get("deletionTimestamp")
    ]
    terminating = [
        p for p in owned if _phase(p) not in ("Succeeded", "Failed") and meta(p).get("deletionTimestamp")
    ]

    # 2. Start time, suspend and resume.
    if suspended:
        if _set_condition(
            conditions, _new_condition("Suspended", "True", "JobSuspended", "Job suspended", now)
        ):
            events.append(RecordEvent(job, "Normal", "Suspended", "Job suspended", COMPONENT))
    else:
        if _true(job, "Suspended"):
            _set_condition(conditions, _new_condition("Suspended", "False", "JobResumed", "Job resumed", now))
            # Reset so the activeDeadlineSeconds timer starts again.
            status["startTime"] = format_time(now)
            events.append(RecordEvent(job, "Normal", "Resumed", "Job resumed", COMPONENT))
        elif not status.get("startTime"):
            status["startTime"] = format_time(now)

    # 3. Success or failure criteria (interim conditions first).
    target = _find(conditions, "FailureTarget") or _find(conditions, "SuccessCriteriaMet")
    if target is None:
        reached: tuple[str, str] | None = None
        if fail_job_message is not None:
            reached = ("PodFailurePolicy", fail_job_message)
        elif (new_failures > 0 and failed > _backoff_limit(job)) or past_backoff_limit_on_failure(
            job, active
        ):
            reached = BACKOFF_LIMIT_EXCEEDED
        elif _past_deadline(job, status, now, suspended):
            reached = DEADLINE_EXCEEDED
        elif per_index:
            max_failed = _spec(job).get("maxFailedIndexes")
            if max_failed is not None and len(failed_indexes) > int(max_failed):
                reached = MAX_FAILED_INDEXES_EXCEEDED
            elif failed_indexes and len(failed_indexes) + len(completed_indexes) >= (completions or 0):
                reached = FAILED_INDEXES
        if reached is not None:
            target = _new_condition("FailureTarget", "True", reached[0], reached[1], now)
            _set_condition(conditions, target)
        elif _succeeded(job, succeeded, completed_indexes, active):
            target = _new_condition("SuccessCriteriaMet", "True", *COMPLETIONS_REACHED, now)
            _set_condition(conditions, target)

    # 4. Pods: none while finishing or suspended; else towards parallelism.
    pod_actions: list[Action] = []
    if target is not None:
        # deleteActivePods keeps the finalizers: these pods are counted as failed (isPodFailed)
        # when next seen terminating.
        pod_actions.extend(_delete_pod(job, p) for p in active[:MAX_POD_CREATE_DELETE_PER_SYNC])
    elif suspended:
        pod_actions.extend(_release_and_delete(job, active[:MAX_POD_CREATE_DELETE_PER_SYNC]))
    if target is not None or suspended:
        remaining = len(active) + len(terminating)
        active = []
        if target is not None and remaining == 0:
            final = "Complete" if target["type"] == "SuccessCriteriaMet" else "Failed"
            cond = _new_condition(final, "True", str(target["reason"]), str(target["message"]), now)
            if _set_condition(conditions, cond):
                if final == "Complete":
                    status["completionTime"] = format_time(now)
                    events.append(RecordEvent(job, "Normal", "Completed", "Job completed", COMPONENT))
                else:
                    events.append(
                        RecordEvent(job, "Warning", str(target["reason"]), str(target["message"]), COMPONENT)
                    )
    else:
        pod_actions.extend(
            _manage_pods(
                job,
                owned,
                active,
                completed_indexes,
                succeeded,
                now,
                failed_indexes,
                index_failures,
                per_index,
            )
        )

    # 5. Status: counts, then the finalizers of the pods counted in it.
    status["active"] = len(active)
    status["ready"] = sum(1 for p in active if is_pod_ready(p))
    status["terminating"] = len(terminating)
    status["succeeded"] = succeeded
    status["failed"] = failed
    if indexed:
        status["completedIndexes"] = format_indexes(completed_indexes)
    status["uncountedTerminatedPods"] = {}
    if conditions:
        status["conditions"] = conditions
    status = _normalise(status)
    if per_index:
        status["failedIndexes"] = format_indexes(failed_indexes)  # a pointer: "" is shown
    if status != _normalise(old_status):
        actions.append(SetStatus(JOBS, namespace_of(job), name_of(job), status))
    # Finalizers only of pods already finished: the ones deleted just now are counted next sync.
    actions.extend(remove_tracking_finalizer(p) for p in counted)
    actions.extend(pod_actions)
    actions.extend(events)
    return actions


def _controlled_by(pod: Obj, job: Obj) -> bool:
    ref = controller_ref(pod)
    return ref is not None and ref.get("uid") == uid_of(job)


def _find(conditions: list[Obj], ctype: str) -> Obj | None:
    return next((c for c in conditions if c.get("type") == ctype and c.get("status") == "True"), None)


def _past_deadline(job: Obj, status: Obj, now: datetime, suspended: bool) -> bool:
    """pastActiveDeadline: activeDeadlineSeconds since status.startTime (not while suspended)."""
    deadline = _spec(job).get("activeDeadlineSeconds")
    start = parse_time(status.get("startTime"))
    if deadline is None or start is None or suspended:
        return False
    return now >= start + timedelta(seconds=int(deadline))


def _succeeded(job: Obj, succeeded: int, completed_indexes: set[int], active: list[Obj]) -> bool:
    completions = _completions(job)
    if completions is None:
        # A work queue: done once a pod succeeded and none is left running.
        return succeeded > 0 and not active
    if is_indexed(job):
        return len(completed_indexes) >= completions
    return succeeded >= completions


def _manage_pods(
    job: Obj,
    owned: list[Obj],
    active: list[Obj],
    completed: set[int],
    succeeded: int,
    now: datetime,
    failed_indexes: set[int],
    index_failures: dict[int, int],
    per_index: bool,
) -> list[Action]:
    """manageJob: delete beyond parallelism, create up to it (after the failure back-off; with
    backoffLimitPerIndex the back-off is per index and failed indexes are not retried)."""
    parallelism = _parallelism(job)
    completions = _completions(job)
    if completions is None:
        # A work queue: after a success, whatever runs keeps running, nothing new starts.
        wanted = len(active) if succeeded > 0 else parallelism
    elif is_indexed(job):
        wanted = min(parallelism, completions - len(completed | failed_indexes))
    else:
        wanted = min(parallelism, completions - succeeded)
    wanted = max(wanted, 0)
    out: list[Action] = []
    if is_indexed(job):
        # Duplicates of an index and pods of completed or out-of-range indexes go first.
        seen: set[int] = set()
        keep: list[Obj] = []
        for pod in sorted(active, key=lambda p: str(meta(p).get("creationTimestamp") or "")):
            index = _valid_index(job, pod)
            if index is None or index in completed or index in failed_indexes or index in seen:
                out.extend(_release_and_delete(job, [pod]))
            else:
                seen.add(index)
                keep.append(pod)
        if out:
            return out  # deletions take precedence over creations in one sync (manageJob)
        active = keep
    if len(active) > wanted:
        # Newest first, not-ready first (the ranking of activePods is close enough here).
        extra = sorted(active, key=lambda p: (is_pod_ready(p), str(meta(p).get("creationTimestamp") or "")))
        out.extend(_release_and_delete(job, extra[: len(active) - wanted]))
        return out
    diff = min(wanted - len(active), MAX_POD_CREATE_DELETE_PER_SYNC)
    if diff <= 0 or (not per_index and creation_backoff(job, owned, now) > 0):
        return out
    if is_indexed(job):
        busy = completed | failed_indexes | {i for p in active if (i := _valid_index(job, p)) is not None}
        free = [i for i in range(completions or 0) if i not in busy]
        if per_index:
            of_index = {i: [p for p in owned if _valid_index(job, p) == i] for i in free}
            free = [i for i in free if creation_backoff(job, of_index[i], now) <= 0]
            out.extend(_create_pod(job, i, index_failures.get(i, 0)) for i in free[:diff])
        else:
            out.extend(_create_pod(job, i) for i in free[:diff])
    else:
        out.extend(_create_pod(job, None) for _ in range(diff))
    return out


def _normalise(status: Obj) -> Obj:
    # JobStatus: active/succeeded/failed/completedIndexes are omitempty; ready and terminating are
    # pointers the controller always sets, so they show as 0.
    keep = ("ready", "terminating", "uncountedTerminatedPods")
    return {k: v for k, v in status.items() if k in keep or v not in (0, None, "", [])}
