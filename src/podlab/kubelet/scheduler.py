"""The smallest scheduler: binds every unassigned pod that fits to the one node.

A pod that does not fit (node_fit.py: a missing claim, a nodeSelector or required node affinity
the node does not match) stays Pending with ``PodScheduled`` False, reason ``Unschedulable``,
and a ``FailedScheduling`` Warning in the scheduler's words; it is tried again when the node's
labels change.

That is the scheduler's job, not the kubelet's, so it lives apart: it sets ``PodScheduled`` (what
the binding subresource does), then ``spec.nodeName``, and records the ``Scheduled`` event from
``default-scheduler`` with the real wording ``Successfully assigned <ns>/<pod> to <node>``.
"""

from __future__ import annotations

import asyncio
import copy
import logging
from typing import Any

from podlab.k8s.timestamps import format_time
from podlab.kubelet.clock import Clock
from podlab.kubelet.events import ObjectRef, Source
from podlab.kubelet.node_fit import unschedulable_message
from podlab.kubelet.recorder import EventRecorder
from podlab.store import Store, StoreError, Watch

log = logging.getLogger("podlab.scheduler")

Obj = dict[str, Any]
PODS = ("", "pods")
NODES = ("", "nodes")


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
        self._node_watch: Watch | None = None
        self._stopped = False

    async def run(self) -> None:
        nodes = asyncio.ensure_future(self._retry_on_node_change())
        try:
            while not self._stopped:
                self._watch = self.store.watch(PODS)
                async for event in self._watch:
                    if event.type in ("ADDED", "MODIFIED") and needs_binding(event.object):
                        self.schedule(event.object)
                    elif event.type == "ERROR":
                        break
                if not self._stopped:
                    await self.clock.sleep(0.1)  # the watch fell behind (410): re-list
        finally:
            nodes.cancel()

    async def _retry_on_node_change(self) -> None:
        """A node's labels changing may make an unschedulable pod fit (the scheduler's
        NodeUpdate cluster event moves such pods back to its active queue)."""
        while not self._stopped:
            self._node_watch = self.store.watch(NODES)
            labels: object = None
            async for event in self._node_watch:
                current = (event.object.get("metadata") or {}).get("labels")
                if event.type in ("ADDED", "MODIFIED") and current != labels:
                    labels = current
                    pods, _ = self.store.list(PODS)
                    for pod in pods:
                        if needs_binding(pod):
                            self.schedule(pod)
                elif event.type == "ERROR":
                    break
            if not self._stopped:
                await self.clock.sleep(0.1)

    def stop(self) -> None:
        self._stopped = True
        for watch in (self._watch, self._node_watch):
            if watch is not None:
                watch.close()

    def schedule(self, pod: Obj) -> bool:
        """Bind the pod if it fits the node; else leave it Pending, saying why, once per reason."""
        try:
            node = self.store.get(NODES, None, self.node_name)
        except StoreError:
            node = {"metadata": {"name": self.node_name}}  # not registered yet: no labels
        message = unschedulable_message(pod, node)
        if message is None:
            return self.bind(pod)
        self.mark_unschedulable(pod, message)
        return False

    def mark_unschedulable(self, pod: Obj, message: str) -> None:
        """PodScheduled False / Unschedulable and a FailedScheduling event (handleSchedulingFailure)."""
        status = copy.deepcopy(pod.get("status") or {})
        old = next((c for c in status.get("conditions", []) if c.get("type") == "PodScheduled"), None)
        if old is not None and old.get("reason") == "Unschedulable" and old.get("message") == message:
            return  # already said: this is the MODIFIED event of our own write
        meta = pod["metadata"]
        status.setdefault("phase", "Pending")
        conditions = [c for c in status.get("conditions", []) if c.get("type") != "PodScheduled"]
        conditions.append(
            {
                "type": "PodScheduled",
                "status": "False",
                "lastProbeTime": None,
                "lastTransitionTime": format_time(self.clock.wall()),
                "reason": "Unschedulable",
                "message": message,
            }
        )
        status["conditions"] = conditions
        try:
            self.store.update(
                PODS,
                {
                    "metadata": {
                        "name": meta["name"],
                        "namespace": meta.get("namespace", "default"),
                        "resourceVersion": meta.get("resourceVersion"),
                    },
                    "status": status,
                },
                subresource="status",
            )
        except StoreError as exc:
            log.debug("marking %s unschedulable deferred: %s", meta["name"], exc)
            return
        self.recorder.emit(ObjectRef.for_pod(pod), "Warning", "FailedScheduling", message)

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
