"""grpc probes (k8s pkg/probe/grpc/grpc.go): grpc.health.v1.Health/Check over plaintext.

The thin driver around `grpc_wire.HealthCheckCall`: it owns the socket and the deadline. Why not
grpcio: see `grpc_wire.py` (the node forks; grpcio's threads crash it). Like grpc.go, one
context deadline of timeoutSeconds bounds the dial (`grpc.WithBlock()`: TCP plus the server's
SETTINGS, retried with grpc-go's backoff) and the call together.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

from podlab import kube_version
from podlab.k8s.duration import go_duration
from podlab.probes.dial import StreamDial, stream_dialer
from podlab.probes.grpc_wire import (
    DEADLINE_EXCEEDED,
    SERVING,
    SERVING_STATUS,
    UNIMPLEMENTED,
    HealthAnswer,
    HealthCheckCall,
    connect_backoff,
    go_code,
)
from podlab.probes.ports import join_host_port
from podlab.probes.result import ProbeOutcome, ProbeResult

_READ = 65536


async def probe_grpc(
    action: dict[str, Any], pod_ip: str, timeout: float, dial: StreamDial | None = None
) -> ProbeOutcome:
    port = int(action.get("port", 0))
    service = str(action.get("service") or "")
    addr = join_host_port(pod_ip, port)
    limit = go_duration(timeout)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    user_agent = kube_version.current().user_agent
    connect = dial or stream_dialer(None, pod_ip, timeout)
    dialed = await _dial(pod_ip, port, lambda: HealthCheckCall(addr, service, user_agent), deadline, connect)
    if dialed is None:
        return connect_timeout(addr, timeout)
    call, reader, writer = dialed
    try:
        answer = await asyncio.wait_for(
            _exchange(call, reader, writer, deadline - loop.time()), max(deadline - loop.time(), 0)
        )
    except TimeoutError:
        answer = None
    finally:
        writer.transport.abort()  # one probe, one connection: nothing to drain
    return _outcome(answer, limit)


def _outcome(answer: HealthAnswer | None, limit: str) -> ProbeOutcome:
    """grpc.go's messages for each way the call ended; None means the deadline passed."""
    if answer is None or answer.status.code == DEADLINE_EXCEEDED:
        return ProbeOutcome(ProbeResult.FAILURE, f"timeout: health rpc did not complete within {limit}")
    code, desc = answer.status.code, answer.status.message
    if code == UNIMPLEMENTED:
        return ProbeOutcome(
            ProbeResult.FAILURE,
            f"error: this server does not implement the grpc health protocol (grpc.health.v1.Health): {desc}",
        )
    if code != 0:
        return ProbeOutcome(
            ProbeResult.FAILURE,
            f"error: health rpc probe failed: rpc error: code = {go_code(code)} desc = {desc}",
        )
    if answer.serving != SERVING:
        # health.pb.go's String() of an enum number it does not know is the number itself.
        status = SERVING_STATUS.get(answer.serving, str(answer.serving))
        return ProbeOutcome(ProbeResult.FAILURE, f'service unhealthy (responded with "{status}")')
    return ProbeOutcome(ProbeResult.SUCCESS, "service healthy")


Dialed = tuple[HealthCheckCall, asyncio.StreamReader, asyncio.StreamWriter]


async def _dial(
    host: str, port: int, new_call: Callable[[], HealthCheckCall], deadline: float, connect: StreamDial
) -> Dialed | None:
    """Connect until the server's SETTINGS arrive, retrying failures after grpc-go's backoff;
    None once the deadline passes (grpc-go then reports only "context deadline exceeded")."""
    loop = asyncio.get_running_loop()
    failures = 0
    while loop.time() < deadline:
        call = new_call()
        try:
            dialed = await asyncio.wait_for(_handshake(call, host, port, connect), deadline - loop.time())
        except (OSError, TimeoutError):
            dialed = None
        if dialed is not None:
            return dialed
        failures += 1
        wait = min(connect_backoff(failures), deadline - loop.time())
        if wait > 0:
            await asyncio.sleep(wait)  # bounded by the probe's deadline
    return None


async def _handshake(call: HealthCheckCall, host: str, port: int, connect: StreamDial) -> Dialed | None:
    reader, writer = await connect(host, port, None)
    try:
        writer.write(call.start())
        while not call.connected and not call.connect_failed:
            writer.write(call.receive(await reader.read(_READ)))
        if call.connected:
            return call, reader, writer
    except BaseException:
        writer.transport.abort()
        raise
    writer.transport.abort()
    return None


async def _exchange(
    call: HealthCheckCall, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, left: float
) -> HealthAnswer:
    writer.write(call.send_check(left))
    while call.answer is None:
        try:
            data = await reader.read(_READ)
        except ConnectionError:
            data = b""  # a reset reads as the end of the connection, as grpc-go's reader sees it
        reply = call.receive(data)
        if reply:
            with contextlib.suppress(ConnectionError):
                writer.write(reply)
    return call.answer


def connect_timeout(addr: str, timeout: float) -> ProbeOutcome:
    """grpc-health-probe's words when no connection is made within the probe's timeout."""
    return ProbeOutcome(
        ProbeResult.FAILURE,
        f'timeout: failed to connect service "{addr}" within {go_duration(timeout)}: context deadline exceeded',
    )
