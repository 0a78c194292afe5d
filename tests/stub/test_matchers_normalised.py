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

NORMALISED: list[tuple[str, str, str]] = [
    ("header", '{"equalTo":"a"}', '{"equalTo": "a"}'),
    ("header", '{"equalTo":"a","caseInsensitive":true}', '{"equalTo": "a", "caseInsensitive": true}'),
    ("header", '{"equalTo":"a","caseInsensitive":false}', '{"equalTo": "a", "caseInsensitive": false}'),
    ("header", '{"contains":"a"}', '{"contains": "a"}'),
    ("header", '{"doesNotContain":"a"}', '{"doesNotContain": "a"}'),
    ("header", '{"matches":"a.*"}', '{"matches": "a.*"}'),
    ("header", '{"doesNotMatch":"a.*"}', '{"doesNotMatch": "a.*"}'),
    ("header", '{"absent":true}', '{"absent": true}'),
    ("header", '{"absent":false}', '{"absent": true}'),
    ("header", '{"anything":"x"}', '{"anything": "anything"}'),
    ("header", '{"not":{"equalTo":"a"}}', '{"not": {"equalTo": "a"}}'),
    (
        "header",
        '{"and":[{"contains":"a"},{"contains":"b"}]}',
        '{"and": [{"contains": "a"}, {"contains": "b"}]}',
    ),
    ("header", '{"or":[{"contains":"a"},{"absent":true}]}', '{"or": [{"contains": "a"}, {"absent": true}]}'),
    ("header", '{"before":"2021-01-01T00:00:00Z"}', '{"before": "2021-01-01T00:00:00Z"}'),
    ("header", '{"after":"now +3 days"}', '{"after": "now +3 days"}'),
    ("header", '{"after":"now"}', '{"after": "now +0 seconds"}'),
    ("header", '{"after":"NOW -5 hours"}', '{"after": "NOW -5 hours"}'),
    (
        "header",
        '{"equalToDateTime":"2021-06-24T00:00:00","actualFormat":"dd/MM/yyyy"}',
        '{"equalToDateTime": "2021-06-24T00:00:00", "actualFormat": "dd/MM/yyyy"}',
    ),
    (
        "header",
        '{"before":"now","truncateExpected":"first day of month","truncateActual":"first hour of day"}',
        '{"before": "now +0 seconds", "truncateExpected": "first day of month", "truncateActual": "first hour of day"}',
    ),
    (
        "header",
        '{"before":"now","truncateExpected":"FIRST_DAY_OF_MONTH"}',
        '{"before": "now +0 seconds", "truncateExpected": "first day of month"}',
    ),
    (
        "header",
        '{"before":"now","expectedOffset":3,"expectedOffsetUnit":"days"}',
        '{"before": "now +3 days"}',
    ),
    (
        "header",
        '{"before":"now","expectedOffset":-3,"expectedOffsetUnit":"HOURS"}',
        '{"before": "now -3 hours"}',
    ),
    ("header", '{"equalToJson":{"a":1}}', '{"equalToJson": {"a": 1}}'),
    (
        "header",
        '{"equalToJson":"{\\"a\\":1}","ignoreArrayOrder":true}',
        '{"equalToJson": "{\\"a\\":1}", "ignoreArrayOrder": true}',
    ),
    ("header", '{"matchesJsonPath":"$.a"}', '{"matchesJsonPath": "$.a"}'),
    (
        "header",
        '{"matchesJsonPath":{"expression":"$.a","equalTo":"x"}}',
        '{"matchesJsonPath": {"expression": "$.a", "equalTo": "x"}}',
    ),
    ("header", '{"equalToXml":"<a/>"}', '{"equalToXml": "<a/>"}'),
    ("header", '{"matchesXPath":"/a"}', '{"matchesXPath": "/a"}'),
    (
        "header",
        '{"matchesXPath":{"expression":"/a","contains":"x"},"xPathNamespaces":{"s":"urn:x"}}',
        '{"matchesXPath": {"expression": "/a", "contains": "x"}, "xPathNamespaces": {"s": "urn:x"}}',
    ),
    (
        "header",
        '{"hasExactly":[{"equalTo":"1"},{"equalTo":"2"}]}',
        '{"hasExactly": [{"equalTo": "1"}, {"equalTo": "2"}]}',
    ),
    ("header", '{"includes":[{"equalTo":"1"}]}', '{"includes": [{"equalTo": "1"}]}'),
    ("header", '{"matchesJsonSchema":"{}"}', '{"matchesJsonSchema": "{}", "schemaVersion": "V202012"}'),
    ("header", '{"equalTo":"a","contains":"b"}', '{"equalTo": "a"}'),
    ("header", '{"equalTo":"a","foo":1}', '{"equalTo": "a"}'),
    ("header", '{"hasExactly":[]}', '{"hasExactly": []}'),
    ("body", '{"equalTo":"a"}', '{"equalTo": "a"}'),
    ("body", '{"binaryEqualTo":"AAE="}', '{"binaryEqualTo": "AAE="}'),
    (
        "body",
        '{"equalToJson":{"a":1},"ignoreExtraElements":true,"ignoreArrayOrder":false}',
        '{"equalToJson": {"a": 1}, "ignoreArrayOrder": false, "ignoreExtraElements": true}',
    ),
    ("body", '{"equalToJson":[1,2]}', '{"equalToJson": [1, 2]}'),
    ("body", '{"equalToJson":"1"}', '{"equalToJson": "1"}'),
    ("body", '{"equalToJson":1}', '{"equalToJson": 1}'),
    ("body", '{"equalToJson":null}', '{"equalToJson": null}'),
    (
        "body",
        '{"matchesJsonSchema":{"type":"object"}}',
        '{"matchesJsonSchema": "{\\n  \\"type\\" : \\"object\\"\\n}", "schemaVersion": "V202012"}',
    ),
    (
        "body",
        '{"matchesJsonSchema":"{\\"type\\":\\"object\\"}","schemaVersion":"V4"}',
        '{"matchesJsonSchema": "{\\"type\\":\\"object\\"}", "schemaVersion": "V4"}',
    ),
    (
        "body",
        '{"equalToXml":"<a/>","enablePlaceholders":true,"placeholderOpeningDelimiterRegex":"\\\\[","placeholderClosingDelimiterRegex":"\\\\]","exemptedComparisons":["NAMESPACE_URI","ELEMENT_TAG_NAME"]}',
        '{"equalToXml": "<a/>", "enablePlaceholders": true, "placeholderOpeningDelimiterRegex": "\\\\[", "placeholderClosingDelimiterRegex": "\\\\]", "exemptedComparisons": ["NAMESPACE_URI", "ELEMENT_TAG_NAME"]}',
    ),
    (
        "body",
        '{"equalToXml":"<a/>","ignoreOrderOfSameNode":true,"namespaceAwareness":"STRICT"}',
        '{"equalToXml": "<a/>", "ignoreOrderOfSameNode": true, "namespaceAwareness": "STRICT"}',
    ),
    ("body", '{"matchesXPath":"//a["}', '{"matchesXPath": "//a["}'),
    ("body", '{"matchesJsonPath":"$..a"}', '{"matchesJsonPath": "$..a"}'),
    (
        "body",
        '{"matchesJsonPath":{"expression":"$.a","and":[{"contains":"a"},{"contains":"b"}]}}',
        '{"matchesJsonPath": {"expression": "$.a", "and": [{"contains": "a"}, {"contains": "b"}]}}',
    ),
    (
        "body",
        '{"matchesJsonPath":{"expression":"$.a","equalToJson":{"x":1}}}',
        '{"matchesJsonPath": {"expression": "$.a", "equalToJson": {"x": 1}}}',
    ),
    (
        "body",
        '{"matchesJsonPath":{"expression":"$.a","absent":true}}',
        '{"matchesJsonPath": {"expression": "$.a", "absent": true}}',
    ),
    ("body", '{"before":"2020-01-01T00:00:00Z"}', '{"before": "2020-01-01T00:00:00Z"}'),
    ("body", '{"before":"not a date"}', '{"before": "not a date"}'),
    ("body", '{"anything":"x"}', '{"anything": "anything"}'),
    ("body", '{"absent":true}', '{"absent": true}'),
    ("body", '{"not":{"contains":"x"}}', '{"not": {"contains": "x"}}'),
    ("body", '{"matches":"a++"}', '{"matches": "a++"}'),
    ("body", '{"matches":"\\\\p{Lu}+"}', '{"matches": "\\\\p{Lu}+"}'),
    ("body", '{"matches":"(?<name>a)"}', '{"matches": "(?<name>a)"}'),
    ("body", '{"contains":""}', '{"contains": ""}'),
    ("query", '{"equalTo":"a"}', '{"equalTo": "a"}'),
    (
        "query",
        '{"hasExactly":[{"equalTo":"1"},{"absent":true}]}',
        '{"hasExactly": [{"equalTo": "1"}, {"absent": true}]}',
    ),
]

