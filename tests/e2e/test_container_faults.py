"""Container faults on a real node: outside kills, missing commands, exit codes, back-off.

Reference: docs/reference/kubelet-probes.md §5 (restart policy, kill sequence, exit codes,
CrashLoopBackOff) and §6 of that file (events). Each test applies its pod from
tests/e2e/manifests/faults/ with real kubectl on one node shared by the module, and watches it
with the official client.
"""

from __future__ import annotations

import os
import re
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import RunningNode, descendants, start_node, stop_node, wait_for
from .test_probe_catalogue import (
    MANIFESTS,
    container_status,
    describe_events,
    find_event,
    get_pod,
    hold,
    is_ready,
    last_terminated,
    pod_events,
    restarts,
    running,
    wait_pod,
)

FAULTS = MANIFESTS / "faults"


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningNode]:
    running_node = start_node(tmp_path_factory.mktemp("faults"))
    yield running_node
    stop_node(running_node)


@pytest.fixture(scope="module")
def api(node: RunningNode) -> Any:
    return node.core_api()


def apply(node: RunningNode, manifest: str) -> None:
    node.kubectl("apply", "-f", str(FAULTS / manifest))


def container_pid(node: RunningNode, argv: list[str]) -> int | None:
    """The pid of the process below the node whose command line is exactly `argv`."""
    wanted = ("\0".join(argv) + "\0").encode()
    for pid in descendants(node.process.pid):
        try:
            if Path(f"/proc/{pid}/cmdline").read_bytes() == wanted:
                return pid
        except OSError:
            continue
    return None


def _kill_from_outside(node: RunningNode, api: Any, name: str, argv: list[str]) -> tuple[int, Any]:
    pod = wait_pod(api, name, running, timeout=30, what="running")
    pid: int = wait_for(lambda: container_pid(node, argv) or 0, timeout=10, what=f"the process {argv}")
    os.kill(pid, signal.SIGKILL)
    return pid, pod


def test_sigkill_from_outside_restarts_with_policy_always(node: RunningNode, api: Any) -> None:
    apply(node, "kill-always.yaml")
    argv = ["sleep", "3601"]
    pid, before = _kill_from_outside(node, api, "kill-always", argv)
    pod = wait_pod(
        api,
        "kill-always",
        lambda p: restarts(p) == 1 and running(p),
        timeout=20,
        what="restarted and running",
    )
    term = last_terminated(pod)
    assert (term.exit_code, term.reason) == (137, "Error"), term
    assert term.container_id == container_status(before).container_id
    assert container_status(pod).container_id != term.container_id
    new_pid = wait_for(lambda: container_pid(node, argv), timeout=10, what="the restarted process")
    assert new_pid != pid
    # The first restart is immediate: no back-off, no BackOff event.
    assert find_event(pod_events(api, "kill-always"), "BackOff") is None


def test_sigkill_from_outside_fails_pod_with_policy_never(node: RunningNode, api: Any) -> None:
    apply(node, "kill-never.yaml")
    _kill_from_outside(node, api, "kill-never", ["sleep", "3602"])
    pod = wait_pod(api, "kill-never", lambda p: p.status.phase == "Failed", timeout=20, what="phase Failed")
    cs = container_status(pod)
    assert cs.state.terminated is not None, cs.state
    assert (cs.state.terminated.exit_code, cs.state.terminated.reason) == (137, "Error"), cs.state
    assert cs.restart_count == 0 and not cs.ready
    hold(
        lambda: restarts(p := get_pod(api, "kill-never")) == 0 and p.status.phase == "Failed",
        3,
        "Failed with no restart",
    )
    table = node.kubectl("get", "pod", "kill-never").stdout
    assert re.search(r"kill-never\s+0/1\s+Error\s+0\s", table), table


