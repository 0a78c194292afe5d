"""Which stubs came nearest to a request none matched (WireMock's NearMissCalculator).

Every stub is scored by distance, nearest first; ties keep serving order; at most three.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from podlab.stub.matchers import MatchResult
from podlab.stub.matching.order import in_serving_order
from podlab.stub.matching.scenarios import Scenarios
from podlab.stub.model import RequestPattern, StubMapping

if TYPE_CHECKING:
    from podlab.stub.model.request import LoggedRequest

NEAR_MISS_COUNT = 3


@dataclass(frozen=True)
class NearMiss:
    """A stub that did not serve a request, how far off it was, and its scenario's state."""

    request: LoggedRequest
    stub: StubMapping
    match_result: MatchResult
    scenario_state: str | None = None

    @property
    def distance(self) -> float:
        return self.match_result.distance

    def to_json(self) -> dict[str, Any]:
        return {
            "request": self.request.to_json(),
            "stubMapping": self.stub.to_json(),
            "matchResult": match_result_json(self.match_result),
        }


def match_result_json(result: MatchResult) -> dict[str, Any]:
    """A MatchResult as the near-miss admin API prints it."""
    return {"subEvents": [], "diffDescriptions": [], "distance": result.distance}


def near_misses(
    mappings: Sequence[StubMapping],
    req: LoggedRequest,
    limit: int = NEAR_MISS_COUNT,
    scenarios: Scenarios | None = None,
    compat: int = 3,
) -> list[NearMiss]:
    """The stubs nearest to `req`, nearest first (WireMock's NearMissCalculator); `compat`
    is the WireMock major version whose distances to use."""
    misses = []
    for stub in in_serving_order(mappings):
        state = None
        if scenarios is not None and stub.scenario_name is not None:
            state = scenarios.state(stub.scenario_name)
        misses.append(NearMiss(req, stub, stub.request.match(req, compat=compat), state))
    misses.sort(key=lambda m: m.distance)  # stable: equal distances keep serving order
    return misses[:limit]


def near_misses_for_pattern(
    pattern: RequestPattern,
    requests: Sequence[LoggedRequest],
    limit: int = NEAR_MISS_COUNT,
    compat: int = 3,
) -> list[tuple[LoggedRequest, MatchResult]]:
    """Journalled requests nearest to a request pattern (POST /near-misses/request-pattern);
    `requests` in journal order, newest first; `compat` as for `near_misses`."""
    scored = [(req, pattern.match(req, compat=compat)) for req in requests]
    scored.sort(key=lambda pair: pair[1].distance)
    return scored[:limit]
