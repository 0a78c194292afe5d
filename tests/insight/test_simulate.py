"""podlab simulate: the real kubelet on a virtual clock against a model (no processes, no sockets)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from podlab.insight.model import parse_model
from podlab.insight.simulate import pods_to_simulate, simulate, simulate_runs

ROOT = Path(__file__).resolve().parents[2]
Obj = dict[str, Any]


def seed_pod() -> Obj:
    docs = [d for d in yaml.safe_load_all((ROOT / "examples/seed/wiremock-liveness.yaml").read_text()) if d]
    pods = pods_to_simulate(docs)
    assert [p["metadata"]["name"] for p in pods] == ["wiremock"]
    return pods[0]


def busybox_pod(**container: Any) -> Obj:
    spec = {"name": "app", "image": "busybox", "command": ["sleep", "3600"], **container}
    return pods_to_simulate(
        [{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "app"}, "spec": {"containers": [spec]}}]
    )[0]


def reasons(story: Any, reason: str) -> list[Any]:
    return [e for e in story.entries if e.reason == reason]


def test_breaking_the_stub_at_60s_restarts_it_once_at_70s() -> None:
    model = parse_model(
        {
            "containers": {
                "wiremock": {
                    "startup": "1s",
                    "http": {"/get/this": {"fail": [{"from": "60s", "status": 404, "untilRestart": True}]}},
                }
            }
        },
        "m",
    )
    story = simulate(seed_pod(), model, duration=300)
    unhealthy = [e for e in reasons(story, "Unhealthy") if "404" in e.message]
    # Probes every 5 s from the start: 60, 65, 70 fail; the third (threshold 3) kills.
    assert [round(e.t) for e in unhealthy] == [60, 65, 70]
    assert all(
        e.message == "Liveness probe failed: HTTP probe failed with statuscode: 404" for e in unhealthy
    )
    (killing,) = reasons(story, "Killing")
    assert (
        round(killing.t) == 70
        and killing.message == "Container wiremock failed liveness probe, will be restarted"
    )
    assert story.restarts == {"wiremock": 1}
    # The restarted stub has its mappings again: no more failures.
    assert not [e for e in reasons(story, "Unhealthy") if e.t > 71 and "404" in e.message]
    assert "liveness probe failed 3 times in a row (period 5s, threshold 3) on /get/this" in story.cause()
    out = story.to_json()
    assert set(out) == {"timeline", "restarts", "readyAt", "cause"}
    assert {"t", "container", "reason", "message"} == set(out["timeline"][0])


def test_a_crashing_app_goes_into_crash_loop_back_off() -> None:
    model = parse_model({"containers": {"app": {"exit": {"after": "1s", "code": 2}}}}, "m")
    story = simulate(busybox_pod(), model, duration=120)
    assert story.crash_loop
    assert story.restarts["app"] >= 3
    backoff = reasons(story, "BackOff")
    assert backoff and backoff[0].message.startswith(
        "Back-off restarting failed container app in pod app_default("
    )
    assert "exited by itself with exit code 2 (Error)" in story.cause()
    stats = simulate_runs(busybox_pod(), model, duration=60, runs=5)
    assert stats.to_json()["pCrashLoop"] == 1.0


def test_a_slow_start_is_killed_by_liveness_unless_a_startup_probe_covers_it() -> None:
    live = {"httpGet": {"path": "/healthz", "port": 8080}, "periodSeconds": 2, "failureThreshold": 3}
    model = parse_model({"containers": {"app": {"startup": "20s"}}}, "m")
    killed = simulate(busybox_pod(livenessProbe=live), model, duration=120)
    assert killed.restarts["app"] >= 2
    assert all("connection refused" in e.message for e in reasons(killed, "Unhealthy"))
    startup = {**live, "failureThreshold": 30}
    covered = simulate(busybox_pod(livenessProbe=live, startupProbe=startup), model, duration=120)
    assert covered.restarts["app"] == 0
    assert covered.ready_at is not None and 20 <= covered.ready_at <= 24


def test_latency_near_the_timeout_restarts_some_runs_and_seeds_repeat() -> None:
    live = {
        "httpGet": {"path": "/", "port": 80},
        "periodSeconds": 1,
        "timeoutSeconds": 1,
        "failureThreshold": 2,
    }
    model = parse_model(
        {"containers": {"app": {"http": {"/": {"latency": {"p50": "200ms", "p99": "1500ms"}}}}}}, "m"
    )
    pod = busybox_pod(livenessProbe=live)
    stats = simulate_runs(pod, model, duration=120, runs=20, seed=1).to_json()
    assert 0.0 < stats["pRestart"] <= 1.0
    timeouts = [
        e
        for e in reasons(simulate(pod, model, duration=120, seed=3), "Unhealthy")
        if "Client.Timeout" in e.message
    ]
    assert timeouts

    # The same seed, the same story (pod IPs aside: the node hands out a fresh one each run).
    def shape(story: Any) -> list[tuple[float, str]]:
        return [(e.t, e.reason) for e in story.entries]

    assert shape(simulate(pod, model, duration=120, seed=3)) == shape(
        simulate(pod, model, duration=120, seed=3)
    )


def test_exec_failure_after_every_start_restarts_repeatedly_with_the_commands_output() -> None:
    live = {
        "exec": {"command": ["cat", "/tmp/health"]},
        "periodSeconds": 1,
        "failureThreshold": 1,
        "initialDelaySeconds": 1,
    }
    model = parse_model(
        {
            "containers": {
                "app": {
                    "sigterm": "ignore",
                    "exec": {
                        "cat /tmp/health": {
                            "fail": [{"from": "3s", "fromStart": True}],
                            "output": "cat: can't open '/tmp/health': No such file or directory\n",
                        }
                    },
                }
            }
        },
        "m",
    )
    pod = busybox_pod(livenessProbe=live)
    pod["spec"]["terminationGracePeriodSeconds"] = 2
    story = simulate(pod, model, duration=60)
    first = reasons(story, "Unhealthy")[0]
    assert (
        first.message == "Liveness probe failed: cat: can't open '/tmp/health': No such file or directory\n"
    )
    assert 3 <= first.t <= 4.5
    kills = reasons(story, "Killing")
    assert len(kills) >= 2
    assert story.exits == {}  # killed, never exited by itself


def test_readiness_failures_unready_the_pod_without_restarts() -> None:
    ready = {"httpGet": {"path": "/ready", "port": 80}, "periodSeconds": 1, "failureThreshold": 1}
    model = parse_model(
        {
            "containers": {
                "app": {"http": {"/ready": {"fail": [{"from": "10s", "to": "20s", "status": 503}]}}}
            }
        },
        "m",
    )
    story = simulate(busybox_pod(readinessProbe=copy.deepcopy(ready)), model, duration=40)
    assert story.restarts["app"] == 0
    states = [ready for _, ready in story.readiness]
    assert states[:3] == [True, False, True]
    down = next(t for t, r in story.readiness if not r)
    assert 10 <= down <= 12
