"""The object-model functions the API server calls, in one place (all from `podlab.k8s`).

Keeping the calls here means the REST handlers read as API semantics, and a change of a
`podlab.k8s` signature touches one file.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import podlab.k8s as k8s
from podlab.k8s import strategy as k8s_strategy
from podlab.k8s.selectors import selector_string as _selector_string

Obj = dict[str, Any]


def apply_defaults(obj: Obj) -> Obj:
    return k8s.apply_defaults(obj)


def prepare_for_create(obj: Obj) -> str | None:
    """A Job's uid, name and generated selector before validation (`podlab.k8s.strategy`)."""
    return k8s_strategy.prepare_for_create(obj)


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
