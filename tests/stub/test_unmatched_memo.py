"""Remembered 404 answers (report.unmatched_memo) against computing them again.

The memo must never change an answer: for random stubs and repeated random requests, the
served report is the one a full near-miss scan and a fresh render give; a stub set with a
clock-reading matcher is never memoised; a change of the stubs, or of the nearest stub's
scenario state, gives the new report on a real server.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from podlab.stub.model import StubMapping
from podlab.stub.model.request import LoggedRequest
from podlab.stub.options import StubOptions
from podlab.stub.report.near_misses import near_misses
from podlab.stub.report.not_matched import render_not_matched
from podlab.stub.report.unmatched_memo import MAX_KEY_BYTES, UnmatchedMemo, reads_clock, request_key
from podlab.stub.serve.pipeline import not_matched_report
from podlab.stub.store.state import StubState

from .conftest import StubProcess
from .test_near_miss_index import WORDS, random_stubs, request


def fresh_report(state: StubState, req: LoggedRequest, compat: int) -> str:
    """The report computed from scratch: every stub scored, then rendered."""
    stubs = state.serving_order().stubs
    misses = near_misses(stubs, req, scenarios=state.scenarios, compat=compat)
    nearest = misses[0].stub if misses else None
    scenario_state = None
    if nearest is not None and nearest.scenario_name is not None:
        scenario_state = state.scenarios.state(nearest.scenario_name)
    return render_not_matched(req, nearest, scenario_state=scenario_state, compat=compat)


@pytest.mark.parametrize("seed", range(6))
def test_memoised_reports_are_the_computed_ones(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    state = StubState(StubOptions(root_dir=tmp_path))
    for stub in random_stubs(rng, rng.choice([3, 40, 150])):
        state.add(stub)
    assert state.unmatched_memo().enabled
    requests = []
    for _ in range(12):
        path = "/" + "/".join(rng.choice(WORDS) for _ in range(rng.randint(1, 4)))
        requests.append(request(rng.choice(["GET", "POST", "PUT"]), path + rng.choice(["", "?a=1", "/7"])))
    for req in rng.choices(requests, k=40):  # repeats: most answers come from the memo
        assert not_matched_report(req, state, 3) == fresh_report(state, req, 3)


def test_a_stub_that_reads_the_clock_turns_the_memo_off(tmp_path: Path) -> None:
    dated = StubMapping.from_json(
        {
            "request": {
                "url": "/d",
                "headers": {"X-When": {"and": [{"before": "now +1 days"}, {"contains": "2"}]}},
            },
            "response": {},
        }
    )
    plain = StubMapping.from_json({"request": {"urlPath": "/p", "method": "GET"}, "response": {}})
    assert reads_clock(dated) and not reads_clock(plain)
    assert not UnmatchedMemo([plain, dated]).enabled
    state = StubState(StubOptions(root_dir=tmp_path))
    state.add(plain)
    assert state.unmatched_memo().enabled
    state.add(dated)
    assert not state.unmatched_memo().enabled  # a new stub set, a new memo


def test_a_server_reports_against_the_current_stubs_and_scenario_state(stub_server: StubProcess) -> None:
    stub = {
        "scenarioName": "flow",
        "requiredScenarioState": "Started",
        "newScenarioState": "done",
        "request": {"method": "GET", "url": "/api/item"},
        "response": {"status": 200},
    }
    assert stub_server.call("POST", "/__admin/mappings", stub)[0] == 201
    first = stub_server.call("GET", "/api/items")
    assert first[0] == 404
    assert stub_server.call("GET", "/api/items") == first  # remembered: the same answer
    assert stub_server.call("GET", "/api/item")[0] == 200  # the scenario moves on to "done"
    moved = stub_server.call("GET", "/api/items")
    assert moved[0] == 404 and moved[2] != first[2]  # the report shows the new state
    assert b"[Scenario 'flow' state: done]" in moved[2]
    nearer = {"request": {"method": "GET", "url": "/api/itemz"}, "response": {"status": 200}}
    assert stub_server.call("POST", "/__admin/mappings", nearer)[0] == 201
    changed = stub_server.call("GET", "/api/items")
    assert changed[0] == 404 and b"/api/itemz" in changed[2]


def test_a_large_request_is_answered_but_not_remembered(tmp_path: Path) -> None:
    state = StubState(StubOptions(root_dir=tmp_path))
    state.add(StubMapping.from_json({"request": {"url": "/a", "method": "POST"}, "response": {}}))
    small = request("POST", "/b")
    large = request("POST", "/b")
    large.headers.append(("X-Pad", "x" * (MAX_KEY_BYTES + 1)))
    assert request_key(small) is not None and request_key(large) is None
    for req in (small, large, large):
        assert not_matched_report(req, state, 3) == fresh_report(state, req, 3)
