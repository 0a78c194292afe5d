"""The object-model functions the API server calls, in one place (all from `podlab.k8s`).

Keeping the calls here means the REST handlers read as API semantics, and a change of a
`podlab.k8s` signature touches one file.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import podlab.k8s as k8s
from podlab.k8s.names import generate_name
from podlab.k8s.selectors import selector_string as _selector_string
from podlab.k8s.validation_batch import generate_selector

Obj = dict[str, Any]


def apply_defaults(obj: Obj) -> Obj:
    return k8s.apply_defaults(obj)


def prepare_for_create(obj: Obj) -> str | None:
    """The create strategies' steps that need the object's identity before validation: a Job
    (pkg/registry/batch/job/strategy.go PrepareForCreate) gets its uid, and its name when
    generated, so generateSelector can write both into the selector and the template. Returns
    the uid the store must keep, None for other kinds."""
    if obj.get("kind") != "Job":
        return None
    meta = obj["metadata"]
    if not meta.get("name") and meta.get("generateName"):
        meta["name"] = generate_name(str(meta["generateName"]))
    meta["uid"] = str(uuid.uuid4())
    generate_selector(obj)
    return str(meta["uid"])


def validation_errors(obj: Obj, old: Obj | None) -> list[Any]:
    return list(k8s.validate(obj, old))


def invalid_status(obj: Obj, errors: list[Any]) -> Obj:
    """The 422 Status body, causes included (kubectl prints from the causes)."""
    status = k8s.invalid_status(obj, errors)
    details = status.get("details") or {}
    if not details.get("group"):
        details.pop("group", None)  # metav1.StatusDetails.Group is omitempty
    return status


def unknown_fields(obj: Obj, *, prune: bool = False) -> list[str]:
    return list(k8s.unknown_fields(obj, prune=prune))


def strategic_merge_patch(original: Obj, patch: Obj, kind: str) -> Obj:
    return k8s.strategic_merge_patch(original, patch, kind)


def json_merge_patch(original: Obj, patch: Obj) -> Obj:
    return k8s.json_merge_patch(original, patch)


def json_patch(original: Obj, ops: list[Obj]) -> Obj:
    return k8s.json_patch(original, ops)


def to_table(kind: str, objs: list[Obj], now: datetime) -> Obj:
    return k8s.to_table(kind, objs, now)


def selector_string(selector: Obj | None) -> str:
    """`app=web,tier in (a)`: a LabelSelector as kubectl and Scale.status.selector print it."""
    return _selector_string(selector)
