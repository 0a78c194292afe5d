"""Resource limits on a real node with the wheel's kubectl: OOMKilled, CPU quota, a pids
limit, kubectl top, and no cgroup outliving the node (docs/reference/cgroups.md)."""

from __future__ import annotations

import json
import re
import signal
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from podlab.runtime.cgroups import CgroupHost, node_key

from .conftest import RunningNode, start_node, stop_node, wait_for

HOST = CgroupHost.detect("probe")
pytestmark = pytest.mark.skipif(
    HOST.version != 1, reason=f"these tests drive cgroup v1 (this host: {HOST.summary})"
)


def cgroup_dir(node: RunningNode, controller: str, pod_uid: str | None = None, name: str = "") -> Path:
    """A node's, a pod's or a container's first instance's cgroup (`<name>-<restart count>`)."""
    top = Path(HOST.setup.roots[controller], node_key(node.home))
    if pod_uid is None:
        return top
    return top / f"pod{pod_uid}" / (f"{name}-0" if name else "")


def pod_manifest(tmp_path: Path, name: str, container: str, restart: str = "Always") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(
        textwrap.dedent(
            f"""\
            apiVersion: v1
            kind: Pod
            metadata:
              name: {name}
              labels: {{app: {name}}}
            spec:
              restartPolicy: {restart}
              terminationGracePeriodSeconds: 1
              containers:
            """
        )
        + textwrap.indent(textwrap.dedent(container), "  ")
    )
    return path


def jsonpath(node: RunningNode, pod: str, expr: str) -> str:
    return node.kubectl("get", "pod", pod, "-o", f"jsonpath={expr}").stdout


def pod_uid(node: RunningNode, pod: str) -> str:
    return wait_for(lambda: jsonpath(node, pod, "{.metadata.uid}"), timeout=20, what=f"pod {pod}")


def memory_hog(tmp_path: Path, name: str, restart: str) -> Path:
    """300 MB touched under a 50Mi limit: the kernel's OOM killer ends it, as on a cluster."""
    container = f"""\
        - name: {name}
          image: debian
          command: ["python3", "-c", "b = b'x' * 300_000_000"]
          resources:
            limits: {{memory: 50Mi}}
        """
    return pod_manifest(tmp_path, name, container, restart=restart)


def test_memory_limit_is_oomkilled_exit_137_and_restarted(
    node_factory: Callable[..., RunningNode], tmp_path: Path
) -> None:
    node = node_factory(memory_hog(tmp_path, "hog", "Always"))
    pod_uid(node, "hog")
    first = "{.status.containerStatuses[0]."
    wait_for(
        lambda: jsonpath(node, "hog", first + "lastState.terminated.reason}") == "OOMKilled",
        timeout=90,
        what="lastState OOMKilled after the restart",
    )
    assert jsonpath(node, "hog", first + "lastState.terminated.exitCode}") == "137"
    describe = node.kubectl("describe", "pod", "hog").stdout
    assert re.search(r"Last State:\s+Terminated\n\s+Reason:\s+OOMKilled\n\s+Exit Code:\s+137", describe), (
        describe
    )

    def crash_looping() -> bool:
        out = node.kubectl("get", "pod", "hog", "--no-headers").stdout.split()
        return out[2] == "CrashLoopBackOff" and int(out[3]) >= 2

    # Restarted per policy, then backing off as a cluster does; every exit was the OOM killer's.
    wait_for(crash_looping, timeout=90, what="CrashLoopBackOff with restarts", interval=0.2)
    assert jsonpath(node, "hog", first + "lastState.terminated.reason}") == "OOMKilled"


def test_memory_limit_never_restart_shows_oomkilled(
    node_factory: Callable[..., RunningNode], tmp_path: Path
) -> None:
    node = node_factory(memory_hog(tmp_path, "once", "Never"))
    state = "{.status.containerStatuses[0].state.terminated."
    wait_for(lambda: jsonpath(node, "once", state + "reason}") == "OOMKilled", timeout=60, what="OOMKilled")
    assert jsonpath(node, "once", state + "exitCode}") == "137"
    row = node.kubectl("get", "pod", "once", "--no-headers").stdout.split()
    assert row[2] == "OOMKilled"


