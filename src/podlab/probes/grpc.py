"""grpc probes (k8s pkg/probe/grpc/grpc.go): grpc.health.v1.Health/Check over plaintext."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from podlab import kube_version
from podlab.k8s.duration import go_duration
from podlab.probes.ports import join_host_port
from podlab.probes.result import ProbeOutcome, ProbeResult


def go_code(code: grpc.StatusCode) -> str:
    """grpc-go's codes.Code String(): NOT_FOUND -> NotFound."""
    return "".join(part.capitalize() for part in code.name.split("_")) if code.name != "OK" else "OK"


async def probe_grpc(action: dict[str, Any], pod_ip: str, timeout: float) -> ProbeOutcome:
    port = int(action.get("port", 0))
    service = str(action.get("service") or "")
    addr = join_host_port(pod_ip, port)
    limit = go_duration(timeout)
    deadline = time.monotonic() + timeout
    options = [("grpc.primary_user_agent", kube_version.current().user_agent)]
    async with grpc.aio.insecure_channel(addr, options=options) as channel:
        try:
            # grpc.WithBlock(): wait for the connection within the probe's deadline.
            await asyncio.wait_for(channel.channel_ready(), timeout)
        except TimeoutError:
            return ProbeOutcome(
                ProbeResult.FAILURE,
                f'timeout: failed to connect service "{addr}" within {limit}: context deadline exceeded',
            )
        stub = health_pb2_grpc.HealthStub(channel)
        try:
            resp = await stub.Check(
                health_pb2.HealthCheckRequest(service=service),
                timeout=max(deadline - time.monotonic(), 0.001),
            )
        except grpc.aio.AioRpcError as e:
            code = e.code()
            if code == grpc.StatusCode.UNIMPLEMENTED:
                return ProbeOutcome(
                    ProbeResult.FAILURE,
                    "error: this server does not implement the grpc health protocol "
                    f"(grpc.health.v1.Health): {e.details()}",
                )
            if code == grpc.StatusCode.DEADLINE_EXCEEDED:
                return ProbeOutcome(
                    ProbeResult.FAILURE, f"timeout: health rpc did not complete within {limit}"
                )
            return ProbeOutcome(
                ProbeResult.FAILURE,
                f"error: health rpc probe failed: rpc error: code = {go_code(code)} desc = {e.details()}",
            )
    status = health_pb2.HealthCheckResponse.ServingStatus.Name(resp.status)
    if resp.status != health_pb2.HealthCheckResponse.SERVING:
        return ProbeOutcome(ProbeResult.FAILURE, f'service unhealthy (responded with "{status}")')
    return ProbeOutcome(ProbeResult.SUCCESS, "service healthy")
