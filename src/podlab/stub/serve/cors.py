"""CORS answers WireMock gives: a preflight's headers, and the headers on an answer to an origin.

The admin API always answers CORS; stubs only with --enable-stub-cors (a filter in front of them).
"""

from __future__ import annotations

from podlab.httpcore import Request

_CORS_METHODS = "OPTIONS,GET,POST,PUT,PATCH,DELETE"


def preflight_headers(request: Request, origin: str) -> list[tuple[str, str]]:
    """The 200 answer's headers to an OPTIONS preflight from `origin`."""
    return [
        ("Access-Control-Allow-Origin", origin),
        ("Access-Control-Allow-Credentials", "true"),
        ("Access-Control-Max-Age", "1800"),
        ("Access-Control-Allow-Methods", _CORS_METHODS),
        ("Access-Control-Allow-Headers", request.header("Access-Control-Request-Headers") or ""),
    ]


def origin_headers(origin: str) -> list[tuple[str, str]]:
    """What an answer to a request with an Origin carries."""
    return [("Access-Control-Allow-Origin", origin), ("Access-Control-Allow-Credentials", "true")]
