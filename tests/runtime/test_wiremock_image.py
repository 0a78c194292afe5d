"""The reference scenario: wiremock/wiremock with a ConfigMap of mappings, probed on its pod IP."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

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
