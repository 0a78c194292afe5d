"""`podlab explain pod`: a real pod's story, from the pod and its events (sans-IO).

A cluster keeps events aggregated: one Event per (reason, message) with a count and its first and
last times. The story expands each back into its occurrences, spread evenly between the two
(probe failures and back-offs are periodic, so this is where they happened to within a period).
Exits come from the container statuses' last state; readiness from the Ready condition.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from podlab.insight.story import Entry, Story, container_of
from podlab.k8s.timestamps import format_time, parse_time

Obj = dict[str, Any]


def story_of(pod: Obj, events: list[Obj]) -> Story:
    meta = pod.get("metadata") or {}
    status = pod.get("status") or {}
    origin = parse_time(status.get("startTime")) or parse_time(meta.get("creationTimestamp"))
    if origin is None:
        raise ValueError(f'pod "{meta.get("name")}" has no creation time')
    story = Story(pod, origin=f"started {format_time(origin)}", started=origin)
    uid = meta.get("uid")
    for event in events:
        involved = event.get("involvedObject") or {}
        if involved.get("kind") != "Pod" or involved.get("name") != meta.get("name"):
            continue
        if uid and involved.get("uid") and involved.get("uid") != uid:
            continue
        container = container_of(str(involved.get("fieldPath") or ""))
        for when in _occurrences(event):
            story.entries.append(
                Entry(
                    max(0.0, (when - origin).total_seconds()),
                    container,
                    str(event.get("reason", "")),
                    str(event.get("message", "")),
                    str(event.get("type", "Normal")),
                )
            )
    statuses = (status.get("initContainerStatuses") or []) + (status.get("containerStatuses") or [])
    for cs in statuses:
        name = str(cs.get("name"))
        story.restarts[name] = int(cs.get("restartCount") or 0)
        last = (cs.get("lastState") or {}).get("terminated")
        finished = parse_time((last or {}).get("finishedAt"))
        if last and finished is not None:
            story.exits.setdefault(name, []).append(
                (
                    (finished - origin).total_seconds(),
                    int(last.get("exitCode") or 0),
                    str(last.get("reason") or ""),
                )
            )
    for condition in status.get("conditions") or []:
        if condition.get("type") == "Ready" and condition.get("status") == "True":
            since = parse_time(condition.get("lastTransitionTime"))
            if since is not None:
                story.ready_at = max(0.0, (since - origin).total_seconds())
                story.readiness.append((story.ready_at, True))
    return story


def _occurrences(event: Obj) -> list[datetime]:
    first = parse_time(event.get("firstTimestamp")) or parse_time(event.get("eventTime"))
    last = parse_time(event.get("lastTimestamp")) or first
    if first is None or last is None:
        return []
    count = max(1, int(event.get("count") or 1))
    if count == 1:
        return [last]
    step = (last - first) / (count - 1)
    return [first + step * i for i in range(count)]


# A WireMock (or podlab stub) verbose log block: "<date time> Admin request received:" then
# "<client> - <METHOD> <path under /__admin>".
_ADMIN_BLOCK = re.compile(
    r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}) Admin request received:\n\S+ - (\w+) (\S+)", re.M
)
_MUTATIONS = {"DELETE", "POST", "PUT", "PATCH"}


def stub_trigger(previous_log: str, failing_since: datetime) -> str:
    """From a stub's verbose log (the instance that was killed): the last admin change made
    before its probe began to fail, as "after DELETE /__admin/mappings at 10:41:02", or ""."""
    last: tuple[datetime, str, str] | None = None
    for match in _ADMIN_BLOCK.finditer(previous_log):
        when = datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=UTC)
        method, path = match.group(2), match.group(3)
        # The log's times are the container's clock (UTC in podlab's sandboxes); allow the
        # failing probe's own second of slack.
        if method in _MUTATIONS and when <= failing_since + timedelta(seconds=1):
            last = (when, method, path)
    if last is None:
        return ""
    when, method, path = last
    return f"after {method} /__admin{path} at {when.strftime('%H:%M:%S')}"


def failing_since(story: Story, container: str) -> datetime | None:
    """When the failures that got `container` killed began (the last kill's series)."""
    if story.started is None:
        return None
    kills = [e for e in story.entries if e.container == container and e.reason == "Killing"]
    if not kills:
        return None
    kill = kills[-1]
    failures = [
        e for e in story.entries if e.container == container and e.reason == "Unhealthy" and e.t <= kill.t
    ]
    series = failures[-int(story.threshold_of(container)) :] if failures else []
    return story.started + timedelta(seconds=series[0].t) if series else None
