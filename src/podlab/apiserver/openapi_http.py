"""How the OpenAPI documents are answered over HTTP, as k8s.io/kube-openapi's handlers do.

- `/openapi/v3` (pkg/handler3 HandleDiscovery): the index, `Etag: "<SHA-512>"`, JSON.
- `/openapi/v3/<gv>` (HandleGroupVersion): `Vary: Accept`; a `hash` that is not the current one
  is a 301 to the current URL; with the right hash `Cache-Control: public, immutable` and an
  `Expires` one year ahead; an Accept that allows neither JSON nor protobuf is a bare 406.
- `/openapi/v2` (pkg/handler): JSON, or 406 for an Accept without JSON.

Both handlers answer `If-None-Match` with 304 (Go's http.ServeContent). podlab does not encode
the gnostic protobuf forms, so an Accept that lists only them gets the 406 a server without
them would give; client-go then falls back (v2: `/swagger-2.0.0.pb-v1`, which 404s). Bodies go
gzipped when the client accepts gzip, as kube-apiserver's compression filter does for large ones.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from email.utils import formatdate

from podlab.httpcore import Request, Response

from . import openapi
from .negotiation import not_found_response, query_params

JSON = "application/json"


def _accepts_json(accept: str | None) -> bool:
    """goautoneg's match of `application/json` against the Accept list (absent means */*)."""
    for clause in (accept or "*/*").split(","):
        fields = [f.strip() for f in clause.split(";")]
        media = fields[0].lower()
        q = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q > 0 and media in ("*/*", "application/*", JSON):
            return True
    return False


def _send(
    request: Request, served: openapi.Served, headers: list[tuple[str, str]], *, modified: float | None = None
) -> Response:
    """http.ServeContent's part: Last-Modified, and 304 for a matching If-None-Match."""
    etag = f'"{served.etag}"'
    stamp = formatdate(served.built if modified is None else modified, usegmt=True)
    headers = [*headers, ("Etag", etag), ("Last-Modified", stamp)]
    if request.header("If-None-Match") in (etag, "*"):
        return Response(304, headers)
    if "gzip" in (request.header("Accept-Encoding") or "").lower():
        return Response(200, [("Content-Type", JSON), *headers, ("Content-Encoding", "gzip")], served.gzipped)
    return Response(200, [("Content-Type", JSON), *headers], served.body)


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
        if not _accepts_json(request.header("Accept")):
            return Response(406, [("Vary", "Accept")])
        return _send(request, openapi.v2_served(), [("Vary", "Accept")])
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
    if not _accepts_json(request.header("Accept")):
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
