"""Deployment and ReplicaSet controllers and garbage collection: sans-IO reconciles
(`sync_deployment`, `sync_replicaset`, `orphaned_dependents`) and the async driver `Controllers`."""

from podlab.controllers.actions import (
    Action,
    CreateObject,
    DeleteObject,
    PatchObject,
    RecordEvent,
    SetStatus,
)
from podlab.controllers.deployment import sync_deployment
from podlab.controllers.driver import Controllers, make_event
from podlab.controllers.gc import orphaned_dependents
from podlab.controllers.ranking import pods_to_delete
from podlab.controllers.replicaset import sync_replicaset

__all__ = [
    "Action",
    "Controllers",
    "CreateObject",
    "DeleteObject",
    "PatchObject",
    "RecordEvent",
    "SetStatus",
    "make_event",
    "orphaned_dependents",
    "pods_to_delete",
    "sync_deployment",
    "sync_replicaset",
]
