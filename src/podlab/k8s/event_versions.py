"""events.k8s.io/v1 Event <-> core/v1 Event, the one stored form (k8s pkg/apis/events/v1/
conversion.go), and the strict checks a create or update through events.k8s.io/v1 adds
(pkg/apis/core/validation/events.go ValidateEventCreate / ValidateEventUpdate).

Both APIs are views of one registry (`events` in the core group), so an event the kubelet
records is listed by either, and one created through events.k8s.io shows in `kubectl get events`.
"""

from __future__ import annotations

from typing import Any

from podlab.k8s import errors as fe
from podlab.k8s import names
from podlab.k8s.errors import FieldError, Obj

EVENTS_V1 = "events.k8s.io/v1"
# Field renames, events.k8s.io/v1 name -> core/v1 name; the rest keep their names.
_RENAMES = (
    ("regarding", "involvedObject"),
    ("note", "message"),
    ("reportingController", "reportingComponent"),
    ("deprecatedSource", "source"),
    ("deprecatedFirstTimestamp", "firstTimestamp"),
    ("deprecatedLastTimestamp", "lastTimestamp"),
    ("deprecatedCount", "count"),
)
_SAME = ("metadata", "eventTime", "series", "reportingInstance", "action", "reason", "related", "type")

REPORTING_INSTANCE_LENGTH_LIMIT = 128
ACTION_LENGTH_LIMIT = 128
REASON_LENGTH_LIMIT = 128
NOTE_LENGTH_LIMIT = 1024
_IMMUTABLE_ON_UPDATE = (
    "involvedObject",
    "reason",
    "message",
    "source",
    "firstTimestamp",
    "lastTimestamp",
    "count",
    "type",
    "eventTime",
    "action",
    "related",
    "reportingComponent",
    "reportingInstance",
)


def _present(value: Any) -> bool:
    return value not in (None, "", 0, {}, [])


def to_core(event: Obj) -> Obj:
    """Convert_v1_Event_To_core_Event."""
    out: Obj = {"apiVersion": "v1", "kind": "Event"}
    for key in _SAME:
        if key in event:
            out[key] = event[key]
    for external, core in _RENAMES:
        if _present(event.get(external)):
            out[core] = event[external]
    return out


def to_events_v1(event: Obj) -> Obj:
    """Convert_core_Event_To_v1_Event: eventTime always present (null for legacy events), the
    other fields only when set (their JSON tags are omitempty)."""
    out: Obj = {"apiVersion": EVENTS_V1, "kind": "Event", "eventTime": event.get("eventTime")}
    for key in _SAME:
        if key == "metadata" or _present(event.get(key)):
            out[key] = event[key]
    for external, core in _RENAMES:
        if _present(event.get(core)):
            out[external] = event[core]
    return out


def _required(path: str) -> FieldError:
    return fe.required(path, "")


def _too_long(path: str, limit: int) -> FieldError:
    return fe.invalid(path, "", f"can have at most {limit} characters")


def _series_errors(event: Obj) -> list[FieldError]:
    series = event.get("series")
    if not isinstance(series, dict):
        return []
    errs: list[FieldError] = []
    count = series.get("count")
    if not isinstance(count, int) or count < 2:
        errs.append(fe.invalid("series.count", "", "should be at least 2"))
    if not series.get("lastObservedTime"):
        errs.append(_required("series.lastObservedTime"))
    return errs


def _new_style_errors(event: Obj) -> list[FieldError]:
    """legacyValidateEvent's checks for an event with eventTime set."""
    namespace = str((event.get("metadata") or {}).get("namespace") or "")
    involved = event.get("involvedObject") or {}
    errs: list[FieldError] = []
    if not involved.get("namespace") and namespace not in ("default", "kube-system"):
        errs.append(fe.invalid("involvedObject.namespace", "", "does not match event.namespace"))
    controller = str(event.get("reportingComponent") or "")
    if not controller:
        errs.append(_required("reportingController"))
    errs.extend(fe.invalid("reportingController", controller, m) for m in names.is_qualified_name(controller))
    instance = str(event.get("reportingInstance") or "")
    if not instance:
        errs.append(_required("reportingInstance"))
    if len(instance) > REPORTING_INSTANCE_LENGTH_LIMIT:
        errs.append(_too_long("reportingInstance", REPORTING_INSTANCE_LENGTH_LIMIT))
    action = str(event.get("action") or "")
    if not action:
        errs.append(_required("action"))
    if len(action) > ACTION_LENGTH_LIMIT:
        errs.append(_too_long("action", ACTION_LENGTH_LIMIT))
    reason = str(event.get("reason") or "")
    if not reason:
        errs.append(_required("reason"))
    if len(reason) > REASON_LENGTH_LIMIT:
        errs.append(_too_long("reason", REASON_LENGTH_LIMIT))
    if len(str(event.get("message") or "")) > NOTE_LENGTH_LIMIT:
        errs.append(_too_long("message", NOTE_LENGTH_LIMIT))
    return errs


def validate_events_v1(event: Obj, old: Obj | None) -> list[FieldError]:
    """The checks events.k8s.io/v1 adds over core/v1, on the converted (core) object."""
    errs = _new_style_errors(event) if event.get("eventTime") else []
    if old is not None:
        if event.get("series") != old.get("series"):
            errs.extend(_series_errors(event))
        for path in _IMMUTABLE_ON_UPDATE:
            if event.get(path) != old.get(path):
                errs.append(fe.invalid(path, event.get(path), "field is immutable"))
        return errs
    errs.extend(_series_errors(event))
    if not event.get("eventTime"):
        errs.append(_required("eventTime"))
    if event.get("type") not in ("Normal", "Warning"):
        errs.append(fe.invalid("type", "", f"has invalid value: {event.get('type') or ''}"))
    for path in ("firstTimestamp", "lastTimestamp", "count", "source"):
        if _present(event.get(path)):
            errs.append(fe.invalid(path, "", "needs to be unset"))
    return errs
