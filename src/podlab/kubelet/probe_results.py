"""Probe result cache with a change feed (k8s pkg/kubelet/prober/results/results_manager.go).

One cache per probe type, keyed by container ID as in kubelet. ``set`` reports whether the
stored value changed; only changes reach the listener, so the pod worker re-syncs exactly when a
liveness/startup/readiness verdict flips.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass


class ProbeType(enum.StrEnum):
    LIVENESS = "liveness"
    READINESS = "readiness"
    STARTUP = "startup"

    @property
    def title_word(self) -> str:
        """The word kubelet's events start with: "Liveness probe failed: ..."."""
        return self.value.capitalize()


class Result(enum.Enum):
    """Stored verdicts (results_manager.go: Unknown=-1, Success=0, Failure=1)."""

    UNKNOWN = -1
    SUCCESS = 0
    FAILURE = 1


@dataclass(frozen=True, slots=True)
class Update:
    container_id: str
    result: Result
    pod_uid: str


class ResultsCache:
    """Container ID -> last stored Result; change-only notifications."""

    def __init__(self, on_change: Callable[[Update], None] | None = None) -> None:
        self._results: dict[str, Result] = {}
        self._on_change = on_change

    def get(self, container_id: str) -> Result | None:
        return self._results.get(container_id)

    def set(self, container_id: str, result: Result, pod_uid: str) -> bool:
        # Decide under "the lock" (here: synchronously), notify after, like setInternal.
        changed = self._results.get(container_id) is not result
        if changed:
            self._results[container_id] = result
            if self._on_change is not None:
                self._on_change(Update(container_id, result, pod_uid))
        return changed

    def remove(self, container_id: str) -> None:
        self._results.pop(container_id, None)


@dataclass
class ProbeResults:
    """The three result managers kubelet keeps (liveness, readiness, startup)."""

    liveness: ResultsCache
    readiness: ResultsCache
    startup: ResultsCache

    @classmethod
    def create(cls, on_change: Callable[[Update], None] | None = None) -> ProbeResults:
        return cls(ResultsCache(on_change), ResultsCache(on_change), ResultsCache(on_change))

    def for_type(self, probe_type: ProbeType) -> ResultsCache:
        match probe_type:
            case ProbeType.LIVENESS:
                return self.liveness
            case ProbeType.READINESS:
                return self.readiness
            case ProbeType.STARTUP:
                return self.startup