REJECTED: list[tuple[str, str, str]] = [
    ("header", '{"equalsTo":"x"}', '{"equalsTo":"x"} is not a valid match operation'),
    ("header", '{"equalTo":1}', "equalTo operand must be a non-null string"),
    ("header", '{"matches":"[a"}', "Unclosed character class near index 1\n[a\n ^"),
    ("header", '{"binaryEqualTo":"AAE="}', '{"binaryEqualTo":"AAE="} is not a valid match operation'),
    ("header", '"abc"', '"abc" is not a valid match operation'),
    ("header", '{"and":[{"contains":"a"}]}', "Must be constructed with at least two matchers"),
    ("header", '{"and":"x"}', "and field must be an array of matchers"),
    ("header", '{"or":"x"}', "and field must be an array of matchers"),
    ("header", '{"not":"x"}', '"x" is not a valid match operation'),
    ("header", "{}", "null is not a valid match operation"),
    ("header", '{"contains":5}', "contains operand must be a non-null string"),
    ("header", '{"matches":"(a"}', "Unclosed group near index 2\n(a"),
    (
        "header",
        '{"hasExactly":"x"}',
        "Cannot deserialize value of type `java.util.ArrayList<com.github.tomakehurst.wiremock.matching.StringValuePattern>` from String value (token `JsonToken.VALUE_STRING`)",
    ),
    ("header", '{"includes":[{"bogus":1}]}', '{"bogus":1} is not a valid match operation'),
    ("body", '{"binaryEqualTo":"not base64!!"}', "Illegal base64 character 20"),
    (
        "body",
        '{"binaryEqualTo":5}',
        'Cannot invoke "String.getBytes(java.nio.charset.Charset)" because "src" is null',
    ),
    (
        "body",
        '{"equalToJson":"{bad json"}',
        "Unexpected character ('b' (code 98)): was expecting double-quote to start field name\n at [Source: (String)\"{bad json\"; line: 1, column: 2]",
    ),
    (
        "body",
        '{"matchesJsonSchema":"{}","schemaVersion":"V5"}',
        'schemaVersion must be one of [ "V4", "V6", "V7", "V201909", "V202012" ]',
    ),
    (
        "body",
        '{"matchesJsonSchema":"not json"}',
        "Unrecognized token 'not': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')\n at [Source: (String)\"not json\"; line: 1, column: 4]",
    ),
    (
        "body",
        '{"equalToXml":"<a>","enablePlaceholders":true}',
        "XML document structures must start and end within the same entity.; line 1; column 4",
    ),
    (
        "body",
        '{"equalToXml":"<a/>","exemptedComparisons":["BOGUS"]}',
        "No enum constant wiremock.org.xmlunit.diff.ComparisonType.BOGUS",
    ),
    ("body", '{"equalToXml":1}', "'equalToXml' expected value cannot be null"),
    ("body", '{"matchesXPath":1}', "expression is required in the advanced matchesXPath form"),
    ("body", '{"matchesXPath":{"equalTo":"x"}}', "expression is required in the advanced matchesXPath form"),
    (
        "body",
        '{"matchesJsonPath":"$.a[?("}',
        "Could not parse token starting at position 3. Expected ?, ', 0-9, * ",
    ),
    (
        "body",
        '{"matchesJsonPath":{"expression":"$.a"}}',
        '{"expression":"$.a"} is not a valid match operation',
    ),
    ("body", '{"matchesJsonPath":""}', "json can not be null or empty"),
    ("body", '{"before":5}', "'before' expected value cannot be null"),
    (
        "body",
        '{"after":"now +3 fortnights"}',
        "No enum constant com.github.tomakehurst.wiremock.common.DateTimeUnit.FORTNIGHTS",
    ),
    (
        "body",
        '{"equalToDateTime":"2020-01-01","truncateActual":"bogus"}',
        "No enum constant com.github.tomakehurst.wiremock.common.DateTimeTruncation.BOGUS",
    ),
    (
        "body",
        '{"hasExactly":[{"equalTo":"1"}]}',
        '{"hasExactly":[{"equalTo":"1"}]} is not a valid match operation',
    ),
    ("body", '{"doesNotContain":null}', "doesNotContain operand must be a non-null string"),
]

# Detail texts we reproduce word for word (the rest name the same fault in Python's words;
# the conformance corpus compares code, pointer and title only).
SAME_DETAIL = {
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
    assert error["source"] == {"pointer": POINTERS[where]}
    assert error["detail"]
    if given in SAME_DETAIL:
        assert error["detail"] == detail
    assert caught.value.to_json() == {"errors": [error]}
