"""The conformance corpus' `templating` cases, applied through `apply_templating` directly.

tests/conformance/wiremock-cases.jsonl was recorded from WireMock 3.13.2. Each templating case
posts one stub and sends requests; here the stub is parsed by podlab's own StubMapping (so
`urlPathTemplate` variables come from the real model), each request becomes a LoggedRequest, and
the response definition is templated with `apply_templating`. The body, the JSON body and every
expected header (bar the server-added `Matched-Stub-Id`) must come out as WireMock served them.
The same cases also run end to end against the real server in tests/stub/test_conformance.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from podlab.stub.jvm.jsonfmt import compact
from podlab.stub.model import StubMapping
from podlab.stub.model.request import LoggedRequest
from podlab.stub.templating import TemplateModel, apply_templating

CORPUS = Path(__file__).resolve().parents[1] / "conformance" / "wiremock-cases.jsonl"
SERVER_ADDED = {"matched-stub-id"}


def templating_cases() -> list[dict[str, Any]]:
    cases = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        if "templating" in case["tags"] and case["version"] == "3":
            cases.append(case)
    return cases


CASES = templating_cases()


def exchanges(case: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    if "requests" in case:
        return list(zip(case["requests"], case["expects"], strict=True))
    return [(case["request"], case["expect"])]


def served_body(definition: dict[str, Any]) -> str:
    if "jsonBody" in definition:
        return compact(definition["jsonBody"])
    return str(definition.get("body", ""))


def test_the_corpus_has_templating_cases() -> None:
    assert len(CASES) >= 15


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_corpus_case(case: dict[str, Any]) -> None:
    (setup,) = [s for s in case["setup"] if s["path"] == "/__admin/mappings"]
    stub = StubMapping.from_json(setup["json"])
    definition = setup["json"]["response"]
    for request, expect in exchanges(case):
        logged = LoggedRequest.from_json(
            {
                "url": request["path"],
                "method": request["method"],
                "headers": request.get("headers", {}),
                "body": request.get("body", ""),
                "absoluteUrl": "http://127.0.0.1:8080" + request["path"],
                "clientIp": "127.0.0.1",
            }
        )
        assert stub.request.match(logged).is_exact_match, f"{case['id']}: the stub should match"
        if "response-template" in (definition.get("transformers") or []):
            model = TemplateModel.from_request(
                logged, parameters=definition.get("transformerParameters"), stub=stub
            )
            rendered = apply_templating(definition, model)
        else:
            rendered = definition
        assert rendered.get("status", 200) == expect["status"]
        if "json" in expect:
            assert json.loads(served_body(rendered)) == expect["json"]
        if "body" in expect:
            assert served_body(rendered) == expect["body"]
        for name, value in expect.get("headers", {}).items():
            if name.lower() in SERVER_ADDED:
                continue
            assert (rendered.get("headers") or {}).get(name) == value, name
