"""The smallest scheduler: binds every unassigned pod that fits to the one node.

A pod that does not fit (node_fit.py: a missing claim, a nodeSelector or required node affinity
the node does not match) stays Pending with ``PodScheduled`` False, reason ``Unschedulable``,
and a ``FailedScheduling`` Warning in the scheduler's words; it is tried again when the node's
labels change, and with the scheduler's backoff (1 s doubling to 10 s) until it fits or goes away.
A pod whose host ports are held (`Admission`, network/hostports.py) is unschedulable the same way.

That is the scheduler's job, not the kubelet's, so it lives apart: it sets ``PodScheduled`` (what
the binding subresource does), then ``spec.nodeName``, and records the ``Scheduled`` event from
``default-scheduler`` with the real wording ``Successfully assigned <ns>/<pod> to <node>``.
"""

from __future__ import annotations

import asyncio
import copy
import logging
from dataclasses import dataclass
from typing import Any, Protocol

from podlab.k8s.timestamps import format_time
from podlab.kubelet.clock import Clock
from podlab.kubelet.events import ObjectRef, Source
from podlab.kubelet.node_fit import unschedulable_message, volume_binding
from podlab.kubelet.recorder import EventRecorder
from podlab.store import Store, StoreError, Watch

log = logging.getLogger("podlab.scheduler")

Obj = dict[str, Any]
PODS = ("", "pods")
NODES = ("", "nodes")
PVCS = ("", "persistentvolumeclaims")
STORAGECLASSES = ("storage.k8s.io", "storageclasses")
SELECTED_NODE = "volume.kubernetes.io/selected-node"
# How soon a pod waiting for its WaitForFirstConsumer claims to be provisioned is tried again.
_BINDING_POLL = 0.25
# kube-scheduler's podInitialBackoffDuration and podMaxBackoffDuration.
_INITIAL_BACKOFF = 1.0
_MAX_BACKOFF = 10.0


class Admission(Protocol):
    """What else decides whether a pod fits the node (host ports), and frees what it took."""

    def admit(self, pod: Obj) -> str | None:
        """None: the pod fits (and what it needs is now its own); else why it does not."""
        ...

    def release(self, uid: str) -> None: ...


@dataclass
class _Unschedulable:
    namespace: str
    name: str
    retry_at: float
    backoff: float


def needs_binding(pod: Obj) -> bool:
    spec, meta = pod.get("spec", {}), pod.get("metadata", {})
    if spec.get("nodeName") or meta.get("deletionTimestamp"):
        return False
    return spec.get("schedulerName") in (None, "", "default-scheduler")


class Scheduler:
    def __init__(
        self, store: Store, clock: Clock, *, node_name: str, admission: Admission | None = None
    ) -> None:
        self.store = store
        self.clock = clock
        self.node_name = node_name
        self.recorder = EventRecorder(store, clock, Source("default-scheduler"))
        self.admission = admission
        self._unschedulable: dict[str, _Unschedulable] = {}  # pod uid -> when to try again
        self._watch: Watch | None = None
        self._node_watch: Watch | None = None
        self._stopped = False

    async def run(self) -> None:
        nodes = asyncio.ensure_future(self._retry_on_node_change())
        retries = asyncio.ensure_future(self._retry_unschedulable())
        try:
            while not self._stopped:
                self._watch = self.store.watch(PODS)
                async for event in self._watch:
                    if event.type == "ERROR":
                        break
                    uid = str(event.object.get("metadata", {}).get("uid", ""))
                    if event.type == "DELETED":
                        self._unschedulable.pop(uid, None)
                    elif needs_binding(event.object) and uid not in self._unschedulable:
                        self.schedule(event.object)
                if not self._stopped:
                    await self.clock.sleep(0.1)  # the watch fell behind (410): re-list
        finally:
            nodes.cancel()
            retries.cancel()

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
        uid = str(pod["metadata"].get("uid", ""))
        try:
            # Events lag the store (our own status write comes back before the spec write):
            # decide on the pod as it is now, or a stale copy undoes a binding just made.
            pod = self.store.get(PODS, pod["metadata"].get("namespace", "default"), pod["metadata"]["name"])
        except StoreError:
            return False
        if pod["metadata"].get("uid") != uid or not needs_binding(pod):
            return False
        try:
            node = self.store.get(NODES, None, self.node_name)
        except StoreError:
            node = {"metadata": {"name": self.node_name}}  # not registered yet: no labels
        message, delayed = volume_binding(pod, self._claim, self._storage_class)
        if message is None:
            message = unschedulable_message(pod, node, lambda _ns, _name: True)
        if message is None and delayed:
            # VolumeBinding's PreBind: name this node in each claim, and bind the pod only once
            # the provisioner has bound them (tried again shortly, no event).
            self._select_node(delayed)
            self._unschedulable[uid] = _Unschedulable(
                pod["metadata"].get("namespace", "default"),
                pod["metadata"]["name"],
                self.clock.now() + _BINDING_POLL,
                _INITIAL_BACKOFF / 2,
            )
            return False
        if message is None and self.admission is not None:
            message = self.admission.admit(pod)
        if message is not None:
            self.mark_unschedulable(pod, message)
            return False
        if self.bind(pod):
            self._unschedulable.pop(uid, None)
            return True
        if self.admission is not None:
            self.admission.release(uid)  # a newer version of the pod gets its own try
        return False

    def _claim(self, namespace: str, name: str) -> Obj | None:
        try:
            return self.store.get(PVCS, namespace, name)
        except StoreError:
            return None

    def _storage_class(self, name: str) -> Obj | None:
        try:
            return self.store.get(STORAGECLASSES, None, name)
        except StoreError:
            return None

    def _select_node(self, claims: list[Obj]) -> None:
        for claim in claims:
            annotations = claim["metadata"].get("annotations") or {}
            if annotations.get(SELECTED_NODE) == self.node_name:
                continue
            updated = copy.deepcopy(claim)
            updated["metadata"]["annotations"] = {**annotations, SELECTED_NODE: self.node_name}
            try:
                self.store.update(PVCS, updated)
            except StoreError as exc:
                log.debug("selecting the node for claim %s deferred: %s", claim["metadata"]["name"], exc)

    async def _retry_unschedulable(self) -> None:
        while not self._stopped:
            await self.clock.sleep(0.25)
            now = self.clock.now()
            for uid, entry in list(self._unschedulable.items()):
                if entry.retry_at > now:
                    continue
                try:
                    pod = self.store.get(PODS, entry.namespace, entry.name)
                except StoreError:
                    self._unschedulable.pop(uid, None)
                    continue
                if pod["metadata"].get("uid") != uid or not needs_binding(pod):
                    self._unschedulable.pop(uid, None)
                    continue
                self.schedule(pod)

    def mark_unschedulable(self, pod: Obj, message: str) -> None:
        """PodScheduled False / Unschedulable and a FailedScheduling event (handleSchedulingFailure)."""
        meta = pod["metadata"]
        uid = str(meta.get("uid", ""))
        previous = self._unschedulable.get(uid)
        backoff = _INITIAL_BACKOFF if previous is None else min(previous.backoff * 2, _MAX_BACKOFF)
        self._unschedulable[uid] = _Unschedulable(
            meta.get("namespace", "default"), meta["name"], self.clock.now() + backoff, backoff
        )
        status = copy.deepcopy(pod.get("status") or {})
        old = next((c for c in status.get("conditions", []) if c.get("type") == "PodScheduled"), None)
        if old is not None and old.get("reason") == "Unschedulable" and old.get("message") == message:
            return  # already said: this is the MODIFIED event of our own write
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
