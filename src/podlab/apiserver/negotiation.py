"""Content negotiation and the response shapes every handler shares."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from podlab.httpcore import Response
from podlab.store import StoreError

Obj = dict[str, Any]

JSON = "application/json"
TABLE_CONTENT_TYPE = "application/json;as=Table;v=v1;g=meta.k8s.io"
DISCOVERY_CONTENT_TYPE = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"


def _media_ranges(accept: str | None) -> list[dict[str, str]]:
    ranges = []
    for item in (accept or "").split(","):
        fields = [f.strip() for f in item.split(";")]
        params = {"type": fields[0].lower()}
        for f in fields[1:]:
            key, _, value = f.partition("=")
            params[key.strip().lower()] = value.strip()
        ranges.append(params)
    return ranges


def wants_table(accept: str | None) -> bool:
    """True when the client asks for a meta.k8s.io/v1 Table (kubectl get does)."""
    return any(r.get("as") == "Table" and r.get("v") == "v1" for r in _media_ranges(accept))


def wants_aggregated_discovery(accept: str | None) -> bool:
    return any(
        r.get("as") == "APIGroupDiscoveryList" and r.get("g") == "apidiscovery.k8s.io" and r.get("v") == "v2"
        for r in _media_ranges(accept)
    )


def query_params(query: str) -> dict[str, str]:
    """First value of each parameter, percent-decoded."""
    params: dict[str, str] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        params.setdefault(key, value)
    return params


def flag(params: dict[str, str], name: str) -> bool:
    return params.get(name, "").lower() in ("true", "1")


def json_bytes(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


def json_response(
    status: int, obj: Any, *, content_type: str = JSON, headers: list[tuple[str, str]] | None = None
) -> Response:
    return Response(status, [("Content-Type", content_type), *(headers or [])], json_bytes(obj))


def status_body(code: int, reason: str, message: str, details: Obj | None = None) -> Obj:
    body: Obj = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }
    if details is not None:
        body["details"] = details
    return body


def status_response(code: int, reason: str, message: str, details: Obj | None = None) -> Response:
    return json_response(code, status_body(code, reason, message, details))


def error_response(err: StoreError) -> Response:
    return json_response(err.code, err.status())


def not_found_response() -> Response:
    return status_response(404, "NotFound", "the server could not find the requested resource", {})


def internal_error_response(exc: BaseException) -> Response:
    """500 for a handler bug, as apierrors.NewInternalError words it: never plain text."""
    err = f"{type(exc).__name__}: {exc}"[:300]
    return status_response(
        500, "InternalError", f"Internal error occurred: {err}", {"causes": [{"message": err}]}
    )


def method_not_allowed() -> Response:
    return status_response(
        405, "MethodNotAllowed", "the server does not allow this method on the requested resource", {}
    )