def test_missing_command_is_start_error_then_crash_loop(node: RunningNode, api: Any) -> None:
    apply(node, "no-such-command.yaml")

    def crash_looping(pod: Any) -> bool:
        cs = container_status(pod)
        return bool(cs and cs.state.waiting and cs.state.waiting.reason == "CrashLoopBackOff")

    pod = wait_pod(api, "no-such-command", crash_looping, timeout=30, what="waiting in CrashLoopBackOff")
    uid = pod.metadata.uid
    cs = container_status(pod)
    assert cs.state.waiting.message == (
        f"back-off 10s restarting failed container=app pod=no-such-command_default({uid})"
    )
    term = last_terminated(pod)
    assert (term.exit_code, term.reason) == (128, "StartError"), term
    detail = 'exec: "no-such-command": executable file not found in $PATH'
    assert detail in (term.message or ""), term.message
    assert cs.restart_count >= 1 and not cs.ready and not cs.started
    assert pod.status.phase == "Running"  # kubelet getPhase: a restartable container with a lastState

    events = pod_events(api, "no-such-command")
    failed = [e for e in events if e.reason == "Failed"]
    assert failed, describe_events(events)
    assert failed[0].type == "Warning"
    assert failed[0].message == (
        "Error: failed to create containerd task: failed to create shim task: OCI runtime create failed: "
        f"runc create failed: unable to start container process: {detail}: unknown"
    )
    assert failed[0].count >= 2, "the immediate first retry fails the same way"
    backoff = find_event(
        events, "BackOff", f"Back-off restarting failed container app in pod no-such-command_default({uid})"
    )
    assert backoff is not None and backoff.type == "Warning", describe_events(events)
    describe = node.kubectl("describe", "pod", "no-such-command").stdout
    assert re.search(r"State:\s+Waiting\n\s+Reason:\s+CrashLoopBackOff", describe), describe
    assert re.search(
        r"Last State:\s+Terminated\n\s+Reason:\s+StartError\n\s+Message:\s+.*" + re.escape(detail), describe
    )
    table = node.kubectl("get", "pod", "no-such-command").stdout
    assert re.search(r"no-such-command\s+0/1\s+CrashLoopBackOff\s+\d", table), table


def test_failing_liveness_with_policy_never_kills_without_restart(node: RunningNode, api: Any) -> None:
    apply(node, "liveness-never.yaml")
    pod = wait_pod(
        api, "liveness-never", lambda p: p.status.phase == "Failed", timeout=20, what="phase Failed"
    )
    cs = container_status(pod)
    assert (cs.state.terminated.exit_code, cs.state.terminated.reason) == (137, "Error"), cs.state
    assert cs.restart_count == 0
    events = pod_events(api, "liveness-never")
    # restartPolicy Never: the Killing message has no ", will be restarted".
    assert find_event(events, "Killing", "Container app failed liveness probe") is not None, describe_events(
        events
    )
    assert find_event(events, "Unhealthy", "Liveness probe failed: ") is not None, describe_events(events)
    hold(lambda: restarts(get_pod(api, "liveness-never")) == 0, 2, "restartCount 0")


def test_on_failure_exit_zero_completes_without_restart(node: RunningNode, api: Any) -> None:
    apply(node, "onfailure-success.yaml")
    pod = wait_pod(
        api, "onfailure-success", lambda p: p.status.phase == "Succeeded", timeout=20, what="phase Succeeded"
    )
    cs = container_status(pod)
    assert cs.state.terminated is not None, cs.state
    assert (cs.state.terminated.exit_code, cs.state.terminated.reason) == (0, "Completed")
    assert cs.restart_count == 0 and cs.last_state.terminated is None
    hold(lambda: restarts(get_pod(api, "onfailure-success")) == 0, 3, "restartCount 0")
    assert not is_ready(get_pod(api, "onfailure-success"))
    table = node.kubectl("get", "pod", "onfailure-success").stdout
    assert re.search(r"onfailure-success\s+0/1\s+Completed\s+0\s", table), table
    assert node.kubectl("logs", "onfailure-success").stdout == "all done\n"


