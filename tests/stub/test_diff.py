"""The "Request was not matched" report, byte for byte against real WireMock.

The expected texts are the conformance corpus' recorded 404 bodies (WireMock 3.13.2 and 2.35.1):
each case's stubs are parsed, the request is built as the server would log it, the nearest stub
is picked by `near_misses` and rendered by `render_not_matched`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from podlab.stub.matching.order import ServingOrder
from podlab.stub.matching.scenarios import Scenarios
from podlab.stub.model import StubMapping
from podlab.stub.model.request import LoggedRequest
from podlab.stub.report.near_misses import near_misses
from podlab.stub.report.not_matched import (
    NO_STUBS_MESSAGE,
    java_split_lines,
    render_not_matched,
    word_wrap,
    wrap_if_too_long,
)

from .recorded import corpus_headers, logged_request

CORPUS = Path(__file__).resolve().parents[1] / "conformance" / "wiremock-cases.jsonl"
TITLE = "Request was not matched"


def request(
    method: str,
    path: str,
    headers: list[tuple[str, str]] | None = None,
    body: bytes = b"",
    host: str = "127.0.0.1:8080",
) -> LoggedRequest:
    return logged_request(method, path, [("Host", host), *(headers or [])], body, base=f"http://{host}")


def corpus_request(step: dict[str, Any]) -> LoggedRequest:
    headers, body = corpus_headers(step)
    return request(step["method"], step["path"], headers, body)


def diff_cases() -> list[Any]:
    cases = []
    for line in CORPUS.read_text().splitlines():
        case = json.loads(line)
        expects = case.get("expects") or [case["expect"]]
        for index, expect in enumerate(expects):
            if isinstance(expect.get("body"), str) and TITLE in expect["body"]:
                cases.append(pytest.param(case, index, id=f"{case['id']}[{index}]"))
    return cases


@pytest.mark.parametrize(("case", "index"), diff_cases())
def test_corpus_diff_is_byte_identical(case: dict[str, Any], index: int) -> None:
    stubs: list[StubMapping] = []
    for number, step in enumerate(case.get("setup", []), start=1):
        assert step["method"] == "POST" and step["path"] == "/__admin/mappings"
        stub = StubMapping.from_json(step["json"])
        stub.insertion_index = number
        stubs.append(stub)
    scenarios = Scenarios()
    scenarios.sync(stubs)
    steps = case.get("requests") or [case["request"]]
    for step in steps[:index]:  # earlier requests may move scenarios along
        served = ServingOrder(stubs).find(corpus_request(step), scenarios)
        if served is not None:
            scenarios.apply(served)
    req = corpus_request(steps[index])
    assert ServingOrder(stubs).find(req, scenarios) is None
    nearest = near_misses(stubs, req, scenarios=scenarios)[0]
    expected = (case.get("expects") or [case["expect"]])[index]["body"]
    compat = int(case["version"])
    text = render_not_matched(req, nearest.stub, scenario_state=nearest.scenario_state, compat=compat)
    assert text == expected


def test_no_stubs_gives_wiremocks_sentence() -> None:
    assert render_not_matched(request("GET", "/x"), None) == NO_STUBS_MESSAGE
    assert not NO_STUBS_MESSAGE.endswith("\n")


def test_console_width_header_narrows_the_report() -> None:
    stub = StubMapping.from_json({"request": {"method": "GET", "url": "/w"}})
    text = render_not_matched(request("GET", "/w2", [("X-WireMock-Console-Width", "80")]), stub)
    lines = text.split("\n")
    assert lines[1] == " " * 28 + TITLE
    assert lines[4] == "-" * 80
    assert lines[5] == "| Closest stub" + " " * 26 + "| Request" + " " * 31 + "|"
    # An explicit width wins over the header.
    assert render_not_matched(request("GET", "/w2"), stub, console_width=80) == text


@pytest.mark.parametrize(
    ("text", "width", "wrapped"),
    [  # WireMock's StringsTest cases: newlines are plain characters to the wrapper
        ("abc", 1, "a\nb\nc"),
        ("abc", 2, "ab\nc"),
        ("abc", 3, "abc"),
        ("abc\nabcd\nabcd", 3, "abc\nab\ncd\nabc\nd"),
    ],
)
def test_wrap_matches_wiremock_strings(text: str, width: int, wrapped: str) -> None:
    assert wrap_if_too_long(text, width) == wrapped


def test_word_wrap_breaks_at_the_last_space_that_fits() -> None:
    assert word_wrap("one two three", 7) == "one two\nthree"
    assert word_wrap("  lead", 10) == "lead"  # leading blanks go, as in Java


def test_java_split_drops_trailing_empty_strings() -> None:
    assert java_split_lines("\nx") == ["", "x"]
    assert java_split_lines("x\n\n") == ["x"]
    assert java_split_lines("") == [""]


def test_scenario_row_shows_current_state() -> None:
    stub = StubMapping.from_json(
        {
            "scenarioName": "Flow",
            "requiredScenarioState": "Done",
            "request": {"method": "GET", "url": "/s"},
        }
    )
    text = render_not_matched(request("GET", "/s"), stub, scenario_state="Started")
    assert (
        "[Scenario 'Flow' state: Done]                              | [Scenario 'Flow' state: Started]"
        "                    <<<<< Scenario does not match\n" in text
    )
