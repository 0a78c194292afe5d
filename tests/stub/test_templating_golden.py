"""Templates rendered by real WireMock 3.13.2, replayed through podlab's engine.

Every expectation below was produced by the real server: WireMock 3.13.2 standalone (the jar
docs/reference/wiremock.md §10 describes), listening on 127.0.0.1:37047, was given each template as a stub
body with `transformers: ["response-template"]` and then sent the request written next to it; the
recorded response body is `expect`. Where WireMock answered 500 instead, `error` is the first line
of its exception message without Handlebars.java's `inline@<hash>:` template name (the hash is an
identity hash and differs per run), and `error_fragment` a part of it for messages podlab words
differently (Jackson's own parse errors). The requests are rebuilt as podlab LoggedRequests with
the URL, method, headers and body WireMock saw, so `request.baseUrl` and friends agree too.
"""

from __future__ import annotations

from typing import Any

import pytest

from podlab.stub.model.request import LoggedRequest
from podlab.stub.templating import TemplateError, TemplateModel, render_response_template

from .recorded import recorded_data

BASE_URL = "http://127.0.0.1:37047"

CASES: list[dict[str, Any]] = recorded_data("templating_golden.json")


def model_for(case: dict[str, Any]) -> TemplateModel:
    request = LoggedRequest.from_json(
        {
            "url": case["url"],
            "method": case["method"],
            "headers": case.get("headers", {}),
            "body": case.get("body", ""),
            "absoluteUrl": BASE_URL + case["url"],
            "clientIp": "127.0.0.1",
        }
    )
    return TemplateModel.from_request(request, parameters=case.get("parameters"))


def without_template_name(message: str) -> str:
    first_line = message.split("\n")[0]
    return first_line.split(":", 1)[1] if first_line.startswith("inline@") else first_line


@pytest.mark.parametrize("case", CASES, ids=[c["template"][:60] for c in CASES])
def test_renders_as_wiremock_does(case: dict[str, Any]) -> None:
    model = model_for(case)
    if "expect" in case:
        assert render_response_template(case["template"], model) == case["expect"]
        return
    with pytest.raises(TemplateError) as raised:
        render_response_template(case["template"], model)
    if "error" in case:
        assert without_template_name(str(raised.value)) == case["error"]
    else:
        assert case["error_fragment"] in str(raised.value)


def test_compile_errors_show_the_line_and_a_caret() -> None:
    # WireMock 3.13.2 answered: inline@6d73efac:2:5: found: 'each', expected: 'if' / the line / a
    # caret. Positions count from the first `{{` (text before it never reaches Handlebars).
    model = model_for({"url": "/", "method": "GET"})
    with pytest.raises(TemplateError) as raised:
        render_response_template("pre {{#if true}}\n  {{/each}} post", model)
    name, rest = str(raised.value).split(":", 1)
    assert name.startswith("inline@")
    assert rest == "2:5: found: 'each', expected: 'if'\n  {{/each}}\n     ^"
