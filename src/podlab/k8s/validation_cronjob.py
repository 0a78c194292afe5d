"""CronJob validation (k8s pkg/apis/batch/validation/validation.go ValidateCronJobCreate,
ValidateCronJobUpdate, validateCronJobSpec, validateScheduleFormat, validateTimeZone,
ValidateJobTemplateSpec)."""

from __future__ import annotations

import re
from typing import Any

from podlab.k8s import errors as fe
from podlab.k8s.cron import ScheduleError, load_zone, parse_standard
from podlab.k8s.errors import FieldError, Obj
from podlab.k8s.validation_batch import _validate_job_spec
from podlab.k8s.validation_meta import go_label_selector, nonnegative

# 63 (a DNS label) minus the 11 characters of "-<minutes since epoch>" on its Jobs' names.
MAX_CRONJOB_NAME = 52
CONCURRENCY_POLICIES = ["Allow", "Forbid", "Replace"]
# validation.go validTimeZoneCharacters (IANA naming rules, legacy names tolerated).
_TZ_PART = re.compile(r"^[A-Za-z.\-_0-9+]{1,14}$")


def _schedule_errors(schedule: str, allow_tz: bool, time_zone: Any, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    try:
        parse_standard(schedule)
    except ScheduleError as exc:
        errs.append(fe.invalid(path, schedule, str(exc)))
    if allow_tz and "TZ" in schedule and time_zone is not None:
        errs.append(
            fe.invalid(path, schedule, "cannot use both timeZone field and TZ or CRON_TZ in schedule")
        )
    elif not allow_tz and "TZ" in schedule:
        errs.append(
            fe.invalid(path, schedule, "cannot use TZ or CRON_TZ in schedule, use timeZone field instead")
        )
    return errs


def _time_zone_errors(zone: Any, path: str) -> list[FieldError]:
    if zone is None:
        return []
    if zone == "":
        return [fe.invalid(path, zone, "timeZone must be nil or non-empty string")]
    for part in str(zone).split("/"):
        if part in (".", "..") or part.startswith("-") or not _TZ_PART.match(part):
            return [fe.invalid(path, zone, f"unknown time zone {zone}")]
    errs: list[FieldError] = []
    if str(zone).lower() == "local":
        errs.append(
            fe.invalid(
                path,
                zone,
                "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones",
            )
        )
    if load_zone(str(zone)) is None:
        errs.append(fe.invalid(path, zone, f"unknown time zone {zone}"))
    return errs


def _spec_errors(spec: Obj, old: Obj | None, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    schedule = spec.get("schedule")
    if not schedule:
        errs.append(fe.required(f"{path}.schedule"))
    else:
        allow_tz = old is not None and "TZ" in str(old.get("schedule") or "")
        errs.extend(_schedule_errors(str(schedule), allow_tz, spec.get("timeZone"), f"{path}.schedule"))
    errs.extend(nonnegative(spec.get("startingDeadlineSeconds"), f"{path}.startingDeadlineSeconds"))
    if old is None or old.get("timeZone") != spec.get("timeZone"):
        errs.extend(_time_zone_errors(spec.get("timeZone"), f"{path}.timeZone"))
    policy = spec.get("concurrencyPolicy")
    if not policy:
        errs.append(fe.required(f"{path}.concurrencyPolicy"))
    elif policy not in CONCURRENCY_POLICIES:
        errs.append(fe.not_supported(f"{path}.concurrencyPolicy", policy, CONCURRENCY_POLICIES))
    template = spec.get("jobTemplate")
    job_spec = (template.get("spec") if isinstance(template, dict) else None) or {}
    tpath = f"{path}.jobTemplate.spec"
    errs.extend(_validate_job_spec(job_spec, tpath, in_template=True))
    if job_spec.get("selector") is not None:
        errs.append(
            fe.invalid(
                f"{tpath}.selector",
                go_label_selector(job_spec["selector"]),
                "`selector` will be auto-generated",
            )
        )
    if job_spec.get("manualSelector") is True:
        errs.append(fe.not_supported(f"{tpath}.manualSelector", True, ["nil", "false"]))
    for field in ("successfulJobsHistoryLimit", "failedJobsHistoryLimit"):
        errs.extend(nonnegative(spec.get(field), f"{path}.{field}"))
    return errs


def validate_cronjob(obj: Obj, old: Obj | None) -> list[FieldError]:
    spec: Any = obj.get("spec")
    errs: list[FieldError] = []
    name = str((obj.get("metadata") or {}).get("name", ""))
    if old is None and len(name) > MAX_CRONJOB_NAME:
        # Only on create: older CronJobs with longer names can still be updated and deleted.
        errs.append(fe.invalid("metadata.name", name, f"must be no more than {MAX_CRONJOB_NAME} characters"))
    old_spec = (old.get("spec") or {}) if old is not None else None
    errs.extend(_spec_errors(spec if isinstance(spec, dict) else {}, old_spec, "spec"))
    return errs
