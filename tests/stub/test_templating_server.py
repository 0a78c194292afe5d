"""Response templating end to end: a real `python -m podlab.stub` process, real HTTP requests.

The expectations are what WireMock 3.13.2 served for the same stubs and requests (observed with
the standalone jar): templated bodies, header values, `bodyFileName` (name and content), a broken
template answering 500, and a stub without the transformer served literally.
"""

from __future__ import annotations

import html
import http.client
import json
from typing import Any

from .conftest import StubProcess


def add_stub(stub: StubProcess, mapping: dict[str, Any]) -> None:
    status, _, body = stub.call("POST", "/__admin/mappings", mapping)
    assert status == 201, body


def template_stub(url_path: str, response: dict[str, Any]) -> dict[str, Any]:
    return {"request": {"urlPath": url_path}, "response": {**response, "transformers": ["response-template"]}}


def test_templated_responses_over_http(stub_server: StubProcess) -> None:
    stub = stub_server
    add_stub(
        stub,
        template_stub(
            "/tpl/echo",
            {
                "status": 201,
                "headers": {"X-Echo": "{{request.query.v}}", "Location": "/items/{{request.query.v}}"},
                "body": "{{request.method}} {{upper request.query.v}} {{jsonPath request.body '$.a.b'}} "
                "{{request.headers.x-trace}} {{size request.query.v}}",
            },
        ),
    )
    status, headers, body = stub.call(
        "POST", "/tpl/echo?v=abc&v=def", '{"a":{"b":"deep"}}', headers={"X-Trace": "t-1"}
    )
    assert (status, body.decode()) == (201, "POST ABC deep t-1 2")
    assert headers["x-echo"] == "abc" and headers["location"] == "/items/abc"


def test_body_file_name_and_content_are_templated(stub_server: StubProcess) -> None:
    stub = stub_server
    files = stub.root / "__files"
    files.mkdir(parents=True, exist_ok=True)
    (files / "item-7.json").write_text('{"id": "{{request.query.id}}", "m": "{{request.method}}"}')
    add_stub(stub, template_stub("/tpl/file", {"bodyFileName": "item-{{request.query.id}}.json"}))
    status, _, body = stub.call("GET", "/tpl/file?id=7")
    assert status == 200
    assert json.loads(body) == {"id": "7", "m": "GET"}


def test_json_body_and_path_template(stub_server: StubProcess) -> None:
    stub = stub_server
    add_stub(
        stub,
        {
            "request": {"urlPathTemplate": "/tpl/users/{id}"},
            "response": {
                "jsonBody": {"id": "{{request.path.id}}", "n": 1},
                "transformers": ["response-template"],
            },
        },
    )
    status, _, body = stub.call("GET", "/tpl/users/u42")
    assert status == 200 and json.loads(body) == {"id": "u42", "n": 1}


def test_a_broken_template_answers_500_and_no_transformer_means_literal(stub_server: StubProcess) -> None:
    stub = stub_server
    add_stub(stub, template_stub("/tpl/broken", {"body": "{{#if request.url}}never closed"}))
    add_stub(stub, {"request": {"urlPath": "/tpl/literal"}, "response": {"body": "{{request.url}}"}})
    status, _, body = stub.call("GET", "/tpl/broken")
    assert status == 500  # Jetty's error page (serve/error_page.py), the message escaped
    assert "found: '<EOF>', expected: '{{/'" in html.unescape(body.decode())
    status, _, body = stub.call("GET", "/tpl/literal?a=1")
    assert (status, body.decode()) == (200, "{{request.url}}")


def test_status_message_is_literal_and_broken_json_body_answers_500(stub_server: StubProcess) -> None:
    # WireMock 3.13.2 (observed): statusMessage is not templated, and a jsonBody whose rendered
    # text is no longer JSON fails the response with a 500 naming Jackson's JsonMappingException.
    stub = stub_server
    add_stub(stub, template_stub("/tpl/reason", {"statusMessage": "Made {{request.query.x}}", "body": "b"}))
    add_stub(stub, template_stub("/tpl/json", {"jsonBody": {"a": "{{request.query.x}}"}}))
    conn = http.client.HTTPConnection("127.0.0.1", stub.port, timeout=10)
    try:
        conn.request("GET", "/tpl/reason?x=y")
        resp = conn.getresponse()
        assert (resp.status, resp.reason, resp.read()) == (200, "Made {{request.query.x}}", b"b")
        conn.request("GET", "/tpl/json?x=y")
        resp = conn.getresponse()
        assert (resp.status, resp.read()) == (200, b'{"a":"y"}')
        conn.request("GET", "/tpl/json?x=%22")
        resp = conn.getresponse()
        assert resp.status == 500
        assert b"JsonMappingException" in resp.read()
    finally:
        conn.close()
