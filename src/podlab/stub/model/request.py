"""The request as matchers, the journal and templates see it (WireMock's LoggedRequest).

Built once per incoming request from the HTTP core's `Request`; everything derived from it
(decoded query and form parameters, cookies, the body as text) is computed on first use and
cached, because a request is matched against every stub.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_plus, urlsplit

from podlab.httpcore import header_value, header_values
from podlab.stub.model.header_names import HEADER_NAMES
from podlab.stub.model.ids import random_uuid

if TYPE_CHECKING:
    from podlab.httpcore import Request

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
# Jetty recognises these methods case-insensitively and hands WireMock their upper-case names;
# any other method stays as sent.
KNOWN_METHODS = frozenset(
    {"GET", "POST", "HEAD", "PUT", "OPTIONS", "DELETE", "TRACE", "CONNECT", "MOVE", "PROXY", "PRI", "PATCH"}
)


_PROTOCOLS = {"1.1": "HTTP/1.1", "1.0": "HTTP/1.0", "2.0": "HTTP/2.0"}


def parse_params(text: str) -> dict[str, list[str]]:
    """`a=1&a=2&b` as WireMock decodes query strings and form bodies: `+` is a space, a key
    without `=` has the value "", keys keep their first-seen order."""
    out: dict[str, list[str]] = {}
    for part in text.split("&"):
        if not part:
            continue
        key, sep, value = part.partition("=")
        out.setdefault(unquote_plus(key), []).append(unquote_plus(value) if sep else "")
    return out


def parse_cookies(header_values: list[str]) -> dict[str, list[str]]:
    """Cookies from every `Cookie` header, in order; a name sent twice keeps both values."""
    out: dict[str, list[str]] = {}
    for header in header_values:
        for part in header.split(";"):
            name, sep, value = part.strip().partition("=")
            if not name or not sep:
                continue
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1]  # Jetty unquotes quoted cookie values
            out.setdefault(name, []).append(value)
    return out


def charset_of(content_type: str | None) -> str:
    """The `charset=` of a Content-Type, or UTF-8 (WireMock's default for bodies)."""
    if content_type:
        for param in content_type.split(";")[1:]:
            key, _, value = param.strip().partition("=")
            if key.lower() == "charset" and value:
                candidate = value.strip().strip('"')
                try:
                    "".encode(candidate)
                except LookupError:
                    break
                return candidate
    return "utf-8"


def _one_or_many(values: list[str]) -> str | list[str]:
    return values[0] if len(values) == 1 else list(values)


def _iso_millis(moment: datetime) -> str:
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def absolute_target(target: str) -> tuple[str, str, str] | None:
    """Scheme, authority and path-with-query of an absolute-form request target
    (`http://example.com:8080/x?q=1`, RFC 9112 §3.2.2); None for any other form."""
    if target.startswith("/"):
        return None
    parts = urlsplit(target)
    if not parts.scheme or not parts.netloc:
        return None
    return parts.scheme, parts.netloc, (parts.path or "/") + ("?" + parts.query if parts.query else "")


@dataclass
class LoggedRequest:
    id: str
    method: str
    url: str  # path + "?" + query, exactly as sent (still percent-encoded)
    absolute_url: str
    client_ip: str
    protocol: str  # "HTTP/1.1"
    headers: list[tuple[str, str]]  # arrival order, names as sent (header_map spells them)
    body: bytes
    logged_at: datetime  # UTC
    browser_proxy_request: bool = False
    # Which journal keys a request built by `from_json` (the near-miss admin API) was given;
    # None for a real request, whose journal entry always has every key.
    given_keys: frozenset[str] | None = field(default=None, repr=False, compare=False)
    # Which WireMock's Jetty received it: header names are shown in its spelling (header_map).
    compat: int = field(default=3, repr=False, compare=False)

    @classmethod
    def from_http(
        cls,
        req: Request,
        *,
        scheme: str = "http",
        logged_at: datetime | None = None,
        compat: int = 3,
        browser_proxying: bool = False,
    ) -> LoggedRequest:
        url, host = req.target, req.header("Host") or req.authority
        target = None if url[:1] == "/" else absolute_target(url)  # origin form: the usual
        if target is not None:
            # An absolute-form target (what a client that takes the stub for its proxy sends):
            # WireMock matches and journals its path and query, and takes scheme, host and port
            # from it (3.13.2 and 2.35.1 alike, browser proxying off).
            scheme, host, url = target
        if url.endswith("?") and url.count("?") == 1:
            url = url[:-1]  # WireMock drops an empty query: "/x?" is "/x"
        if not host:
            server_host, server_port = req.server
            host = f"[{server_host}]:{server_port}" if ":" in server_host else f"{server_host}:{server_port}"
        method = req.method
        if method not in KNOWN_METHODS and method.upper() in KNOWN_METHODS:
            method = method.upper()
        return cls(
            id=random_uuid(),
            method=method,
            url=url,
            absolute_url=f"{scheme}://{host}{url}",
            client_ip=req.client[0],
            protocol=_PROTOCOLS.get(req.http_version) or f"HTTP/{req.http_version}",
            # Shared, not copied: a Request's headers never change once it is made (httpcore).
            headers=req.headers,
            compat=compat,
            body=req.body,
            logged_at=logged_at if logged_at is not None else datetime.now(UTC),
            # With --enable-browser-proxying an absolute-form target is a browser proxy request.
            browser_proxy_request=browser_proxying and target is not None,
        )

    @classmethod
    def from_json(cls, obj: dict[str, Any], *, logged_at: datetime | None = None) -> LoggedRequest:
        """A logged-request-like object (POST /__admin/near-misses/request), leniently read."""
        url = str(obj.get("url") or "/")
        headers: list[tuple[str, str]] = []
        for name, value in (obj.get("headers") or {}).items():
            for item in value if isinstance(value, list) else [value]:
                headers.append((str(name), str(item)))
        cookies = obj.get("cookies")
        if isinstance(cookies, dict) and cookies and not any(k.lower() == "cookie" for k, _ in headers):
            pairs = []
            for name, value in cookies.items():
                for item in value if isinstance(value, list) else [value]:
                    pairs.append(f"{name}={item}")
            headers.append(("Cookie", "; ".join(pairs)))
        body = b""
        if isinstance(obj.get("bodyAsBase64"), str):
            try:
                body = base64.b64decode(obj["bodyAsBase64"], validate=True)
            except (binascii.Error, ValueError):
                body = b""
        elif obj.get("body") is not None:
            body = str(obj["body"]).encode("utf-8")
        absolute = obj.get("absoluteUrl")
        return cls(
            id=random_uuid(),
            method=str(obj.get("method") or "GET"),
            url=url,
            absolute_url=str(absolute) if absolute else "http://localhost" + url,
            client_ip=str(obj.get("clientIp") or ""),
            protocol=str(obj.get("protocol") or "HTTP/1.1"),
            headers=headers,
            body=body,
            logged_at=logged_at if logged_at is not None else datetime.now(UTC),
            browser_proxy_request=bool(obj.get("browserProxyRequest", False)),
            given_keys=frozenset(obj),
        )

    # --- headers -------------------------------------------------------------------------

    def header(self, name: str) -> str | None:
        """First value of a header, case-insensitively."""
        return header_value(self.headers, name)

    def header_values(self, name: str) -> list[str]:
        """All values of a header in arrival order, case-insensitively."""
        return header_values(self.headers, name)

    def header_map(self) -> dict[str, list[str]]:
        """Headers grouped case-insensitively, named as Jetty spells a name it knows (whatever
        case was sent: `content-type` is `Content-Type`), others as first sent.

        Spelled here, when shown (journal, templates), not when the request arrives: matching
        ignores case, and most requests are never shown."""
        # HTTP/2 field names are lower case on the wire, and Jetty shows them so (seen on the jar).
        known = HEADER_NAMES[self.compat] if self.protocol != "HTTP/2.0" else {}
        names: dict[str, str] = {}
        out: dict[str, list[str]] = {}
        for key, value in self.headers:
            lowered = key.lower()
            shown = names.get(lowered)
            if shown is None:
                shown = names[lowered] = known.get(lowered, key)
            out.setdefault(shown, []).append(value)
        return out

    # --- URL parts -----------------------------------------------------------------------

    @cached_property
    def path(self) -> str:
        """The raw (percent-encoded) path."""
        return self.url.split("?", 1)[0]

    @cached_property
    def query(self) -> str:
        """The raw query without "?"."""
        _, _, query = self.url.partition("?")
        return query

    @cached_property
    def query_params(self) -> dict[str, list[str]]:
        return parse_params(self.query)

    @cached_property
    def _absolute(self) -> Any:
        return urlsplit(self.absolute_url)

    @property
    def scheme(self) -> str:
        return str(self._absolute.scheme or "http")

    @property
    def host(self) -> str:
        return str(self._absolute.hostname or "")

    @property
    def port(self) -> int:
        try:
            port = self._absolute.port
        except ValueError:
            port = None
        if port is None:
            return 443 if self.scheme == "https" else 80
        return int(port)

    @property
    def _has_port(self) -> bool:
        """Whether the URL names its port: 2.35.1 journals `"port": -1` when it does not (the
        java.net.URI's), where 3.13.2 fills in the scheme's default."""
        try:
            return self._absolute.port is not None
        except ValueError:
            return False

    # --- body ----------------------------------------------------------------------------

    @cached_property
    def cookies(self) -> dict[str, list[str]]:
        return parse_cookies(self.header_values("Cookie"))

    @cached_property
    def charset(self) -> str:
        return charset_of(self.header("Content-Type"))

    @cached_property
    def body_as_string(self) -> str:
        return self.body.decode(self.charset, errors="replace")

    @cached_property
    def body_as_base64(self) -> str:
        return base64.b64encode(self.body).decode("ascii")

    @cached_property
    def is_form(self) -> bool:
        content_type = (self.header("Content-Type") or "").lower()
        return content_type.split(";", 1)[0].strip() == FORM_CONTENT_TYPE

    @cached_property
    def form_params(self) -> dict[str, list[str]]:
        """Fields of an application/x-www-form-urlencoded body (empty for any other body)."""
        return parse_params(self.body_as_string) if self.is_form else {}

    # --- JSON ----------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        """The journal's LoggedRequest (docs/reference/wiremock.md §8), keys in WireMock's order."""
        full = self.given_keys is None

        def wanted(key: str) -> bool:
            return full or key in (self.given_keys or ())

        out: dict[str, Any] = {"url": self.url}
        if wanted("absoluteUrl"):
            out["absoluteUrl"] = self.absolute_url
        out["method"] = self.method
        if wanted("clientIp"):
            out["clientIp"] = self.client_ip
        out["headers"] = {name: _one_or_many(values) for name, values in self.header_map().items()}
        if wanted("cookies"):
            out["cookies"] = {name: _one_or_many(values) for name, values in self.cookies.items()}
        out["browserProxyRequest"] = self.browser_proxy_request
        if wanted("loggedDate"):
            out["loggedDate"] = int(self.logged_at.timestamp() * 1000)
        if wanted("body") or wanted("bodyAsBase64"):
            out["bodyAsBase64"] = self.body_as_base64
            out["body"] = self.body_as_string
        if wanted("protocol"):
            out["protocol"] = self.protocol
        if wanted("absoluteUrl"):
            out["scheme"] = self.scheme
            out["host"] = self.host
        out["port"] = self.port if self.compat == 3 or self._has_port else -1
        if wanted("loggedDateString"):
            out["loggedDateString"] = _iso_millis(self.logged_at)
        out["queryParams"] = {k: {"key": k, "values": v} for k, v in self.query_params.items()}
        if self.compat == 3:  # 2.35.1's LoggedRequest has no formParams
            out["formParams"] = {k: {"key": k, "values": v} for k, v in self.form_params.items()}
        return out
