"""Differences the differential fuzzer (bench/stub_fuzz.py, `--compat 3`, seeds 1-6) found,
fixed, and pinned here without a JVM.

Each expected string is WireMock 3.13.2's answer, observed on the real jar
(`java -jar wiremock-standalone-3.13.2.jar --port P`, the stub POSTed to /__admin/mappings and
the request sent with curl); the comment next to each says what was sent.
"""

from __future__ import annotations

import pytest

from podlab.stub.model.request import LoggedRequest
from podlab.stub.templating import TemplateModel, render_response_template

FORMAT_JSON_ERROR = (
    "[ERROR: formatJson should take a block of JSON to format or a single parameter of type String]"
)


def render(template: str, url: str, body: str = "", compat: int = 3) -> str:
    request = LoggedRequest.from_json(
        {
            "url": url,
            "method": "PUT" if body else "GET",
            "headers": {},
            "body": body,
            "absoluteUrl": "http://localhost:8080" + url,
            "clientIp": "127.0.0.1",
        }
    )
    return render_response_template(
        template, TemplateModel.from_request(request, compat=compat), compat=compat
    )


@pytest.mark.parametrize(
    ("template", "url", "expected"),
    [
        # curl 'http://127.0.0.1:P/t%20x/y%2Fz?q=a%20b'
        ("{{request.path}}|{{request.url}}", "/t%20x/y%2Fz?q=a%20b", "/t x/y/z|/t%20x/y%2Fz?q=a%20b"),
        # curl 'http://127.0.0.1:P/s+x/%2B/%C3%A9': UTF-8, `+` kept
        ("{{request.path}}|{{upper request.path}}", "/s+x/%2B/%C3%A9", "/s+x/+/é|/S+X/+/É"),
        # the path is a list of its decoded segments to helpers
        (
            "{{request.pathSegments.[1]}}|{{request.path.[1]}}|{{size request.pathSegments}}|"
            "{{#each request.pathSegments}}{{this}},{{/each}}|{{request.pathSegments}}",
            "/s%20x/y%2Fz",
            "y|y|3|s x,y,z,|/s x/y/z",
        ),
        # `contains` checks the segments (no segment is `a`), `eq` a String: neither holds
        (
            "{{contains request.path 'a'}}|{{contains request.path 'ab'}}|{{contains request.url 'a'}}|"
            "{{eq request.path '/ab'}}",
            "/ab?q=1",
            "false|true|true|false",
        ),
        ("{{contains request.pathSegments 'y/z'}}", "/s%20x/y%2Fz", "false"),
    ],
)
def test_request_path_is_decoded_segments_in_3x(template: str, url: str, expected: str) -> None:
    assert render(template, url) == expected


def test_request_path_stays_as_sent_in_2x() -> None:
    assert render("{{request.path}}", "/t%20x", compat=2) == "/t%20x"


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        # `{{val request.query.zz or='dflt'}}` on GET /users/1?q=a%20b: `dflt`
        ("{{val request.query.zz or='dflt'}}", "dflt"),
        ("{{val request.query.zz default='d2'}}", "d2"),
        # both given: `or` wins
        ("{{val request.query.zz or='a' default='b'}}", "a"),
        ("{{val 5 default=1}}", "5"),
    ],
)
def test_val_or(template: str, expected: str) -> None:
    assert render(template, "/users/1?q=a%20b") == expected


@pytest.mark.parametrize(
    ("template", "body", "expected"),
    [
        # GET without a body, and PUT with an empty one: the error text, then the rest renders
        ("[{{formatJson request.body}}]", "", f"[{FORMAT_JSON_ERROR}]"),
        ("{{formatJson ''}}|{{base64 'hello'}}", "", f"{FORMAT_JSON_ERROR}|aGVsbG8="),
        ("{{formatJson request.body}}", '{"a":1}', '{\n  "a" : 1\n}'),
    ],
)
def test_format_json_of_empty_text(template: str, body: str, expected: str) -> None:
    assert render(template, "/t", body) == expected


def test_request_path_with_a_path_template_stays_as_sent() -> None:
    # Stub `urlPathTemplate: /pp/{id}`, GET /pp/a%20b: `/pp/a%20b|a%20b|a%20b`.
    request = LoggedRequest.from_json(
        {"url": "/pp/a%20b", "method": "GET", "absoluteUrl": "http://h/pp/a%20b"}
    )
    model = TemplateModel.from_request(request, path_params={"id": "a%20b"})
    rendered = render_response_template("{{request.path}}|{{request.path.id}}|{{request.path.[1]}}", model)
    assert rendered == "/pp/a%20b|a%20b|a%20b"
