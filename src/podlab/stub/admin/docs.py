"""`GET /__admin/docs` and `/__admin/docs/swagger` (3.x): WireMock's API documentation.

Observed on the 3.13.2 jar: `/__admin/docs` answers 200 `Content-Type: text/html` with a short
index page linking the OpenAPI 3.0 spec (`/__admin/docs/swagger`, 200 application/json, the
jar's own 96 KB document) and the Swagger UI (`/__admin/swagger-ui`: a 302 to
`/__admin/swagger-ui/`, a page loading the swagger-ui-dist scripts shipped in the jar).

podlab serves the same index page and, at `/__admin/docs/swagger`, an OpenAPI 3.0 document of
its own made from its admin routes (every path and method it answers, with `{id}` parameters);
it ships neither WireMock's document nor the Swagger UI, so `/__admin/swagger-ui` stays a 404.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

INDEX_HTML = """<!DOCTYPE html>
<html lang="en">
<head>
    <meta charset="UTF-8">
    <title>WireMock Documentation Index</title>
</head>
<body>
    <a href="/__admin/docs/swagger" title="OpenAPI 3.0 spec">OpenAPI 3.0 spec</a><br />
    <a href="/__admin/swagger-ui" title="Swagger UI">Swagger UI</a><br />
</body>
</html>
"""

_PARAMETER = re.compile(r"\{(\w+)\}")


def openapi_document(routes: Iterable[tuple[str, str, str]], version: str) -> dict[str, Any]:
    """An OpenAPI 3.0 document for (method, route pattern relative to /__admin, handler name)."""
    paths: dict[str, dict[str, Any]] = {}
    for method, pattern, handler in routes:
        path = "/__admin" + pattern.replace("/**", "/{filename}")
        operation: dict[str, Any] = {
            "operationId": handler,
            "responses": {"default": {"description": "WireMock's answer"}},
        }
        names = _PARAMETER.findall(path)
        if names:
            operation["parameters"] = [
                {"name": name, "in": "path", "required": True, "schema": {"type": "string"}} for name in names
            ]
        paths.setdefault(path, {})[method.lower()] = operation
    return {
        "openapi": "3.0.0",
        "info": {
            "title": "WireMock",
            "version": version,
            "description": "The WireMock admin API as podlab stub serves it",
        },
        "servers": [{"url": "/"}],
        "paths": paths,
    }
