"""Stub mapping JSON: validation errors and the normalised form, against real WireMock.

`RECORDED_ANSWERS` holds what WireMock 3.13.2 answered to POST /__admin/mappings for each body
(recorded on this machine): the 422 error (code, pointer, title, detail) or, for accepted bodies,
the echoed mapping without its generated id. The corpus tests check that every mapping a
conformance case posts prints back exactly (keys in the same order) as WireMock printed it.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from podlab.stub.jvm.errors import InvalidInputError
from podlab.stub.model import (
    RequestPattern,
    ResponseDefinition,
    StubMapping,
    java_hash_order,
    java_string_hash,
)

from .recorded import recorded_data

CORPUS = Path(__file__).resolve().parents[1] / "conformance" / "wiremock-cases.jsonl"

RECORDED_ANSWERS: list[dict[str, Any]] = recorded_data("model_answers.json")


def ordered(value: Any) -> Any:
    """JSON with key order made significant for comparison."""
    if isinstance(value, dict):
        return [(k, ordered(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [ordered(v) for v in value]
    return value


@pytest.mark.parametrize(
    "answer", RECORDED_ANSWERS, ids=[json.dumps(a["input"])[:60] for a in RECORDED_ANSWERS]
)
def test_parse_answers_like_wiremock(answer: dict[str, Any]) -> None:
    if answer["status"] == 201:
        stub = StubMapping.from_json(answer["input"])
        echoed = stub.to_json()
        assert echoed.pop("id") == echoed.pop("uuid")
        assert ordered(echoed) == ordered(answer["answer"])
        return
    with pytest.raises(InvalidInputError) as raised:
        StubMapping.from_json(answer["input"])
    (expected,) = answer["answer"]["errors"]
    (actual,) = raised.value.errors
    assert actual["code"] == expected["code"] == 10
    assert actual["source"] == expected["source"]
    assert actual["title"] == expected["title"]
    if not answer["matcher_detail"]:  # the matchers' own wording is tested with the matchers
        assert actual.get("detail") == expected.get("detail")
    assert raised.value.to_json() == {"errors": [actual]}


def corpus_mappings() -> list[Any]:
    """(posted mapping, WireMock's echo) for every corpus mapping with a fixed id."""
    posted: dict[str, dict[str, Any]] = {}
    echoes: dict[str, tuple[str, dict[str, Any]]] = {}

    def collect(value: Any, case_id: str) -> None:
        if isinstance(value, dict):
            if "uuid" in value and "request" in value and value["uuid"] != "<uuid>":
                echoes.setdefault(json.dumps(value), (case_id, value))
            for item in value.values():
                collect(item, case_id)
        elif isinstance(value, list):
            for item in value:
                collect(item, case_id)

    for line in CORPUS.read_text().splitlines():
        case = json.loads(line)
        steps = [*case.get("setup", []), *(case.get("requests") or [case.get("request")])]
        for step in steps:
            if step and step.get("method") == "POST" and step.get("path") == "/__admin/mappings":
                body = step.get("json", {})
                if "id" in body:
                    posted[body["id"]] = body
        for expect in case.get("expects") or [case.get("expect")]:
            if expect:
                collect(expect.get("json"), case["id"])
    params = []
    for case_id, echo in echoes.values():
        mapping = posted.get(echo["id"])
        # Skip echoes of a mapping replaced later in its case (PUT, edit, import).
        if mapping is not None and mapping["response"].get("body") == echo["response"].get("body"):
            params.append(pytest.param(mapping, echo, id=f"{case_id}:{echo['id'][-4:]}"))
    return params


@pytest.mark.parametrize(("posted", "echo"), corpus_mappings())
def test_corpus_mapping_prints_as_wiremock(posted: dict[str, Any], echo: dict[str, Any]) -> None:
    assert ordered(StubMapping.from_json(posted).to_json()) == ordered(echo)


def test_generated_id_is_echoed_as_id_and_uuid() -> None:
    first = StubMapping.from_json({})
    second = StubMapping.from_json({})
    assert first.id != second.id
    assert ordered(first.to_json()) == ordered(
        {
            "id": str(first.id),
            "request": {"method": "ANY"},
            "response": {"status": 200},
            "uuid": str(first.id),
        }
    )


def test_later_of_id_and_uuid_wins() -> None:
    a, b = str(uuid.uuid4()), str(uuid.uuid4())
    assert str(StubMapping.from_json({"id": a, "uuid": b}).id) == b
    assert str(StubMapping.from_json({"uuid": b, "id": a}).id) == a


def test_every_field_prints_in_wiremocks_order() -> None:
    """Order recorded from WireMock 3.13.2 for a mapping using every field."""
    body = {
        "priority": 2, "newScenarioState": "n", "requiredScenarioState": "r", "scenarioName": "s",
        "persistent": False, "metadata": {"a": 1}, "postServeActions": [], "name": "nm",
        "id": "00000000-0000-4000-8000-000000000001",
        "request": {
            "multipartPatterns": [{"name": "p", "matchingType": "ANY", "bodyPatterns": [{"contains": "x"}]}],
            "customMatcher": {"name": "cm", "parameters": {}}, "bodyPatterns": [{"contains": "b"}],
            "basicAuth": {"username": "u", "password": "p"}, "cookies": {"c": {"equalTo": "1"}},
            "formParameters": {"f": {"equalTo": "1"}}, "queryParameters": {"q": {"equalTo": "1"}},
            "pathParameters": {"id": {"equalTo": "1"}}, "headers": {"h": {"equalTo": "1"}}, "method": "POST",
            "urlPathTemplate": "/x/{id}", "clientIp": {"equalTo": "1.2.3.4"}, "port": 80,
            "host": {"equalTo": "h"}, "scheme": "http",
        },
        "response": {
            "transformerParameters": {"a": 1}, "transformers": ["response-template"],
            "removeProxyRequestHeaders": ["x"], "additionalProxyRequestHeaders": {"a": "b"},
            "proxyUrlPrefixToRemove": "/p", "proxyBaseUrl": "http://x", "fault": "EMPTY_RESPONSE",
            "chunkedDribbleDelay": {"numberOfChunks": 2, "totalDuration": 10},
            "delayDistribution": {"type": "uniform", "lower": 1, "upper": 2}, "fixedDelayMilliseconds": 5,
            "bodyFileName": "f.txt", "headers": {"X": "1", "Y": ["1", "2"]}, "statusMessage": "OK", "status": 201,
        },
    }  # fmt: skip
    printed = StubMapping.from_json(body).to_json()
    assert list(printed) == [
        "id", "name", "request", "response", "uuid", "persistent", "priority", "scenarioName",
        "requiredScenarioState", "newScenarioState", "metadata", "postServeActions",
    ]  # fmt: skip
    assert list(printed["request"]) == [
        "scheme", "host", "port", "clientIp", "urlPathTemplate", "method", "headers", "pathParameters",
        "queryParameters", "formParameters", "cookies", "bodyPatterns", "customMatcher", "multipartPatterns",
        "basicAuthCredentials",
    ]  # fmt: skip
    assert list(printed["response"]) == [
        "status", "statusMessage", "bodyFileName", "headers", "additionalProxyRequestHeaders",
        "removeProxyRequestHeaders", "fixedDelayMilliseconds", "delayDistribution", "chunkedDribbleDelay",
        "proxyBaseUrl", "proxyUrlPrefixToRemove", "fault", "transformers", "transformerParameters",
    ]  # fmt: skip
    assert printed["request"]["multipartPatterns"] == [
        {"name": "p", "matchingType": "ANY", "bodyPatterns": [{"contains": "x"}]}
    ]
    assert printed["response"]["headers"] == {"X": "1", "Y": ["1", "2"]}


@pytest.mark.parametrize(
    ("response", "printed"),
    [  # recorded from WireMock 3.13.2
        ({"base64Body": "YQ==", "jsonBody": {"a": 1}, "body": "x", "headers": {"A": ["1"]}},
         {"status": 200, "body": "x", "headers": {"A": "1"}}),
        ({"jsonBody": {"a": 1}, "base64Body": "YQ=="}, {"status": 200, "jsonBody": {"a": 1}}),
        ({"fromConfiguredStub": True}, {"status": 200}),
        ({"fromConfiguredStub": False}, {"status": 200, "fromConfiguredStub": False}),
        ({"delayDistribution": {"type": "lognormal", "median": 80, "sigma": 0.4}},
         {"status": 200, "delayDistribution": {"type": "lognormal", "median": 80.0, "sigma": 0.4}}),
        ({"delayDistribution": {"type": "fixed", "milliseconds": 5}},
         {"status": 200, "delayDistribution": {"type": "fixed", "milliseconds": 5}}),
        ({"headers": {}}, {"status": 200, "headers": {}}),
        ({"jsonBody": None, "status": None}, {"status": 200}),
    ],
)  # fmt: skip
def test_response_definition_normalises_like_wiremock(
    response: dict[str, Any], printed: dict[str, Any]
) -> None:
    definition = ResponseDefinition.from_json(response)
    assert ordered(definition.to_json()) == ordered(printed)
    assert definition.raw == printed


def test_response_accessors() -> None:
    definition = ResponseDefinition.from_json(
        {
            "status": "418",
            "headers": {"X": ["1", "2"], "Y": "3"},
            "fault": "EMPTY_RESPONSE",
            "transformers": ["t"],
        }
    )
    assert definition.status == 418
    assert definition.headers == [("X", "1"), ("X", "2"), ("Y", "3")]
    assert definition.fault == "EMPTY_RESPONSE"
    assert definition.transformers == ["t"]


@pytest.mark.parametrize(
    ("request_json", "printed"),
    [  # recorded from WireMock 3.13.2: the first URL key of url, urlPattern, urlPath, ... wins
        ({"url": "/a", "urlPattern": "/b"}, {"url": "/a", "method": "ANY"}),
        ({"urlPattern": "/b", "url": "/a"}, {"url": "/a", "method": "ANY"}),
        ({"urlPathPattern": "/b", "urlPath": "/a"}, {"urlPath": "/a", "method": "ANY"}),
        ({"method": "get"}, {"method": "get"}),
        ({"url": 5}, {"url": "5", "method": "ANY"}),
        ({"headers": {}, "bodyPatterns": []}, {"method": "ANY", "headers": {}, "bodyPatterns": []}),
        ({"basicAuth": {"username": "u"}}, {"method": "ANY", "basicAuthCredentials": {"username": "u"}}),
    ],
)
def test_request_pattern_normalises_like_wiremock(
    request_json: dict[str, Any], printed: dict[str, Any]
) -> None:
    assert ordered(RequestPattern.from_json(request_json).to_json()) == ordered(printed)


def test_request_pattern_errors_use_the_given_pointer() -> None:
    with pytest.raises(InvalidInputError) as raised:
        RequestPattern.from_json({"url": "/x", "nope": 1}, "")
    assert raised.value.errors[0]["source"] == {"pointer": "/nope"}


def test_metadata_and_listeners_keep_their_shape() -> None:
    stub = StubMapping.from_json(
        {"postServeActions": {"webhook": {"a": 1}}, "metadata": {"k": [1, {"x": None}]}}
    )
    printed = stub.to_json()
    assert printed["postServeActions"] == [{"name": "webhook", "parameters": {"a": 1}}]
    assert printed["metadata"] == {"k": [1, {"x": None}]}
    assert stub.to_json(include_insertion_index=True)["insertionIndex"] == 0


def test_java_hash_order_matches_recorded_wiremock_orders() -> None:
    assert java_string_hash("ab") == 97 * 31 + 98
    assert java_string_hash("\U0001f600") == 0xD83D * 31 + 0xDE00  # UTF-16 code units, as Java
    # Orders WireMock 3.13.2 printed: scenario names, possible states, headers plus basic auth.
    assert java_hash_order(["Zeta", "Beta", "Alpha"]) == ["Zeta", "Alpha", "Beta"]
    assert java_hash_order(["Started", "Done", "Zz", "B"]) == ["Zz", "Started", "Done", "B"]
    assert java_hash_order(["X-A", "X-B", "Authorization"], 4) == ["X-B", "Authorization", "X-A"]


def test_random_uuids_are_version_4_and_distinct() -> None:
    """Request and serve-event ids: drawn from a pool formatted 256 at a time (model/ids.py)."""
    import uuid

    from podlab.stub.model.ids import random_uuid

    drawn = [random_uuid() for _ in range(1000)]  # several refills
    assert len(set(drawn)) == len(drawn)
    for text in drawn:
        parsed = uuid.UUID(text)
        assert str(parsed) == text
        assert parsed.version == 4
        assert parsed.variant == uuid.RFC_4122
