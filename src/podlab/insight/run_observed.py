"""Run manifests on a private in-process node for a while, watching the probes (observe, advise).

The node is a real one (sandboxes, probes, kubelet) in a throwaway PODLAB_HOME; only the probe
attempt is wrapped by a ProbeObserver. At the end each pod's story is read from the store.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

from podlab.insight.explain import story_of
from podlab.insight.observe import Observation, ProbeObserver
from podlab.insight.story import Story
from podlab.kubelet.events import ObjectRef
from podlab.node.config import NodeConfig
from podlab.node.node import Node

Obj = dict[str, Any]


async def observe_run(
    objects: list[Obj], duration: float, *, config: NodeConfig | None = None, sandbox: str = "auto"
) -> tuple[Observation, dict[str, Story]]:
    from podlab.cli.apply import apply_one
    from podlab.cli.client import ApiClient

    observer = ProbeObserver()
    with tempfile.TemporaryDirectory(prefix="podlab-observe-") as tmp:
        node = Node(Path(tmp) / "home", sandbox=sandbox, config=config, probe_attempt=observer)
        await node.start()
        try:
            assert node.kubelet is not None

            def started(ref: ObjectRef, type_: str, reason: str, message: str, t: float) -> None:
                if reason == "Started" and ref.field_path:
                    observer.container_started(ref.field_path.split("{", 1)[1].rstrip("}"))

            node.kubelet.node.recorder.listeners.append(started)
            client = ApiClient(node.api_url, node.token, ca_pem=node.ca_pem.decode())
            for obj in objects:
                await asyncio.to_thread(apply_one, client, obj)
            deadline = time.monotonic() + duration
            while time.monotonic() < deadline:
                await asyncio.sleep(min(0.5, deadline - time.monotonic()))
            seen = await observer.finish()
            stories = _stories(node)
        finally:
            await node.stop()
    return seen, stories


def _stories(node: Node) -> dict[str, Story]:
    pods, _ = node.store.list(("", "pods"), None)
    events, _ = node.store.list(("", "events"), None)
    out: dict[str, Story] = {}
    for pod in pods:
        story = story_of(pod, events)
        # Stories are keyed by the name simulate and advise use: the owner's for workload pods.
        owners = pod["metadata"].get("ownerReferences") or []
        key = _owner_name(node, pod, owners) or story.name
        out[key] = story
    return out


def _owner_name(node: Node, pod: Obj, owners: list[Obj]) -> str | None:
    for owner in owners:
        if owner.get("kind") == "ReplicaSet":
            try:
                rs = node.store.get(("apps", "replicasets"), pod["metadata"].get("namespace"), owner["name"])
            except Exception:
                return None
            for top in rs["metadata"].get("ownerReferences") or []:
                return str(top.get("name"))
        return str(owner.get("name"))
    return None
