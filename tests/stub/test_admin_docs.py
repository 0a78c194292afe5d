"""`/__admin/docs` and `/__admin/docs/swagger` on a real `podlab stub` process (3.x).

The index page is 3.13.2's, byte for byte (`curl -D - http://127.0.0.1:P/__admin/docs` on the
jar: 200, `Content-Type: text/html`, `Vary: Origin`); the OpenAPI document is podlab's own
(admin/docs.py says why), checked for shape and for listing the routes it answers.
"""

from __future__ import annotations

import json

from .conftest import StubProcess

# What the 3.13.2 jar answered to GET /__admin/docs (the body, as received).
INDEX_3_13_2 = (
    "<!DOCTYPE html>\n"
    '<html lang="en">\n'
    "<head>\n"
    '    <meta charset="UTF-8">\n'
    "    <title>WireMock Documentation Index</title>\n"
    "</head>\n"
    "<body>\n"
    '    <a href="/__admin/docs/swagger" title="OpenAPI 3.0 spec">OpenAPI 3.0 spec</a><br />\n'
    '    <a href="/__admin/swagger-ui" title="Swagger UI">Swagger UI</a><br />\n'
    "</body>\n"
    "</html>\n"
)


def test_docs_index_is_wiremocks(stub_server: StubProcess) -> None:
    status, headers, body = stub_server.call("GET", "/__admin/docs")
    assert status == 200
    assert body.decode() == INDEX_3_13_2
    assert headers["content-type"] == "text/html"
    assert headers["vary"] == "Origin"


def test_docs_swagger_is_an_openapi_document_of_the_admin_routes(stub_server: StubProcess) -> None:
    status, headers, body = stub_server.call("GET", "/__admin/docs/swagger")
    assert status == 200
    assert headers["content-type"] == "application/json"
    document = json.loads(body)
    assert document["openapi"] == "3.0.0"
    assert document["info"]["title"] == "WireMock"
    assert document["info"]["version"] == "3.13.2"
    assert set(document["paths"]["/__admin/mappings"]) == {"get", "post", "delete"}
    mapping = document["paths"]["/__admin/mappings/{id}"]
    assert mapping["get"]["parameters"] == [
        {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
    ]
    assert "get" in document["paths"]["/__admin/docs/swagger"]
    # every path listed is answered (not a 404)
    for path, operations in document["paths"].items():
        if "get" in operations and "{" not in path and path not in ("/__admin/shutdown",):
            assert stub_server.call("GET", path)[0] != 404, path
