"""The smallest scheduler: binds every unassigned pod to the one node.

That is the scheduler's job, not the kubelet's, so it lives apart: it sets ``PodScheduled`` (what
the binding subresource does), then ``spec.nodeName``, and records the ``Scheduled`` event from
``default-scheduler`` with the real wording ``Successfully assigned <ns>/<pod> to <node>``.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

from podlab.k8s.timestamps import format_time
from podlab.kubelet.clock import Clock
from podlab.kubelet.events import ObjectRef, Source
from podlab.kubelet.recorder import EventRecorder
from podlab.store import Store, StoreError, Watch

log = logging.getLogger("podlab.scheduler")

Obj = dict[str, Any]
PODS = ("", "pods")


def needs_binding(pod: Obj) -> bool:
    spec, meta = pod.get("spec", {}), pod.get("metadata", {})
    if spec.get("nodeName") or meta.get("deletionTimestamp"):
        return False
    return spec.get("schedulerName") in (None, "", "default-scheduler")


class Scheduler:
    def __init__(self, store: Store, clock: Clock, *, node_name: str) -> None:
        self.store = store
        self.clock = clock
        self.node_name = node_name
        self.recorder = EventRecorder(store, clock, Source("default-scheduler"))
        self._watch: Watch | None = None
        self._stopped = False

    async def run(self) -> None:
        while not self._stopped:
            self._watch = self.store.watch(PODS)
            async for event in self._watch:
                if event.type in ("ADDED", "MODIFIED") and needs_binding(event.object):
                    self.bind(event.object)
                elif event.type == "ERROR":
                    break
            if not self._stopped:
                await self.clock.sleep(0.1)  # the watch fell behind (410): re-list

    def stop(self) -> None:
        self._stopped = True
        if self._watch is not None:
            self._watch.close()

    def bind(self, pod: Obj) -> bool:
        meta = pod["metadata"]
        namespace, name = meta.get("namespace", "default"), meta["name"]
        now = format_time(self.clock.wall())
        status = copy.deepcopy(pod.get("status") or {})
        status.setdefault("phase", "Pending")
        conditions = [c for c in status.get("conditions", []) if c.get("type") != "PodScheduled"]
        conditions.append(
            {"type": "PodScheduled", "status": "True", "lastProbeTime": None, "lastTransitionTime": now}
        )
        status["conditions"] = conditions
        bound = copy.deepcopy(pod)
        bound["spec"]["nodeName"] = self.node_name
        try:
            updated = self.store.update(
                PODS,
                {
                    "metadata": {
                        "name": name,
                        "namespace": namespace,
                        "resourceVersion": meta.get("resourceVersion"),
                    },
                    "status": status,
                },
                subresource="status",
            )
            # Both writes are conditional on the version we decided on: a concurrent change wins.
            bound["metadata"]["resourceVersion"] = updated["metadata"]["resourceVersion"]
            self.store.update(PODS, bound)
        except StoreError as exc:
            log.debug("binding %s/%s deferred: %s", namespace, name, exc)
            return False
        self.recorder.emit(
            ObjectRef.for_pod(pod),
            "Normal",
            "Scheduled",
            f"Successfully assigned {namespace}/{name} to {self.node_name}",
        )
        return True
