"""Which stub answers a request: WireMock 3.13's order and the one matcher that serves.

Stubs are tried by priority (lower wins, 5 when unset), newest first among equals, skipping
stubs whose scenario is not in their required state.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from podlab.stub.matching.scenarios import Scenarios
from podlab.stub.model import StubMapping

if TYPE_CHECKING:
    from podlab.stub.model.request import LoggedRequest


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
