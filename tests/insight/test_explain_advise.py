"""explain's story from a pod and its (aggregated) events; the pictures; advise's manifest rules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import yaml

from podlab.insight import render
from podlab.insight.advise import advise, sarif
from podlab.insight.explain import story_of
from podlab.insight.observe import listening_sockets
from podlab.insight.simulate import pods_to_simulate

ROOT = Path(__file__).resolve().parents[2]
Obj = dict[str, Any]


def broken_stub() -> tuple[Obj, list[Obj]]:
    """The reference scenario after DELETE /__admin/mappings at 10:41:02, as the API serves it."""
    pod = {
        "metadata": {
            "name": "wiremock-7d9c-abcde",
            "namespace": "default",
            "uid": "u1",
            "creationTimestamp": "2026-12-07T10:40:00Z",
        },
        "spec": {
            "containers": [
                {
                    "name": "wiremock",
                    "livenessProbe": {
                        "httpGet": {"path": "/get/this", "port": 8080},
                        "periodSeconds": 5,
                        "failureThreshold": 3,
                    },
                }
            ]
        },
        "status": {
            "startTime": "2026-12-07T10:40:00Z",
            "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": "2026-12-07T10:41:13Z"}],
            "containerStatuses": [
                {
                    "name": "wiremock",
                    "restartCount": 1,
                    "lastState": {
                        "terminated": {
                            "exitCode": 143,
                            "reason": "Error",
                            "finishedAt": "2026-12-07T10:41:12Z",
                        }
                    },
                }
            ],
        },
    }
    ref = {
        "kind": "Pod",
        "name": "wiremock-7d9c-abcde",
        "uid": "u1",
        "fieldPath": "spec.containers{wiremock}",
    }
    events = [
        {
            "involvedObject": {**ref, "fieldPath": ""},
            "reason": "Scheduled",
            "message": "Successfully assigned default/wiremock-7d9c-abcde to podlab",
            "firstTimestamp": None,
            "eventTime": "2026-12-07T10:40:00.100000Z",
            "count": 1,
        },
        {
            "involvedObject": ref,
            "reason": "Started",
            "message": "Started container wiremock",
            "firstTimestamp": "2026-12-07T10:40:01Z",
            "lastTimestamp": "2026-12-07T10:41:12Z",
            "count": 2,
        },
        {
            "involvedObject": ref,
            "reason": "Unhealthy",
            "type": "Warning",
            "message": "Liveness probe failed: HTTP probe failed with statuscode: 404",
            "firstTimestamp": "2026-12-07T10:41:02Z",
            "lastTimestamp": "2026-12-07T10:41:12Z",
            "count": 3,
        },
        {
            "involvedObject": ref,
            "reason": "Killing",
            "message": "Container wiremock failed liveness probe, will be restarted",
            "firstTimestamp": "2026-12-07T10:41:12Z",
            "lastTimestamp": "2026-12-07T10:41:12Z",
            "count": 1,
        },
        {
            "involvedObject": {**ref, "name": "other"},
            "reason": "Killing",
            "message": "not this pod",
            "firstTimestamp": "2026-12-07T10:41:00Z",
            "count": 1,
        },
    ]
    return pod, events


def test_explain_expands_aggregated_events_and_names_the_cause() -> None:
    story = story_of(*broken_stub())
    unhealthy = [e for e in story.entries if e.reason == "Unhealthy"]
    assert [round(e.t) for e in unhealthy] == [62, 67, 72]
    assert not [e for e in story.entries if e.message == "not this pod"]
    assert story.restarts == {"wiremock": 1}
    cause = story.cause()
    assert cause == (
        "wiremock restarted 1 time: its liveness probe failed 3 times in a row (period 5s, threshold 3) on "
        "/get/this, last: HTTP probe failed with statuscode: 404, and the kubelet killed it at 10:41:12."
    )
    text = story.text()
    assert "10:41:02" in text and "Killing" in text and text.endswith(cause)
    out = story.to_json()
    assert out["restarts"] == {"wiremock": 1} and out["readyAt"] == 73.0


def test_the_stubs_verbose_log_names_the_admin_call_that_broke_it() -> None:
    from datetime import UTC, datetime

    from podlab.insight.explain import failing_since, stub_trigger

    log = (
        "2026-12-07 10:40:59.001 Admin request received:\n127.0.0.1 - GET /mappings\n\nHost: [x]\n\n"
        "2026-12-07 10:41:01.512 Admin request received:\n127.0.0.1 - DELETE /mappings\n\nHost: [x]\n\n"
        "2026-12-07 10:41:02.100 Request received:\n10.244.0.5 - GET /get/this\n\n"
        "2026-12-07 10:41:30.000 Admin request received:\n127.0.0.1 - POST /mappings\n\n"
    )
    story = story_of(*broken_stub())
    since = failing_since(story, "wiremock")
    assert since == datetime(2026, 12, 7, 10, 41, 2, tzinfo=UTC)
    trigger = stub_trigger(log, since)
    assert trigger == "after DELETE /__admin/mappings at 10:41:01"
    story.triggers["wiremock"] = trigger
    assert story.cause().endswith(
        "killed it at 10:41:12; it began failing after DELETE /__admin/mappings at 10:41:01."
    )
    assert stub_trigger("no admin calls here", since) == ""


def test_pictures_are_well_formed_and_escape_text() -> None:
    pod, events = broken_stub()
    events[2]["message"] = "Liveness probe failed: <script>alert(1)</script> & more"
    story = story_of(pod, events)
    svg = render.svg(story)
    ElementTree.fromstring(svg)  # well-formed XML
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    html = render.html(story)
    assert html.startswith("<!DOCTYPE html>") and "<script>" not in html


def test_listening_sockets_from_proc_net_tcp() -> None:
    text = (
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
        "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1\n"
        "   1: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2\n"
        "   2: 0100007F:1F90 0100007F:D1C2 01 00000000:00000000 00:00000000 00000000     0        0 3\n"
        "   0: 00000000000000000000000001000000:1F91 00000000000000000000000000000000:0000 0A 0 0 0 0 0 4\n"
    )
    assert listening_sockets(text) == {("127.0.0.1", 8080), ("0.0.0.0", 80), ("::1", 8081)}


def _example(name: str) -> list[Obj]:
    return pods_to_simulate(
        [d for d in yaml.safe_load_all((ROOT / "examples/advise" / name).read_text()) if d]
    )


def test_manifest_rules_fire_on_their_examples_only() -> None:
    same = advise(_example("liveness-same-as-readiness.yaml"))
    assert [(f.rule, f.severity) for f in same.findings] == [
        ("liveness-same-as-readiness", "warning"),
        ("liveness-without-startup-budget", "info"),
    ]
    near = advise(_example("exec-timeout-near-period.yaml"))
    assert [(f.rule, f.severity) for f in near.findings] == [("exec-timeout-near-period", "warning")]
    assert near.fails("warning") and not near.fails("error")
    seed = [d for d in yaml.safe_load_all((ROOT / "examples/seed/wiremock-liveness.yaml").read_text()) if d]
    reference = advise(pods_to_simulate(seed))
    assert {f.severity for f in reference.findings} <= {"info"}


def test_sarif_locates_findings_at_their_probe() -> None:
    path = ROOT / "examples/advise/liveness-same-as-readiness.yaml"
    text = path.read_text()
    doc = sarif(advise(_example(path.name)), "examples/advise/liveness-same-as-readiness.yaml", text)
    json.dumps(doc)
    assert doc["version"] == "2.1.0"
    result = doc["runs"][0]["results"][0]
    assert result["ruleId"] == "liveness-same-as-readiness" and result["level"] == "warning"
    line = result["locations"][0]["physicalLocation"]["region"]["startLine"]
    assert text.splitlines()[line - 1].strip() == "livenessProbe:"


def test_observations_of_pods_sharing_a_container_name_stay_apart() -> None:
    """Two manifests' pods both name their container "web": each keeps its own attempts, and a
    workload's replicas merge under the workload's name."""
    from podlab.insight.observe import Attempt, Observation

    refused = 'Get "http://10.244.0.2:8080/": dial tcp 10.244.0.2:8080: connect: connection refused'
    seen = Observation(
        attempts=[
            Attempt(1.0, "local-only/web", "readiness", "http", "/", "failure", 0.001, refused),
            Attempt(1.0, "fine-7d9f-abcde/web", "readiness", "http", "/", "success", 0.001, ""),
            Attempt(2.0, "fine-7d9f-fghij/web", "readiness", "http", "/", "success", 0.001, ""),
        ],
        listening={"local-only/web": {("127.0.0.1", 8080)}},
        pod_ips={"local-only/web": "10.244.0.2", "fine-7d9f-abcde/web": "10.244.0.3"},
    ).renamed(lambda pod: "fine" if pod.startswith("fine-") else pod)
    assert [a.container for a in seen.attempts] == ["local-only/web", "fine/web", "fine/web"]

    def pod(name: str) -> dict[str, Any]:
        probe = {"httpGet": {"path": "/", "port": 8080}}
        return {
            "metadata": {"name": name},
            "spec": {"containers": [{"name": "web", "readinessProbe": probe}]},
        }

    rules = {(f.rule, f.pod) for f in advise([pod("local-only"), pod("fine")], seen).findings}
    assert ("listens-on-localhost-only", "local-only") in rules
    assert not any(p == "fine" for _, p in rules), rules
    # The model names containers only: both pods' "web" are one container there.
    assert list(seen.to_model().containers) == ["web"]
