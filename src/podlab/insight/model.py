"""A model of an app's behaviour under probes (the file `podlab simulate --model` reads).

    containers:
      wiremock:
        startup: 2s                      # or {p50: 2s, p99: 9s}: time until it answers probes
        exit: {after: 10m, code: 1}      # optional: the process exits by itself
        sigterm: exit                    # or ignore (killed after the grace period)
        http:
          /get/this: {latency: {p50: 5ms, p99: 20ms}, fail: [{from: 30s, status: 404, untilRestart: true}]}
        tcp: {8080: {latency: 1ms}}
        exec: {"cat /tmp/healthy": {fail: [{from: 30s}], output: "cat: can't open '/tmp/healthy'"}}

Durations are Go durations (`1m30s`, `5ms`) or plain seconds. A failure window runs from
`from` to `to` (no `to`: for good), in seconds since the pod started, or since each start of
the container with `fromStart: true` (an app that breaks N seconds after every start, as
agnhost's `liveness` does); `untilRestart: true` ends it when the container restarts (state the process held, like WireMock's mappings after DELETE
/__admin/mappings). In a window an http target answers `status` (default 500), or nothing at
all with `hang: true` (the probe times out); `refused: true` is a closed port. Targets the
model does not name answer at once with success, like a healthy app.
Distributions `{p50, p99}` are log-normal with that median and 99th percentile.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from podlab.k8s.duration import parse_go_duration

# The 99th percentile of the standard normal distribution.
Z99 = 2.3263478740408408


class ModelError(ValueError):
    """The model file is invalid; the message names the file and the field."""


@dataclass(frozen=True)
class Distribution:
    p50: float
    p99: float

    def sample(self, rng: random.Random) -> float:
        if self.p99 <= self.p50 or self.p50 <= 0:
            return self.p50
        sigma = math.log(self.p99 / self.p50) / Z99
        return rng.lognormvariate(math.log(self.p50), sigma)

    def to_yaml(self) -> Any:
        return _fmt(self.p50) if self.p99 == self.p50 else {"p50": _fmt(self.p50), "p99": _fmt(self.p99)}


@dataclass(frozen=True)
class FailWindow:
    start: float
    end: float | None = None  # None: for good
    status: int = 500
    hang: bool = False
    refused: bool = False
    until_restart: bool = False
    from_start: bool = False

    def covers(self, t: float, instance_started: float) -> bool:
        """Whether time `t` (since the pod started) is in the window for an instance started at
        `instance_started` (also since the pod started)."""
        at = t - instance_started if self.from_start else t
        if at < self.start or (self.end is not None and at >= self.end):
            return False
        # A window that ends with the restart holds only for instances started before it began.
        return not (self.until_restart and not self.from_start and instance_started > self.start)


@dataclass(frozen=True)
class TargetModel:
    latency: Distribution = Distribution(0.001, 0.001)
    fail: tuple[FailWindow, ...] = ()
    output: str = ""  # exec probes: what the command prints when it fails

    def window_at(self, t: float, instance_started: float) -> FailWindow | None:
        return next((w for w in self.fail if w.covers(t, instance_started)), None)


@dataclass(frozen=True)
class ContainerModel:
    startup: Distribution = Distribution(0.0, 0.0)
    exit_after: Distribution | None = None
    exit_code: int = 1
    sigterm: str = "exit"  # "exit" (143 at once) | "ignore" (137 after the grace period)
    http: dict[str, TargetModel] = field(default_factory=dict)
    tcp: dict[int, TargetModel] = field(default_factory=dict)
    grpc: dict[int, TargetModel] = field(default_factory=dict)
    exec: dict[str, TargetModel] = field(default_factory=dict)


@dataclass(frozen=True)
class AppModel:
    containers: dict[str, ContainerModel]

    def container(self, name: str) -> ContainerModel:
        return self.containers.get(name) or ContainerModel()

    def to_yaml(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, c in self.containers.items():
            entry: dict[str, Any] = {"startup": c.startup.to_yaml()}
            for kind in ("http", "tcp", "grpc", "exec"):
                targets: dict[Any, TargetModel] = getattr(c, kind)
                if targets:
                    entry[kind] = {key: {"latency": t.latency.to_yaml()} for key, t in targets.items()}
            out[name] = entry
        return {"containers": out}


def load_model(path: Path) -> AppModel:
    try:
        raw = yaml.safe_load(path.read_text())
    except OSError as exc:
        raise ModelError(f"{path}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise ModelError(f"{path}: not YAML: {exc}") from None
    return parse_model(raw, str(path))


def parse_model(raw: Any, source: str) -> AppModel:
    where = _Where(source)
    if raw is None:
        return AppModel({})
    doc = where.mapping(raw, "")
    unknown = set(doc) - {"containers"}
    if unknown:
        where.fail(sorted(unknown)[0], "unknown field")
    raw_containers = doc.get("containers")
    containers = where.mapping({} if raw_containers is None else raw_containers, "containers")
    return AppModel(
        {str(name): _container(where, f"containers.{name}", spec) for name, spec in containers.items()}
    )


def _container(where: _Where, at: str, raw: Any) -> ContainerModel:
    spec = where.mapping(raw if raw is not None else {}, at)
    allowed = {"startup", "exit", "sigterm", "http", "tcp", "grpc", "exec"}
    for key in spec:
        if key not in allowed:
            where.fail(f"{at}.{key}", "unknown field")
    exit_after: Distribution | None = None
    exit_code = 1
    if "exit" in spec:
        ex = where.mapping(spec["exit"], f"{at}.exit")
        exit_after = where.distribution(ex.get("after"), f"{at}.exit.after")
        exit_code = where.integer(ex.get("code", 1), f"{at}.exit.code")
    sigterm = str(spec.get("sigterm", "exit"))
    if sigterm not in ("exit", "ignore"):
        where.fail(f"{at}.sigterm", f'must be "exit" or "ignore", not "{sigterm}"')
    targets = {
        kind: where.mapping(spec.get(kind) or {}, f"{at}.{kind}") for kind in ("http", "tcp", "grpc", "exec")
    }
    return ContainerModel(
        startup=where.distribution(spec.get("startup", 0), f"{at}.startup"),
        exit_after=exit_after,
        exit_code=exit_code,
        sigterm=sigterm,
        http={str(k): _target(where, f"{at}.http.{k}", v) for k, v in targets["http"].items()},
        tcp={
            where.integer(k, f"{at}.tcp.{k}"): _target(where, f"{at}.tcp.{k}", v)
            for k, v in targets["tcp"].items()
        },
        grpc={
            where.integer(k, f"{at}.grpc.{k}"): _target(where, f"{at}.grpc.{k}", v)
            for k, v in targets["grpc"].items()
        },
        exec={str(k): _target(where, f"{at}.exec.{k}", v) for k, v in targets["exec"].items()},
    )


def _target(where: _Where, at: str, raw: Any) -> TargetModel:
    spec = where.mapping(raw if raw is not None else {}, at)
    for key in spec:
        if key not in ("latency", "fail", "output"):
            where.fail(f"{at}.{key}", "unknown field")
    latency = where.distribution(spec.get("latency", "1ms"), f"{at}.latency")
    fails = spec.get("fail") or []
    if not isinstance(fails, list):
        where.fail(f"{at}.fail", "must be a list of windows")
    windows = tuple(_window(where, f"{at}.fail[{i}]", w) for i, w in enumerate(fails))
    return TargetModel(latency, windows, str(spec.get("output", "")))


def _window(where: _Where, at: str, raw: Any) -> FailWindow:
    spec = where.mapping(raw, at)
    for key in spec:
        if key not in ("from", "to", "status", "hang", "refused", "untilRestart", "fromStart"):
            where.fail(f"{at}.{key}", "unknown field")
    start = where.seconds(spec.get("from", 0), f"{at}.from")
    end = where.seconds(spec["to"], f"{at}.to") if spec.get("to") is not None else None
    if end is not None and end <= start:
        where.fail(f"{at}.to", "must be after from")
    status = where.integer(spec.get("status", 500), f"{at}.status")
    if not 100 <= status <= 599:
        where.fail(f"{at}.status", f"{status} is not an HTTP status code")
    return FailWindow(
        start, end, status, bool(spec.get("hang", False)), bool(spec.get("refused", False)),
        bool(spec.get("untilRestart", False)), bool(spec.get("fromStart", False)),
    )  # fmt: skip


class _Where:
    """Typed reads of the model with errors that name the file and the field."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, at: str, problem: str) -> None:
        raise ModelError(f"{self.source}: {at or '(top level)'}: {problem}")

    def mapping(self, raw: Any, at: str) -> dict[Any, Any]:
        if not isinstance(raw, dict):
            self.fail(at, f"must be a mapping, not {type(raw).__name__}")
        return dict(raw)

    def integer(self, raw: Any, at: str) -> int:
        try:
            return int(raw)
        except (TypeError, ValueError):
            self.fail(at, f"must be an integer, not {raw!r}")
            raise  # unreachable: fail raises

    def seconds(self, raw: Any, at: str) -> float:
        if isinstance(raw, bool):
            self.fail(at, f"must be a duration, not {raw!r}")
        if isinstance(raw, int | float):
            value = float(raw)
        else:
            try:
                value = parse_go_duration(str(raw))
            except ValueError as exc:
                self.fail(at, str(exc))
                raise
        if value < 0:
            self.fail(at, "must not be negative")
        return value

    def distribution(self, raw: Any, at: str) -> Distribution:
        if isinstance(raw, dict):
            for key in raw:
                if key not in ("p50", "p99"):
                    self.fail(f"{at}.{key}", "unknown field (a distribution has p50 and p99)")
            if "p50" not in raw:
                self.fail(f"{at}.p50", "required")
            p50 = self.seconds(raw["p50"], f"{at}.p50")
            p99 = self.seconds(raw.get("p99", raw["p50"]), f"{at}.p99")
            if p99 < p50:
                self.fail(f"{at}.p99", "must not be below p50")
            return Distribution(p50, p99)
        value = self.seconds(raw, at)
        return Distribution(value, value)


def _fmt(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.3g}s"
    return f"{seconds * 1000:.3g}ms"
