"""The e2e probe catalogue (k8s test/e2e/common/node/container_probe.go), shrunk, on a real node.

Reference: docs/reference/kubelet-probes.md §9. Every row runs as its own pod from
tests/e2e/manifests/catalogue/, all on one node started for this module, so the rows run side by
side and the module takes about as long as its longest row. Delays are 1 s instead of 15 s and
periods 1 s instead of 10 s; each test says what the original expects and checks the same thing.

A recorder polls the pods from the moment the node is up, so a test that runs after its pod's
interesting moment still sees it ("never Ready", "Ready right after startup succeeded", "restart
count never decreases"). The helpers here are shared with the other e2e modules of this directory.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import RunningNode, start_node, stop_node, wait_for

# Thirty pods probed every second with 1 s timeouts on one node: beside two other test workers
# on a 2-core runner their Python servers missed 1 s answers now and then (`context deadline
# exceeded`), a different pod each run. The catalogue checks the kubelet's semantics, so it runs
# alone, after the parallel run (the Makefile's `-m serial`), as the 400-container test does.
pytestmark = pytest.mark.serial

NS = "default"
MANIFESTS = Path(__file__).parent / "manifests"
CATALOGUE = MANIFESTS / "catalogue"


# Shared helpers -------------------------------------------------------------------------------
def container_status(pod: Any) -> Any:
    """The pod's first (only) container status, or None before the kubelet wrote one."""
    statuses = pod.status.container_statuses if pod is not None and pod.status else None
    return statuses[0] if statuses else None


def sidecar_status(pod: Any) -> Any:
    """The pod's first init container status (the sidecar in the sidecar block), or None."""
    statuses = pod.status.init_container_statuses if pod is not None and pod.status else None
    return statuses[0] if statuses else None


def sidecar_restarts(pod: Any) -> int:
    cs = sidecar_status(pod)
    return int(cs.restart_count) if cs is not None else 0


def restarts(pod: Any) -> int:
    cs = container_status(pod)
    return int(cs.restart_count) if cs is not None else 0


def running(pod: Any) -> bool:
    cs = container_status(pod)
    return bool(cs is not None and cs.state is not None and cs.state.running is not None)


def condition(pod: Any, kind: str) -> Any:
    for cond in (pod.status.conditions or []) if pod is not None and pod.status else []:
        if cond.type == kind:
            return cond
    return None


def started(pod: Any) -> bool:
    """containerStatus.started: running and past its startup probe (if any)."""
    cs = container_status(pod)
    return bool(running(pod) and cs.started)


def container_ready(pod: Any) -> bool:
    cs = container_status(pod)
    return bool(cs is not None and cs.ready)


def is_ready(pod: Any) -> bool:
    cond = condition(pod, "Ready")
    return bool(cond is not None and cond.status == "True")


def summary(pod: Any) -> str:
    """A one-line view of the pod for assertion messages (the full status is unreadable)."""
    cs = container_status(pod)
    if cs is None:
        return f"{pod.metadata.name}: phase={pod.status.phase}, no container status"
    if cs.state.running:
        state = "running"
    elif cs.state.terminated:
        state = f"terminated({cs.state.terminated.exit_code}, {cs.state.terminated.reason})"
    else:
        state = f"waiting({cs.state.waiting.reason if cs.state.waiting else None})"
    last = cs.last_state.terminated if cs.last_state else None
    before = f" last=({last.exit_code}, {last.reason}, {last.message!r})" if last else ""
    return (
        f"{pod.metadata.name}: phase={pod.status.phase} ready={is_ready(pod)} started={cs.started} "
        f"restarts={cs.restart_count} state={state}{before}"
    )


def seconds(later: datetime, earlier: datetime) -> float:
    return (later - earlier).total_seconds()


def lived(terminated: Any) -> float:
    """How long a terminated container instance ran (status timestamps, whole seconds)."""
    return seconds(terminated.finished_at, terminated.started_at)


