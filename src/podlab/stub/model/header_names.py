"""The header names Jetty writes in its own spelling whatever case the client sent.

Jetty's parser looks each field name up in its table of known headers (the HttpHeader enum) and,
when it is there, keeps the table's spelling: a client's `content-type` is journaled and logged as
`Content-Type`, while `x-custom` stays as sent. Read out of the wiremock-standalone jars and
checked against the journal of the real servers (3.13.2 and 2.35.1), 2026-12-07: 3.13.2's Jetty 11
knows two names 2.35.1's Jetty 9 does not (Alt-Svc, Link).
"""

from __future__ import annotations

_JETTY_9_NAMES = (
    "Connection",
    "Cache-Control",
    "Date",
    "Pragma",
    "Proxy-Connection",
    "Trailer",
    "Transfer-Encoding",
    "Upgrade",
    "Via",
    "Warning",
    "Negotiate",
    "Allow",
    "Content-Encoding",
    "Content-Language",
    "Content-Length",
    "Content-Location",
    "Content-MD5",
    "Content-Range",
    "Content-Type",
    "Expires",
    "Last-Modified",
    "Accept",
    "Accept-Charset",
    "Accept-Encoding",
    "Accept-Language",
    "Authorization",
    "Expect",
    "Forwarded",
    "From",
    "Host",
    "If-Match",
    "If-Modified-Since",
    "If-None-Match",
    "If-Range",
    "If-Unmodified-Since",
    "Keep-Alive",
    "Max-Forwards",
    "Proxy-Authorization",
    "Range",
    "Request-Range",
    "Referer",
    "TE",
    "User-Agent",
    "X-Forwarded-For",
    "X-Forwarded-Port",
    "X-Forwarded-Proto",
    "X-Forwarded-Server",
    "X-Forwarded-Host",
    "Accept-Ranges",
    "Age",
    "ETag",
    "Location",
    "Proxy-Authenticate",
    "Retry-After",
    "Server",
    "Servlet-Engine",
    "Vary",
    "WWW-Authenticate",
    "Origin",
    "Sec-WebSocket-Key",
    "Sec-WebSocket-Version",
    "Sec-WebSocket-Extensions",
    "Sec-WebSocket-Protocol",
    "Sec-WebSocket-Accept",
    "Cookie",
    "Set-Cookie",
    "Set-Cookie2",
    "MIME-Version",
    "X-Powered-By",
    "HTTP2-Settings",
    "Strict-Transport-Security",
)
_JETTY_11_NAMES = (*_JETTY_9_NAMES, "Alt-Svc", "Link")

HEADER_NAMES: dict[int, dict[str, str]] = {
    2: {name.lower(): name for name in _JETTY_9_NAMES},
    3: {name.lower(): name for name in _JETTY_11_NAMES},
}


def jetty_spelling(headers: list[tuple[str, str]], compat: int) -> list[tuple[str, str]]:
    """The headers with every name Jetty knows in Jetty's spelling, others as sent."""
    names = HEADER_NAMES[compat]
    return [(names.get(name.lower(), name), value) for name, value in headers]
