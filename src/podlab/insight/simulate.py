"""`podlab simulate`: the real kubelet, on a virtual clock, against a model of the app.

Each run is a fresh Store + Kubelet + ModelRuntime on its own event loop; the pod is created at
virtual time 0 and the clock jumps from one sleeper's deadline to the next (VirtualClock.advance
lets each woken task's work settle first), so event and readiness times are exact and an idle
hour costs only its probe ticks. Nothing real is started and no socket is opened.
"""

from __future__ import annotations

import asyncio
import copy
import random
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from podlab.insight.model import AppModel
from podlab.insight.model_probe import ModelProbe
from podlab.insight.model_runtime import ModelRuntime
from podlab.insight.story import Entry, Story, container_of
from podlab.k8s.defaults import apply_defaults
from podlab.kubelet import Kubelet, VirtualClock
from podlab.kubelet.events import ObjectRef
from podlab.store import NotFound, Store

Obj = dict[str, Any]
PODS = ("", "pods")
# Virtual seconds per advance call; only bounds how much work one call does.
STEP = 60.0
# The workload kinds whose pod template podlab simulates (one pod each).
TEMPLATE_KINDS = {"Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "ReplicationController"}


def pods_to_simulate(objects: Iterable[Obj]) -> list[Obj]:
    """One pod per Pod and per workload template in the manifests, named after its owner."""
    pods: list[Obj] = []
    for obj in objects:
        kind = obj.get("kind")
        meta = obj.get("metadata") or {}
        if kind == "Pod":
            pod = copy.deepcopy(obj)
        elif kind in TEMPLATE_KINDS or kind == "CronJob":
            spec = obj.get("spec") or {}
            if kind == "CronJob":
                spec = ((spec.get("jobTemplate") or {}).get("spec")) or {}
            template = copy.deepcopy(spec.get("template") or {})
            pod = {"apiVersion": "v1", "kind": "Pod", "metadata": template.get("metadata") or {}}
            pod["metadata"]["name"] = str(meta.get("name", "pod"))
            pod["spec"] = template.get("spec") or {}
        else:
            continue
        pod["metadata"]["namespace"] = "default"
        pod["metadata"].pop("resourceVersion", None)
        pod.setdefault("spec", {}).pop("nodeName", None)
        pods.append(apply_defaults(pod))
    return pods


@dataclass
class RunStats:
    n: int
    restarted: int
    crash_looped: int
    ready_times: list[float]

    def to_json(self) -> Obj:
        ready = sorted(self.ready_times)
        return {
            "n": self.n,
            "pRestart": round(self.restarted / self.n, 4) if self.n else 0.0,
            "pCrashLoop": round(self.crash_looped / self.n, 4) if self.n else 0.0,
            "pReady": round(len(ready) / self.n, 4) if self.n else 0.0,
            "readyAtP50": ready[len(ready) // 2] if ready else None,
            "readyAtP99": ready[min(len(ready) - 1, int(len(ready) * 0.99))] if ready else None,
        }


def simulate(pod: Obj, model: AppModel, *, duration: float, seed: int = 0) -> Story:
    """One run of `pod` for `duration` virtual seconds."""
    return asyncio.run(_simulate(pod, model, duration, seed))


def simulate_runs(pod: Obj, model: AppModel, *, duration: float, runs: int, seed: int = 0) -> RunStats:
    """`runs` runs with seeds seed, seed+1, …: how often it restarts, loops, becomes Ready."""

    async def all_runs() -> RunStats:
        stats = RunStats(runs, 0, 0, [])
        for i in range(runs):
            story = await _simulate(pod, model, duration, seed + i)
            stats.restarted += any(story.restarts.values())
            stats.crash_looped += story.crash_loop
            if story.ready_at is not None:
                stats.ready_times.append(story.ready_at)
        return stats

    return asyncio.run(all_runs())


async def _simulate(pod: Obj, model: AppModel, duration: float, seed: int) -> Story:
    clock = VirtualClock()
    rng = random.Random(seed)
    store = Store(None)
    runtime = ModelRuntime(clock, model, rng)
    kubelet = Kubelet(store, runtime, clock=clock, probe_attempt=ModelProbe(clock, runtime, rng))
    story = Story(copy.deepcopy(pod))

    def record(ref: ObjectRef, type_: str, reason: str, message: str, t: float) -> None:
        story.entries.append(Entry(t, container_of(ref.field_path), reason, message, type_))

    kubelet.node.recorder.listeners.append(record)
    if kubelet.scheduler is not None:
        kubelet.scheduler.recorder.listeners.append(record)
    name = str(pod["metadata"]["name"])
    run = asyncio.ensure_future(kubelet.run())
    readiness = asyncio.ensure_future(_follow_readiness(store, name, clock, story))
    try:
        await clock.advance(0)
        store.create(PODS, copy.deepcopy(pod))
        while clock.now() < duration:
            await clock.advance(min(STEP, duration - clock.now()))
        try:
            final = store.get(PODS, "default", name)
        except NotFound:
            final = pod
    finally:
        readiness.cancel()
        run.cancel()
        for task in [*kubelet._runner_tasks.values(), *kubelet._tasks]:
            task.cancel()
        await asyncio.gather(run, *kubelet._runner_tasks.values(), *kubelet._tasks, return_exceptions=True)
        store.close()
    story.pod["status"] = final.get("status") or {}
    for cs in story.pod["status"].get("containerStatuses") or []:
        story.restarts[str(cs.get("name"))] = int(cs.get("restartCount") or 0)
    for t, container, code in runtime.exits:
        story.exits.setdefault(container, []).append((t, code, "Completed" if code == 0 else "Error"))
    return story


async def _follow_readiness(store: Store, name: str, clock: VirtualClock, story: Story) -> None:
    """Record the pod's Ready transitions at the virtual time they are written."""
    ready = False
    async for event in store.watch(PODS, "default", field_selector=f"metadata.name={name}"):
        conditions = (event.object.get("status") or {}).get("conditions") or []
        now_ready = any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)
        if now_ready != ready:
            ready = now_ready
            story.readiness.append((clock.now(), ready))
            if ready and story.ready_at is None:
                story.ready_at = clock.now()
