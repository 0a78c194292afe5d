"""What a reconcile decides; the driver performs these against the store (decide, then act)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Obj = dict[str, Any]
ResourceKey = tuple[str, str]

PODS: ResourceKey = ("", "pods")
REPLICASETS: ResourceKey = ("apps", "replicasets")
DEPLOYMENTS: ResourceKey = ("apps", "deployments")
EVENTS: ResourceKey = ("", "events")
JOBS: ResourceKey = ("batch", "jobs")


@dataclass(frozen=True, slots=True)
class CreateObject:
    key: ResourceKey
    obj: Obj
    # Recorded on `owner` after the create succeeds; "{name}" becomes the created object's name
    # (pods are created with generateName, so only the store knows it).
    event: tuple[str, str] | None = None
    owner: Obj | None = None
    component: str = "replicaset-controller"  # the event's source
    # The FailedCreate message when admission refuses the create; "{error}" becomes its reason.
    failure: str = "Error creating: {error}"


@dataclass(frozen=True, slots=True)
class PatchObject:
    """Merge `merge` (RFC 7386) into the latest stored object and update it."""

    key: ResourceKey
    namespace: str
    name: str
    merge: Obj


@dataclass(frozen=True, slots=True)
class SetStatus:
    key: ResourceKey
    namespace: str
    name: str
    status: Obj


@dataclass(frozen=True, slots=True)
class DeleteObject:
    key: ResourceKey
    namespace: str
    name: str
    uid: str = ""  # precondition: only this incarnation
    event: tuple[str, str] | None = None
    owner: Obj | None = None
    component: str = "replicaset-controller"  # the event's source


@dataclass(frozen=True, slots=True)
class RecordEvent:
    involved: Obj
    type: str  # "Normal" | "Warning"
    reason: str
    message: str
    component: str


Action = CreateObject | PatchObject | SetStatus | DeleteObject | RecordEvent