def pod_events(api: Any, name: str) -> list[Any]:
    """Events about the pod `name` (any instance), as the API serves them."""
    items = api.list_namespaced_event(NS).items
    return [e for e in items if e.involved_object.kind == "Pod" and e.involved_object.name == name]


def find_event(events: list[Any], reason: str, message: str | None = None) -> Any:
    for event in events:
        if event.reason == reason and (message is None or event.message == message):
            return event
    return None


def describe_events(events: list[Any]) -> str:
    """For assertion messages: what the pod did get."""
    return "; ".join(f"{e.type} {e.reason} x{e.count}: {e.message!r}" for e in events) or "no events"


def get_pod(api: Any, name: str) -> Any:
    return api.read_namespaced_pod(name, NS)


def wait_pod(api: Any, name: str, check: Callable[[Any], bool], *, timeout: float, what: str) -> Any:
    """The pod once `check(pod)` holds; fails naming `what` and the last status at the deadline."""
    last: list[Any] = []

    def holds() -> Any:
        pod = get_pod(api, name)
        last[:] = [pod]
        return check(pod) and pod

    try:
        return wait_for(holds, timeout=timeout, what=f"{name}: {what}")
    except AssertionError as exc:
        raise AssertionError(f"{exc}; pod: {summary(last[0]) if last else 'never read'}") from None


def hold(check: Callable[[], bool], duration: float, what: str) -> None:
    """`check()` must stay true for `duration` seconds (polled); fails the first time it is not."""
    end = time.monotonic() + duration
    while time.monotonic() < end:
        assert check(), f"{what} stopped holding"
        time.sleep(0.1)


# repr=False throughout: pytest prints the arguments of a failing frame, and the repr of every
# pod status ever recorded took minutes to render.
@dataclass(repr=False)
class Snapshot:
    at: float  # time.monotonic() when the recorder saw it
    pod: Any
    wall: float = 0.0  # time.time() at the same moment, to compare with status timestamps


