"""Case-insensitive equalTo inside hasExactly/includes, scored as real WireMock 3.13.2 scores it.

WireMock's EqualToPattern matches `caseInsensitive` values exactly but reports the distance of
the raw strings ("ABC" vs "abc" is 1.0), so a near miss holding such a match ranks further away
than one without. Recorded on this machine: two 404 reports from seed 2 of the random stub
generator (cases 44 and 92, where the nearest stub used to differ) and the near-miss distances
GET /__admin/requests/unmatched/near-misses gave for one stub and one request (None: served).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from podlab.stub.matching.order import ServingOrder
from podlab.stub.report.near_misses import near_misses

from .recorded import assert_reproduced, load_stubs, sent_request

RECORDED: dict[str, Any] = json.loads(
    r"""
{"port": 45789, "cases": [{"name": "fuzz-44", "stubs": [{"request": {"method": "POST", "headers": {"x-b": {"equalTo": "X1", "caseInsensitive": true}, "X-A": {"includes": [{"matches": "a.*"}]}}, "formParameters": {"f": {"hasExactly": [{"absent": true}, {"equalTo": "abc"}]}}}, "name": "other", "id": "00000000-0000-4000-8000-000000000001", "response": {"body": "ok"}}, {"request": {"method": "POST", "headers": {"x-b": {"equalTo": "22"}, "Accept": {"equalTo": "X1", "caseInsensitive": true}}}, "priority": 6, "id": "00000000-0000-4000-8000-000000000002", "response": {"body": "ok"}}, {"request": {"method": "POST", "queryParameters": {"r": {"contains": "json"}}, "formParameters": {"f": {"hasExactly": [{"matches": "x[0-9]"}, {"doesNotContain": "json"}]}}}, "priority": 1, "id": "00000000-0000-4000-8000-000000000003", "response": {"body": "ok"}}, {"request": {"urlPathPattern": "/a.*", "method": "PUT", "queryParameters": {"r": {"includes": [{"equalTo": "1", "caseInsensitive": true}]}}, "bodyPatterns": [{"matchesJsonPath": {"expression": "$.a", "equalTo": "1"}}]}, "id": "00000000-0000-4000-8000-000000000004", "response": {"body": "ok"}}], "method": "POST", "path": "/ab", "headers": [["Host", "127.0.0.1:45789"], ["X-A", "x1"], ["Accept", "1"], ["x-b", "x1"], ["Authorization", "Basic dTpx"], ["Content-Type", "application/x-www-form-urlencoded"], ["Content-Length", "9"]], "body": "f=abc&f=1", "status": 404, "matched": null, "diff": "\n                                               Request was not matched\n                                               =======================\n\n-----------------------------------------------------------------------------------------------------------------------\n| Closest stub                                             | Request                                                  |\n-----------------------------------------------------------------------------------------------------------------------\n                                                           |\nPOST                                                       | POST\n(always)                                                   | /ab\n                                                           |\nx-b: 22                                                    | x-b: x1                                             <<<<< Header does not match\nAccept: X1                                                 | Accept: 1                                           <<<<< Header does not match\n                                                           |\n                                                           |\n-----------------------------------------------------------------------------------------------------------------------\n"}, {"name": "fuzz-92", "stubs": [{"request": {"urlPathPattern": "/users/[0-9]+.*", "method": "ANY", "headers": {"Accept": {"includes": [{"equalTo": "ABC", "caseInsensitive": true}]}}, "queryParameters": {"r": {"equalTo": "JSON", "caseInsensitive": true}}}, "id": "00000000-0000-4000-8000-000000000001", "response": {"body": "ok"}}, {"request": {"method": "PUT", "headers": {"X-A": {"doesNotContain": "22"}}, "queryParameters": {"q": {"doesNotContain": "22"}}, "bodyPatterns": [{"matchesJsonPath": "$.a"}]}, "scenarioName": "S", "requiredScenarioState": "Started", "id": "00000000-0000-4000-8000-000000000002", "response": {"body": "ok"}}, {"request": {"method": "POST", "bodyPatterns": [{"equalToJson": {"a": 1}}], "formParameters": {"f": {"equalTo": "Z", "caseInsensitive": true}}}, "id": "00000000-0000-4000-8000-000000000003", "response": {"body": "ok"}}, {"request": {"urlPath": "/users/22/posts", "method": "PUT", "headers": {"x-b": {"absent": true}}, "queryParameters": {"r": {"equalTo": "abc"}}}, "id": "00000000-0000-4000-8000-000000000004", "response": {"body": "ok"}}], "method": "POST", "path": "/users/22/posts?q=1", "headers": [["Host", "127.0.0.1:45789"], ["X-A", "abc"], ["Accept", "abc"], ["Authorization", "Basic dTpw"], ["Content-Length", "0"]], "body": "", "status": 404, "matched": null, "diff": "\n                                               Request was not matched\n                                               =======================\n\n-----------------------------------------------------------------------------------------------------------------------\n| Closest stub                                             | Request                                                  |\n-----------------------------------------------------------------------------------------------------------------------\n                                                           |\nPOST                                                       | POST\n(always)                                                   | /users/22/posts?q=1\n                                                           |\nForm: f = Z                                                |                                                     <<<<< Form data is not present\n                                                           |\n[equalToJson]                                              |                                                     <<<<< Body does not match\n{                                                          |\n  \"a\" : 1                                                  |\n}                                                          |\n                                                           |\n-----------------------------------------------------------------------------------------------------------------------\n"}]}
"""
)

DISTANCES: list[list[Any]] = json.loads(
    r"""