def _cpu_ns(directory: Path) -> int:
    return int((directory / "cpuacct.usage").read_text())


def test_cpu_limit_sets_the_quota_and_throttles_a_busy_loop_and_top_prints_it(
    node_factory: Callable[..., RunningNode], tmp_path: Path
) -> None:
    manifest = pod_manifest(
        tmp_path,
        "spin",
        """\
        - name: spin
          image: busybox
          command: ["sh", "-c", "while :; do :; done"]
          resources:
            limits: {cpu: 100m, memory: 64Mi}
        """,
    )
    node = node_factory(manifest)
    uid = pod_uid(node, "spin")
    wait_for(lambda: jsonpath(node, "spin", "{.status.phase}") == "Running", timeout=30, what="Running")
    cpu = cgroup_dir(node, "cpu", uid, "spin")
    assert (cpu / "cpu.cfs_quota_us").read_text().strip() == "10000"
    assert (cpu / "cpu.cfs_period_us").read_text().strip() == "100000"
    assert (cgroup_dir(node, "memory", uid, "spin") / "memory.limit_in_bytes").read_text().strip() == str(
        64 << 20
    )
    acct = cgroup_dir(node, "cpuacct", uid, "spin")
    start_ns, start = _cpu_ns(acct), time.monotonic()
    # A bounded window of 3 s: CFS gives the loop 10 ms per 100 ms period.
    wait_for(lambda: time.monotonic() - start >= 3.0, timeout=10, what="the measuring window")
    share = (_cpu_ns(acct) - start_ns) / 1e9 / (time.monotonic() - start)
    assert 0.02 < share <= 0.15, share

    # kubectl top reads metrics.k8s.io: numbers for the pod, its container and the node.
    top = wait_for(
        lambda: (r := node.kubectl("top", "pod", check=False)).returncode == 0 and r.stdout,
        timeout=30,
        what="kubectl top pod",
    )
    row = re.search(r"^spin\s+(\d+)m\s+(\d+)Mi\s*$", top, re.M)
    assert row is not None, top
    assert 30 <= int(row.group(1)) <= 150, top  # about 100m of CPU
    containers = node.kubectl("top", "pod", "spin", "--containers").stdout
    assert re.search(r"^spin\s+spin\s+\d+m\s+\d+Mi\s*$", containers, re.M), containers
    nodes = node.kubectl("top", "node").stdout
    assert re.search(r"^podlab\s+\d+m\s+\d+%\s+\d+Mi\s+\d+%\s*$", nodes, re.M), nodes
    raw = json.loads(
        node.kubectl("get", "--raw", "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/spin").stdout
    )
    assert raw["kind"] == "PodMetrics" and raw["containers"][0]["name"] == "spin"
    from kubernetes import client, config

    metrics = client.CustomObjectsApi(config.new_client_from_config(config_file=str(node.kubeconfig)))
    group = ("metrics.k8s.io", "v1beta1")
    chosen = metrics.list_namespaced_custom_object(*group, "default", "pods", label_selector="app=spin")
    assert [i["metadata"]["name"] for i in chosen["items"]] == ["spin"]
    assert chosen["items"][0]["metadata"]["labels"] == {"app": "spin"}
    assert (
        metrics.list_namespaced_custom_object(*group, "default", "pods", label_selector="app=x")["items"]
        == []
    )
    node_metrics = metrics.get_cluster_custom_object(*group, "nodes", "podlab")
    assert node_metrics["kind"] == "NodeMetrics" and node_metrics["usage"]["memory"].endswith("Ki")
    missing = node.kubectl(
        "get", "--raw", "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/nope", check=False
    )
    assert 'pods.metrics.k8s.io "default/nope" not found' in missing.stderr


