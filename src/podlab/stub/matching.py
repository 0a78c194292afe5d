"""Which stub answers a request, and which stubs came nearest when none did.

Both follow WireMock 3.13: stubs are tried by priority (lower wins, 5 when unset), newest first
among equals, skipping stubs whose scenario is not in their required state. Near misses are
every stub scored by distance, nearest first (ties keep that same stub order), at most three.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from podlab.stub.matchers import MatchResult
from podlab.stub.model import RequestPattern, StubMapping
from podlab.stub.scenarios import Scenarios

if TYPE_CHECKING:
    from podlab.stub.request import LoggedRequest

NEAR_MISS_COUNT = 3


def stub_order_key(stub: StubMapping) -> tuple[int, int]:
    return (stub.effective_priority, -stub.insertion_index)


def in_serving_order(mappings: Iterable[StubMapping]) -> list[StubMapping]:
    """Priority ascending, then newest (highest insertion index) first: GET /mappings order."""
    return sorted(mappings, key=stub_order_key)


class ServingOrder:
    """Stubs in the order they are tried, indexed by exact `url`: built once per change of the
    stub set (sorting on every request cost a 1,000-stub server most of its time per request)."""

    def __init__(self, mappings: Iterable[StubMapping]) -> None:
        self.stubs = in_serving_order(mappings)
        # A stub with an exact `url` can only match a request with that very URL, so the
        # exact-url stubs are looked up by it; positions in `stubs`, ascending.
        self._by_url: dict[str, list[int]] = {}
        self._others: list[int] = []
        for position, stub in enumerate(self.stubs):
            url = stub.request.url
            if url.key == "url":
                self._by_url.setdefault(url.value, []).append(position)
            else:
                self._others.append(position)

    def find(self, req: LoggedRequest, scenarios: Scenarios | None = None) -> StubMapping | None:
        """The stub that serves `req`, or None: the first in serving order that matches and
        whose scenario is in its required state. Moves no scenario: the caller applies
        `scenarios.apply(stub)` once it serves the response.

        Only the exact-url stubs for `req.url` are tried, plus the other stubs up to the first
        exact one that fits."""
        stubs = self.stubs
        first_exact: int | None = None
        for position in self._by_url.get(req.url, ()):
            stub = stubs[position]
            if stub.request.is_match(req) and (scenarios is None or scenarios.allows(stub)):
                first_exact = position
                break
        for position in self._others:
            if first_exact is not None and position > first_exact:
                break
            stub = stubs[position]
            # The request test first: both are side-effect free, and most stubs miss on the
            # URL, so the scenario check then runs only for the few that fit.
            if stub.request.is_match(req) and (scenarios is None or scenarios.allows(stub)):
                return stub
        return stubs[first_exact] if first_exact is not None else None


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
