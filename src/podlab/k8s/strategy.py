"""Create-strategy steps that need the object's identity before validation
(`PrepareForCreate` in k8s pkg/registry/*/strategy.go): today a Job's, whose generated selector
names its own uid (pkg/registry/batch/job/strategy.go)."""

from __future__ import annotations

import uuid

from podlab.k8s.errors import Obj
from podlab.k8s.names import generate_name
from podlab.k8s.validation_batch import generate_selector


def prepare_for_create(obj: Obj, *, keep_uid: bool = False) -> str | None:
    """In place: a Job gets its uid (and its name, when generated) and its selector and template
    labels. Returns the uid the store must keep; None for kinds without such a step.
    `keep_uid`: a controller's own create keeps the uid it chose (the cronjob controller names
    the new Job in its status in the same pass); a client's uid is always replaced."""
    if obj.get("kind") != "Job":
        return None
    meta = obj.setdefault("metadata", {})
    if not isinstance(meta, dict):
        return None
    if not meta.get("name") and meta.get("generateName"):
        meta["name"] = generate_name(str(meta["generateName"]))
    meta["uid"] = (keep_uid and meta.get("uid")) or str(uuid.uuid4())
    generate_selector(obj)
    return str(meta["uid"])
