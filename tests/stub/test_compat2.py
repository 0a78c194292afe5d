"""`--compat 2` behaves as WireMock 2.35.1: 3.x-only stub fields are refused, and a 404 report
2.35.1 cannot print goes out empty.

RECORDED holds what the 2.35.1 standalone jar answered on this machine to POST /__admin/mappings
for each stub: 422 with its error body, or 201 (null). WireMock 3.13.2 accepts every one of them
(test_model and the conformance corpus cover the 3.x side).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from podlab.stub.jvm.errors import InvalidInputError
from podlab.stub.model import StubMapping

from .recorded import recorded_data

RECORDED: list[list[Any]] = recorded_data("compat2_answers.json")


@pytest.mark.parametrize("case", RECORDED, ids=[c[0] for c in RECORDED])
def test_compat_2_binds_as_2_35_1(case: list[Any]) -> None:
    _, mapping, status, answer = case
    StubMapping.from_json(mapping)  # 3.x accepts all of them
    if status == 201:
        StubMapping.from_json(mapping, compat=2)
        return
    with pytest.raises(InvalidInputError) as raised:
        StubMapping.from_json(mapping, compat=2)
    assert raised.value.to_json() == answer


def test_compat_2_server_refuses_a_path_template(start_stub: Any) -> None:
    _, mapping, _, answer = next(c for c in RECORDED if c[0] == "urlPathTemplate")
    stub = start_stub("--compat", "2")
    status, _, body = stub.call("POST", "/__admin/mappings", mapping)
    assert (status, json.loads(body)) == (422, answer)
    stub3 = start_stub()
    status, _, body = stub3.call("POST", "/__admin/mappings", mapping)
    assert status == 201, body


def test_compat_2_answers_a_bare_404_where_2_35_1_cannot_print_the_report(start_stub: Any) -> None:
    # 2.35.1 (measured): with a matchesJsonPath sub-matcher nearest and an empty body, printing
    # the report throws, and the 404 goes out with no body and no Content-Type; a body of spaces
    # still gets the report. 3.13.2 prints the report in both cases.
    mapping = {
        "request": {
            "urlPath": "/j",
            "method": "POST",
            "bodyPatterns": [{"matchesJsonPath": {"expression": "$.a", "equalTo": "1"}}],
        },
        "response": {"status": 200},
    }
    stub2 = start_stub("--compat", "2")
    stub3 = start_stub()
    for stub in (stub2, stub3):
        status, _, body = stub.call("POST", "/__admin/mappings", mapping)
        assert status == 201, body
    status, headers, body = stub2.call("POST", "/j")
    assert (status, body, "content-type" in headers) == (404, b"", False)
    status, _, body = stub2.call("POST", "/j", "   ")
    assert status == 404 and b"Request was not matched" in body
    status, _, body = stub3.call("POST", "/j")
    assert status == 404 and b"Request was not matched" in body
