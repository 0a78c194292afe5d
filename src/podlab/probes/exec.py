"""exec probes (k8s pkg/probe/exec/exec.go, through the CRI's ExecSync)."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from podlab.k8s.duration import go_duration
from podlab.probes.result import ProbeOutcome, ProbeResult
from podlab.runtime.types import ExecResult

MAX_OUTPUT = 10 * 1024  # maxReadLength: stdout+stderr beyond this are dropped silently

_VAR = re.compile(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)")


def expand_command(command: list[str], container: dict[str, Any]) -> list[str]:
    """ExpandContainerCommandOnlyStatic: $(VAR) from the container's literal env values only."""
    static = {
        str(e["name"]): str(e["value"]) for e in container.get("env") or [] if "name" in e and "value" in e
    }

    def sub(m: re.Match[str]) -> str:
        if m.group(0) == "$$":
            return "$"
        name = m.group(1)
        return static.get(name, m.group(0))

    return [_VAR.sub(sub, arg) for arg in command]


async def probe_exec(
    action: dict[str, Any],
    container: dict[str, Any],
    run: Callable[[list[str], float], Awaitable[ExecResult]],
    timeout: float,
) -> ProbeOutcome:
    command = expand_command([str(a) for a in action.get("command") or []], container)
    if not command:
        return ProbeOutcome(ProbeResult.UNKNOWN, "exec probe has no command")
    try:
        res = await run(command, timeout)
    except Exception as e:  # the exec could not run at all: an error, discarded by the kubelet
        return ProbeOutcome(ProbeResult.UNKNOWN, str(e) or type(e).__name__)
    if res.timed_out:
        # cri-client remote_runtime.go ExecSync: ErrCommandTimedOut wrapped with the command line.
        return ProbeOutcome(
            ProbeResult.FAILURE,
            f'command timed out: "{" ".join(command)}" timed out after {go_duration(timeout)}',
        )
    output = res.output[:MAX_OUTPUT].decode("utf-8", errors="replace")
    return ProbeOutcome(ProbeResult.SUCCESS if res.exit_code == 0 else ProbeResult.FAILURE, output)
