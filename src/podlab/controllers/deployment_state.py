"""One Deployment sync's working state: in-memory copies plus the actions that describe the writes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from podlab.controllers.actions import REPLICASETS, Action, PatchObject, RecordEvent
from podlab.controllers.conditions import resolve_fenceposts
from podlab.controllers.util import (
    DESIRED_REPLICAS,
    LAST_APPLIED,
    MAX_REPLICAS,
    REVISION,
    REVISION_HISTORY,
    Obj,
    meta,
    name_of,
    namespace_of,
    replicas_of,
)

COMPONENT = "deployment-controller"
NOT_COPIED = {
    LAST_APPLIED,
    REVISION,
    REVISION_HISTORY,
    DESIRED_REPLICAS,
    MAX_REPLICAS,
    "deprecated.deployment.rollback.to",
}


@dataclass
class DeploymentSync:
    """One sync's working state: in-memory copies that the actions describe."""

    d: Obj
    now: datetime
    actions: list[Action] = field(default_factory=list)

    def event(self, reason: str, message: str) -> None:
        self.actions.append(RecordEvent(self.d, "Normal", reason, message, COMPONENT))

    def scale(self, rs: Obj, replicas: int) -> None:
        """scaleReplicaSet: new replicas and the desired/max annotations, plus the event."""
        old = replicas_of(rs)
        surge = resolve_fenceposts(self.d)[0] if is_rolling(self.d) else 0
        annotations = {
            DESIRED_REPLICAS: str(replicas_of(self.d)),
            MAX_REPLICAS: str(replicas_of(self.d) + surge),
        }
        current = meta(rs).get("annotations") or {}
        if old == replicas and all(current.get(k) == v for k, v in annotations.items()):
            return
        rs.setdefault("spec", {})["replicas"] = replicas
        meta(rs).setdefault("annotations", {}).update(annotations)
        self.actions.append(
            PatchObject(
                REPLICASETS,
                namespace_of(rs),
                name_of(rs),
                {"metadata": {"annotations": annotations}, "spec": {"replicas": replicas}},
            )
        )
        if old != replicas:
            verb = "up" if replicas > old else "down"
            self.event(
                "ScalingReplicaSet", f"Scaled {verb} replica set {name_of(rs)} from {old} to {replicas}"
            )


def is_rolling(d: Obj) -> bool:
    return ((d.get("spec") or {}).get("strategy") or {}).get("type", "RollingUpdate") == "RollingUpdate"


def by_creation(rss: list[Obj]) -> list[Obj]:
    return sorted(rss, key=lambda rs: (str(meta(rs).get("creationTimestamp") or ""), name_of(rs)))
