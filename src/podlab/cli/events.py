"""`podlab events`: Events as `kubectl events` prints them, optionally watching for new ones."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import click

from podlab.k8s.duration import age

from .client import ApiClient

Obj = dict[str, Any]
HEADER = f"{'LAST SEEN':<10} {'TYPE':<8} {'REASON':<20} {'OBJECT':<40} MESSAGE"


def _age(timestamp: str | None) -> str:
    """LAST SEEN as `kubectl events` prints it (translateTimestampSince: HumanDuration)."""
    return age(timestamp, datetime.now(UTC))


def _last_seen(event: Obj) -> str:
    return str(event.get("lastTimestamp") or event.get("eventTime") or "")


def _write_order(event: Obj) -> int:
    version = str((event.get("metadata") or {}).get("resourceVersion") or "0")
    return int(version) if version.isdigit() else 0


def chronological(events: list[Obj]) -> list[Obj]:
    """Oldest first, causes before what they caused.

    Events carry whole seconds (metav1.Time), and a Deployment's ScalingReplicaSet, its
    ReplicaSet's SuccessfulCreate and the pod's Scheduled..Started usually share one second.
    The API lists by name, as etcd lists keys, which puts `wiremock-<hash>-<id>.*` (the pod)
    before `wiremock-<hash>.*` and `wiremock.*`. podlab's resourceVersion is one counter for
    every write, so within a second it is the order things happened in.
    """
    return sorted(events, key=lambda e: (_last_seen(e), _write_order(e)))


def event_message(event: Obj) -> str:
    """The message as `kubectl describe` prints it (strings.TrimSpace): an exec probe's output
    keeps the command's trailing newline in the Event, as kubelet stores it, but shows none."""
    return str(event.get("message", "")).strip()


def format_event(event: Obj) -> str:
    involved = event.get("involvedObject", {})
    obj = f"{str(involved.get('kind', '')).lower()}/{involved.get('name', '')}"
    seen = _age(_last_seen(event))
    count = event.get("count") or 1
    if count > 1:
        seen += f" (x{count})"
    return f"{seen:<10} {event.get('type', ''):<8} {event.get('reason', ''):<20} {obj:<40} {event_message(event)}"


def print_events(client: ApiClient, namespace: str, watch: bool) -> None:
    listed = client.request("GET", f"/api/v1/namespaces/{namespace}/events")
    click.echo(HEADER)
    for event in chronological(listed.get("items", [])):
        click.echo(format_event(event))
    if not watch:
        return
    version = listed.get("metadata", {}).get("resourceVersion", "")
    buffer = b""
    for chunk in client.stream(
        f"/api/v1/namespaces/{namespace}/events", {"watch": "true", "resourceVersion": version}
    ):
        buffer += chunk
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            if line.strip():
                change = json.loads(line)
                if change.get("type") in ("ADDED", "MODIFIED"):
                    click.echo(format_event(change["object"]))
