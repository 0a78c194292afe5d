"""The StatefulSet and ControllerRevision Tables (k8s pkg/printers/internalversion/printers.go
printStatefulSet, printControllerRevision)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

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

STATEFULSET_COLUMNS: list[Column] = [
    NAME,
    ("Ready", "string", 0, "Number of the pod with ready state"),
    AGE,
    CONTAINERS,
    IMAGES,
]


def statefulset_row(obj: Obj, now: datetime) -> list[Any]:
    spec, status = as_obj(obj.get("spec")), as_obj(obj.get("status"))
    replicas = spec.get("replicas")
    return [
        name_of(obj),
        f"{as_int(status.get('readyReplicas'))}/{1 if replicas is None else as_int(replicas)}",
        age_of(obj, now),
        *template_cells(as_obj(spec.get("template"))),
    ]


CONTROLLERREVISION_COLUMNS: list[Column] = [
    NAME,
    ("Controller", "string", 0, "Controller of the object."),
    ("Revision", "integer", 0, "Revision of the ControllerRevision."),
    AGE,
]


def controllerrevision_row(obj: Obj, now: datetime) -> list[Any]:
    controller = "<none>"
    for ref in dicts(meta_of(obj).get("ownerReferences")):
        if ref.get("controller"):
            group = str(ref.get("apiVersion", "")).rpartition("/")[0]
            kind = str(ref.get("kind", "")).lower()
            controller = f"{kind}.{group}/{ref.get('name', '')}" if group else f"{kind}/{ref.get('name', '')}"
    return [name_of(obj), controller, as_int(obj.get("revision")), age_of(obj, now)]
