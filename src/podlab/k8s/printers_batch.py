"""The Job Table (k8s pkg/printers/internalversion/printers.go printJob): STATUS, COMPLETIONS,
DURATION as 1.30+ servers print them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from podlab.k8s.duration import age, human_duration
from podlab.k8s.errors import Obj
from podlab.k8s.printers_common import (
    AGE,
    CONTAINERS,
    IMAGES,
    NAME,
    Column,
    age_of,
    as_int,
    as_obj,
    dicts,
    meta_of,
    name_of,
    template_cells,
)
from podlab.k8s.selectors import selector_string
from podlab.k8s.timestamps import parse_time

JOB_COLUMNS: list[Column] = [
    NAME,
    ("Status", "string", 0, "Status of the job."),
    (
        "Completions",
        "string",
        0,
        "The number of pods which reached phase Succeeded. The value increases monotonically for a given spec. However, it may decrease in reaction to scale down of elastic indexed jobs.",
    ),
    ("Duration", "string", 0, "Time required to complete the job."),
    AGE,
    CONTAINERS,
    IMAGES,
    (
        "Selector",
        "string",
        1,
        "A label query over pods that should match the pod count. Normally, the system sets this field for you. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors",
    ),
]


def _has_condition(status: Obj, ctype: str) -> bool:
    return any(c.get("type") == ctype and c.get("status") == "True" for c in dicts(status.get("conditions")))


def job_status_cell(obj: Obj) -> str:
    status = as_obj(obj.get("status"))
    if _has_condition(status, "Complete"):
        return "Complete"
    if _has_condition(status, "Failed"):
        return "Failed"
    if meta_of(obj).get("deletionTimestamp"):
        return "Terminating"
    if _has_condition(status, "Suspended"):
        return "Suspended"
    if _has_condition(status, "FailureTarget"):
        return "FailureTarget"
    return "Running"


def job_row(obj: Obj, now: datetime) -> list[Any]:
    spec, status = as_obj(obj.get("spec")), as_obj(obj.get("status"))
    succeeded = as_int(status.get("succeeded"))
    if spec.get("completions") is not None:
        completions = f"{succeeded}/{as_int(spec.get('completions'))}"
    else:
        parallelism = as_int(spec.get("parallelism"))
        completions = f"{succeeded}/1 of {parallelism}" if parallelism > 1 else f"{succeeded}/1"
    start = parse_time(status.get("startTime"))
    end = parse_time(status.get("completionTime"))
    duration = ""
    if start is not None:
        duration = human_duration(((end or now) - start).total_seconds())
    return [
        name_of(obj),
        job_status_cell(obj),
        completions,
        duration,
        age_of(obj, now),
        *template_cells(as_obj(spec.get("template"))),
        selector_string(spec.get("selector")),
    ]


CRONJOB_COLUMNS: list[Column] = [
    NAME,
    ("Schedule", "string", 0, "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron."),
    (
        "Timezone",
        "string",
        0,
        "The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones. If not specified, this will default to the time zone of the kube-controller-manager process. The set of valid time zone names and the time zone offset is loaded from the system-wide time zone database by the API server during CronJob validation and the controller manager during execution. If no system-wide time zone database can be found a bundled version of the database is used instead. If the time zone name becomes invalid during the lifetime of a CronJob or due to a change in host configuration, the controller will stop creating new new Jobs and will create a system event with the reason UnknownTimeZone. More information can be found in https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#time-zones",
    ),
    (
        "Suspend",
        "boolean",
        0,
        "This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.  Defaults to false.",
    ),
    ("Active", "integer", 0, "A list of pointers to currently running jobs."),
    ("Last Schedule", "string", 0, "Information when was the last time the job was successfully scheduled."),
    AGE,
    CONTAINERS,
    IMAGES,
    JOB_COLUMNS[-1],
]


def cronjob_row(obj: Obj, now: datetime) -> list[Any]:
    """printCronJob: TIMEZONE `<none>` when unset, SUSPEND printBoolPtr, LAST SCHEDULE `<none>`."""
    spec, status = as_obj(obj.get("spec")), as_obj(obj.get("status"))
    suspend = spec.get("suspend")
    last = status.get("lastScheduleTime")
    job_spec = as_obj(as_obj(spec.get("jobTemplate")).get("spec"))
    return [
        name_of(obj),
        str(spec.get("schedule") or ""),
        str(spec["timeZone"]) if spec.get("timeZone") is not None else "<none>",
        "<unset>" if suspend is None else str(bool(suspend)),
        len(dicts(status.get("active"))),
        age(last, now) if last else "<none>",
        age_of(obj, now),
        *template_cells(as_obj(job_spec.get("template"))),
        selector_string(job_spec.get("selector")) or "<none>",
    ]
