"""Probe ports by number or by container port name (k8s pkg/probe/util.go)."""

from __future__ import annotations

from typing import Any


class ProbeError(Exception):
    """A handler error: the attempt is discarded (ProbeResult.UNKNOWN), never counted."""


def resolve_port(port: Any, container: dict[str, Any]) -> int:
    if isinstance(port, bool):
        raise ProbeError(f"intOrString had no kind: {port!r}")
    if isinstance(port, int):
        number = port
    elif isinstance(port, str):
        for p in container.get("ports") or []:
            if p.get("name") == port:
                number = int(p.get("containerPort", 0))
                break
        else:
            raise ProbeError(f'port "{port}" not found')
    else:
        raise ProbeError(f"intOrString had no kind: {port!r}")
    if 0 < number < 65536:
        return number
    raise ProbeError(f"invalid port number: {number}")


def join_host_port(host: str, port: int) -> str:
    """Go's net.JoinHostPort: IPv6 literals get brackets."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
