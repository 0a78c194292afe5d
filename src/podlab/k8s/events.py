"""The one builder of core/v1 Event objects, as client-go's legacy event recorder writes them.

The kubelet's recorder and the controllers both call `make_event`, so every Event podlab stores
has the same shape: `<object>.<hex unix nanos>` as its name, the involved object's namespace,
`count: 1`, equal first and last timestamps, `eventTime` null (client-go's `record` package
fills only the legacy fields) and `reportingComponent`/`reportingInstance` from the source.
"""

from __future__ import annotations

from datetime import datetime

from podlab.k8s.errors import Obj
from podlab.k8s.timestamps import format_time


def object_reference(obj: Obj, field_path: str = "") -> Obj:
    """core/v1 ObjectReference of a stored object (client-go `reference.GetReference`);
    empty fields are left out, as their `omitempty` tags do."""
    meta = obj.get("metadata") or {}
    ref: Obj = {
        "kind": obj.get("kind", ""),
        "namespace": meta.get("namespace", ""),
        "name": meta.get("name", ""),
        "uid": meta.get("uid", ""),
        "apiVersion": obj.get("apiVersion", ""),
    }
    if meta.get("resourceVersion"):
        ref["resourceVersion"] = str(meta["resourceVersion"])
    if field_path:
        ref["fieldPath"] = field_path
    return ref


def make_event(
    involved: Obj,
    type_: str,
    reason: str,
    message: str,
    at: datetime,
    *,
    component: str,
    host: str = "",
    name_nanos: int | None = None,
) -> Obj:
    """A fresh Event about `involved` (an ObjectReference) at `at`.

    `name_nanos` overrides the name's timestamp for callers whose clock can repeat a value
    between two events about the same object (client-go names events by `UnixNano()`).
    """
    stamp = format_time(at)
    nanos = name_nanos if name_nanos is not None else int(at.timestamp() * 1_000_000) * 1000
    source: Obj = {"component": component}
    if host:
        source["host"] = host
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {
            "name": f"{involved.get('name', '')}.{nanos:x}",
            "namespace": involved.get("namespace") or "default",
        },
        "involvedObject": involved,
        "reason": reason,
        "message": message,
        "source": source,
        "firstTimestamp": stamp,
        "lastTimestamp": stamp,
        "count": 1,
        "type": type_,
        "eventTime": None,
        "reportingComponent": component,
        "reportingInstance": host,
    }
