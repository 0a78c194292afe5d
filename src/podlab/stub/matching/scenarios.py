"""Scenario state machines: one current state per scenario name, `Started` at first.

A scenario exists while at least one stub names it; its possible states are the required and
new states its stubs mention. The stubs themselves live elsewhere (the server's state), so
listing takes them as an argument and `sync` is called whenever the set of stubs changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from podlab.stub.jvm.errors import InvalidInputError
from podlab.stub.jvm.javahash import java_hash_order
from podlab.stub.model import STARTED, StubMapping

# WireMock's Errors code for "Scenario X does not support state Y" (a 422).
INVALID_SCENARIO_STATE_CODE = 11


class ScenarioNotFoundError(Exception):
    """PUT /__admin/scenarios/{name}/state for a scenario no stub names (WireMock's 404)."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"Scenario {name} does not exist")

    def to_json(self) -> dict[str, Any]:
        return {"errors": [{"code": 404, "title": str(self)}]}


def _scenario_stubs(stubs: Iterable[StubMapping]) -> dict[str, list[StubMapping]]:
    by_name: dict[str, list[StubMapping]] = {}
    for stub in stubs:
        if stub.scenario_name is not None:
            by_name.setdefault(stub.scenario_name, []).append(stub)
    return by_name


def possible_states(stubs: Sequence[StubMapping], compat: int = 3) -> list[str]:
    """Required and new states of a scenario's stubs, in the order WireMock lists them: 3.x
    keeps them in a HashSet (hash order); 2.x lists every new state, then every required
    state, in stub order (measured on 2.35.1)."""
    new = [s.new_scenario_state for s in stubs if s.new_scenario_state is not None]
    required = [s.required_scenario_state for s in stubs if s.required_scenario_state is not None]
    if compat == 2:
        return list(dict.fromkeys([*new, *required]))
    return java_hash_order([*required, *new])


class Scenarios:
    """Current state per scenario name. Unknown names read as `Started`."""

    def __init__(self) -> None:
        self._states: dict[str, str] = {}
        self._known: dict[str, list[str]] = {}  # name -> possible states, from the last sync

    def sync(self, stubs: Sequence[StubMapping]) -> None:
        """Follow the current set of stubs: new scenarios start in `Started`, scenarios no stub
        names any more are forgotten (their state with them)."""
        by_name = _scenario_stubs(stubs)
        self._known = {name: possible_states(items) for name, items in by_name.items()}
        for name in list(self._states):
            if name not in by_name:
                del self._states[name]
        for name in by_name:
            self._states.setdefault(name, STARTED)

    def state(self, name: str) -> str:
        return self._states.get(name, STARTED)

    def names(self) -> list[str]:
        return java_hash_order(self._known)

    def exists(self, name: str) -> bool:
        return name in self._known

    def allows(self, stub: StubMapping) -> bool:
        """Whether the stub may serve now: no scenario, no required state, or the state holds."""
        if stub.scenario_name is None or stub.required_scenario_state is None:
            return True
        return self.state(stub.scenario_name) == stub.required_scenario_state

    def apply(self, stub: StubMapping) -> None:
        """The transition after `stub` served a request."""
        if stub.scenario_name is None or stub.new_scenario_state is None:
            return
        if self.allows(stub):
            self._states[stub.scenario_name] = stub.new_scenario_state

    on_served = apply

    def set_state(self, name: str, state: str) -> None:
        """PUT /__admin/scenarios/{name}/state. Raises ScenarioNotFoundError (404) or
        InvalidInputError code 11 (422) for a state no stub of the scenario mentions."""
        if name not in self._known:
            raise ScenarioNotFoundError(name)
        if state not in self._known[name]:
            raise InvalidInputError(
                [
                    {
                        "code": INVALID_SCENARIO_STATE_CODE,
                        "title": f"Scenario {name} does not support state {state}",
                    }
                ]
            )
        self._states[name] = state

    def reset(self, name: str) -> None:
        """One scenario back to `Started` (an empty-body PUT .../state)."""
        if name not in self._known:
            raise ScenarioNotFoundError(name)
        self._states[name] = STARTED

    def reset_all(self) -> None:
        for name in self._states:
            self._states[name] = STARTED

    def to_json(self, stubs: Sequence[StubMapping], compat: int = 3) -> list[dict[str, Any]]:
        """The `scenarios` list of GET /__admin/scenarios; stubs within one are oldest first.
        `compat` is the WireMock major version whose order of possible states to copy."""
        by_name = _scenario_stubs(sorted(stubs, key=lambda s: s.insertion_index))
        out = []
        for name in java_hash_order(by_name):
            items = by_name[name]
            out.append(
                {
                    "id": name,
                    "name": name,
                    "state": self.state(name),
                    "possibleStates": possible_states(items, compat),
                    "mappings": [stub.to_json() for stub in items],
                }
            )
        return out
