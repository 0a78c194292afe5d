"""The outcome of one probe attempt, as kubelet's prober sees it (pkg/probe/probe.go)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from podlab.network.sockets import PodNetworkSockets
from podlab.runtime.types import ExecResult


class ProbeResult(Enum):
    SUCCESS = "success"
    WARNING = "warning"  # success, plus a ProbeWarning event (terminated redirects)
    FAILURE = "failure"
    UNKNOWN = "unknown"  # the handler errored: the kubelet discards the attempt


@dataclass(frozen=True)
class ProbeOutcome:
    result: ProbeResult
    message: str  # the handler's output or error text, in kubelet's words


@dataclass
class ProbeTarget:
    pod_ip: str
    container: dict[str, Any]  # the container spec (named ports)
    exec: Callable[[list[str], float], Awaitable[ExecResult]]
    # Where pod_ip lives: the node's sockets into the pod network (None: the host's own network).
    network: PodNetworkSockets | None = None
    pod: str = ""  # the pod's name: probes never use it; an observer keys what it sees by it
