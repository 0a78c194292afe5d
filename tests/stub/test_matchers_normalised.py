"""Matcher JSON as WireMock 3.13.2 normalises and rejects it.

Each input was POSTed to a real 3.13.2 jar inside a stub mapping (`/__admin/mappings`): as header
`X` ("header"), query parameter `q` ("query") or the only `bodyPatterns` entry ("body"). The
first table holds what GET /__admin/mappings then showed for the matcher; the second the 422
answers (code 10, "Error parsing JSON", pointer at the matcher) with WireMock's detail text.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from podlab.stub.jvm.errors import InvalidInputError
from podlab.stub.matchers import parse_content_pattern, parse_multi_value_pattern

from .recorded import recorded_data

NORMALISED: list[tuple[str, str, str]] = [tuple(row) for row in recorded_data("matchers_normalised.json")]

REJECTED: list[tuple[str, str, str]] = [tuple(row) for row in recorded_data("matchers_rejected.json")]

# Detail texts we reproduce word for word (the rest name the same fault in Python's words;
# the conformance corpus compares code, pointer and title only).
SAME_DETAIL = {
    '{"hasExactly":"x"}',
    '{"equalsTo":"x"}',
    '{"equalTo":1}',
    '{"matches":"[a"}',
    '{"binaryEqualTo":"AAE="}',
    '"abc"',
    '{"and":[{"contains":"a"}]}',
    '{"and":"x"}',
    '{"not":"x"}',
    "{}",
    '{"contains":5}',
    '{"matches":"(a"}',
    '{"binaryEqualTo":"not base64!!"}',
    '{"matchesJsonSchema":"{}","schemaVersion":"V5"}',
    '{"equalToXml":"<a/>","exemptedComparisons":["BOGUS"]}',
    '{"equalToXml":1}',
    '{"matchesXPath":1}',
    '{"matchesXPath":{"equalTo":"x"}}',
    '{"before":5}',
    '{"after":"now +3 fortnights"}',
    '{"equalToDateTime":"2020-01-01","truncateActual":"bogus"}',
    '{"hasExactly":[{"equalTo":"1"}]}',
    '{"doesNotContain":null}',
    '{"matchesJsonPath":""}',
    '{"or":"x"}',
    '{"includes":[{"bogus":1}]}',
    '{"matchesJsonPath":{"expression":"$.a"}}',
}

POINTERS = {
    "header": "/request/headers/X",
    "query": "/request/queryParameters/q",
    "body": "/request/bodyPatterns/0",
}


def _parse(where: str, spec: Any) -> Any:
    if where == "body":
        return parse_content_pattern(spec, POINTERS[where])
    return parse_multi_value_pattern(spec, POINTERS[where])


@pytest.mark.parametrize(("where", "given", "shown"), NORMALISED)
def test_to_json_is_wiremocks_normalised_form(where: str, given: str, shown: str) -> None:
    assert _parse(where, json.loads(given)).to_json() == json.loads(shown)


@pytest.mark.parametrize(("where", "given", "detail"), REJECTED)
def test_rejected_like_wiremock(where: str, given: str, detail: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        _parse(where, json.loads(given))
    (error,) = caught.value.errors
    assert error["code"] == 10
    assert error["title"] == "Error parsing JSON"
    pointer = POINTERS[where]
    if detail.startswith("Cannot deserialize value of type `java.util.ArrayList"):
        # Jackson binding the operand's list points at it (seen in bench/stub_fuzz.py runs)
        pointer += "/" + next(iter(json.loads(given)))
    assert error["source"] == {"pointer": pointer}
    assert error["detail"]
    if given in SAME_DETAIL:
        assert error["detail"] == detail
    assert caught.value.to_json() == {"errors": [error]}
