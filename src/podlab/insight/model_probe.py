"""Probe attempts answered by the model, in kubelet's words (the kubelet's ``ProbeAttempt`` seam).

exec probes go through the real exec prober (podlab.probes) against the model container's
``exec``; httpGet, tcpSocket and grpc build their target and messages with the real probers'
functions, and take their time on the virtual clock: a latency at or above timeoutSeconds is a
timeout, as on a node.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from podlab.insight.model import TargetModel
from podlab.insight.model_runtime import Instance, ModelRuntime
from podlab.kubelet.clock import VirtualClock
from podlab.kubelet.probe_results import ProbeType
from podlab.probes import ProbeOutcome, ProbeResult, ProbeTarget, run_probe
from podlab.probes import grpc as grpc_probe
from podlab.probes import http as http_probe
from podlab.probes import tcp as tcp_probe
from podlab.probes.httpclient import dial_error
from podlab.probes.ports import ProbeError, join_host_port, resolve_port
from podlab.probes.run import DEFAULT_TIMEOUT_SECONDS

Obj = dict[str, Any]
HEALTHY = TargetModel()
REFUSED = "connection refused"


@dataclass
class ModelProbe:
    clock: VirtualClock
    runtime: ModelRuntime
    rng: random.Random

    async def __call__(self, probe: Obj, target: ProbeTarget, probe_type: ProbeType) -> ProbeOutcome:
        if "exec" in probe:
            return await run_probe(probe, target, probe_type=probe_type.value)
        timeout = float(probe.get("timeoutSeconds") or DEFAULT_TIMEOUT_SECONDS)
        instance = self.runtime.instances.get((target.pod_ip, str(target.container.get("name", ""))))
        if instance is None:
            return ProbeOutcome(ProbeResult.UNKNOWN, "container not running")
        try:
            if "httpGet" in probe:
                return await self._http(probe["httpGet"], target, instance, timeout)
            if "tcpSocket" in probe:
                return await self._tcp(probe["tcpSocket"], target, instance, timeout)
            if "grpc" in probe:
                return await self._grpc(probe["grpc"], target, instance, timeout)
        except ProbeError as exc:
            return ProbeOutcome(ProbeResult.UNKNOWN, str(exc))
        return await run_probe(probe, target, probe_type=probe_type.value)

    async def _answer(self, model: TargetModel, instance: Instance, timeout: float) -> tuple[str, int]:
        """("refused" | "timeout" | "status", code) after the time the answer takes."""
        now = self.clock.now()
        window = model.window_at(now, instance.started)
        if now < instance.serving_from or (window is not None and window.refused):
            return "refused", 0
        latency = model.latency.sample(self.rng)
        if (window is not None and window.hang) or latency >= timeout:
            await self.clock.sleep(timeout)
            return "timeout", 0
        await self.clock.sleep(latency)
        return "status", window.status if window is not None else 200

    async def _http(
        self, action: Obj, target: ProbeTarget, instance: Instance, timeout: float
    ) -> ProbeOutcome:
        request = http_probe.build_request(action, target.pod_ip, target.container)
        path = str(action.get("path") or "/")
        port = resolve_port(action.get("port"), target.container)
        kind, status = await self._answer(instance.model.http.get(path, HEALTHY), instance, timeout)
        if kind == "refused":
            addr = join_host_port(str(action.get("host") or target.pod_ip), port)
            return ProbeOutcome(ProbeResult.FAILURE, dial_error(request.url, addr, REFUSED))
        if kind == "timeout":
            return http_probe.headers_timeout(request.url)
        if 200 <= status < 400:
            return ProbeOutcome(ProbeResult.SUCCESS, "")
        return http_probe.status_failure(status)

    async def _tcp(
        self, action: Obj, target: ProbeTarget, instance: Instance, timeout: float
    ) -> ProbeOutcome:
        port = resolve_port(action.get("port"), target.container)
        addr = join_host_port(str(action.get("host") or target.pod_ip), port)
        kind, _ = await self._answer(instance.model.tcp.get(port, HEALTHY), instance, timeout)
        if kind == "refused":
            return tcp_probe.dial_failure(addr, REFUSED)
        if kind == "timeout":
            return tcp_probe.dial_timeout(addr)
        return ProbeOutcome(ProbeResult.SUCCESS, "")

    async def _grpc(
        self, action: Obj, target: ProbeTarget, instance: Instance, timeout: float
    ) -> ProbeOutcome:
        port = int(action.get("port", 0))
        addr = join_host_port(target.pod_ip, port)
        kind, status = await self._answer(instance.model.grpc.get(port, HEALTHY), instance, timeout)
        if kind in ("refused", "timeout"):
            if kind == "refused":
                await self.clock.sleep(timeout)  # grpc-health-probe retries the dial until its deadline
            return grpc_probe.connect_timeout(addr, timeout)
        if status >= 400:
            return ProbeOutcome(ProbeResult.FAILURE, 'service unhealthy (responded with "NOT_SERVING")')
        return ProbeOutcome(ProbeResult.SUCCESS, "service healthy")
