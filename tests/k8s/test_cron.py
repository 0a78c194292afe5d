"""Cron schedules as robfig/cron/v3 ParseStandard reads them (errors verbatim), and CronJob /
DaemonSet validation with Kubernetes' field paths and messages."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from podlab.k8s import apply_defaults, validate
from podlab.k8s.cron import ScheduleError, load_zone, parse_standard
from podlab.k8s.errors import invalid_message

T = datetime(2026, 12, 7, 13, 7, 30, tzinfo=UTC)  # a Monday


@pytest.mark.parametrize(
    ("spec", "after"),
    [
        ("* * * * *", datetime(2026, 12, 7, 13, 8, tzinfo=UTC)),
        ("*/15 * * * *", datetime(2026, 12, 7, 13, 15, tzinfo=UTC)),
        ("@hourly", datetime(2026, 12, 7, 14, 0, tzinfo=UTC)),
        ("@daily", datetime(2026, 12, 8, 0, 0, tzinfo=UTC)),
        ("@weekly", datetime(2026, 12, 13, 0, 0, tzinfo=UTC)),  # Sunday
        ("@monthly", datetime(2027, 1, 1, tzinfo=UTC)),
        ("@yearly", datetime(2027, 1, 1, tzinfo=UTC)),
        ("30 9 * * MON-FRI", datetime(2026, 12, 8, 9, 30, tzinfo=UTC)),
        ("0 0 1 FEB ?", datetime(2027, 2, 1, tzinfo=UTC)),
        # Both day fields restricted: either matches (the 10th, or a Wednesday).
        ("0 0 10 * WED", datetime(2026, 12, 9, tzinfo=UTC)),
        # A star in one day field: both must match (every Wednesday, any day of month).
        ("0 0 * * 3", datetime(2026, 12, 9, tzinfo=UTC)),
        ("5/20 * * * *", datetime(2026, 12, 7, 13, 25, tzinfo=UTC)),
    ],
)
def test_next_activation(spec: str, after: datetime) -> None:
    assert parse_standard(spec).next_after(T, UTC) == after


def test_time_zone_shifts_the_schedule() -> None:
    berlin = load_zone("Europe/Berlin")
    assert berlin is not None
    # 09:00 in Berlin (winter, UTC+1) is 08:00 UTC.
    assert parse_standard("0 9 * * *").next_after(T, berlin) == datetime(2026, 12, 8, 8, 0, tzinfo=UTC)
    assert parse_standard("0 9 * * *").latest_at_or_before(T, berlin) == datetime(
        2026, 12, 7, 8, 0, tzinfo=UTC
    )
    assert load_zone("Mars/Olympus") is None


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "empty spec string"),
        ("* * *", "expected exactly 5 fields, found 3: [* * *]"),
        ("* * * * * *", "expected exactly 5 fields, found 6: [* * * * * *]"),
        ("60 * * * *", "end of range (60) above maximum (59): 60"),
        ("* * 0 * *", "beginning of range (0) below minimum (1): 0"),
        ("* * * * 7", "end of range (7) above maximum (6): 7"),
        ("5-2 * * * *", "beginning of range (5) beyond end of range (2): 5-2"),
        ("*/0 * * * *", "step of range should be a positive number: */0"),
        ("x * * * *", 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax'),
        ("1-2-3 * * * *", "too many hyphens: 1-2-3"),
        ("*/2/3 * * * *", "too many slashes: */2/3"),
        ("@fortnightly", "unrecognized descriptor: @fortnightly"),
    ],
)
def test_parse_errors_are_robfigs(spec: str, message: str) -> None:
    with pytest.raises(ScheduleError) as info:
        parse_standard(spec)
    assert str(info.value) == message


def cronjob(**spec: Any) -> dict[str, Any]:
    obj = {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": "hello", "namespace": "default"},
        "spec": {
            "schedule": "*/5 * * * *",
            "jobTemplate": {
                "spec": {
                    "template": {
                        "spec": {
                            "restartPolicy": "OnFailure",
                            "containers": [{"name": "c", "image": "busybox"}],
                        }
                    }
                }
            },
            **spec,
        },
    }
    return apply_defaults(obj)


def messages(obj: dict[str, Any], old: dict[str, Any] | None = None) -> str:
    errors = validate(obj, old)
    return invalid_message(obj, errors) if errors else ""


def test_cronjob_defaults() -> None:
    spec = cronjob()["spec"]
    assert (spec["concurrencyPolicy"], spec["suspend"]) == ("Allow", False)
    assert (spec["successfulJobsHistoryLimit"], spec["failedJobsHistoryLimit"]) == (3, 1)
    assert "startingDeadlineSeconds" not in spec
    assert messages(cronjob()) == ""


def test_cronjob_invalid_schedule_time_zone_and_policy() -> None:
    assert messages(cronjob(schedule="61 * * * *")) == (
        'CronJob.batch "hello" is invalid: spec.schedule: Invalid value: "61 * * * *": '
        "end of range (61) above maximum (59): 61"
    )
    assert messages(cronjob(schedule="TZ=UTC * * * * *")) == (
        'CronJob.batch "hello" is invalid: spec.schedule: Invalid value: "TZ=UTC * * * * *": '
        "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"
    )
    assert messages(cronjob(timeZone="Mars/Olympus")) == (
        'CronJob.batch "hello" is invalid: spec.timeZone: Invalid value: "Mars/Olympus": '
        "unknown time zone Mars/Olympus"
    )
    assert "timeZone must be nil or non-empty string" in messages(cronjob(timeZone=""))
    assert messages(cronjob(concurrencyPolicy="Sometimes")) == (
        'CronJob.batch "hello" is invalid: spec.concurrencyPolicy: Unsupported value: "Sometimes": '
        'supported values: "Allow", "Forbid", "Replace"'
    )
    assert messages(cronjob(startingDeadlineSeconds=-1)).endswith(
        "spec.startingDeadlineSeconds: Invalid value: -1: must be greater than or equal to 0"
    )
    assert messages(cronjob(timeZone="Europe/Berlin", schedule="@hourly")) == ""


def test_cronjob_name_and_job_template() -> None:
    long = cronjob()
    long["metadata"]["name"] = "a" * 53
    assert messages(long).endswith(
        f'metadata.name: Invalid value: "{"a" * 53}": must be no more than 52 characters'
    )
    assert messages(long, old=copy.deepcopy(long)) == ""  # only on create
    always = cronjob()
    always["spec"]["jobTemplate"]["spec"]["template"]["spec"]["restartPolicy"] = "Always"
    assert messages(always).endswith(
        'spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"'
    )
    selected = cronjob()
    selected["spec"]["jobTemplate"]["spec"]["selector"] = {"matchLabels": {"a": "b"}}
    assert "spec.jobTemplate.spec.selector: Invalid value:" in messages(selected)
    assert messages(selected).endswith("`selector` will be auto-generated")


def daemonset(**spec: Any) -> dict[str, Any]:
    obj = {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": "agent", "namespace": "default"},
        "spec": {
            "selector": {"matchLabels": {"app": "agent"}},
            "template": {
                "metadata": {"labels": {"app": "agent"}},
                "spec": {"containers": [{"name": "c", "image": "busybox"}]},
            },
            **spec,
        },
    }
    return apply_defaults(obj)


def test_daemonset_defaults_and_validation() -> None:
    ds = daemonset()
    assert ds["spec"]["updateStrategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0},
    }
    assert ds["spec"]["revisionHistoryLimit"] == 10
    assert messages(ds) == ""
    both = daemonset(
        updateStrategy={"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 1}}
    )
    assert messages(both) == (
        'DaemonSet.apps "agent" is invalid: spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: '
        "may not be set when maxUnavailable is non-zero"
    )
    neither = daemonset(
        updateStrategy={"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 0}}
    )
    assert messages(neither).endswith(
        "spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0"
    )
    mismatch = daemonset()
    mismatch["spec"]["template"]["metadata"]["labels"] = {"app": "other"}
    assert messages(mismatch) == (
        'DaemonSet.apps "agent" is invalid: spec.template.metadata.labels: Invalid value: '
        'map[string]string{"app":"other"}: `selector` does not match template `labels`'
    )
    never = daemonset()
    never["spec"]["template"]["spec"]["restartPolicy"] = "Never"
    assert messages(never).endswith(
        'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"'
    )
    on_delete = daemonset(updateStrategy={"type": "OnDelete"})
    assert messages(on_delete) == ""
    changed = daemonset(selector={"matchLabels": {"app": "agent", "x": "y"}})
    changed["spec"]["template"]["metadata"]["labels"]["x"] = "y"
    assert "spec.selector: Invalid value:" in messages(changed, old=daemonset())


def test_daemonset_selector_and_deadline_as_kubernetes_orders_them() -> None:
    none = daemonset()
    del none["spec"]["selector"]
    assert messages(none) == (
        'DaemonSet.apps "agent" is invalid: spec.template.metadata.labels: Invalid value: '
        'map[string]string{"app":"agent"}: `selector` does not match template `labels`'
    )
    empty = daemonset(selector={})
    assert messages(empty) == (
        'DaemonSet.apps "agent" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:'
        "map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: "
        "empty selector is invalid for daemonset"
    )
    deadline = daemonset()
    deadline["spec"]["template"]["spec"]["activeDeadlineSeconds"] = 5
    assert messages(deadline).endswith(
        "spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in DaemonSet is not Supported"
    )


def test_cronjob_and_daemonset_rows() -> None:
    from podlab.k8s.printers_batch import cronjob_row
    from podlab.k8s.printers_daemonset import daemonset_row

    now = datetime(2026, 12, 7, 13, 10, tzinfo=UTC)
    cj = cronjob(timeZone="Europe/Berlin")
    cj["metadata"]["creationTimestamp"] = "2026-12-07T13:00:00Z"
    cj["status"] = {"active": [{"name": "a"}], "lastScheduleTime": "2026-12-07T13:05:00Z"}
    assert cronjob_row(cj, now) == [
        "hello",
        "*/5 * * * *",
        "Europe/Berlin",
        "False",
        1,
        "5m",
        "10m",
        "c",
        "busybox",
        "<none>",
    ]
    unset = cronjob()
    del unset["spec"]["suspend"]
    assert cronjob_row(unset, now)[2:6] == ["<none>", "<unset>", 0, "<none>"]
    ds = daemonset()
    ds["spec"]["template"]["spec"]["nodeSelector"] = {"b": "2", "a": "1"}
    ds["status"] = {"desiredNumberScheduled": 1, "currentNumberScheduled": 1, "numberReady": 0}
    assert daemonset_row(ds, now)[1:7] == [1, 1, 0, 0, 0, "a=1,b=2"]
