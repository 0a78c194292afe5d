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
