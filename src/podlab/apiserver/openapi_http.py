"""How the OpenAPI documents are answered over HTTP, as k8s.io/kube-openapi's handlers do.

- `/openapi/v3` (pkg/handler3 HandleDiscovery): the index, `Etag: "<SHA-512>"`, JSON.
- `/openapi/v3/<gv>` (HandleGroupVersion): `Vary: Accept`; a `hash` that is not the current one
  is a 301 to the current URL; with the right hash `Cache-Control: public, immutable` and an
  `Expires` one year ahead. podlab does not encode the v3 protobuf form (kubectl asks JSON), so
  an Accept that allows only it gets the bare 406 given to an Accept nothing matches.
- `/openapi/v2` (pkg/handler): JSON, or gnostic protobuf (openapi_protobuf.py) for the two
  protobuf media types client-go sends, both with the JSON form's ETag; 406 for anything else.

Both handlers answer `If-None-Match` with 304 and send Last-Modified (Go's http.ServeContent).
Bodies go gzipped when the client accepts gzip, as their gzip handlers do.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from email.utils import formatdate

from podlab.httpcore import Request, Response

from . import openapi
from .negotiation import not_found_response, query_params

JSON = "application/json"


PROTOBUF_V2 = "com.github.proto-openapi.spec.v2.v1.0+protobuf"
PROTOBUF_V2_DEPRECATED = "com.github.proto-openapi.spec.v2@v1.0+protobuf"


def _clauses(accept: str | None) -> list[tuple[str, str]]:
    """goautoneg.ParseAccept: (type, subtype) by falling q, then the more specific first; an
    absent header is */*."""
    parsed: list[tuple[float, bool, bool, int, str, str]] = []
    for index, clause in enumerate((accept or "*/*").split(",")):
        fields = [f.strip() for f in clause.split(";")]
        kind, _, sub = fields[0].lower().partition("/")
        q = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q > 0 and kind:
            parsed.append((-q, kind == "*", sub == "*", index, kind, sub or "*"))
    return [(kind, sub) for *_, kind, sub in sorted(parsed)]


def _negotiate(accept: str | None, offered: tuple[str, ...]) -> str | None:
    """The first `application/<subtype>` of `offered` the first matching clause allows."""
    for kind, sub in _clauses(accept):
        for subtype in offered:
            if kind in ("application", "*") and sub in (subtype, "*"):
                return subtype
    return None


def _send(
    request: Request,
    served: openapi.Served,
    headers: list[tuple[str, str]],
    *,
    modified: float | None = None,
    content_type: str = JSON,
) -> Response:
    """http.ServeContent's part: Last-Modified, and 304 for a matching If-None-Match."""
    etag = f'"{served.etag}"'
    stamp = formatdate(served.built if modified is None else modified, usegmt=True)
    headers = [*headers, ("Etag", etag), ("Last-Modified", stamp)]
    if request.header("If-None-Match") in (etag, "*"):
        return Response(304, headers)
    if "gzip" in (request.header("Accept-Encoding") or "").lower():
        return Response(
            200, [("Content-Type", content_type), *headers, ("Content-Encoding", "gzip")], served.gzipped
        )
    return Response(200, [("Content-Type", content_type), *headers], served.body)


def _expires(now: datetime) -> str:
    """Go's time.RFC1123 of now.AddDate(1, 0, 0), in UTC as the server's clock prints it."""
    try:
        later = now.replace(year=now.year + 1)
    except ValueError:  # 29 February: AddDate normalises to 1 March
        later = now.replace(year=now.year + 1, month=3, day=1)
    return later.strftime("%a, %d %b %Y %H:%M:%S UTC")


def openapi_response(parts: list[str], request: Request) -> Response:
    """`parts`: the path after `/openapi`, split on `/` (`["v3", "apis", "apps", "v1"]`)."""
    if parts == ["v2"]:
        chosen = _negotiate(request.header("Accept"), ("json", PROTOBUF_V2_DEPRECATED, PROTOBUF_V2))
        if chosen is None:
            return Response(406, [("Vary", "Accept")])
        if chosen == "json":
            return _send(request, openapi.v2_served(), [("Vary", "Accept")])
        return _send(
            request, openapi.v2_protobuf(), [("Vary", "Accept")], content_type=f"application/{PROTOBUF_V2}"
        )
    if parts == ["v3"]:  # HandleDiscovery serves the index with time.Now() as its modtime
        return _send(request, openapi.index_served(), [], modified=time.time())
    if parts[:1] != ["v3"]:
        return not_found_response()
    rest = parts[1:]
    if rest[:1] == ["api"] and len(rest) == 2:
        group, version = "", rest[1]
    elif rest[:1] == ["apis"] and len(rest) == 3:
        group, version = rest[1], rest[2]
    else:
        return not_found_response()
    served = openapi.v3_served(group, version)
    if served is None:
        return not_found_response()
    # The v3 protobuf forms are not encoded: an Accept that allows only them is refused.
    if _negotiate(request.header("Accept"), ("json",)) is None:
        return Response(406, [("Vary", "Accept")])
    headers = [("Vary", "Accept")]
    wanted = query_params(request.query).get("hash", "")
    if wanted:
        if wanted != served.etag:
            location = openapi.server_relative_url(group, version, served.etag)
            return Response(301, [("Location", location), *headers])
        now = datetime.now(UTC)
        headers += [("Cache-Control", "public, immutable"), ("Expires", _expires(now))]
    return _send(request, served, headers)