[
["hasExactly absent,abc", {"urlPath": "/x", "method": "POST", "formParameters": {"f": {"hasExactly": [{"absent": true}, {"equalTo": "abc"}]}}}, {"url": "/x", "method": "POST", "headers": {"Content-Type": "application/x-www-form-urlencoded"}, "body": "f=abc&f=1"}, 0.0054],
["hasExactly zzz,abc", {"urlPath": "/x", "method": "POST", "formParameters": {"f": {"hasExactly": [{"equalTo": "zzz"}, {"equalTo": "abc"}]}}}, {"url": "/x", "method": "POST", "headers": {"Content-Type": "application/x-www-form-urlencoded"}, "body": "f=abc&f=1"}, 0.0054],
["absent alone", {"urlPath": "/x", "method": "POST", "formParameters": {"f": {"absent": true}}}, {"url": "/x", "method": "POST", "headers": {"Content-Type": "application/x-www-form-urlencoded"}, "body": "f=abc&f=1"}, 0.0217],
["query hasExactly absent,abc", {"urlPath": "/x", "method": "POST", "queryParameters": {"f": {"hasExactly": [{"absent": true}, {"equalTo": "abc"}]}}}, {"url": "/x?f=abc&f=1", "method": "POST"}, 0.0054],
["query hasExactly absent", {"urlPath": "/x", "method": "POST", "queryParameters": {"f": {"hasExactly": [{"absent": true}]}}}, {"url": "/x?f=abc", "method": "POST"}, 0.0109],
["query includes absent,abc", {"urlPath": "/x", "method": "POST", "queryParameters": {"f": {"includes": [{"absent": true}, {"equalTo": "abc"}]}}}, {"url": "/x?f=abc&f=1", "method": "POST"}, 0.0109],
["hdr single CI miss+", {"urlPath": "/x", "headers": {"A": {"equalTo": "ABC", "caseInsensitive": true}, "B": {"equalTo": "q"}}}, {"url": "/x", "method": "GET", "headers": {"A": "abc"}}, 0.0217],
["hdr includes CI miss+", {"urlPath": "/x", "headers": {"A": {"includes": [{"equalTo": "ABC", "caseInsensitive": true}]}, "B": {"equalTo": "q"}}}, {"url": "/x", "method": "GET", "headers": {"A": "abc"}}, 0.0217],
["hdr hasExactly CI miss+", {"urlPath": "/x", "headers": {"A": {"hasExactly": [{"equalTo": "ABC", "caseInsensitive": true}]}, "B": {"equalTo": "q"}}}, {"url": "/x", "method": "GET", "headers": {"A": "abc"}}, 0.0163],
["hdr includes CI", {"urlPath": "/x", "headers": {"A": {"includes": [{"equalTo": "ABC", "caseInsensitive": true}]}}}, {"url": "/x", "method": "GET", "headers": {"A": "abc"}}, null],
["hdr hasExactly CI", {"urlPath": "/x", "headers": {"A": {"hasExactly": [{"equalTo": "ABC", "caseInsensitive": true}]}}}, {"url": "/x", "method": "GET", "headers": {"A": "abc"}}, null],
["q includes CI", {"urlPath": "/x", "queryParameters": {"A": {"includes": [{"equalTo": "ABC", "caseInsensitive": true}]}}}, {"url": "/x?A=abc", "method": "GET"}, null]
]
"""
)


@pytest.mark.parametrize("case", RECORDED["cases"], ids=[c["name"] for c in RECORDED["cases"]])
def test_nearest_stub_and_report_as_recorded(case: dict[str, Any]) -> None:
    assert case["status"] == 404
    assert_reproduced(case, RECORDED["port"])


@pytest.mark.parametrize("row", DISTANCES, ids=[row[0] for row in DISTANCES])
def test_near_miss_distance_as_recorded(row: list[Any]) -> None:
    _, stub_request, sent, distance = row
    stubs, scenarios = load_stubs([{"request": stub_request, "response": {"status": 200}}])
    req = sent_request(
        sent["method"], sent["url"], list(sent.get("headers", {}).items()), sent.get("body"), 8080
    )
    served = ServingOrder(stubs).find(req, scenarios)
    if distance is None:
        assert served is not None
        return
    assert served is None
    assert near_misses(stubs, req, scenarios=scenarios)[0].distance == pytest.approx(distance, abs=1e-4)
