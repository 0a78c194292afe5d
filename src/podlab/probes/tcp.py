"""tcpSocket probes (k8s pkg/probe/tcp/tcp.go): connect, close, nothing exchanged."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
from typing import Any

from podlab.probes.dial import StreamDial, stream_dialer
from podlab.probes.ports import ProbeError, join_host_port, resolve_port
from podlab.probes.result import ProbeOutcome, ProbeResult


async def probe_tcp(
    action: dict[str, Any],
    pod_ip: str,
    container: dict[str, Any],
    timeout: float,
    dial: StreamDial | None = None,
) -> ProbeOutcome:
    try:
        port = resolve_port(action.get("port"), container)
    except ProbeError as e:
        return ProbeOutcome(ProbeResult.UNKNOWN, str(e))
    host = str(action.get("host") or pod_ip)
    addr = join_host_port(host, port)
    try:
        async with asyncio.timeout(timeout):
            _, writer = await (dial or stream_dialer(None, pod_ip, timeout))(host, port, None)
    except TimeoutError:
        return dial_timeout(addr)
    except OSError as e:
        return dial_failure(addr, _syscall_text(e))
    writer.close()
    with contextlib.suppress(Exception):
        await writer.wait_closed()
    return ProbeOutcome(ProbeResult.SUCCESS, "")


def dial_timeout(addr: str) -> ProbeOutcome:
    return ProbeOutcome(ProbeResult.FAILURE, f"dial tcp {addr}: i/o timeout")


def dial_failure(addr: str, reason: str) -> ProbeOutcome:
    """`reason` as Go prints the errno: "connection refused"."""
    return ProbeOutcome(ProbeResult.FAILURE, f"dial tcp {addr}: connect: {reason}")


def _syscall_text(e: OSError) -> str:
    if e.errno == errno.ECONNREFUSED:
        return "connection refused"
    return os.strerror(e.errno).lower() if e.errno else str(e).lower()
