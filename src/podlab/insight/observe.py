"""Watching a real run: every probe attempt's outcome and latency, start-up times, listening sockets.

``ProbeObserver`` wraps the kubelet's probe attempt (its ``ProbeAttempt`` seam): the kubelet's
behaviour is unchanged; each attempt is timed and recorded. While a container's port still
refuses connections, the observer re-tries the same probe every SHADOW_INTERVAL on its own (the
kubelet never sees these) so start-up time is measured to a tenth of a second rather than to a
probe period. For a container whose probe is still refused at the end, ``finish`` reads its
listening sockets (`/proc/net/tcp*` through the container's exec, as `kubectl exec` would) to
tell "listens on 127.0.0.1 only" from "listens nowhere".
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from podlab.insight.model import AppModel, ContainerModel, Distribution, TargetModel
from podlab.kubelet.pod_context import ProbeAttempt, run_probe_attempt
from podlab.kubelet.probe_results import ProbeType
from podlab.probes import ProbeOutcome, ProbeResult, ProbeTarget

Obj = dict[str, Any]
SHADOW_INTERVAL = 0.1
SHADOW_LIMIT = 600  # shadow attempts per container instance (a minute)


@dataclass(frozen=True)
class Attempt:
    t: float
    container: str  # "pod/container" (see container_key)
    probe_type: str
    kind: str  # "http" | "tcp" | "grpc" | "exec"
    key: str  # path, port or command
    result: str  # ProbeResult value
    latency: float
    message: str


@dataclass
class Observation:
    """What a run showed, per container under "pod/container" keys: pods of several manifests
    often name their containers alike ("app", "web")."""

    attempts: list[Attempt] = field(default_factory=list)
    starts: dict[str, list[float]] = field(default_factory=dict)  # container -> Started times
    serving: dict[str, list[float]] = field(default_factory=dict)  # container -> first answers
    listening: dict[str, set[tuple[str, int]]] = field(default_factory=dict)  # container -> (ip, port)
    pod_ips: dict[str, str] = field(default_factory=dict)  # container -> its pod's IP
    breaks: list[tuple[float, str]] = field(default_factory=list)  # (time, stub pod) broken on purpose

    def startup_times(self, container: str) -> list[float]:
        out = []
        for started in self.starts.get(container, []):
            answered = [t for t in self.serving.get(container, []) if t >= started]
            if answered:
                out.append(min(answered) - started)
        return out

    def latencies(self, container: str, kind: str, key: str) -> list[float]:
        return [
            a.latency
            for a in self.attempts
            if a.container == container and a.kind == kind and a.key == key and a.result == "success"
        ]

    def renamed(self, pod_name: Callable[[str], str]) -> Observation:
        """The same observation with each key's pod renamed (a workload's pods under the
        workload's name: replicas merge)."""

        def key(k: str) -> str:
            pod, sep, container = k.rpartition("/")
            return f"{pod_name(pod)}/{container}" if sep else k

        def merged(d: dict[str, Any], empty: Callable[[], Any]) -> dict[str, Any]:
            out: dict[str, Any] = {}
            for k, v in d.items():
                into = out.setdefault(key(k), empty())
                into.update(v) if isinstance(into, set) else into.extend(v)
            return out

        return Observation(
            attempts=[replace(a, container=key(a.container)) for a in self.attempts],
            starts={k: sorted(v) for k, v in merged(self.starts, list).items()},
            serving={k: sorted(v) for k, v in merged(self.serving, list).items()},
            listening=merged(self.listening, set),
            pod_ips={key(k): v for k, v in self.pod_ips.items()},
            breaks=list(self.breaks),
        )

    def to_model(self) -> AppModel:
        """The app model (insight/model.py) names containers only: keys of several pods with
        the same container name are one container there."""
        containers: dict[str, ContainerModel] = {}
        keys = sorted({a.container for a in self.attempts} | set(self.starts))
        for name in sorted({k.rpartition("/")[2] for k in keys}):
            mine = [k for k in keys if k.rpartition("/")[2] == name]
            startup = _distribution([t for k in mine for t in self.startup_times(k)])
            targets: dict[str, dict[Any, TargetModel]] = {"http": {}, "tcp": {}, "grpc": {}, "exec": {}}
            for kind, key in sorted({(a.kind, a.key) for a in self.attempts if a.container in mine}):
                lat = [x for k in mine for x in self.latencies(k, kind, key)]
                model_key: Any = int(key) if kind in ("tcp", "grpc") and key.isdigit() else key
                targets[kind][model_key] = TargetModel(latency=_distribution(lat))
            containers[name] = ContainerModel(
                startup=startup,
                http=targets["http"],
                tcp=targets["tcp"],
                grpc=targets["grpc"],
                exec=targets["exec"],
            )
        return AppModel(containers)


