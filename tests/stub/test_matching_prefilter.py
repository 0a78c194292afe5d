"""The serving index (`ServingOrder`) picks exactly the stub a plain scan in serving order picks.

`regex_literal_prefix` is checked on its own first; then a seeded property test builds random
stub sets (exact, path, regex and template URLs, priorities, methods, scenarios) and random
requests, and compares `ServingOrder.find` with the scan, stub for stub.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

import pytest

from podlab.stub.matching.order import ServingOrder, in_serving_order
from podlab.stub.matching.prefilter import regex_literal_prefix, template_literal_prefix
from podlab.stub.matching.scenarios import Scenarios
from podlab.stub.model import StubMapping
from podlab.stub.model.request import LoggedRequest

from .recorded import logged_request


def req(method: str, target: str) -> LoggedRequest:
    return logged_request(
        method,
        target,
        [],
        b"",
        base="http://127.0.0.1:8080",
        request_id="r",
        logged_at=datetime(2026, 12, 7, 12, 0, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    ("regex", "prefix"),
    [
        ("/many/re7/[a-z]+/\\d+", "/many/re7/"),
        ("^/api/v1/.*", "/api/v1/"),
        ("/a\\/b\\.c/x", "/a/b.c/x"),
        ("/ab?c", "/a"),  # b is optional
        ("/ab*c", "/a"),
        ("/ab+c", "/a"),  # b repeats: stop before it
        ("/ab{2}c", "/a"),
        ("/a|/b", ""),  # top-level alternation
        ("/x/(a|b)/y", "/x/"),  # alternation inside a group is fine
        ("/x[|]y", "/x"),
        ("(?i)/abc", ""),  # a leading flag: no prefix
        ("/abc(?i)def", "/abc"),
        ("\\Q/a.b\\E/c", ""),
        ("/a\\d", "/a"),
        ("/a\\Q|\\E", "/a"),  # a quoted `|` is not an alternation
        ("/tail\\", "/tail"),  # a dangling escape (WireMock rejects the stub anyway)
        ("/plain", "/plain"),
        (".*", ""),
        ("", ""),
        ("/é/x", "/é/x"),
        ("/a\\é", "/a"),
    ],
)
def test_regex_literal_prefix(regex: str, prefix: str) -> None:
    assert regex_literal_prefix(regex) == prefix


def test_template_literal_prefix() -> None:
    assert template_literal_prefix("/contacts/{id}/x") == "/contacts/"
    assert template_literal_prefix("/contacts") == "/contacts"


# --- random stub sets against a plain scan -----------------------------------------------------

SEGMENTS = ["a", "b", "ab", "api", "v1", "x.y", "A", "é"]
METHODS = ["GET", "POST", "ANY"]


def _path(rng: random.Random) -> str:
    return "/" + "/".join(rng.choice(SEGMENTS) for _ in range(rng.randint(0, 3)))


def _regex(rng: random.Random) -> str:
    # Literal starts of random lengths, then regex syntax that may or may not end the prefix.
    head = _path(rng)
    head = head[: rng.randint(0, len(head))].replace(".", "\\.")
    tail = rng.choice(
        [
            "",
            ".*",
            "[a-z]+",
            "(/.*)?",
            "b?",
            "/(a|b)",
            "|/b",
            "|/a.*",
            "\\d*",
            "(\\?.*)?",
            "/?",
            "\\..*",
            "[^/]+/.*",
        ]
    )
    return rng.choice(["", "^", "(?i)"]) + head + tail if rng.random() < 0.2 else head + tail


def _url_matcher(rng: random.Random) -> dict[str, str]:
    kind = rng.choice(["url", "urlPath", "urlPattern", "urlPathPattern", "urlPathTemplate", "none"])
    if kind == "none":
        return {}
    if kind in ("url", "urlPath"):
        value = _path(rng)
        if kind == "url" and rng.random() < 0.3:
            value += "?q=1"
        return {kind: value}
    if kind == "urlPathTemplate":
        parts = _path(rng).split("/")
        return {kind: "/".join(f"{{v{i}}}" if p and rng.random() < 0.4 else p for i, p in enumerate(parts))}
    return {kind: _regex(rng)}


def _stubs(rng: random.Random, count: int) -> list[StubMapping]:
    out = []
    for index in range(count):
        body: dict[str, Any] = {
            "request": {"method": rng.choice(METHODS), **_url_matcher(rng)},
            "response": {},
        }
        if rng.random() < 0.3:
            body["priority"] = rng.randint(1, 6)
        if rng.random() < 0.1:
            body["scenarioName"] = "s"
            body["requiredScenarioState"] = rng.choice(["Started", "other"])
        stub = StubMapping.from_json(body)
        stub.insertion_index = index
        out.append(stub)
    return out


def _requests(rng: random.Random, count: int) -> list[LoggedRequest]:
    out = []
    for _ in range(count):
        target = _path(rng)
        if rng.random() < 0.3:
            target += rng.choice(["?q=1", "?x", "/"])
        out.append(req(rng.choice(["GET", "POST"]), target.replace("é", "%C3%A9")))
    return out


def scan(stubs: list[StubMapping], request: LoggedRequest, scenarios: Scenarios) -> StubMapping | None:
    """What WireMock does: every stub in serving order, the first that matches."""
    for stub in in_serving_order(stubs):
        if stub.request.match(request).is_exact_match and scenarios.allows(stub):
            return stub
    return None


@pytest.mark.parametrize("seed", range(8))
def test_index_picks_what_a_scan_picks(seed: int) -> None:
    rng = random.Random(seed)
    checked = hits = 0
    for _ in range(6):
        stubs = _stubs(rng, rng.randint(1, 60))
        scenarios = Scenarios()
        scenarios.sync(stubs)
        order = ServingOrder(stubs)
        for request in _requests(rng, 60):
            expected = scan(stubs, request, scenarios)
            found = order.find(request, scenarios)
            assert found is expected, (request.url, [s.to_json()["request"] for s in stubs])
            checked += 1
            hits += expected is not None
    assert checked == 360
    assert hits > 20  # the generator makes matches, not only misses


def test_candidates_skip_stubs_that_cannot_match() -> None:
    stubs = []
    for index in range(1000):
        if index % 2:
            request: dict[str, Any] = {"method": "GET", "urlPattern": f"/many/re{index}/[a-z]+/\\d+"}
        else:
            request = {"method": "GET", "url": f"/many/exact/{index}"}
        stub = StubMapping.from_json({"request": request, "response": {}})
        stub.insertion_index = index
        stubs.append(stub)
    order = ServingOrder(stubs)
    assert len(order.candidates(req("GET", "/many/re1/abc/42"))) == 1
    assert order.find(req("GET", "/many/re1/abc/42")) is stubs[1]
    assert order.find(req("GET", "/many/exact/0")) is stubs[0]
    assert order.candidates(req("GET", "/many/none/xyz")) == []
