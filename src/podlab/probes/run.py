"""One probe attempt: pick the handler the probe spec names and run it under its timeout."""

from __future__ import annotations

from typing import Any

from podlab.probes.dial import stream_dialer
from podlab.probes.exec import probe_exec
from podlab.probes.grpc import probe_grpc
from podlab.probes.http import probe_http
from podlab.probes.result import ProbeOutcome, ProbeResult, ProbeTarget
from podlab.probes.tcp import probe_tcp

DEFAULT_TIMEOUT_SECONDS = 1


async def run_probe(probe: dict[str, Any], target: ProbeTarget, *, probe_type: str) -> ProbeOutcome:
    """Run `probe` (a container's livenessProbe/readinessProbe/startupProbe) once.

    `probe_type` ("liveness", "readiness", "startup") only names the probe in errors; the
    caller (the kubelet's probe worker) turns the outcome into counts and events.
    """
    timeout = float(probe.get("timeoutSeconds") or DEFAULT_TIMEOUT_SECONDS)
    container = target.container
    if "exec" in probe:
        return await probe_exec(probe["exec"], container, target.exec, timeout)
    dial = stream_dialer(target.network, target.pod_ip, timeout)
    if "httpGet" in probe:
        return await probe_http(probe["httpGet"], target.pod_ip, container, timeout, dial)
    if "tcpSocket" in probe:
        return await probe_tcp(probe["tcpSocket"], target.pod_ip, container, timeout, dial)
    if "grpc" in probe:
        return await probe_grpc(probe["grpc"], target.pod_ip, timeout, dial)
    # prober.go: "missing probe handler for <pod>:<container>", an error (discarded).
    return ProbeOutcome(
        ProbeResult.UNKNOWN, f"missing {probe_type} probe handler for container {container.get('name', '')}"
    )
