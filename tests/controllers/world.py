"""A tiny virtual-time world for controller decisions: applies actions to in-memory objects the
way the store would, and plays a kubelet that makes pods ready. No asyncio, no clock."""

from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from podlab.controllers import (
    CreateObject,
    DeleteObject,
    PatchObject,
    RecordEvent,
    SetStatus,
    sync_deployment,
    sync_replicaset,
)
from podlab.controllers.actions import Action
from podlab.k8s import apply_defaults, json_merge_patch
from podlab.k8s.names import generate_name
from podlab.k8s.timestamps import format_time

Obj = dict[str, Any]
T0 = datetime(2026, 11, 28, 6, 0, 0, tzinfo=UTC)


def deployment(name: str = "web", replicas: int = 1, image: str = "nginx:1", **spec: Any) -> Obj:
    d = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": "default", "labels": {"app": name}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "c", "image": image}]},
            },
            **spec,
        },
    }
    return apply_defaults(d)


@dataclass
class World:
    now: datetime = T0
    objects: dict[str, dict[str, Obj]] = field(
        default_factory=lambda: {"Deployment": {}, "ReplicaSet": {}, "Pod": {}}
    )
    events: list[tuple[str, str, str]] = field(default_factory=list)  # (object, reason, message)
    ready_after: float = 5.0  # seconds from creation until the fake kubelet reports Ready
    broken_images: set[str] = field(default_factory=set)  # pods of these images never get Ready
    _uids: itertools.count[int] = field(default_factory=itertools.count)
    _created_at: dict[str, datetime] = field(default_factory=dict)

    def add(self, obj: Obj) -> Obj:
        obj = copy.deepcopy(obj)
        meta = obj["metadata"]
        if not meta.get("name"):
            meta["name"] = generate_name(meta["generateName"])
        meta["uid"] = f"uid-{next(self._uids):04d}"
        meta["creationTimestamp"] = format_time(self.now)
        meta["generation"] = 1
        meta["resourceVersion"] = "1"
        self.objects[obj["kind"]][meta["name"]] = obj
        self._created_at[meta["uid"]] = self.now
        return obj

    def get(self, kind: str, name: str) -> Obj:
        return self.objects[kind][name]

    def items(self, kind: str) -> list[Obj]:
        return [copy.deepcopy(o) for o in self.objects[kind].values()]

    def apply(self, actions: list[Action]) -> None:
        for a in actions:
            match a:
                case CreateObject(obj=obj, event=event, owner=owner):
                    created = self.add(apply_defaults(obj))
                    if event and owner:
                        self.events.append(
                            (
                                owner["metadata"]["name"],
                                event[0],
                                event[1].format(name=created["metadata"]["name"]),
                            )
                        )
                case PatchObject(key=key, name=name, merge=merge):
                    kind = {"deployments": "Deployment", "replicasets": "ReplicaSet", "pods": "Pod"}[key[1]]
                    current = self.objects[kind][name]
                    updated = json_merge_patch(current, merge)
                    if updated.get("spec") != current.get("spec"):
                        updated["metadata"]["generation"] += 1
                    self.objects[kind][name] = updated
                case SetStatus(key=key, name=name, status=status):
                    kind = {"deployments": "Deployment", "replicasets": "ReplicaSet"}[key[1]]
                    if name in self.objects[kind]:
                        self.objects[kind][name]["status"] = copy.deepcopy(status)
                case DeleteObject(key=key, name=name, event=event, owner=owner):
                    kind = {"pods": "Pod", "replicasets": "ReplicaSet", "deployments": "Deployment"}[key[1]]
                    self.objects[kind].pop(name, None)
                    if event and owner:
                        self.events.append((owner["metadata"]["name"], event[0], event[1]))
                case RecordEvent(involved=involved, reason=reason, message=message):
                    self.events.append((involved["metadata"]["name"], reason, message))

    def kubelet(self) -> None:
        """Pods run at once and turn Ready `ready_after` seconds after creation."""
        for pod in self.objects["Pod"].values():
            created = self._created_at[pod["metadata"]["uid"]]
            image = pod["spec"]["containers"][0]["image"]
            ready = (
                self.now >= created + timedelta(seconds=self.ready_after) and image not in self.broken_images
            )
            since = format_time(created + timedelta(seconds=self.ready_after))
            pod["status"] = {
                "phase": "Running",
                "conditions": [
                    {"type": "Ready", "status": "True" if ready else "False", "lastTransitionTime": since}
                ],
            }

    def step(self, seconds: float = 1.0) -> None:
        """Advance virtual time, then sync everything (deployments, then replica sets) once."""
        self.now += timedelta(seconds=seconds)
        self.kubelet()
        for d in self.items("Deployment"):
            self.apply(sync_deployment(d, self.items("ReplicaSet"), self.items("Pod"), self.now))
        for rs in self.items("ReplicaSet"):
            self.apply(sync_replicaset(rs, self.items("Pod"), self.now))

    def run(self, seconds: float, tick: float = 1.0) -> None:
        for _ in range(int(seconds / tick)):
            self.step(tick)