class ProbeObserver:
    """A ``ProbeAttempt`` that records what the real one does (``inner``), timed by ``now``."""

    def __init__(
        self, inner: ProbeAttempt = run_probe_attempt, now: Callable[[], float] = time.monotonic
    ) -> None:
        self.inner = inner
        self.now = now
        self.seen = Observation()
        self._shadows: dict[tuple[str, str], asyncio.Task[None]] = {}
        self._targets: dict[str, ProbeTarget] = {}  # container -> the target of its latest attempt

    def container_started(self, key: str) -> None:
        """A container started: `key` is "pod/container", as container_key gives."""
        self.seen.starts.setdefault(key, []).append(self.now())

    async def __call__(self, probe: Obj, target: ProbeTarget, probe_type: ProbeType) -> ProbeOutcome:
        started = self.now()
        outcome = await self.inner(probe, target, probe_type)
        name = container_key(target)
        self._targets[name] = target
        self.seen.pod_ips[name] = target.pod_ip
        kind, key = target_of(probe)
        self.seen.attempts.append(
            Attempt(
                started,
                name,
                probe_type.value,
                kind,
                key,
                outcome.result.value,
                self.now() - started,
                outcome.message,
            )
        )
        if outcome.result == ProbeResult.SUCCESS:
            self._serving(name, started)
        elif "connection refused" in outcome.message:
            self._shadow(probe, target, probe_type)
        return outcome

    def _serving(self, name: str, t: float) -> None:
        times = self.seen.serving.setdefault(name, [])
        if not times or t > times[-1]:
            times.append(t)

    def _shadow(self, probe: Obj, target: ProbeTarget, probe_type: ProbeType) -> None:
        key = (target.pod_ip, container_key(target))
        running = self._shadows.get(key)
        if running is None or running.done():
            self._shadows[key] = asyncio.ensure_future(self._poll_until_serving(probe, target, probe_type))

    async def _poll_until_serving(self, probe: Obj, target: ProbeTarget, probe_type: ProbeType) -> None:
        name = container_key(target)
        for _ in range(SHADOW_LIMIT):
            t = self.now()
            outcome = await self.inner(probe, target, probe_type)
            if outcome.result == ProbeResult.SUCCESS:
                self._serving(name, t)
                return
            if "connection refused" not in outcome.message:
                return
            await asyncio.sleep(SHADOW_INTERVAL)

    async def _read_listening(self, target: ProbeTarget) -> None:
        try:
            result = await target.exec(["cat", "/proc/net/tcp", "/proc/net/tcp6"], 2.0)
        except Exception:  # a container without cat, or gone: nothing learnt
            return
        name = container_key(target)
        self.seen.listening.setdefault(name, set()).update(
            listening_sockets(result.output.decode(errors="replace"))
        )

    async def finish(self) -> Observation:
        """Stop shadow polling; for containers still refused, read what they listen on."""
        for task in self._shadows.values():
            task.cancel()
        for name, target in self._targets.items():
            last = [a for a in self.seen.attempts if a.container == name]
            if last and "connection refused" in last[-1].message:
                await self._read_listening(target)
        return self.seen


def container_key(target: ProbeTarget) -> str:
    """The key an observation files a container under: "pod/container"."""
    name = str(target.container.get("name", ""))
    return f"{target.pod}/{name}" if target.pod else name


def target_of(probe: Obj) -> tuple[str, str]:
    if "httpGet" in probe:
        return "http", str(probe["httpGet"].get("path") or "/")
    if "tcpSocket" in probe:
        return "tcp", str(probe["tcpSocket"].get("port"))
    if "grpc" in probe:
        return "grpc", str(probe["grpc"].get("port"))
    if "exec" in probe:
        return "exec", " ".join(str(a) for a in probe["exec"].get("command") or [])
    return "none", ""


def listening_sockets(proc_net_tcp: str) -> set[tuple[str, int]]:
    """(address, port) of LISTEN sockets in /proc/net/tcp and tcp6 text (state 0A)."""
    out: set[tuple[str, int]] = set()
    for line in proc_net_tcp.splitlines():
        fields = line.split()
        if len(fields) < 4 or fields[3] != "0A" or ":" not in fields[1]:
            continue
        addr_hex, port_hex = fields[1].rsplit(":", 1)
        try:
            port = int(port_hex, 16)
            if len(addr_hex) == 8:
                raw = bytes.fromhex(addr_hex)[::-1]
                address = ".".join(str(b) for b in raw)
            else:
                words = [bytes.fromhex(addr_hex[i : i + 8])[::-1].hex() for i in range(0, 32, 8)]
                full = "".join(words)
                address = "::" if int(full, 16) == 0 else ":".join(full[i : i + 4] for i in range(0, 32, 4))
                if full.startswith("00000000000000000000ffff"):
                    address = ".".join(str(b) for b in bytes.fromhex(full[24:]))
                elif int(full, 16) == 1:
                    address = "::1"
        except ValueError:
            continue
        out.add((address, port))
    return out


def _distribution(samples: list[float]) -> Distribution:
    if not samples:
        return Distribution(0.0, 0.0)
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return Distribution(round(p50, 4), round(max(p50, p99), 4))
