"""Near-miss distances of body and header matchers, as WireMock 3.13.2 computes them.

Measured on real WireMock with POST /__admin/near-misses/request against one stub that differs
from the request only in one header or body matcher: the reported distance is the matcher's own
distance times 1/46 (its weight in that request pattern; a missing header or a `contains` miss,
both 1.0, report exactly 1/46). These distances pick the "closest stub" of a 404 diff, so they
matter as much as the match verdict.
"""

from __future__ import annotations

from typing import Any

import pytest

from podlab.stub.matchers import parse_content_pattern, parse_multi_value_pattern

DISTANCES: list[tuple[dict[str, Any], str, float]] = [
    ({"equalTo": "abcd"}, "abcx", 0.25),
    ({"equalTo": "abcd"}, "zzzz", 1.0),
    ({"equalToJson": {"a": 1, "b": 2, "c": 3}}, '{"a":1,"b":2,"c":4}', 0.25),
    ({"equalToJson": {"a": 1, "b": 2, "c": 3}}, '{"a":9,"b":9,"c":9}', 0.75),
    ({"equalToJson": {"a": 1, "b": 2, "c": 3}}, '{"a":1,"b":2}', 0.25),
    ({"equalToJson": {"a": 1, "b": 2, "c": 3}}, '{"a":1,"b":2,"c":3,"d":4}', 0.2),
    ({"equalToJson": {"a": [1, 2, 3]}}, '{"a":[1,2,4]}', 1 / 6),
    ({"equalToJson": {"a": {"b": {"c": 1}}}}, '{"a":{"b":{"c":2}}}', 1 / 6),
    ({"equalToJson": {"a": 1}}, "not json", 1.0),
    ({"equalToJson": [1, 2, 3]}, "[1,2]", 0.25),
    ({"equalToJson": [1, 2, 3], "ignoreArrayOrder": True}, "[3,2,4]", 0.25),
    ({"equalToJson": {"a": "x"}}, '{"a":{"b":1,"c":2}}', 0.6),
    ({"equalToJson": {"a": {"b": 1, "c": 2}}}, '{"a":"x"}', 0.6),
    ({"equalToXml": "<a><b>1</b><c>2</c><d>3</d></a>"}, "<a><b>1</b><c>2</c><d>x</d></a>", 1 / 27),
    ({"equalToXml": "<a><b>1</b><c>2</c><d>3</d></a>"}, "<a><b>x</b><c>x</c><d>x</d></a>", 3 / 27),
    ({"equalToXml": "<a><b>1</b></a>"}, "<a><c>1</c></a>", 1 / 13),
    ({"equalToXml": '<a x="1"><b>1</b></a>'}, '<a x="2"><b>1</b></a>', 1 / 16),
    ({"equalToXml": '<a x="1" y="2"><b>1</b></a>'}, '<a x="2" y="2"><b>1</b></a>', 1 / 19),
    ({"equalToXml": "<a><b>1</b><c>2</c></a>"}, "<a><b>1</b></a>", 1 / 7),
    ({"equalToXml": "<a><b>1</b></a>"}, "<a><b>1</b><c>2</c></a>", 1 / 13),
    ({"equalToXml": "<a><b>1</b></a>"}, "<a><b>2</b></a>", 1 / 13),
    ({"equalToXml": "<a><b/></a>"}, "<a><c/></a>", 1 / 10),
    ({"equalToXml": "<a>1</a>"}, "<a>2</a>", 1 / 9),
    ({"equalToXml": "<a><b><c>1</c></b></a>"}, "<a><b><c>2</c></b></a>", 1 / 17),
    ({"matchesJsonSchema": '{"required":["a","b"]}'}, "{}", 1.0),
    ({"matchesJsonPath": {"expression": "$.c", "equalTo": "abcd"}}, '{"c":"abcx"}', 0.25),
    ({"contains": "q"}, "abc", 1.0),
    ({"matchesXPath": "/a/c"}, "<a/>", 1.0),
]


@pytest.mark.parametrize(("pattern", "body", "distance"), DISTANCES)
def test_distance_is_wiremocks(pattern: dict[str, Any], body: str, distance: float) -> None:
    result = parse_content_pattern(pattern, "/request/bodyPatterns/0").match(body.encode())
    assert result.distance == pytest.approx(distance, abs=1e-3)


HEADER_DISTANCES: list[tuple[dict[str, Any], list[str], float]] = [
    ({"hasExactly": [{"equalTo": "1"}, {"equalTo": "2"}]}, ["1", "2", "3"], 0.5),
    ({"hasExactly": [{"equalTo": "1"}, {"equalTo": "2"}]}, ["1"], 0.75),
    ({"includes": [{"equalTo": "a"}, {"equalTo": "b"}]}, ["b", "c"], 0.5),
    ({"includes": [{"equalTo": "abcd"}]}, ["zzzz", "abcx"], 0.25),
    ({"and": [{"contains": "a"}, {"contains": "b"}]}, ["a"], 0.5),
    ({"or": [{"equalTo": "abcd"}, {"equalTo": "zzzz"}]}, ["abcx"], 0.25),
    ({"not": {"equalTo": "abcd"}}, ["abcd"], 1.0),
    ({"equalTo": "ABCD", "caseInsensitive": True}, ["abcx"], 1.0),  # scored on the raw strings
    ({"equalTo": "abcd"}, ["zzzz", "abcx"], 0.25),
    ({"absent": True}, ["a"], 1.0),
    ({"matchesJsonPath": {"expression": "$.a", "equalTo": "abcd"}}, ['{"a":"abcx"}'], 0.25),
    ({"matchesXPath": {"expression": "/a/text()", "equalTo": "abcd"}}, ["<a>abcx</a>"], 0.25),
]


@pytest.mark.parametrize(("pattern", "values", "distance"), HEADER_DISTANCES)
def test_header_distance_is_wiremocks(pattern: dict[str, Any], values: list[str], distance: float) -> None:
    result = parse_multi_value_pattern(pattern, "/request/headers/X").match(values)
    assert result.distance == pytest.approx(distance, abs=1e-3)
