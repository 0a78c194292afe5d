"""More "Request was not matched" reports, recorded from real WireMock 3.13.2 on this machine.

Each case below was posted to `java -jar wiremock-standalone-3.13.2.jar` (stubs through
POST /__admin/mappings, then one request sent with exactly the listed headers) and the 404 body
was saved verbatim. They cover what the conformance corpus does not: names, host/port/scheme,
client IP, JSON/XML/JSONPath bodies, wrapping of long values, basic auth (whose headers WireMock
lists in java.util.HashMap order), absent matchers, regex hints, logical matchers, path
parameters, multipart and custom matchers.
"""

from __future__ import annotations

from typing import Any

import pytest

from podlab.stub.matching.order import ServingOrder
from podlab.stub.report.near_misses import near_misses
from podlab.stub.report.not_matched import render_not_matched

from .recorded import load_stubs, logged_request, recorded_data

RECORDED: dict[str, Any] = recorded_data("not_matched_reports.json")


@pytest.mark.parametrize("case", RECORDED["cases"], ids=[c["name"] for c in RECORDED["cases"]])
def test_recorded_diff_is_byte_identical(case: dict[str, Any]) -> None:
    stubs, scenarios = load_stubs(case["stubs"])
    port = RECORDED["port"]
    req = logged_request(
        case["method"],
        case["path"],
        [(name, value) for name, value in case["headers"]],
        (case["body"] or "").encode(),
        base=f"http://127.0.0.1:{port}",
        request_id="recorded",
    )
    assert case["status"] == 404
    assert ServingOrder(stubs).find(req, scenarios) is None
    nearest = near_misses(stubs, req, scenarios=scenarios)[0]
    text = render_not_matched(req, nearest.stub, scenario_state=nearest.scenario_state)
    assert text == case["diff"]
