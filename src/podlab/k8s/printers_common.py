"""Shared pieces of the Table printers: column type, common columns, tolerant field access
(printers run on stored objects, but must not crash on odd ones)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from podlab.k8s.duration import age
from podlab.k8s.errors import Obj

Column = tuple[str, str, int, str]  # name, type, priority, description
Printer = Callable[[Obj, datetime], list[Any]]

NAME_DOC = (
    "Name must be unique within a namespace. Is required when creating resources, although some "
    "resources may allow a client to request the generation of an appropriate name automatically. "
    "Name is primarily intended for creation idempotence and configuration definition. Cannot be "
    "updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names"
)
AGE_DOC = (
    "CreationTimestamp is a timestamp representing the server time when this object was created. It "
    "is not guaranteed to be set in happens-before order across separate operations. Clients may not "
    "set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. "
    "Read-only. Null for lists. More info: "
    "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"
)
NAME: Column = ("Name", "string", 0, NAME_DOC)
AGE: Column = ("Age", "string", 0, AGE_DOC)
CONTAINERS: Column = ("Containers", "string", 1, "Names of each container in the template.")
IMAGES: Column = ("Images", "string", 1, "Images referenced by each container in the template.")


def dicts(value: Any) -> list[Obj]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def as_int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def as_obj(value: Any) -> Obj:
    return value if isinstance(value, dict) else {}


def meta_of(obj: Obj) -> Obj:
    meta = obj.get("metadata")
    return meta if isinstance(meta, dict) else {}


def name_of(obj: Obj) -> str:
    return str(meta_of(obj).get("name", ""))


def age_of(obj: Obj, now: datetime) -> str:
    return age(meta_of(obj).get("creationTimestamp"), now)


def template_cells(template: Obj) -> list[str]:
    """The CONTAINERS and IMAGES cells of a workload's wide row, from its pod template."""
    containers = dicts(as_obj(template.get("spec")).get("containers"))
    return [
        ",".join(str(c.get("name", "")) for c in containers),
        ",".join(str(c.get("image", "")) for c in containers),
    ]
