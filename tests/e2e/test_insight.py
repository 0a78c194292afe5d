"""podlab explain / simulate / advise / observe against real runs on a real node.

The simulator must agree with the node: the same manifest, run for real and simulated with a
model of what the app did, gives the same restarts and kills within one probe period (event
timestamps have one-second resolution, which the tolerance includes).
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from podlab.insight.explain import story_of
from podlab.insight.model import parse_model
from podlab.insight.simulate import pods_to_simulate, simulate
from podlab.k8s.timestamps import parse_time

from .conftest import KUBECTL, ROOT, RunningNode, wait_for

pytestmark = pytest.mark.slow
SEED = ROOT / "examples" / "seed" / "wiremock-liveness.yaml"
CATALOGUE = ROOT / "tests" / "e2e" / "manifests" / "catalogue"
ADVISE = ROOT / "examples" / "advise"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _pod_json(node: RunningNode, selector: str) -> dict[str, Any] | None:
    items = json.loads(node.kubectl("get", "pods", "-l", selector, "-o", "json").stdout)["items"]
    live = [p for p in items if not p["metadata"].get("deletionTimestamp")]
    return live[0] if len(live) == 1 else None


def _events(node: RunningNode) -> list[dict[str, Any]]:
    return list(json.loads(node.kubectl("get", "events", "-o", "json").stdout)["items"])


def _restarts(pod: dict[str, Any] | None) -> int:
    statuses = (pod or {}).get("status", {}).get("containerStatuses") or [{}]
    return int(statuses[0].get("restartCount") or 0)


def _ready(pod: dict[str, Any] | None) -> bool:
    conditions = (pod or {}).get("status", {}).get("conditions") or []
    return any(c["type"] == "Ready" and c["status"] == "True" for c in conditions)


def _since_start(pod: dict[str, Any]) -> float:
    started = parse_time(pod["status"]["startTime"])
    assert started is not None
    return time.time() - started.timestamp()


def _kills(story: Any) -> list[float]:
    return [e.t for e in story.entries if e.reason == "Killing"]


def _podlab(node: RunningNode, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "podlab", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PODLAB_HOME": str(node.home)},
    )


def test_reference_scenario_explained_and_simulated_alike(node_factory: Any, tmp_path: Path) -> None:
    node: RunningNode = node_factory(SEED)
    pod = wait_for(
        lambda: (p := _pod_json(node, "app=wiremock")) and _ready(p) and p, timeout=30, what="wiremock Ready"
    )
    # Ready comes with the process (no readiness probe); wait until the stub has served a probe.
    wait_for(
        lambda: "Request received:" in node.kubectl("logs", pod["metadata"]["name"]).stdout,
        timeout=30,
        what="the stub serving its liveness probe",
    )
    port = _free_port()
    forward = subprocess.Popen(
        [KUBECTL, "--kubeconfig", str(node.kubeconfig), "port-forward", "deploy/wiremock", f"{port}:8080"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:

        def delete_mappings() -> int:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            try:
                conn.request("DELETE", "/__admin/mappings")
                return conn.getresponse().status
            finally:
                conn.close()

        try:
            status = wait_for(
                delete_mappings, timeout=30, what="DELETE /__admin/mappings through port-forward"
            )
        except AssertionError:
            forward.terminate()
            raise AssertionError(f"port-forward: {forward.communicate(timeout=10)}") from None
        assert status == 200
        broke_at = _since_start(pod)
    finally:
        forward.terminate()
        forward.wait(timeout=10)
    real_pod = wait_for(
        lambda: (p := _pod_json(node, "app=wiremock")) and _restarts(p) == 1 and _ready(p) and p,
        timeout=60,
        what="restarted and Ready again",
    )
    observed_for = _since_start(real_pod) + 1
    real = story_of(real_pod, _events(node))

    # explain, as a user runs it after the README's break-the-stub step.
    name = real_pod["metadata"]["name"]
    explained = _podlab(node, "explain", "pod", name)
    assert explained.returncode == 0, explained.stderr
    text = explained.stdout
    assert text.count("Liveness probe failed: HTTP probe failed with statuscode: 404") == 3, text
    assert "Container wiremock failed liveness probe, will be restarted" in text
    assert "Restarts: wiremock=1." in text
    assert "its liveness probe failed 3 times in a row (period 5s, threshold 3) on /get/this" in text
    # The killed stub's verbose log tells what broke it.
    assert "it began failing after DELETE /__admin/mappings at " in text, text
    as_json = json.loads(_podlab(node, "explain", "pod", "deploy/wiremock", "-o", "json").stdout)
    assert as_json["restarts"] == {"wiremock": 1}
    page = tmp_path / "story.html"
    assert _podlab(node, "explain", "pod", name, "--html", str(page)).returncode == 0
    assert "<svg" in page.read_text()

    # The same story, simulated: the stub breaks when it broke, and comes back on restart.
    model = parse_model(
        {
            "containers": {
                "wiremock": {
                    "startup": "1s",
                    "http": {
                        "/get/this": {"fail": [{"from": broke_at, "status": 404, "untilRestart": True}]}
                    },
                }
            }
        },
        "model",
    )
    docs = [d for d in yaml.safe_load_all(SEED.read_text()) if d]
    simulated = simulate(pods_to_simulate(docs)[0], model, duration=observed_for)
    assert simulated.restarts == real.restarts == {"wiremock": 1}
    (real_kill,) = _kills(real)
    (sim_kill,) = _kills(simulated)
    assert abs(real_kill - sim_kill) <= 5 + 1, (real.text(), simulated.text())


@pytest.mark.parametrize(
    ("manifest", "model", "restarts"),
    [
        # busybox: the file goes 3 s after each start; the shell (PID 1) ignores SIGTERM.
        (
            "c03-exec-restart.yaml",
            {
                "busybox": {
                    "sigterm": "ignore",
                    "exec": {"cat /tmp/health": {"fail": [{"from": "3s", "fromStart": True}]}},
                }
            },
            2,
        ),
        # agnhost liveness: /healthz answers 200 for 10 s after each start, then 500.
        (
            "c05-http-restart.yaml",
            {"agnhost-container": {"http": {"/healthz": {"fail": [{"from": "10s", "fromStart": True}]}}}},
            2,
        ),
    ],
)
def test_catalogue_runs_match_their_simulation(
    node_factory: Any, manifest: str, model: dict[str, Any], restarts: int
) -> None:
    node: RunningNode = node_factory(CATALOGUE / manifest)
    docs = [d for d in yaml.safe_load_all((CATALOGUE / manifest).read_text()) if d]
    name = docs[0]["metadata"]["name"]
    real_pod = wait_for(
        lambda: (
            (p := json.loads(node.kubectl("get", "pod", name, "-o", "json").stdout))
            and _restarts(p) >= restarts
            and p
        ),
        timeout=90,
        what=f"{restarts} restarts",
    )
    real = story_of(real_pod, _events(node))
    period = float(docs[0]["spec"]["containers"][0]["livenessProbe"].get("periodSeconds", 10))
    simulated = simulate(
        pods_to_simulate(docs)[0],
        parse_model({"containers": model}, "m"),
        duration=_since_start(real_pod) + 1,
    )
    real_kills, sim_kills = _kills(real)[:restarts], _kills(simulated)[:restarts]
    assert len(real_kills) == len(sim_kills) == restarts, (real.text(), simulated.text())
    for r, s in zip(real_kills, sim_kills, strict=True):
        assert abs(r - s) <= period + 1, (real.text(), simulated.text())


OBSERVED_EXAMPLES = sorted(
    p
    for p in ADVISE.glob("*.yaml")
    if "(warning, observed)" in p.read_text() or "(error, observed)" in p.read_text()
)


def test_each_observed_advise_finding_shows_on_its_example() -> None:
    """All observed examples in one `advise --observe` run (as a user would point it at the
    directory): each example's finding on that example's own pod."""
    expected = {}
    for path in OBSERVED_EXAMPLES:
        rule = path.read_text().splitlines()[0].removeprefix("# expect: ").split(" ")[0]
        docs = [d for d in yaml.safe_load_all(path.read_text()) if d]
        expected[path.name] = (
            rule,
            {d["metadata"]["name"] for d in docs if d["kind"] in ("Pod", "Deployment")},
        )
    assert len(expected) >= 6
    files = [arg for path in OBSERVED_EXAMPLES for arg in ("-f", str(path))]
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "podlab",
            "advise",
            *files,
            "--observe",
            "16s",
            "-o",
            "json",
            "--fail-on",
            "never",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    found = {(f["rule"], f["pod"]) for f in json.loads(result.stdout)["findings"]}
    missing = {
        name: rule for name, (rule, pods) in expected.items() if not any((rule, pod) in found for pod in pods)
    }
    assert not missing, (missing, result.stdout)


def test_reference_manifest_gets_no_alarm_above_info_and_observe_writes_a_model(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "podlab",
            "advise",
            "-f",
            str(SEED),
            "--observe",
            "10s",
            "-o",
            "json",
            "--fail-on",
            "warning",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert {f["severity"] for f in json.loads(result.stdout)["findings"]} <= {"info"}
    model = tmp_path / "model.yaml"
    observed = subprocess.run(
        [sys.executable, "-m", "podlab", "observe", "-f", str(SEED), "--duration", "8s", "-o", str(model)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert observed.returncode == 0, observed.stderr
    written = yaml.safe_load(model.read_text())
    assert "/get/this" in written["containers"]["wiremock"]["http"]
    simulated = subprocess.run(
        [
            sys.executable,
            "-m",
            "podlab",
            "simulate",
            "-f",
            str(SEED),
            "--model",
            str(model),
            "--duration",
            "10m",
            "-o",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert simulated.returncode == 0, simulated.stderr
    assert json.loads(simulated.stdout)["restarts"] == {"wiremock": 0}


def test_bad_input_is_refused_in_plain_words(tmp_path: Path) -> None:
    model = tmp_path / "model.yaml"
    model.write_text("containers:\n  wiremock:\n    startup: soon\n")
    result = subprocess.run(
        [sys.executable, "-m", "podlab", "simulate", "-f", str(SEED), "--model", str(model)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert f'{model}: containers.wiremock.startup: time: invalid duration "soon"' in result.stderr
    bad_duration = subprocess.run(
        [sys.executable, "-m", "podlab", "simulate", "-f", str(SEED), "--duration", "ten"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad_duration.returncode == 2 and 'time: invalid duration "ten"' in bad_duration.stderr
    no_pods = tmp_path / "cm.yaml"
    no_pods.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")
    refused = subprocess.run(
        [sys.executable, "-m", "podlab", "simulate", "-f", str(no_pods)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode == 1 and "no Pod or workload with a pod template" in refused.stderr
