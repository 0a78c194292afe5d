"""The reference scenario: wiremock/wiremock with a ConfigMap of mappings, probed on its pod IP."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import podlab
from podlab import kube_version
from podlab.probes import ProbeOutcome, ProbeResult, ProbeTarget, run_probe
from podlab.runtime import ContainerLaunch, LogSource, Runtime

MAPPING = '{"request": {"url": "/get/this", "method": "GET"}, "response": {"status": 200, "body": "here it is!\\n"}}'


def test_wiremock_loads_configmap_mappings(
    mode: str, home: Path, make_pod: Callable[..., Any], pod_ip: str
) -> None:
    async def main() -> None:
        rt = Runtime(home, sandbox=mode)
        pod = make_pod("wiremock", volumes=[{"name": "maps", "configMap": {"name": "wiremock-mappings"}}])
        vols = rt.materialise_volumes(
            pod, lambda kind, name: {"data": {"livness_probe_mapping.json": MAPPING}}
        )
        container = {
            "name": "wiremock",
            "image": "wiremock/wiremock:2.35.0",
            "args": ["--verbose"],
            "volumeMounts": [{"name": "maps", "mountPath": "/home/wiremock/mappings", "readOnly": True}],
        }
        rc = await rt.start(ContainerLaunch(pod, container, pod_ip, 0, vols, {}))
        try:
            target = ProbeTarget(pod_ip=pod_ip, container=container, exec=rc.exec)
            probe = {"httpGet": {"path": "/get/this", "port": 8080}, "timeoutSeconds": 1}
            deadline = time.monotonic() + 10
            while True:
                outcome = await run_probe(probe, target, probe_type="liveness")
                # Retry only while the server is not listening yet.
                starting = "connection refused" in outcome.message
                if not starting or time.monotonic() > deadline or not rc.running:
                    break
                await asyncio.sleep(0.1)
            logs = LogSource(home).read("default", pod["metadata"]["name"], "wiremock").decode()
            assert outcome == ProbeOutcome(ProbeResult.SUCCESS, "here it is!\n"), logs
            assert kube_version.current().user_agent in logs  # the verbose log shows the probe's request
        finally:
            info = await rc.stop(5)
        assert info.exit_code in (0, 143)

    asyncio.run(main())


async def _wait_serving(
    pod_ip: str, container: dict[str, Any], rc: Any, path: str = "/__admin/mappings"
) -> Any:
    target = ProbeTarget(pod_ip=pod_ip, container=container, exec=rc.exec)
    probe = {"httpGet": {"path": path, "port": 8080}, "timeoutSeconds": 1}
    deadline = time.monotonic() + 15
    while True:
        outcome = await run_probe(probe, target, probe_type="liveness")
        if "connection refused" not in outcome.message or time.monotonic() > deadline or not rc.running:
            return outcome
        await asyncio.sleep(0.1)


def test_stub_stopped_within_half_a_second_of_start_never_waits_out_its_grace(
    mode: str, home: Path, make_pod: Callable[..., Any], pod_ip: str
) -> None:
    """The stub as PID 1 ignores a SIGTERM it has no handler for: started with SIGTERM blocked,
    it gets one that came during start-up as soon as its handler is in place. Ten in a row."""

    async def main() -> None:
        rt = Runtime(home, sandbox=mode)
        try:
            async with asyncio.timeout(150):
                for attempt in range(10):
                    pod = make_pod("early-stop")
                    container = {"name": "wiremock", "image": "wiremock/wiremock:3.13.2"}
                    rc = await rt.start(ContainerLaunch(pod, container, pod_ip, 0, {}, {}))
                    await asyncio.sleep(attempt * 0.05)  # 0 to 0.45 s after the start
                    began = time.monotonic()
                    info = await rc.stop(30)
                    took = time.monotonic() - began
                    assert took < 5, (attempt, took)
                    assert info.exit_code == 143, (attempt, info)
        finally:
            await rt.stop_all(0)

    asyncio.run(main())


def test_builtin_image_survives_an_empty_dir_over_podlabs_own_installation(
    mode: str, home: Path, make_pod: Callable[..., Any], pod_ip: str
) -> None:
    """A volume at the checkout's top directory (where podlab and its venv live here) hides
    nothing the image needs: its Python and podlab are bound at fixed paths under /podlab."""
    if mode != "bwrap":
        pytest.skip("plain mode has no mount namespace: volumes are links under the container root")
    checkout = Path(podlab.__file__).resolve().parents[2]

    async def main() -> None:
        rt = Runtime(home, sandbox=mode)
        pod = make_pod("hidden", volumes=[{"name": "scratch", "emptyDir": {}}])
        vols = rt.materialise_volumes(pod, lambda kind, name: None)
        container = {
            "name": "wiremock",
            "image": "wiremock/wiremock:3.13.2",
            "volumeMounts": [{"name": "scratch", "mountPath": str(checkout)}],
        }
        rc = await rt.start(ContainerLaunch(pod, container, pod_ip, 0, vols, {}))
        try:
            outcome = await _wait_serving(pod_ip, container, rc)
            logs = LogSource(home).read("default", pod["metadata"]["name"], "wiremock").decode()
            assert "No module named" not in logs, logs
            assert outcome.result is ProbeResult.SUCCESS, (outcome, logs)
            listed = await rc.exec(["ls", "-A", str(checkout)], 5.0)
            assert (listed.exit_code, listed.output) == (0, b"")  # the volume, empty, is what shows there
        finally:
            await rt.stop_all(0)

    asyncio.run(main())


def test_builtin_images_have_a_shell_and_coreutils_for_exec(
    mode: str, home: Path, make_pod: Callable[..., Any], pod_ip: str
) -> None:
    """`kubectl exec deploy/wiremock -- ls /home/wiremock/mappings`, run the way exec probes run."""
    if mode != "bwrap":
        pytest.skip("plain mode has no mount namespace: /home/wiremock is not a path on the host")

    async def main() -> None:
        rt = Runtime(home, sandbox=mode)
        pod = make_pod("tools", volumes=[{"name": "maps", "configMap": {"name": "wiremock-mappings"}}])
        vols = rt.materialise_volumes(
            pod, lambda kind, name: {"data": {"livness_probe_mapping.json": MAPPING}}
        )
        wiremock = {
            "name": "wiremock",
            "image": "wiremock/wiremock:3.13.2",
            "volumeMounts": [{"name": "maps", "mountPath": "/home/wiremock/mappings", "readOnly": True}],
        }
        agnhost = {"name": "agnhost", "image": "registry.k8s.io/e2e-test-images/agnhost:2.52"}
        try:
            rc = await rt.start(ContainerLaunch(pod, wiremock, pod_ip, 0, vols, {}))
            listed = await rc.exec(["ls", "/home/wiremock/mappings"], 5.0)
            assert (listed.exit_code, listed.output) == (0, b"livness_probe_mapping.json\n")
            pwd = await rc.exec(["sh", "-c", "pwd; cat mappings/livness_probe_mapping.json | wc -c"], 5.0)
            assert pwd.exit_code == 0 and pwd.output.decode().split() == ["/home/wiremock", str(len(MAPPING))]
            other = make_pod("agnhost-tools")
            ag = await rt.start(ContainerLaunch(other, agnhost, pod_ip, 0, {}, {}))
            shell = await ag.exec(["sh", "-c", "echo hi | tr a-z A-Z; ls / | grep -c proc"], 5.0)
            assert (shell.exit_code, shell.output) == (0, b"HI\n1\n")
        finally:
            await rt.stop_all(0)

    asyncio.run(main())
