"""Run manifests on a private in-process node for a while, watching the probes (observe, advise).

The node is a real one (sandboxes, probes, kubelet) in a throwaway PODLAB_HOME; only the probe
attempt is wrapped by a ProbeObserver. At the end each pod's story is read from the store.

When the manifests hold WireMock stubs (built-in `wiremock/wiremock` pods standing in for
dependencies) and other pods, the second half of the observation breaks the stubs: a catch-all
mapping at top priority answers 503 to everything, through the stub's own admin API. A liveness
probe that passed before and fails after depends on that dependency (advise's
`liveness-depends-on-downstream`).
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from podlab.images.names import parse_image
from podlab.images.resolve import WIREMOCK_REPOS
from podlab.insight.explain import story_of
from podlab.insight.observe import Observation, ProbeObserver
from podlab.insight.story import Story
from podlab.kubelet.events import ObjectRef
from podlab.network.sockets import PodNetworkSockets
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
        node = Node(Path(tmp) / "home", sandbox=sandbox, config=config, probe_attempt=observer, persist=False)
        await node.start()
        try:
            assert node.kubelet is not None

            def started(ref: ObjectRef, type_: str, reason: str, message: str, t: float) -> None:
                if reason == "Started" and ref.field_path:
                    container = ref.field_path.split("{", 1)[1].rstrip("}")
                    observer.container_started(f"{ref.name}/{container}")

            node.kubelet.node.recorder.listeners.append(started)
            client = ApiClient(node.api_url, node.token, ca_pem=node.ca_pem.decode())
            for obj in objects:
                await asyncio.to_thread(apply_one, client, obj)
            start = time.monotonic()
            deadline = start + duration
            broken = False
            while time.monotonic() < deadline:
                await asyncio.sleep(min(0.5, deadline - time.monotonic()))
                if not broken and _time_to_break(observer, time.monotonic() - start, duration):
                    names = await _break_stubs(node)
                    broken = bool(names)  # a stub not serving yet is tried again next round
                    observer.seen.breaks.extend((time.monotonic(), n) for n in names)
            workloads = _workload_names(node)
            seen = (await observer.finish()).renamed(lambda pod: workloads.get(pod, pod))
            stories = _stories(node, workloads)
        finally:
            await node.stop()
    return seen, stories


def _time_to_break(observer: ProbeObserver, elapsed: float, duration: float) -> bool:
    """Break the stubs from half time on, once every liveness probe seen has passed at least
    once (a slow start must not read as a dependency); at three quarters whatever the probes."""
    if elapsed < duration / 2:
        return False
    if elapsed >= duration * 3 / 4:
        return True
    attempts = [a for a in observer.seen.attempts if a.probe_type == "liveness"]
    return all(
        any(a.result == "success" for a in attempts if a.container == c)
        for c in {a.container for a in attempts}
    )


def _stories(node: Node, workloads: dict[str, str]) -> dict[str, Story]:
    """Each pod's story, keyed by the name simulate and advise use (`workloads`)."""
    pods, _ = node.store.list(("", "pods"), None)
    events, _ = node.store.list(("", "events"), None)
    out: dict[str, Story] = {}
    for pod in pods:
        story = story_of(pod, events)
        out[workloads.get(story.name, story.name)] = story
    return out


def _workload_names(node: Node) -> dict[str, str]:
    """Pod name -> the name advise and simulate know it by: its workload's, or its own."""
    pods, _ = node.store.list(("", "pods"), None)
    out = {}
    for pod in pods:
        name = str(pod["metadata"]["name"])
        out[name] = _owner_name(node, pod, pod["metadata"].get("ownerReferences") or []) or name
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


# What a broken dependency answers: everything 503, ahead of every other mapping.
BREAK_MAPPING = {
    "priority": 1,
    "request": {"method": "ANY", "urlPattern": ".*"},
    "response": {"status": 503, "body": "podlab advise: this dependency is broken on purpose"},
}


async def _break_stubs(node: Node) -> list[str]:
    """Break every running stub pod when there is something else to watch; their names."""
    pods, _ = node.store.list(("", "pods"), None)
    stubs = [p for p in pods if _is_stub(p)]
    if not stubs or len(stubs) == len(pods):
        return []
    broken = []
    for pod in stubs:
        ip = (pod.get("status") or {}).get("podIP")
        container = pod["spec"]["containers"][0]
        port = next(
            (int(p["containerPort"]) for p in container.get("ports") or [] if p.get("containerPort")), 8080
        )
        if ip and await _post_mapping(node.network, ip, port, BREAK_MAPPING):
            broken.append(str(pod["metadata"]["name"]))
    return broken


def _is_stub(pod: Obj) -> bool:
    containers = (pod.get("spec") or {}).get("containers") or []
    return any(parse_image(str(c.get("image", ""))).repository in WIREMOCK_REPOS for c in containers)


async def _post_mapping(network: PodNetworkSockets, ip: str, port: int, mapping: Obj) -> bool:
    """POST the mapping to the stub's admin API, dialled through the pod network's seam."""
    body = json.dumps(mapping).encode()
    head = (
        f"POST /__admin/mappings HTTP/1.1\r\nHost: {ip}:{port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    try:
        sock = await network.connect_tcp(ip, port, 3)
        reader, writer = await asyncio.open_connection(sock=sock)
    except (OSError, TimeoutError):
        return False
    try:
        writer.write(head + body)
        status_line = await asyncio.wait_for(reader.readline(), 3)
        return status_line.split(b" ")[1:2] == [b"201"]
    except (OSError, TimeoutError, IndexError):
        return False
    finally:
        writer.close()
