"""Kubelet lifecycle details on a real node, through real kubectl and the official client:
activeDeadlineSeconds, termination messages, resourceFieldRef divisors.

Reference: docs/reference/exec-limits-sandbox.md §5. Pods in tests/e2e/manifests/lifecycle/.
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from .conftest import KUBECTL, RunningNode, start_node, stop_node, wait_for
from .test_probe_catalogue import MANIFESTS, find_event, pod_events, wait_pod

LIFECYCLE = MANIFESTS / "lifecycle"
DEADLINE = "Pod was active on the node longer than the specified deadline"


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningNode]:
    running_node = start_node(tmp_path_factory.mktemp("lifecycle"))
    yield running_node
    stop_node(running_node)


@pytest.fixture(scope="module")
def api(node: RunningNode) -> Any:
    return node.core_api()


def finished(pod: Any) -> bool:
    return pod.status.phase in ("Succeeded", "Failed")


def terminated(pod: Any, name: str) -> Any:
    status = next(s for s in pod.status.container_statuses if s.name == name)
    return status.state.terminated


def test_active_deadline_fails_the_pod_and_stops_its_containers(node: RunningNode, api: Any) -> None:
    node.kubectl("apply", "-f", str(LIFECYCLE / "deadline.yaml"))
    pod = wait_pod(api, "deadline", finished, timeout=30, what="a terminal phase")
    assert (pod.status.phase, pod.status.reason, pod.status.message) == (
        "Failed",
        "DeadlineExceeded",
        DEADLINE,
    )
    # sh as PID 1 ignores SIGTERM: killed after the 2 s grace, as on a node.
    assert terminated(pod, "app").exit_code == 137
    event = wait_for(
        lambda: find_event(pod_events(api, "deadline"), "DeadlineExceeded", DEADLINE),
        timeout=10,
        what="event",
    )
    assert event.type == "Normal"
    assert find_event(pod_events(api, "deadline"), "Killing", "Stopping container app") is not None
    # kubectl's jsonpath, as users read it.
    reason = node.kubectl("get", "pod", "deadline", "-o", "jsonpath={.status.reason}").stdout
    assert reason == "DeadlineExceeded"


def test_termination_message_file_is_read_at_exit(node: RunningNode, api: Any) -> None:
    node.kubectl("apply", "-f", str(LIFECYCLE / "termination-file.yaml"))
    pod = wait_pod(api, "termination-file", finished, timeout=30, what="a terminal phase")
    app = terminated(pod, "app")
    assert (app.exit_code, app.reason, app.message) == (3, "Error", "config not found: /etc/app.conf")
    # Its own path, written by a non-root user over a read-only root.
    custom = terminated(pod, "custom")
    assert (custom.exit_code, custom.reason, custom.message) == (0, "Completed", "done")
    described = node.kubectl("describe", "pod", "termination-file").stdout
    assert "Message:      config not found: /etc/app.conf" in described, described


def test_fallback_to_logs_on_error_takes_the_logs_tail(node: RunningNode, api: Any) -> None:
    node.kubectl("apply", "-f", str(LIFECYCLE / "termination-logs.yaml"))
    pod = wait_pod(api, "termination-logs", finished, timeout=30, what="a terminal phase")
    message = terminated(pod, "app").message
    lines = [f"line {i} of the log, padded to be long enough\n" for i in range(1, 101)]
    # The last 80 lines, then the last 2048 bytes of those.
    assert message == "".join(lines[-80:])[-2048:]
    assert len(message.encode()) == 2048 and message.endswith(
        "line 100 of the log, padded to be long enough\n"
    )
    # A zero exit never falls back to the log.
    assert terminated(pod, "ok").message is None


def test_resource_field_ref_divisor(node: RunningNode, api: Any) -> None:
    node.kubectl("apply", "-f", str(LIFECYCLE / "divisor.yaml"))
    wait_pod(api, "divisor", finished, timeout=30, what="a terminal phase")
    assert node.kubectl("logs", "divisor").stdout == "MEM=64 CPU_M=500 CPU=1\n"


def test_logs_follow_with_tail_0_shows_only_new_lines(node: RunningNode, api: Any) -> None:
    node.kubectl("apply", "-f", str(LIFECYCLE / "counter.yaml"))
    wait_for(lambda: "tick 5\n" in node.kubectl("logs", "counter").stdout, timeout=30, what="5 ticks")
    follower = subprocess.Popen(
        [KUBECTL, "--kubeconfig", str(node.kubeconfig), "logs", "-f", "--tail=0", "counter"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # readline() blocks: the timer bounds it if kubectl never prints.
    guard = threading.Timer(20, follower.kill)
    guard.start()
    try:
        assert follower.stdout is not None
        first = follower.stdout.readline()  # a new tick comes every 0.2 s
    finally:
        guard.cancel()
        follower.kill()
        follower.wait(timeout=10)
    before = node.kubectl("logs", "counter").stdout.splitlines()
    assert first.startswith("tick "), first
    # Not a replay from the start: a tick written after the 5th was already there.
    assert int(first.split()[1]) > 5, first
    assert before.index(first.rstrip("\n")) > 4


def test_a_sidecar_shares_the_pods_grace_period(node: RunningNode, api: Any) -> None:
    """Both ignore SIGTERM (sleep as PID 1): the app is killed at 6 s, the sidecar gets the 2 s
    floor, so about 8 s in all where a fresh grace for the sidecar took 12."""
    node.kubectl("apply", "-f", str(LIFECYCLE / "sidecar-grace.yaml"))
    wait_pod(
        api,
        "sidecar-grace",
        lambda p: (
            all(s.state.running for s in (p.status.container_statuses or []))
            and bool(p.status.container_statuses)
        ),
        timeout=30,
        what="running",
    )
    began = time.monotonic()
    node.kubectl("delete", "pod", "sidecar-grace", "--wait=true", timeout=60)
    took = time.monotonic() - began
    assert 6 <= took < 10.5, took


def test_config_map_and_projected_volumes_follow_their_sources_in_a_running_container(
    node: RunningNode, api: Any
) -> None:
    """The container reports what it reads every 0.3 s; the sources change under it."""
    node.kubectl("apply", "-f", str(LIFECYCLE / "live-config.yaml"))
    wait_pod(api, "live-config", lambda p: p.status.phase == "Running", timeout=30, what="Running")

    def last_report() -> str:
        lines = node.kubectl("logs", "live-config", "--tail=1").stdout.splitlines()
        return lines[-1] if lines else ""

    wait_for(
        lambda: last_report() == 'config=hello all=hello labels=tier="one"', timeout=20, what="first read"
    )
    listing = node.kubectl("logs", "live-config").stdout
    # kubelet's atomic writer, seen from inside: the name links into ..data, a timestamped dir.
    assert "..data -> ..20" in listing and "greeting -> ..data/greeting" in listing, listing
    node.kubectl("patch", "configmap", "live-config", "-p", '{"data":{"greeting":"bonjour"}}')
    wait_for(
        lambda: last_report() == 'config=bonjour all=bonjour labels=tier="one"',
        timeout=20,
        what="the new value",
    )
    node.kubectl("label", "pod", "live-config", "tier=two", "--overwrite")
    wait_for(
        lambda: last_report() == 'config=bonjour all=bonjour labels=tier="two"',
        timeout=20,
        what="the new label",
    )
