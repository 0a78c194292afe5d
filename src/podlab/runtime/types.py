"""Values that cross the runtime boundary (see docs/CONTRACTS.md, "runtime")."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from podlab.network.netns import PodNetns

Obj = dict[str, Any]


@dataclass(frozen=True)
class PodEtc:
    """The pod's own /etc/hosts, /etc/resolv.conf and hostname, as the kubelet decided them."""

    hosts: str
    resolv_conf: str
    hostname: str  # the UTS name and /etc/hostname (the FQDN with setHostnameAsFQDN)


@dataclass
class ContainerLaunch:
    """Everything the runtime needs to start one container instance."""

    pod: Obj  # the Pod (names, uid, annotations)
    container: Obj  # the container spec, defaulted
    pod_ip: str  # 10.244.x.y in the pod's netns, 127.244.x.y on the host's loopback
    restart_count: int  # this instance's restart count (names the log file)
    volumes: dict[str, Path]  # volume name -> materialised host directory
    env: dict[str, str] = field(default_factory=dict)  # resolved by the kubelet
    # (reason, message) of a Warning event on the pod about this container (its log failing).
    warn: Callable[[str, str], None] | None = None
    # An ephemeral container's targetContainerName: the host PID of that container's program,
    # whose PID namespace this one joins instead of having its own.
    pid_namespace_of: int | None = None
    # None: the runtime's defaults (the pod name, the node's resolver); the kubelet sets it.
    etc: PodEtc | None = None
    netns: PodNetns | None = None  # the pod's network namespace (None: the host's network)


@dataclass
class ExitInfo:
    exit_code: int
    signal: int | None
    reason: str  # "Completed" | "Error" | "OOMKilled" (runtime/cgroups/counters.py)
    finished_at: datetime
    # The termination message (terminationMessagePath, or the log's tail): termination.py.
    message: str | None = None


@dataclass
class ExecResult:
    exit_code: int
    output: bytes  # stdout and stderr interleaved, as the CRI's ExecSync combines them
    timed_out: bool


class StartError(Exception):
    """The container process could not be started (kubelet reason StartError, exit code 128)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CreateContainerError(Exception):
    """The node could not prepare the container (its files): kubelet's CreateContainerError."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def os_error_text(exc: OSError) -> str:
    """Go's PathError wording: "/path: no space left on device" (lower case, no errno)."""
    detail = (exc.strerror or str(exc)).lower()
    return f"{exc.filename}: {detail}" if exc.filename else detail


def start_error_message(detail: str) -> str:
    """Wrap a runc exec failure the way containerd reports it in the container status."""
    return (
        "failed to create containerd task: failed to create shim task: OCI runtime create failed: "
        f"runc create failed: unable to start container process: {detail}: unknown"
    )
