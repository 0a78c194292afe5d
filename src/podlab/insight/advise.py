"""`podlab advise`: findings about a manifest's probes, from the manifest and, when the app was
run first (`--observe`), from what it did. Each finding has a severity, the evidence and the
YAML to change. Sans-IO: pods (defaulted), an optional Observation and optional stories in,
findings out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from podlab.insight.observe import Observation, target_of
from podlab.insight.story import Story

Obj = dict[str, Any]
SEVERITIES = ("info", "warning", "error")
PROBES = ("livenessProbe", "readinessProbe", "startupProbe")
LOCAL_ONLY = {"127.0.0.1", "::1"}


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str  # info | warning | error
    pod: str
    container: str
    message: str
    evidence: str
    fix: str  # the YAML to change, as it would read after the change
    probe: str = ""  # livenessProbe | readinessProbe | startupProbe, where one is concerned

    def to_json(self) -> Obj:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "pod": self.pod,
            "container": self.container,
            "message": self.message,
            "evidence": self.evidence,
            "fix": self.fix,
        }


RULES: dict[str, str] = {
    "liveness-same-as-readiness": "The liveness probe is the readiness probe: a failing dependency restarts the app instead of taking it out of the Service.",
    "no-startup-probe": "Liveness can fire before the app has started: no startup probe, and the liveness budget is shorter than the start-up.",
    "liveness-without-startup-budget": "A liveness probe with no startup probe and no initial delay: any slow start is killed.",
    "timeout-below-latency": "timeoutSeconds is below the probe's observed latency: slow answers count as failures.",
    "exec-timeout-near-period": "An exec probe's timeout is close to its period: commands pile up and time out together.",
    "probe-port-not-declared": "The probe's port is not among the container's ports.",
    "probe-port-not-listening": "The probe's port is never listened on.",
    "listens-on-localhost-only": "The app listens on 127.0.0.1 only: probes (and Services) reach the pod IP, so they fail on a cluster.",
    "readiness-never-passes": "The readiness probe never passed: the pod never receives Service traffic.",
    "restarts-observed": "The app restarted while observed.",
    "liveness-depends-on-downstream": "The liveness probe fails when a dependency fails: a dependency outage restarts every replica.",
}


@dataclass
class Advice:
    findings: list[Finding] = field(default_factory=list)

    def worst(self) -> str | None:
        levels = [SEVERITIES.index(f.severity) for f in self.findings]
        return SEVERITIES[max(levels)] if levels else None

    def fails(self, threshold: str) -> bool:
        worst = self.worst()
        return worst is not None and SEVERITIES.index(worst) >= SEVERITIES.index(threshold)

    def to_json(self) -> Obj:
        return {"findings": [f.to_json() for f in self.findings]}

    def text(self) -> str:
        if not self.findings:
            return "No findings."
        lines = []
        for f in self.findings:
            lines.append(f"{f.severity.upper():<8}{f.rule}  pod/{f.pod} container {f.container}")
            lines.append(f"        {f.message}")
            lines.append(f"        evidence: {f.evidence}")
            lines.extend(
                "        fix: " + line if i == 0 else "             " + line
                for i, line in enumerate(f.fix.splitlines())
            )
        return "\n".join(lines)


def advise(
    pods: list[Obj], observation: Observation | None = None, stories: dict[str, Story] | None = None
) -> Advice:
    out = Advice()
    for pod in pods:
        name = str(pod["metadata"]["name"])
        for c in pod.get("spec", {}).get("containers") or []:
            out.findings.extend(_static(name, c))
            if observation is not None:
                out.findings.extend(_observed(name, c, observation))
        story = (stories or {}).get(name)
        if story is not None and any(story.restarts.values()):
            out.findings.append(
                Finding(
                    "restarts-observed",
                    "error",
                    name,
                    ",".join(k for k, v in story.restarts.items() if v),
                    RULES["restarts-observed"],
                    story.cause(),
                    "see the cause: change the probe or the app so it no longer fails",
                )
            )
    out.findings.sort(key=lambda f: (-SEVERITIES.index(f.severity), f.pod, f.container, f.rule))
    return out


def _static(pod: str, c: Obj) -> list[Finding]:
    name = str(c.get("name"))
    found: list[Finding] = []
    live, ready, startup = (c.get(p) for p in PROBES)
    if live and ready and _handler(live) == _handler(ready):
        found.append(
            Finding(
                "liveness-same-as-readiness",
                "warning",
                pod,
                name,
                RULES["liveness-same-as-readiness"],
                f"both probe {_describe(live)}",
                "livenessProbe:\n  httpGet: {path: /livez, port: ...}   # checks the process only, not its dependencies",
                "livenessProbe",
            )
        )
    if live and not startup and not int(live.get("initialDelaySeconds") or 0):
        budget = _budget(live)
        found.append(
            Finding(
                "liveness-without-startup-budget",
                "info",
                pod,
                name,
                RULES["liveness-without-startup-budget"],
                f"liveness {_describe(live)} kills after {budget:g}s of failures from the start "
                f"(initialDelaySeconds 0, periodSeconds {_period(live):g}, failureThreshold {_threshold(live)})",
                _startup_fix(live, budget * 2),
                "livenessProbe",
            )
        )
    for probe_name in PROBES:
        probe = c.get(probe_name)
        if not probe:
            continue
        if "exec" in probe:
            timeout = float(probe.get("timeoutSeconds") or 1)
            period = _period(probe)
            if timeout >= 0.8 * period:
                found.append(
                    Finding(
                        "exec-timeout-near-period",
                        "warning",
                        pod,
                        name,
                        RULES["exec-timeout-near-period"],
                        f"{probe_name} exec timeoutSeconds {timeout:g} vs periodSeconds {period:g}",
                        f"{probe_name}:\n  periodSeconds: {math.ceil(timeout * 2)}",
                        probe_name,
                    )
                )
        port = _port(probe)
        declared = {p.get("containerPort") for p in c.get("ports") or []} | {
            p.get("name") for p in c.get("ports") or []
        }
        if port is not None and port not in declared and c.get("ports") is not None:
            found.append(
                Finding(
                    "probe-port-not-declared",
                    "info",
                    pod,
                    name,
                    RULES["probe-port-not-declared"],
                    f"{probe_name} targets port {port}; declared: {sorted(str(p) for p in declared if p)}",
                    f"ports:\n- containerPort: {port}",
                    probe_name,
                )
            )
    return found


def _observed(pod: str, c: Obj, seen: Observation) -> list[Finding]:
    name = str(c.get("name"))
    observed_as = f"{pod}/{name}"  # the observation's key (observe.container_key)
    found: list[Finding] = []
    startups = seen.startup_times(observed_as)
    live, startup = c.get("livenessProbe"), c.get("startupProbe")
    if live and not startup:
        budget = float(live.get("initialDelaySeconds") or 0) + _budget(live)
        longest = max(startups) if startups else None
        # Killed by liveness before it ever answered: the start-up is longer than the budget.
        refused_kills = [
            a
            for a in seen.attempts
            if a.container == observed_as and a.probe_type == "liveness" and "connection refused" in a.message
        ]
        evidence = ""
        if longest is not None and longest >= 0.8 * budget:
            evidence = f"observed start-up {longest:.1f}s against a liveness budget of {budget:g}s"
        elif longest is None and len(refused_kills) >= _threshold(live):
            evidence = (
                f"liveness failed {len(refused_kills)} times with connection refused before the app ever "
                f"answered (budget {budget:g}s)"
            )
        if evidence:
            found.append(
                Finding(
                    "no-startup-probe",
                    "warning",
                    pod,
                    name,
                    RULES["no-startup-probe"],
                    evidence + " (initialDelaySeconds + periodSeconds × failureThreshold)",
                    _startup_fix(live, (longest or budget) * 2),
                    "livenessProbe",
                )
            )
    for probe_name in PROBES:
        probe = c.get(probe_name)
        if not probe:
            continue
        kind, key = target_of(probe)
        mine = [
            a
            for a in seen.attempts
            if a.container == observed_as and a.probe_type == probe_name.removesuffix("Probe")
        ]
        latencies = sorted(seen.latencies(observed_as, kind, key))
        timeout = float(probe.get("timeoutSeconds") or 1)
        if latencies:
            p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
            timeouts = [
                a
                for a in mine
                if "deadline exceeded" in a.message or "timed out" in a.message or "i/o timeout" in a.message
            ]
            if p99 >= 0.8 * timeout or timeouts:
                found.append(
                    Finding(
                        "timeout-below-latency",
                        "warning",
                        pod,
                        name,
                        RULES["timeout-below-latency"],
                        f"{probe_name} timeoutSeconds {timeout:g}, observed p99 latency {p99 * 1000:.0f}ms, "
                        f"{len(timeouts)} timed-out attempt(s)",
                        f"{probe_name}:\n  timeoutSeconds: {max(1, math.ceil(p99 * 3))}",
                        probe_name,
                    )
                )
        refused_at_end = bool(mine) and "connection refused" in mine[-1].message
        port = _port(probe)
        if refused_at_end and isinstance(port, int):
            # Sockets this pod could be reached on: with a shared host network (loopback mode)
            # /proc/net/tcp also lists other pods' sockets, on their own addresses.
            mine_addrs = {seen.pod_ips.get(observed_as, ""), "0.0.0.0", "::", *LOCAL_ONLY}
            listening = {(ip, p) for ip, p in seen.listening.get(observed_as, set()) if ip in mine_addrs}
            on_port = {ip for ip, p in listening if p == port}
            if on_port and on_port <= LOCAL_ONLY:
                found.append(
                    Finding(
                        "listens-on-localhost-only",
                        "error",
                        pod,
                        name,
                        RULES["listens-on-localhost-only"],
                        f"listening on {', '.join(sorted(on_port))}:{port}; {probe_name}: {mine[-1].message}",
                        "# in the app: bind 0.0.0.0 (all interfaces), not 127.0.0.1",
                        probe_name,
                    )
                )
            elif not on_port:
                found.append(
                    Finding(
                        "probe-port-not-listening",
                        "error",
                        pod,
                        name,
                        RULES["probe-port-not-listening"],
                        f"{probe_name}: {mine[-1].message}; listening: "
                        f"{', '.join(f'{ip}:{p}' for ip, p in sorted(listening)) or 'nothing'}",
                        f"{probe_name}:\n  {_handler_key(probe)}: {{port: <the port the app listens on>}}",
                        probe_name,
                    )
                )
        if probe_name == "livenessProbe" and seen.breaks and mine:
            broke_at = seen.breaks[0][0]
            before = [a for a in mine if a.t < broke_at]
            after = [a for a in mine if a.t >= broke_at and a.result == "failure"]
            if before and any(a.result == "success" for a in before) and after:
                stubs = ", ".join(sorted({name for _, name in seen.breaks}))
                found.append(
                    Finding(
                        "liveness-depends-on-downstream",
                        "warning",
                        pod,
                        name,
                        RULES["liveness-depends-on-downstream"],
                        f"after breaking {stubs} (every request answered 503), liveness failed {len(after)} "
                        f"time(s): {after[-1].message.strip()}",
                        "livenessProbe:  # check only this process (e.g. /livez); put dependency checks in readiness",
                        probe_name,
                    )
                )
        if probe_name == "readinessProbe" and mine and not any(a.result == "success" for a in mine):
            found.append(
                Finding(
                    "readiness-never-passes",
                    "error",
                    pod,
                    name,
                    RULES["readiness-never-passes"],
                    f"{len(mine)} attempt(s), none passed; last: {mine[-1].message.strip()}",
                    f"readinessProbe:  # point it at what the app serves when ready\n  {_describe(probe)}",
                    probe_name,
                )
            )
    return found


def _handler_key(probe: Obj) -> str:
    return next(iter(_handler(probe)), "httpGet")


def _handler(probe: Obj) -> Obj:
    return {k: probe[k] for k in ("httpGet", "tcpSocket", "exec", "grpc") if k in probe}


def _describe(probe: Obj) -> str:
    kind, key = target_of(probe)
    return {
        "http": f"httpGet {key}",
        "tcp": f"tcpSocket {key}",
        "grpc": f"grpc {key}",
        "exec": f"exec {key!r}",
    }.get(kind, "(no handler)")


def _port(probe: Obj) -> Any:
    for kind in ("httpGet", "tcpSocket", "grpc"):
        if kind in probe:
            return probe[kind].get("port")
    return None


def _period(probe: Obj) -> float:
    return float(probe.get("periodSeconds") or 10)


def _threshold(probe: Obj) -> int:
    return int(probe.get("failureThreshold") or 3)


def _budget(probe: Obj) -> float:
    return _period(probe) * _threshold(probe)


def _startup_fix(live: Obj, seconds: float) -> str:
    period = _period(live)
    threshold = max(3, math.ceil(seconds / period))
    handler = _handler(live)
    kind = next(iter(handler), "httpGet")
    return (
        f"startupProbe:   # same check as liveness, {threshold * period:g}s to start\n"
        f"  {kind}: {_inline(handler.get(kind, {}))}\n"
        f"  periodSeconds: {period:g}\n  failureThreshold: {threshold}"
    )


def _inline(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_inline(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_inline(v) for v in value) + "]"
    return str(value)


def sarif(advice: Advice, source: str, text: str) -> Obj:
    """SARIF 2.1.0 for code-scanning UIs: one result per finding, located at its probe."""
    levels = {"info": "note", "warning": "warning", "error": "error"}
    results = []
    for f in advice.findings:
        results.append(
            {
                "ruleId": f.rule,
                "level": levels[f.severity],
                "message": {"text": f"{f.message} {f.evidence} Fix: {f.fix}"},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": source},
                            "region": {"startLine": _line_of(text, f.container, f.probe)},
                        }
                    }
                ],
            }
        )
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "podlab advise",
                        "rules": [{"id": k, "shortDescription": {"text": v}} for k, v in RULES.items()],
                    }
                },
                "results": results,
            }
        ],
    }


def _line_of(text: str, container: str, probe: str) -> int:
    """The line of `probe` under the container named `container` (1 when not found)."""
    lines = text.splitlines()
    start = next(
        (
            i
            for i, line in enumerate(lines)
            if line.strip().lstrip("- ") in (f"name: {container}", f'name: "{container}"')
        ),
        None,
    )
    if start is None:
        return 1
    if not probe:
        return start + 1
    return next(
        (i + 1 for i in range(start, len(lines)) if lines[i].strip().startswith(f"{probe}:")), start + 1
    )
