"""Container lifecycle hooks (k8s pkg/kubelet/lifecycle/handlers.go): postStart and preStop.

A handler is exec, httpGet, tcpSocket or sleep. httpGet/tcpSocket reuse the probe handlers (one
attempt, same transport rules); a hook succeeds when that attempt is not a failure. Exec hooks run
through the runtime so the failure text can carry the exit code as kubelet's does.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from podlab.kubelet.clock import Clock, wait_until
from podlab.probes import ProbeResult, ProbeTarget, run_probe
from podlab.runtime import ExecResult

Obj = dict[str, Any]
Exec = Callable[[list[str], float], Awaitable[ExecResult]]

# kubelet runs postStart without a deadline; podlab bounds it so a stuck hook cannot wedge a pod.
POST_START_LIMIT = 300.0


async def run_hook(handler: Obj, target: ProbeTarget, timeout: float, clock: Clock) -> str | None:
    """Run one lifecycle handler; None on success, else the error text (handlers.go wording
    without its ``... for Container ... failed`` frame, which ``hook_failure`` adds)."""
    if "sleep" in handler:
        seconds = float((handler["sleep"] or {}).get("seconds", 0))
        await clock.sleep_until(clock.now() + seconds)
        return None
    if "exec" in handler:
        command = [str(a) for a in (handler["exec"] or {}).get("command") or []]
        result = await target.exec(command, timeout)
        if result.timed_out:
            return f"command '{' '.join(command)}' timed out"
        if result.exit_code != 0:
            output = result.output.decode(errors="replace")
            return f"command '{' '.join(command)}' exited with {result.exit_code}: {output}"
        return None
    kinds = [k for k in ("httpGet", "tcpSocket") if k in handler]
    if not kinds:
        return "invalid handler"
    attempt = {kinds[0]: handler[kinds[0]], "timeoutSeconds": max(timeout, 1)}
    try:
        outcome = await wait_until(
            clock, run_probe(attempt, target, probe_type="lifecycle"), clock.now() + timeout + 1
        )
    except TimeoutError:
        return "timed out"
    if outcome.result in (ProbeResult.SUCCESS, ProbeResult.WARNING):
        return None
    return outcome.message


def hook_failure(handler: Obj, error: str, container: str, pod: str) -> str:
    """The FailedPostStartHook event message (handlers.go)."""
    if "exec" in handler:
        command = " ".join(str(a) for a in (handler["exec"] or {}).get("command") or [])
        return f'Exec lifecycle hook ([{command}]) for Container "{container}" in Pod "{pod}" failed - error: {error}, message: ""'
    if "httpGet" in handler:
        path = (handler["httpGet"] or {}).get("path", "")
        return (
            f'HTTP lifecycle hook ({path}) for Container "{container}" in Pod "{pod}" failed - error: {error}'
        )
    return f'Lifecycle hook for Container "{container}" in Pod "{pod}" failed - error: {error}'
