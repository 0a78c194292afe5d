"""A pod's story: its timeline of events and what it adds up to, in words a person reads fast.

The same shape comes from a real node (`podlab explain`, built from the pod and its events)
and from a simulation (`podlab simulate`, recorded as the kubelet emits): entries carry
Kubernetes' event reasons and kubelet's messages; ``cause()`` ends the story in one sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from podlab.k8s.duration import go_duration

Obj = dict[str, Any]
_PROBE_FAILED = re.compile(r"^(Liveness|Readiness|Startup) probe (?:failed|errored): ?(.*)$", re.S)
_FIELD_PATH = re.compile(r"^spec\.(?:initC|ephemeralC|c)ontainers\{(.+)\}$")


@dataclass(frozen=True)
class Entry:
    t: float  # seconds since the pod started
    container: str  # "" when the event is about the pod itself
    reason: str
    message: str
    type: str = "Normal"

    def to_json(self) -> Obj:
        return {
            "t": round(self.t, 3),
            "container": self.container,
            "reason": self.reason,
            "message": self.message,
        }


@dataclass
class Story:
    pod: Obj  # the pod spec and (for a real pod) its status
    entries: list[Entry] = field(default_factory=list)
    restarts: dict[str, int] = field(default_factory=dict)
    ready_at: float | None = None
    readiness: list[tuple[float, bool]] = field(default_factory=list)  # the pod's Ready transitions
    # Exits that were not kills after a probe failure: container -> (t, exit code, reason).
    exits: dict[str, list[tuple[float, int, str]]] = field(default_factory=dict)
    origin: str = "simulated"  # or "started <time>" for a real pod
    started: datetime | None = None  # a real pod's start: times are then shown as clock times
    notes: list[str] = field(default_factory=list)  # extra evidence (e.g. the stub's journal)
    # container -> what set its failures off, e.g. "after DELETE /__admin/mappings at 10:41:02"
    triggers: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return str(self.pod.get("metadata", {}).get("name", ""))

    @property
    def crash_loop(self) -> bool:
        return any(e.reason == "BackOff" and "restarting failed container" in e.message for e in self.entries)

    def to_json(self) -> Obj:
        return {
            "timeline": [e.to_json() for e in sorted(self.entries, key=lambda e: e.t)],
            "restarts": dict(self.restarts),
            "readyAt": None if self.ready_at is None else round(self.ready_at, 3),
            "cause": self.cause(),
        }

    # -- the one-sentence cause ------------------------------------------------------------------
    def cause(self) -> str:
        sentences = [self._container_cause(name) for name in self.container_names()]
        told = [s for s in sentences if s]
        if told:
            return " ".join(told)
        if self.ready_at is not None:
            return f"{self.name} became Ready at {self.at(self.ready_at)} and nothing restarted."
        unready = self._probe_failures("Readiness")
        if unready:
            count, container, message = unready
            return (
                f"{self.name} never became Ready: the readiness probe of {container} failed {count} "
                f"time{'s' if count != 1 else ''} ({message.strip()})."
            )
        return f"{self.name} has not become Ready and nothing restarted."

    def container_names(self) -> list[str]:
        spec = self.pod.get("spec", {})
        return [
            str(c.get("name")) for c in (spec.get("initContainers") or []) + (spec.get("containers") or [])
        ]

    def _container_cause(self, name: str) -> str:
        restarts = self.restarts.get(name, 0)
        if not restarts:
            return ""
        kills = [e for e in self.entries if e.container == name and e.reason == "Killing"]
        probe_kill = next(
            (k for k in reversed(kills) if "failed" in k.message and "probe" in k.message), None
        )
        times = f"{restarts} time{'s' if restarts != 1 else ''}"
        loop = " and is now in CrashLoopBackOff" if self.crash_loop else ""
        if probe_kill is not None:
            kind = "Startup" if "startup probe" in probe_kill.message else "Liveness"
            failures = [
                e
                for e in self.entries
                if e.container == name
                and e.reason == "Unhealthy"
                and e.message.startswith(kind)
                and e.t <= probe_kill.t
            ]
            probe = self._probe(name, kind.lower())
            threshold = int(probe.get("failureThreshold") or 3)
            period = float(probe.get("periodSeconds") or 10)
            last = _PROBE_FAILED.match(failures[-1].message) if failures else None
            what = _what_failed(probe, last.group(2).strip() if last else "")
            trigger = self.triggers.get(name)
            began = f"; it began failing {trigger}" if trigger else ""
            return (
                f"{name} restarted {times}{loop}: its {kind.lower()} probe failed {threshold} times in a row "
                f"(period {go_duration(period)}, threshold {threshold}){what}, and the kubelet killed it at "
                f"{self.at(probe_kill.t)}{began}."
            )
        exits = self.exits.get(name) or []
        if exits:
            t, code, reason = exits[-1]
            if reason == "OOMKilled":
                return f"{name} restarted {times}{loop}: the kernel killed it for exceeding its memory limit (OOMKilled, exit code 137) at {self.at(t)}."
            return f"{name} restarted {times}{loop}: it exited by itself with exit code {code} ({reason}) at {self.at(t)}."
        return f"{name} restarted {times}{loop}."

    def threshold_of(self, container: str) -> int:
        """The failure threshold of the probe that kills `container` (liveness, else startup)."""
        probe = self._probe(container, "liveness") or self._probe(container, "startup")
        return int(probe.get("failureThreshold") or 3)

    def _probe(self, container: str, kind: str) -> Obj:
        for c in self.pod.get("spec", {}).get("containers") or []:
            if c.get("name") == container:
                return dict(c.get(f"{kind}Probe") or {})
        return {}

    def _probe_failures(self, kind: str) -> tuple[int, str, str] | None:
        failures = [e for e in self.entries if e.reason == "Unhealthy" and e.message.startswith(kind)]
        if not failures:
            return None
        last = _PROBE_FAILED.match(failures[-1].message)
        return len(failures), failures[-1].container, last.group(2) if last else failures[-1].message

    # -- text ------------------------------------------------------------------------------------
    def at(self, t: float) -> str:
        if self.started is not None:
            return (self.started + timedelta(seconds=t)).strftime("%H:%M:%S")
        return f"t+{_seconds(t)}"

    def text(self) -> str:
        lines = [f"pod/{self.name} ({self.origin})"]
        for e in sorted(self.entries, key=lambda e: e.t):
            who = e.container or "(pod)"
            message = " ".join(e.message.split())
            lines.append(f"  {self.at(e.t):>10}  {who:<14} {e.reason:<18} {message}")
        for note in self.notes:
            lines.append(f"  note: {note}")
        restarts = ", ".join(f"{k}={v}" for k, v in self.restarts.items()) or "none"
        ready = "never" if self.ready_at is None else self.at(self.ready_at)
        lines.append(f"Restarts: {restarts}. Ready: {ready}.")
        lines.append(f"Cause: {self.cause()}")
        return "\n".join(lines)


def container_of(field_path: str) -> str:
    match = _FIELD_PATH.match(field_path or "")
    return match.group(1) if match else ""


def _what_failed(probe: Obj, last_message: str) -> str:
    target = ""
    if "httpGet" in probe:
        target = f" on {probe['httpGet'].get('path') or '/'}"
    elif "tcpSocket" in probe:
        target = f" on port {probe['tcpSocket'].get('port')}"
    elif "exec" in probe:
        target = f" running {' '.join(str(a) for a in probe['exec'].get('command') or [])!r}"
    elif "grpc" in probe:
        target = f" on gRPC port {probe['grpc'].get('port')}"
    return f"{target}, last: {last_message}" if last_message else target


def _seconds(t: float) -> str:
    if t < 60:
        return f"{t:.1f}s"
    return go_duration(round(t, 1))