def test_on_failure_non_zero_exit_restarts(node: RunningNode, api: Any) -> None:
    apply(node, "onfailure-failure.yaml")
    pod = wait_pod(api, "onfailure-failure", lambda p: restarts(p) >= 1, timeout=20, what="restartCount >= 1")
    term = last_terminated(pod)
    assert (term.exit_code, term.reason) == (3, "Error"), term
    assert pod.status.phase == "Running"


@pytest.mark.parametrize("network", ["loopback", "namespaces"])
def test_two_nodes_at_once_give_pods_distinct_addresses(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch, network: str
) -> None:
    """Nodes run side by side (parallel tests, two projects on one machine). On the shared
    loopback their pods must not share an IP, or the second pod's server cannot bind and probes
    reach the other node's pod. With pod network namespaces each node's 10.244.0.0/16 is its
    own (as two kind clusters'): the same IP may appear in both, and each node probes its own pod."""
    monkeypatch.setenv("PODLAB_POD_NETWORK", network)  # the nodes inherit it
    nodes: list[RunningNode] = []
    try:
        for index in range(2):
            nodes.append(
                start_node(tmp_path_factory.mktemp(f"pair{index}"), FAULTS / "agnhost-liveness.yaml")
            )
        pods = [
            wait_pod(n.core_api(), "web", lambda p: bool(p.status.pod_ip), timeout=30, what="a pod IP")
            for n in nodes
        ]
        ips = [p.status.pod_ip for p in pods]
        if network == "loopback":
            assert ips[0] != ips[1], f"both nodes gave their pod {ips[0]}"
        else:
            assert all(ip.startswith("10.244.") for ip in ips), ips
        for n in nodes:
            wait_pod(n.core_api(), "web", is_ready, timeout=30, what="Ready")
        assert [restarts(get_pod(n.core_api(), "web")) for n in nodes] == [0, 0]
    finally:
        for n in nodes:
            stop_node(n)


@pytest.mark.slow
def test_crash_loop_back_off_doubles(node: RunningNode, api: Any) -> None:
    """Restarts after 0 s, then 10 s, then 20 s (kubelet's initial 10 s back-off, doubled)."""
    apply(node, "crashloop.yaml")
    seen: dict[int, float] = {}  # restartCount -> when it first showed
    messages: set[str] = set()

    def third_restart() -> bool:
        pod = get_pod(api, "crashloop")
        count = restarts(pod)
        seen.setdefault(count, time.monotonic())
        cs = container_status(pod)
        if cs and cs.state.waiting and cs.state.waiting.reason == "CrashLoopBackOff":
            messages.add(cs.state.waiting.message)
        return count >= 3

    wait_for(third_restart, timeout=60, what="restartCount 3", interval=0.1)
    pod = get_pod(api, "crashloop")
    uid = pod.metadata.uid
    assert {1, 2, 3} <= seen.keys(), seen
    first_gap, second_gap = seen[2] - seen[1], seen[3] - seen[2]
    # Gaps between the moments the API first showed each count: the back-off runs from the exit,
    # which the status may show a few hundred ms late, hence the slack below 10 s and 20 s.
    assert 9 <= first_gap <= 13, f"second restart {first_gap:.1f}s after the first"
    assert 19 <= second_gap <= 24, f"third restart {second_gap:.1f}s after the second"
    for delay in ("10s", "20s"):
        assert f"back-off {delay} restarting failed container=crash pod=crashloop_default({uid})" in messages
    events = pod_events(api, "crashloop")
    backoff = find_event(
        events, "BackOff", f"Back-off restarting failed container crash in pod crashloop_default({uid})"
    )
    assert backoff is not None and backoff.count > 1, describe_events(events)
    term = last_terminated(pod)
    assert (term.exit_code, term.reason) == (1, "Error"), term
