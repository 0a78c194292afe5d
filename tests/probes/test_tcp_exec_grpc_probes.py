"""tcpSocket, exec and grpc probes against real sockets, processes and gRPC servers."""

from __future__ import annotations

import asyncio
import os
import socket
import time
from pathlib import Path
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from podlab.probes import ProbeOutcome, ProbeResult, ProbeTarget, run_probe
from podlab.runtime import ContainerLaunch, ExecResult, Runtime


async def _no_exec(argv: list[str], timeout: float) -> ExecResult:
    raise AssertionError("exec not expected")


def target(pod_ip: str, container: dict[str, Any] | None = None) -> ProbeTarget:
    return ProbeTarget(pod_ip=pod_ip, container=container or {"name": "c"}, exec=_no_exec)


def _free_port(host: str) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def test_tcp_open_and_closed(pod_ip: str) -> None:
    async def main() -> None:
        server = await asyncio.start_server(lambda r, w: w.close(), pod_ip, 0)
        port = server.sockets[0].getsockname()[1]
        container = {"name": "c", "ports": [{"name": "svc", "containerPort": port}]}
        ok = await run_probe(
            {"tcpSocket": {"port": "svc"}}, target(pod_ip, container), probe_type="readiness"
        )
        assert ok == ProbeOutcome(ProbeResult.SUCCESS, "")
        server.close()
        await server.wait_closed()
        closed = await run_probe({"tcpSocket": {"port": port}}, target(pod_ip), probe_type="readiness")
        assert closed == ProbeOutcome(
            ProbeResult.FAILURE, f"dial tcp {pod_ip}:{port}: connect: connection refused"
        )

    asyncio.run(main())


def test_exec_probe_success_failure_timeout(tmp_path: Path, pod_ip: str) -> None:
    rc_container = {
        "name": "busybox",
        "image": "busybox",
        "command": ["sh", "-c", "echo ok > /tmp/health; sleep 600"],
        "env": [{"name": "FILE", "value": "/tmp/health"}],
    }

    async def main() -> None:
        rt = Runtime(tmp_path / "home", sandbox="auto")
        pod = {"metadata": {"name": "p", "namespace": "default", "uid": f"u-{os.getpid()}"}, "spec": {}}
        c = rc_container
        rc = await rt.start(ContainerLaunch(pod, c, pod_ip, 0, {}, {}))
        try:
            await _exercise(rc)
        finally:
            await rt.stop_all(0)
        after = await run_probe(
            {"exec": {"command": ["true"]}}, ProbeTarget(pod_ip, c, rc.exec), probe_type="liveness"
        )
        assert after.result is ProbeResult.UNKNOWN  # exec into a stopped container is an error

    async def _exercise(rc: Any) -> None:
        t = ProbeTarget(pod_ip=pod_ip, container=rc_container, exec=rc.exec)
        deadline = time.monotonic() + 5
        while True:
            ok = await run_probe({"exec": {"command": ["cat", "$(FILE)"]}}, t, probe_type="liveness")
            if ok.result is ProbeResult.SUCCESS or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.05)
        assert ok == ProbeOutcome(ProbeResult.SUCCESS, "ok\n")
        gone = await run_probe({"exec": {"command": ["cat", "/tmp/healthy"]}}, t, probe_type="liveness")
        assert gone == ProbeOutcome(
            ProbeResult.FAILURE, "cat: can't open '/tmp/healthy': No such file or directory\n"
        )
        t0 = time.monotonic()
        slow = await run_probe(
            {"exec": {"command": ["/bin/sh", "-c", "sleep 10"]}, "timeoutSeconds": 1},
            t,
            probe_type="liveness",
        )
        assert time.monotonic() - t0 < 3
        assert slow == ProbeOutcome(
            ProbeResult.FAILURE, 'command timed out: "/bin/sh -c sleep 10" timed out after 1s'
        )
        bg = await run_probe(
            {"exec": {"command": ["/bin/sh", "-c", "sleep 10 & exit 1"]}, "timeoutSeconds": 1},
            t,
            probe_type="liveness",
        )
        assert bg.result is ProbeResult.FAILURE
        big = await run_probe(
            {"exec": {"command": ["sh", "-c", "yes | head -c 50000"]}}, t, probe_type="liveness"
        )
        assert big.result is ProbeResult.SUCCESS and len(big.message) == 10240

    asyncio.run(main())


def test_grpc_health(pod_ip: str) -> None:
    async def main() -> None:
        server = grpc.aio.server()
        servicer = health.aio.HealthServicer() if hasattr(health, "aio") else health.HealthServicer()
        health_pb2_grpc.add_HealthServicer_to_server(servicer, server)
        port = server.add_insecure_port(f"{pod_ip}:0")
        await server.start()
        bare = grpc.aio.server()
        bare_port = bare.add_insecure_port(f"{pod_ip}:0")
        await bare.start()
        try:
            set_status = servicer.set
            res = set_status("", health_pb2.HealthCheckResponse.SERVING)
            if asyncio.iscoroutine(res):
                await res
            ok = await run_probe({"grpc": {"port": port}}, target(pod_ip), probe_type="liveness")
            assert ok == ProbeOutcome(ProbeResult.SUCCESS, "service healthy")
            res = set_status("", health_pb2.HealthCheckResponse.NOT_SERVING)
            if asyncio.iscoroutine(res):
                await res
            down = await run_probe({"grpc": {"port": port}}, target(pod_ip), probe_type="liveness")
            assert down == ProbeOutcome(
                ProbeResult.FAILURE, 'service unhealthy (responded with "NOT_SERVING")'
            )
            other = await run_probe(
                {"grpc": {"port": port, "service": "nope"}}, target(pod_ip), probe_type="liveness"
            )
            # grpcio's servicer gives no detail text (grpc-go's says "unknown service").
            assert other.result is ProbeResult.FAILURE
            assert other.message.startswith(
                "error: health rpc probe failed: rpc error: code = NotFound desc = "
            )
            unimpl = await run_probe({"grpc": {"port": bare_port}}, target(pod_ip), probe_type="liveness")
            assert unimpl.result is ProbeResult.FAILURE
            assert unimpl.message.startswith(
                "error: this server does not implement the grpc health protocol (grpc.health.v1.Health): "
            )
            closed = _free_port(pod_ip)
            t0 = time.monotonic()
            dead = await run_probe(
                {"grpc": {"port": closed}, "timeoutSeconds": 1}, target(pod_ip), probe_type="liveness"
            )
            assert 0.9 < time.monotonic() - t0 < 3
            assert dead == ProbeOutcome(
                ProbeResult.FAILURE,
                f'timeout: failed to connect service "{pod_ip}:{closed}" within 1s: context deadline exceeded',
            )
        finally:
            await server.stop(0)
            await bare.stop(0)

    asyncio.run(main())