def test_top_pod_says_no_resources_when_nothing_runs(node_factory: Callable[..., RunningNode]) -> None:
    node = node_factory()
    assert "metrics.k8s.io/v1beta1" in node.kubectl("api-versions").stdout.split()
    result = node.kubectl("top", "pod", check=False)
    assert result.returncode == 0, result.stderr
    assert "No resources found in default namespace." in result.stderr + result.stdout


def test_pod_pids_limit_stops_a_fork_bomb(tmp_path: Path) -> None:
    config = tmp_path / "podlab.yaml"
    config.write_text("podPidsLimit: 32\n")
    # A bounded fork bomb: 200 sleeping children, far over the limit.
    manifest = pod_manifest(
        tmp_path,
        "forks",
        """\
        - name: forks
          image: busybox
          command: ["sh", "-c", "i=0; while [ $i -lt 200 ]; do sleep 300 & i=$((i+1)); done; echo spawned; sleep 300"]
        """,
    )
    node = start_node(tmp_path / "home", manifest, args=["--config", str(config)])
    try:
        uid = pod_uid(node, "forks")
        pids = cgroup_dir(node, "pids", uid)
        wait_for(lambda: (pids / "pids.max").exists(), timeout=30, what="the pod's pids cgroup")
        assert (pids / "pids.max").read_text().strip() == "32"
        # The kernel refused the forks beyond the limit (EAGAIN); busybox sh then gives up and
        # exits, and the container is restarted: what happens next is the shell's choice.

        def refused() -> bool:
            logs = [
                node.kubectl("logs", "forks", *extra, check=False).stdout for extra in ((), ("--previous",))
            ]
            return any("can't fork: Resource temporarily unavailable" in text for text in logs)

        wait_for(refused, timeout=60, what="sh's fork refusal in the logs", interval=0.3)
        assert int((pids / "pids.current").read_text()) <= 32
    finally:
        stop_node(node)


def test_no_cgroup_left_after_down_and_after_sigkill_and_restart(tmp_path: Path) -> None:
    manifest = pod_manifest(
        tmp_path,
        "sleeper",
        """\
        - name: sleeper
          image: busybox
          command: ["sleep", "3600"]
          resources:
            limits: {memory: 32Mi}
        """,
    )
    home = tmp_path / "home"
    node = start_node(home, manifest)
    try:
        uid = pod_uid(node, "sleeper")
        container = cgroup_dir(node, "memory", uid, "sleeper")
        wait_for(container.exists, timeout=30, what="the container's cgroup")
        status = json.loads(node.podlab("status").stdout)
        assert status["limits"].startswith("enforced: cgroup v1"), status
    finally:
        stop_node(node)  # SIGTERM, as `podlab down` sends it (down itself would wait on our zombie child)
    for controller in HOST.setup.roots:
        assert not cgroup_dir(node, controller).exists(), controller

    node = start_node(home, manifest)
    try:
        uid = pod_uid(node, "sleeper")
        # The stored pod comes back as a new instance of its container (a cgroup per instance).
        pod_cgroup = cgroup_dir(node, "memory", uid)
        wait_for(lambda: any(pod_cgroup.glob("sleeper-*")), timeout=30, what="the container's cgroup")
    except BaseException:
        stop_node(node)  # no node left running by a failed wait
        raise
    node.process.send_signal(signal.SIGKILL)
    node.process.wait(timeout=10)
    assert pod_cgroup.exists()  # nothing removed it: the node had no chance
    (home / "ready").unlink()  # the killed node's handshake file; wait for the new node's
    # The next node on this home removes what the killed one left; --fresh, or it would restart
    # the stored pod (same uid) in a new cgroup.
    node = start_node(home, args=["--fresh"])
    try:
        for controller in HOST.setup.roots:
            assert not cgroup_dir(node, controller, uid).exists(), (controller, node.log())
    finally:
        stop_node(node)
    for controller in HOST.setup.roots:
        assert not cgroup_dir(node, controller).exists(), controller
