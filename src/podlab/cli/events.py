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


def format_event(event: Obj) -> str:
    involved = event.get("involvedObject", {})
    obj = f"{str(involved.get('kind', '')).lower()}/{involved.get('name', '')}"
    seen = _age(event.get("lastTimestamp") or event.get("eventTime"))
    count = event.get("count") or 1
    if count > 1:
        seen += f" (x{count})"
    return f"{seen:<10} {event.get('type', ''):<8} {event.get('reason', ''):<20} {obj:<40} {event.get('message', '')}"


def print_events(client: ApiClient, namespace: str, watch: bool) -> None:
    listed = client.request("GET", f"/api/v1/namespaces/{namespace}/events")
    items = sorted(listed.get("items", []), key=lambda e: e.get("lastTimestamp") or e.get("eventTime") or "")
    click.echo(HEADER)
    for event in items:
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