@dataclass(repr=False)
class PodRecorder:
    """Watches every pod of the namespace and keeps each one's history of statuses.

    A watch, not polling: every status the API server writes arrives once, when it is written
    (a poll every 0.2 s listed thirty pods each time, loading the node it observed and missing
    states shorter than its period)."""

    api: Any
    history: dict[str, list[Snapshot]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="pod-recorder", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        from kubernetes import watch

        version = ""
        while not self._stop.is_set():
            try:
                # The server ends each watch after a few seconds, so a stop is seen that soon.
                stream = watch.Watch().stream(
                    self.api.list_namespaced_pod, NS, resource_version=version, timeout_seconds=3
                )
                for event in stream:
                    pod = event["object"]
                    version = pod.metadata.resource_version or version
                    now, wall = time.monotonic(), time.time()
                    with self._lock:
                        self.history.setdefault(pod.metadata.name, []).append(Snapshot(now, pod, wall))
                    if self._stop.is_set():
                        return
            except Exception as exc:  # keep recording; a test that needs the data will say so
                self.errors.append(repr(exc))
                version = ""  # e.g. 410 Gone: start again from a fresh list
                self._stop.wait(0.2)

    def snapshots(self, name: str) -> list[Snapshot]:
        with self._lock:
            return list(self.history.get(name, []))

    def first(self, name: str, check: Callable[[Any], bool]) -> Snapshot | None:
        return next((s for s in self.snapshots(name) if check(s.pod)), None)

    def running_for(self, name: str) -> float:
        """Seconds since the recorder first saw the pod's container running (0 if not yet)."""
        seen = self.first(name, running)
        return time.monotonic() - seen.at if seen else 0.0

    def observe(
        self, name: str, window: float, invariant: Callable[[Any], bool], what: str
    ) -> list[Snapshot]:
        """Watch `name` until it has run `window` seconds; `invariant` must hold in every snapshot.

        Fails as soon as a snapshot breaks it, not only at the end of the window.
        """
        deadline = time.monotonic() + window + 30
        while True:
            shots = self.snapshots(name)
            broken = next((s for s in shots if not invariant(s.pod)), None)
            if broken is not None:
                raise AssertionError(f"{what} broken: {summary(broken.pod)}")
            if self.running_for(name) >= window:
                return shots
            if time.monotonic() > deadline:
                last = summary(shots[-1].pod) if shots else "never seen"
                raise AssertionError(f"{name}: not running for {window:.0f}s in time; last: {last}")
            time.sleep(0.1)


@dataclass(repr=False)
class Cluster:
    node: RunningNode
    api: Any
    recorder: PodRecorder


BATCH = 10  # pods started together


def start_cluster(home: Path, *manifests: Path) -> Cluster:
    """The catalogue's pods, a batch at a time: each probe case assumes its server binds within a
    second or three of its start, as on a node; thirty Python servers starting at once on a
    2-core runner that also runs another test file took up to 4 s (measured), which killed
    healthy containers before they listened."""
    node = start_node(home)
    api = node.core_api()
    recorder = PodRecorder(node.core_api())
    recorder.start()
    for at in range(0, len(manifests), BATCH):
        batch = manifests[at : at + BATCH]
        args = [a for m in batch for a in ("-f", str(m))]
        node.kubectl("apply", *args)
        names = {
            d["metadata"]["name"]
            for m in batch
            for d in yaml.safe_load_all(m.read_text())
            if d and d["kind"] == "Pod"
        }

        def all_started(names: set[str] = names) -> bool:
            pods = {p.metadata.name: p for p in api.list_namespaced_pod(NS).items}
            return all(
                n in pods
                and any(s.state and (s.state.running or s.state.terminated) for s in _statuses(pods[n]))
                for n in names
            )

        wait_for(all_started, timeout=60, what=f"pods {sorted(names)} started")
    return Cluster(node, api, recorder)


def _statuses(pod: Any) -> list[Any]:
    return [*(pod.status.init_container_statuses or []), *(pod.status.container_statuses or [])]


def stop_cluster(cluster: Cluster) -> None:
    cluster.recorder.stop()
    stop_node(cluster.node)


# The module's node ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def cat(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    cluster = start_cluster(tmp_path_factory.mktemp("catalogue"), *sorted(CATALOGUE.glob("*.yaml")))
    yield cluster
    stop_cluster(cluster)


def restarted(cat: Cluster, name: str, *, timeout: float = 30) -> Any:
    """The pod once its container has restarted at least once."""
    return wait_pod(cat.api, name, lambda p: restarts(p) >= 1, timeout=timeout, what="restartCount >= 1")


def assert_killed_by(
    cat: Cluster, name: str, probe: str, container: str, section: str = "containers"
) -> None:
    events = pod_events(cat.api, name)
    message = f"Container {container} failed {probe} probe, will be restarted"
    killing = find_event(events, "Killing", message)
    assert killing is not None, f"{name}: no Killing {message!r}; got {describe_events(events)}"
    assert killing.type == "Normal"
    assert killing.source.component == "kubelet"
    assert killing.involved_object.field_path == f"spec.{section}{{{container}}}"


def assert_unhealthy(cat: Cluster, name: str, message: str, *, min_count: int = 1) -> Any:
    """An Unhealthy event with exactly `message`.

    An exec probe's message ends with the command's output verbatim, trailing newline included
    (kubelet's prober formats "%s probe failed: %s" with the raw output; describe hides it).
    """
    events = pod_events(cat.api, name)
    event = find_event(events, "Unhealthy", message)
    assert event is not None, f"{name}: no Unhealthy {message!r}; got {describe_events(events)}"
    assert event.type == "Warning"
    assert event.count >= min_count, f"{name}: Unhealthy count {event.count} < {min_count}"
    return event


def assert_no_event(cat: Cluster, name: str, text: str) -> None:
    events = pod_events(cat.api, name)
    found = [e for e in events if text in (e.message or "")]
    assert not found, f"{name}: unexpected event(s) with {text!r}: {describe_events(found)}"


def last_terminated(pod: Any) -> Any:
    cs = container_status(pod)
    assert cs.last_state is not None and cs.last_state.terminated is not None, cs
    return cs.last_state.terminated


def never_restarted(pod: Any) -> bool:
    return restarts(pod) == 0


# 1-2: readiness ------------------------------------------------------------------------------
def test_01_readiness_not_ready_before_initial_delay_and_never_restarts(cat: Cluster) -> None:
    name = "c01-ready-delay"
    pod = wait_pod(cat.api, name, is_ready, timeout=30, what="Ready")
    started = container_status(pod).state.running.started_at
    became_ready = condition(pod, "Ready").last_transition_time
    # The catalogue: Ready's lastTransitionTime - container startedAt >= initialDelaySeconds.
    assert seconds(became_ready, started) >= 3, (started, became_ready)
    assert restarts(pod) == 0
    cat.recorder.observe(name, 5, never_restarted, "restartCount 0")


def test_02_failing_readiness_never_ready_never_restarts(cat: Cluster) -> None:
    name = "c02-ready-fail"
    cat.recorder.observe(name, 6, lambda p: not is_ready(p) and restarts(p) == 0, "NotReady, restartCount 0")
    pod = get_pod(cat.api, name)
    ip = pod.status.pod_ip
    assert_unhealthy(
        cat,
        name,
        f'Readiness probe failed: Get "http://{ip}:81/": dial tcp {ip}:81: connect: connection refused',
        min_count=2,
    )
    ready = condition(pod, "Ready")
    assert (ready.status, ready.reason) == ("False", "ContainersNotReady")
    assert ready.message == "containers with unready status: [agnhost-container]"
    assert_no_event(cat, name, "Killing")


# 3-6, 8: exec, http, tcp liveness ------------------------------------------------------------------
def test_03_exec_cat_liveness_restarts(cat: Cluster) -> None:
    name = "c03-exec-restart"
    pod = restarted(cat, name)
    assert_unhealthy(
        cat, name, "Liveness probe failed: cat: can't open '/tmp/health': No such file or directory\n"
    )
    assert_killed_by(cat, name, "liveness", "busybox")
    term = last_terminated(pod)
    # sh is PID 1 and ignores SIGTERM: SIGKILL after the 2 s grace gives 137/Error.
    assert (term.exit_code, term.reason) == (137, "Error"), term
    # Healthy for 3 s, then the kill waits the whole grace period.
    assert lived(term) >= 4, term


def test_04_exec_cat_liveness_healthy_not_restarted(cat: Cluster) -> None:
    name = "c04-exec-no-restart"
    cat.recorder.observe(name, 6, never_restarted, "restartCount 0")
    assert_no_event(cat, name, "probe failed")
    assert is_ready(get_pod(cat.api, name))


def test_05_http_healthz_liveness_restarts(cat: Cluster) -> None:
    name = "c05-http-restart"
    pod = restarted(cat, name, timeout=40)
    assert_unhealthy(cat, name, "Liveness probe failed: HTTP probe failed with statuscode: 500")
    assert_killed_by(cat, name, "liveness", "agnhost-container")
    term = last_terminated(pod)
    # agnhost (Go, no SIGTERM handler) exits 2 on SIGTERM; /healthz was fine for its first 10 s.
    assert (term.exit_code, term.reason) == (2, "Error"), term
    assert lived(term) >= 10, term


def test_06_tcp_liveness_not_restarted(cat: Cluster) -> None:
    name = "c06-tcp-no-restart"
    # Past agnhost liveness's 10 s of healthy /healthz: the port stays open, TCP passes.
    cat.recorder.observe(name, 13, never_restarted, "restartCount 0")
    assert_no_event(cat, name, "probe failed")


def test_08_http_liveness_not_restarted(cat: Cluster) -> None:
    name = "c08-http-no-restart"
    cat.recorder.observe(name, 6, never_restarted, "restartCount 0")
    assert_no_event(cat, name, "probe failed")


# 9-11: exec timeouts ------------------------------------------------------------------------------
def test_09_exec_liveness_timeout_restarts(cat: Cluster) -> None:
    name = "c09-exec-timeout"
    pod = restarted(cat, name)
    assert_unhealthy(
        cat, name, 'Liveness probe failed: command timed out: "/bin/sh -c sleep 10" timed out after 1s'
    )
    assert_killed_by(cat, name, "liveness", "busybox")
    term = last_terminated(pod)
    assert (term.exit_code, term.reason) == (137, "Error"), term


def test_10_exec_readiness_timeout_never_ready(cat: Cluster) -> None:
    name = "c10-exec-readiness-timeout"
    cat.recorder.observe(name, 6, lambda p: not is_ready(p) and restarts(p) == 0, "NotReady, restartCount 0")
    assert_unhealthy(
        cat,
        name,
        'Readiness probe failed: command timed out: "/bin/sh -c sleep 10" timed out after 1s',
        min_count=2,
    )


def test_11_exec_probe_with_background_child_fails_within_timeout(cat: Cluster) -> None:
    name = "c11-exec-background-child"
    pod = restarted(cat, name)
    assert_killed_by(cat, name, "liveness", "busybox")
    events = pod_events(cat.api, name)
    failed = [e.message for e in events if e.reason == "Unhealthy"]
    allowed = {
        "Liveness probe failed: ",  # exit 1, no output
        'Liveness probe failed: command timed out: "/bin/sh -c sleep 10 & exit 1" timed out after 1s',
    }
    assert failed and set(failed) <= allowed, failed
    # The probe must not wait for the background `sleep 10`: 1 s delay, <= 1 s probe, 2 s grace.
    assert lived(last_terminated(pod)) < 10, last_terminated(pod)


# 12-13: redirects ------------------------------------------------------------------------------------
def test_12_local_redirect_is_followed_and_restarts(cat: Cluster) -> None:
    name = "c12-local-redirect"
    pod = restarted(cat, name, timeout=40)
    assert_unhealthy(cat, name, "Liveness probe failed: HTTP probe failed with statuscode: 500")
    assert_killed_by(cat, name, "liveness", "agnhost-container")
    assert lived(last_terminated(pod)) >= 10


def test_13_non_local_redirect_warns_and_does_not_restart(cat: Cluster) -> None:
    name = "c13-remote-redirect"
    cat.recorder.observe(name, 5, never_restarted, "restartCount 0")
    events = pod_events(cat.api, name)
    warnings = [e for e in events if e.reason == "ProbeWarning"]
    assert warnings, f"no ProbeWarning; got {describe_events(events)}"
    warning = warnings[0]
    assert warning.type == "Warning"
    assert warning.message.startswith("Liveness probe warning: "), warning.message
    assert (
        'Probe terminated redirects, Response body: <a href="http://0.0.0.0/">Found</a>.' in warning.message
    )
    assert warning.count > 1, "identical warnings must aggregate into one Event with count > 1"
    assert_no_event(cat, name, "probe failed")


# 14-19: startup probes and probe-level grace ----------------------------------------------------------
def test_14_failing_startup_probe_restarts(cat: Cluster) -> None:
    name = "c14-startup-fails"
    pod = restarted(cat, name)
    assert_unhealthy(cat, name, "Startup probe failed: ", min_count=3)
    assert_killed_by(cat, name, "startup", "busybox")
    assert_no_event(cat, name, "Liveness")
    term = last_terminated(pod)
    assert (term.exit_code, term.reason) == (137, "Error"), term


def test_15_startup_probe_holds_back_failing_liveness(cat: Cluster) -> None:
    name = "c15-startup-delays-liveness"
    shots = cat.recorder.observe(
        name, 6, lambda p: restarts(p) == 0 and not started(p), "not started, restartCount 0"
    )
    assert shots
    assert_unhealthy(cat, name, "Startup probe failed: ", min_count=3)
    assert_no_event(cat, name, "Liveness")
    assert_no_event(cat, name, "Killing")


def test_16_liveness_runs_once_startup_succeeds(cat: Cluster) -> None:
    name = "c16-startup-enables-liveness"
    pod = restarted(cat, name)
    assert_unhealthy(cat, name, "Liveness probe failed: ")
    assert_killed_by(cat, name, "liveness", "busybox")
    # Startup passed (the file appears after 3 s) before liveness could kill: a liveness probe
    # running from the start would have killed within 2 s. (Not read from the recorder: under
    # load its polls can miss the second between startup passing and the kill.)
    assert lived(last_terminated(pod)) >= 3


def test_17_ready_right_after_startup_succeeds(cat: Cluster) -> None:
    name = "c17-ready-after-startup"
    wait_pod(cat.api, name, is_ready, timeout=30, what="Ready")
    began = cat.recorder.first(name, started)
    # The recorder's watch may deliver the Ready status a little after the GET above saw it.
    ready = wait_for(
        lambda: cat.recorder.first(name, container_ready), timeout=10, what=f"{name}: Ready recorded"
    )
    assert began is not None
    early = [s for s in cat.recorder.snapshots(name) if container_ready(s.pod) and not started(s.pod)]
    assert not early, "Ready before the startup probe succeeded"
    container_started = container_status(began.pod).state.running.started_at.timestamp()
    assert began.wall - container_started >= 4, "startup cannot pass before /tmp/startup exists (5 s)"
    # Readiness' period is 30 s: only the manual trigger on startup success makes this quick.
    assert ready.at - began.at <= 5, f"Ready {ready.at - began.at:.1f}s after Started"


def test_18_liveness_probe_grace_overrides_pod_grace(cat: Cluster) -> None:
    name = "c18-liveness-probe-grace"
    pod = restarted(cat, name)
    ip = pod.status.pod_ip
    assert_unhealthy(
        cat,
        name,
        f'Liveness probe failed: Get "http://{ip}:8080/healthz": dial tcp {ip}:8080: connect: connection refused',
    )
    assert_killed_by(cat, name, "liveness", "busybox")
    term = last_terminated(pod)
    assert (term.exit_code, term.reason) == (137, "Error"), term
    assert 2 <= lived(term) < 15, f"killed after {lived(term)}s: the probe's 2 s grace, not the pod's 500 s"


def test_19_startup_probe_grace_overrides_pod_grace(cat: Cluster) -> None:
    name = "c19-startup-probe-grace"
    pod = restarted(cat, name)
    assert_unhealthy(
        cat, name, "Startup probe failed: cat: can't open '/tmp/startup': No such file or directory\n"
    )
    assert_killed_by(cat, name, "startup", "busybox")
    term = last_terminated(pod)
    assert (term.exit_code, term.reason) == (137, "Error"), term
    assert 2 <= lived(term) < 15, f"killed after {lived(term)}s: the probe's 2 s grace, not the pod's 500 s"


# 20-21: gRPC --------------------------------------------------------------------------------------
def test_20_grpc_liveness_serving_not_restarted(cat: Cluster) -> None:
    name = "c20-grpc-serving"
    cat.recorder.observe(name, 6, never_restarted, "restartCount 0")
    assert_no_event(cat, name, "probe failed")
    assert is_ready(get_pod(cat.api, name))
    # The node probed over gRPC for seconds while forking containers, without loading grpcio
    # (its threads do not survive fork(): the node used to segfault in cygrpc).
    proc = Path(f"/proc/{cat.node.process.pid}")
    assert b"podlab\x00up\x00" in proc.joinpath("cmdline").read_bytes()  # the node itself
    maps = proc.joinpath("maps").read_text()
    assert "cygrpc" not in maps and "libgrpc" not in maps


def test_21_grpc_liveness_wrong_port_restarts(cat: Cluster) -> None:
    name = "c21-grpc-wrong-port"
    pod = restarted(cat, name)
    ip = pod.status.pod_ip
    assert_unhealthy(
        cat,
        name,
        f'Liveness probe failed: timeout: failed to connect service "{ip}:2333" within 1s: '
        "context deadline exceeded",
    )
    assert_killed_by(cat, name, "liveness", "agnhost-container")
    term = last_terminated(pod)
    assert (term.exit_code, term.reason) == (2, "Error"), term


# 22-23: probes while the pod terminates ----------------------------------------------------------------
def _delete_and_watch(cat: Cluster, name: str) -> list[Any]:
    """Delete the Ready pod; poll it until it is gone; every pod seen while it terminated."""
    wait_pod(cat.api, name, is_ready, timeout=30, what="Ready")
    cat.api.delete_namespaced_pod(name, NS)
    seen: list[Any] = []

    def gone() -> bool:
        items = cat.api.list_namespaced_pod(NS, field_selector=f"metadata.name={name}").items
        seen.extend(items)
        return not items

    wait_for(gone, timeout=30, what=f"{name} deleted")
    return seen


def test_22_readiness_turns_false_while_terminating(cat: Cluster) -> None:
    name = "c22-terminating-readiness"
    seen = _delete_and_watch(cat, name)
    terminating = [p for p in seen if p.metadata.deletion_timestamp is not None]
    assert terminating, "the pod vanished without a graceful termination"
    assert any(not is_ready(p) for p in terminating), "never NotReady before it disappeared"
    events = pod_events(cat.api, name)
    assert find_event(events, "Killing", "Stopping container busybox") is not None, describe_events(events)


def test_23_liveness_stops_while_terminating(cat: Cluster) -> None:
    name = "c23-terminating-liveness"
    seen = _delete_and_watch(cat, name)
    terminating = [p for p in seen if p.metadata.deletion_timestamp is not None]
    assert terminating and any(not is_ready(p) for p in terminating), "never NotReady while terminating"
    assert_no_event(cat, name, "failed liveness probe")
    assert_no_event(cat, name, "Liveness probe failed")


# The sidecar block: the probed container is an init container with restartPolicy Always ----------
def test_s02_sidecar_failing_readiness_keeps_pod_unready(cat: Cluster) -> None:
    name = "s02-sidecar-ready-fail"
    cat.recorder.observe(
        name, 5, lambda p: not is_ready(p) and sidecar_restarts(p) == 0, "NotReady, sidecar restartCount 0"
    )
    pod = get_pod(cat.api, name)
    ip = pod.status.pod_ip
    assert sidecar_status(pod).started and not sidecar_status(pod).ready
    assert_unhealthy(
        cat,
        name,
        f'Readiness probe failed: Get "http://{ip}:81/": dial tcp {ip}:81: connect: connection refused',
        min_count=2,
    )
    ready = condition(pod, "Ready")
    assert (ready.status, ready.reason) == ("False", "ContainersNotReady")
    assert "sidecar" in (ready.message or ""), ready.message


def test_s03_sidecar_exec_liveness_restarts(cat: Cluster) -> None:
    name = "s03-sidecar-exec-restart"
    pod = wait_pod(cat.api, name, lambda p: sidecar_restarts(p) >= 1, timeout=30, what="sidecar restarted")
    assert_unhealthy(
        cat, name, "Liveness probe failed: cat: can't open '/tmp/health': No such file or directory\n"
    )
    assert_killed_by(cat, name, "liveness", "sidecar", "initContainers")
    term = sidecar_status(pod).last_state.terminated
    assert term is not None and (term.exit_code, term.reason) == (137, "Error"), term
    assert restarts(pod) == 0, "only the sidecar restarts"


def test_s05_sidecar_http_liveness_restarts(cat: Cluster) -> None:
    name = "s05-sidecar-http-restart"
    pod = wait_pod(cat.api, name, lambda p: sidecar_restarts(p) >= 1, timeout=40, what="sidecar restarted")
    assert_unhealthy(cat, name, "Liveness probe failed: HTTP probe failed with statuscode: 500")
    assert_killed_by(cat, name, "liveness", "sidecar", "initContainers")
    term = sidecar_status(pod).last_state.terminated
    assert term is not None and (term.exit_code, term.reason) == (2, "Error"), term
    assert lived(term) >= 10, term


def test_s14_sidecar_failing_startup_probe_restarts(cat: Cluster) -> None:
    name = "s14-sidecar-startup-fails"
    pod = wait_pod(cat.api, name, lambda p: sidecar_restarts(p) >= 1, timeout=30, what="sidecar restarted")
    assert_unhealthy(cat, name, "Startup probe failed: ", min_count=3)
    assert_killed_by(cat, name, "startup", "sidecar", "initContainers")
    assert_no_event(cat, name, "Liveness")
    term = sidecar_status(pod).last_state.terminated
    assert term is not None and (term.exit_code, term.reason) == (137, "Error"), term


# Beyond the catalogue ---------------------------------------------------------------------------
def test_24_probe_error_is_reported_and_discarded(cat: Cluster) -> None:
    name = "c24-bad-named-port"
    cat.recorder.observe(name, 5, never_restarted, "restartCount 0")
    assert_unhealthy(
        cat, name, 'Liveness probe errored and resulted in unknown state: port "http" not found', min_count=2
    )
    assert_no_event(cat, name, "Killing")


def test_25_exec_command_expands_container_env(cat: Cluster) -> None:
    name = "c25-exec-env-expansion"
    cat.recorder.observe(name, 5, never_restarted, "restartCount 0")
    assert_no_event(cat, name, "probe failed")


def test_27_http_probe_timeout(cat: Cluster) -> None:
    name = "c27-http-timeout"
    cat.recorder.observe(name, 4, lambda p: not is_ready(p) and restarts(p) == 0, "NotReady, restartCount 0")
    ip = get_pod(cat.api, name).status.pod_ip
    assert_unhealthy(
        cat,
        name,
        f'Readiness probe failed: Get "http://{ip}:8080/sleep-headers?time=3&code=200": '
        "context deadline exceeded (Client.Timeout exceeded while awaiting headers)",
        min_count=2,
    )


def test_28_similar_events_are_combined(cat: Cluster) -> None:
    name = "c28-similar-events-combined"
    prefix = "(combined from similar events): Readiness probe failed: "

    def combined() -> Any:
        return next((e for e in pod_events(cat.api, name) if e.message.startswith(prefix)), None)

    event = wait_for(combined, timeout=40, what=f"{name}: a combined Unhealthy event")
    assert event.reason == "Unhealthy" and event.type == "Warning"
    events = pod_events(cat.api, name)
    single = [e for e in events if e.reason == "Unhealthy" and not e.message.startswith(prefix)]
    # Nine distinct messages stand alone; the tenth and later ones are combined.
    assert len(single) == 9, describe_events(single)
    assert all(e.count == 1 for e in single), describe_events(single)


# Across the catalogue ---------------------------------------------------------------------------
def test_restart_counts_never_decrease(cat: Cluster) -> None:
    """Catalogue #7's invariant, over every pod the recorder saw (RunLivenessTest checks it too)."""
    assert cat.recorder.history, f"the recorder saw no pods: {cat.recorder.errors}"
    for name, shots in cat.recorder.history.items():
        same = [s.pod for s in shots if s.pod.metadata.uid == shots[-1].pod.metadata.uid]
        for count in (restarts, sidecar_restarts):
            counts = [count(pod) for pod in same]
            assert counts == sorted(counts), f"{name}: restart count went down: {counts}"
