"""The live view of `podlab up`, rendered from a real Store into a recording console."""

from __future__ import annotations

from rich.console import Console

from podlab.cli.view import render
from podlab.store import Store

POD = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "web", "namespace": "default"},
    "spec": {
        "nodeName": "podlab",
        "containers": [
            {
                "name": "app",
                "image": "busybox",
                "livenessProbe": {"httpGet": {"path": "/", "port": 8080}, "periodSeconds": 5},
                "readinessProbe": {"exec": {"command": ["true"]}},
            }
        ],
    },
}


def test_view_shows_state_probes_with_recent_results_and_events() -> None:
    store = Store(None)
    pod = store.create(("", "pods"), POD)
    pod["status"] = {
        "podIP": "127.244.0.9",
        "containerStatuses": [
            {
                "name": "app",
                "ready": False,
                "restartCount": 2,
                "state": {"waiting": {"reason": "CrashLoopBackOff"}},
            },
        ],
    }
    store.update(("", "pods"), pod, subresource="status")
    store.create(
        ("", "events"),
        {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"name": "web.1", "namespace": "default"},
            "involvedObject": {"kind": "Pod", "name": "web", "namespace": "default"},
            "reason": "Unhealthy",
            "type": "Warning",
            "count": 3,
            "message": "Liveness probe failed: HTTP probe failed with statuscode: 500",
        },
    )
    uid = pod["metadata"]["uid"]
    history = {("app", "liveness"): ["success", "failure", "failure"], ("app", "readiness"): ["unknown"]}

    console = Console(record=True, width=200)
    console.print(render(store, "http://127.0.0.1:1", "bwrap", "/k", lambda u: history if u == uid else {}))
    text = console.export_text()

    assert "CrashLoopBackOff" in text and "127.244.0.9" in text
    assert "liveness:httpGet/5s ✓✗✗" in text
    assert "readiness:exec/10s ?" in text
    assert "(x3)" in text and "Liveness probe failed: HTTP probe failed with statuscode: 500" in text
    assert "isolation: bwrap" in text


def _event(name: str, kind: str, involved: str, reason: str, message: str) -> dict[str, object]:
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": name, "namespace": "default"},
        "involvedObject": {"kind": kind, "name": involved, "namespace": "default"},
        "reason": reason,
        "type": "Normal",
        "count": 1,
        "lastTimestamp": "2026-01-01T00:00:00Z",  # one second for all: only the write order tells
        "message": message,
    }


def test_view_lists_causes_first_and_exec_output_on_one_line() -> None:
    store = Store(None)
    # Written in the order they happen; listed by name the pod's come first.
    for name, kind, involved, reason, message in (
        ("web.1", "Deployment", "web", "ScalingReplicaSet", "Scaled up replica set web-6f7 from 0 to 1"),
        ("web-6f7.1", "ReplicaSet", "web-6f7", "SuccessfulCreate", "Created pod: web-6f7-x2x"),
        ("web-6f7-x2x.1", "Pod", "web-6f7-x2x", "Scheduled", "Successfully assigned default/web-6f7-x2x"),
        ("web-6f7-x2x.2", "Pod", "web-6f7-x2x", "Unhealthy", "Readiness probe failed: cat: nope\n"),
    ):
        store.create(("", "events"), _event(name, kind, involved, reason, message))

    console = Console(record=True, width=200)
    console.print(render(store, "http://127.0.0.1:1", "plain", "/k"))
    lines = console.export_text().splitlines()

    rows = [
        next(i for i, line in enumerate(lines) if reason in line)
        for reason in ("ScalingReplicaSet", "SuccessfulCreate", "Scheduled", "Unhealthy")
    ]
    assert rows == sorted(rows), lines
    # The probe output's trailing newline would render as an empty row under it.
    assert "Readiness probe failed: cat: nope" in lines[rows[-1]]
    assert lines[rows[-1] + 1].startswith("└"), lines


def test_view_says_whether_an_image_was_pulled_or_built_in() -> None:
    store = Store(None)
    pod = dict(
        POD,
        spec={
            **POD["spec"],
            "containers": [
                {"name": "app", "image": "127.0.0.1:5000/web:1"},
                {"name": "stub", "image": "wiremock/wiremock"},
            ],
        },
    )
    store.create(("", "pods"), pod)
    from podlab.images.source import image_source

    def source(pod: dict[str, object], container: dict[str, object]) -> str:
        return image_source(
            str(container["image"]), str(container["name"]), annotations={}, sources={}, user_map={}
        )

    console = Console(record=True, width=200)
    console.print(render(store, "http://127.0.0.1:1", "bwrap", "/k", image_source=source))
    text = console.export_text()
    assert "app (pulled)" in text and "stub (built-in)" in text
