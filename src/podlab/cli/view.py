"""The live terminal view of `podlab up`: pods, containers, probes and the Events stream.

It reads the node's store directly (it runs in the node's process) and renders with rich.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from podlab.k8s.duration import age
from podlab.store import Store

from .events import chronological, event_message

Obj = dict[str, Any]
MAX_EVENTS = 12
# (container, probe type) -> latest attempt results, oldest first (Kubelet.probe_history)
ProbeHistory = Mapping[tuple[str, str], list[str]]


def _age(timestamp: str | None, now: datetime) -> str:
    """kubectl's AGE (HumanDuration); blank rather than `<unknown>` in the live view."""
    return age(timestamp, now) if timestamp else ""


def _state(status: Obj) -> Text:
    state = status.get("state") or {}
    if "running" in state:
        return Text("Running", style="green")
    if "waiting" in state:
        reason = state["waiting"].get("reason", "Waiting")
        return Text(reason, style="red" if "BackOff" in reason or "Err" in reason else "yellow")
    if "terminated" in state:
        term = state["terminated"]
        return Text(f"{term.get('reason', 'Terminated')} ({term.get('exitCode')})", style="red")
    return Text("Pending", style="yellow")


_MARKS = {
    "success": ("✓", "green"),
    "warning": ("!", "yellow"),
    "failure": ("✗", "red"),
    "unknown": ("?", "dim"),
}


def _probes(container: Obj, history: ProbeHistory) -> Text:
    """Each probe's handler and period, then its latest results (oldest first): ✓ ✗ ! ?"""
    text = Text()
    for key, label in (
        ("startupProbe", "startup"),
        ("livenessProbe", "liveness"),
        ("readinessProbe", "readiness"),
    ):
        probe = container.get(key)
        if not probe:
            continue
        handler = next((h for h in ("httpGet", "tcpSocket", "exec", "grpc") if h in probe), "?")
        if text:
            text.append("  ")
        text.append(f"{label}:{handler}/{probe.get('periodSeconds', 10)}s ")
        for result in history.get((container["name"], label), []):
            mark, style = _MARKS.get(result, ("?", "dim"))
            text.append(mark, style=style)
    return text or Text("-")


# Which way the container's image runs (podlab.images.source).
SOURCE_LABELS = {"builtin": "(built-in)", "pull": "(pulled)"}


def render(
    store: Store,
    server_url: str,
    isolation: str,
    kubeconfig: str,
    probe_history: Callable[[str], ProbeHistory] = lambda uid: {},
    image_source: Callable[[Obj, Obj], str] = lambda pod, container: "",
) -> Group:
    """`image_source(pod, container)`: "builtin" or "pull", shown beside the container's name."""
    now = datetime.now(UTC)
    pods, _ = store.list(("", "pods"))
    events, _ = store.list(("", "events"))
    table = Table(title=f"podlab node  {server_url}  isolation: {isolation}", expand=True)
    for column in ("POD", "CONTAINER", "STATE", "READY", "RESTARTS", "PROBES", "IP", "AGE"):
        table.add_column(column)
    for pod in sorted(pods, key=lambda p: (p["metadata"].get("namespace", ""), p["metadata"]["name"])):
        spec_containers = {c["name"]: c for c in pod.get("spec", {}).get("containers", [])}
        statuses = {s["name"]: s for s in pod.get("status", {}).get("containerStatuses", []) or []}
        pod_name = pod["metadata"]["name"]
        history = probe_history(pod["metadata"].get("uid", ""))
        if pod["metadata"].get("deletionTimestamp"):
            pod_name += " (Terminating)"
        for name, container in spec_containers.items():
            status = statuses.get(name, {})
            source = image_source(pod, container)
            table.add_row(
                pod_name,
                Text(name)
                + (Text(f" {SOURCE_LABELS.get(source, source)}", style="dim") if source else Text()),
                _state(status),
                Text("yes", style="green") if status.get("ready") else Text("no", style="yellow"),
                str(status.get("restartCount", 0)),
                _probes(container, history),
                pod.get("status", {}).get("podIP", ""),
                _age(pod["metadata"].get("creationTimestamp"), now),
            )
            pod_name = ""
    recent = chronological(events)[-MAX_EVENTS:]
    log = Table(title="Events", expand=True)
    for column in ("LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"):
        log.add_column(column)
    for event in recent:
        involved = event.get("involvedObject", {})
        count = event.get("count", 1)
        seen = _age(event.get("lastTimestamp") or event.get("eventTime"), now)
        log.add_row(
            seen + (f" (x{count})" if count and count > 1 else ""),
            Text(event.get("type", ""), style="red" if event.get("type") == "Warning" else ""),
            event.get("reason", ""),
            f"{str(involved.get('kind', '')).lower()}/{involved.get('name', '')}",
            event_message(event),
        )
    footer = Text(f"kubectl --kubeconfig {kubeconfig} get pods   |   Ctrl-C stops the node", style="dim")
    return Group(table, log, footer)
