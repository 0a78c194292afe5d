"""What a proxying stub sends on and what it answers with, without I/O (WireMock 3.13.2's
ProxyResponseRenderer and ApacheBackedHttpClient, read on the tag and checked on the jar).

Sent on: the method, `proxyBaseUrl` + the request URL (less `proxyUrlPrefixToRemove` when the
URL starts with it), every header but the hop-by-hop ones and User-Agent (WireMock's client puts
its own; `--preserve-user-agent-proxy-header` keeps the caller's), Host rewritten to the base
URL's authority (kept with `--preserve-host-header`), a header whose lower-cased name is listed
in `removeProxyRequestHeaders` dropped (the list is compared as written, so "X-Foo" there drops
nothing: seen on the jar), then `additionalProxyRequestHeaders` set over what is there. The body
goes when there is one or the request had a Content-Length.

Answered: the target's status, headers (less Transfer-Encoding and Connection) followed by the
stub's own `headers`, and body. No Matched-Stub-Id is added (the jar adds none to a proxied
answer; one seen there came from the target).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from podlab.stub.serve.render import header_pairs

FORBIDDEN_REQUEST = frozenset({"transfer-encoding", "content-length", "connection", "upgrade", "user-agent"})
FORBIDDEN_RESPONSE = frozenset({"transfer-encoding", "connection"})
DENIED_BODY = "The target proxy address is denied in WireMock's configuration."


@dataclass(frozen=True, slots=True)
class Outgoing:
    method: str
    url: str
    headers: list[tuple[str, str]]
    body: bytes | None


def proxy_url(definition: dict[str, Any], request_url: str) -> str:
    """`proxyBaseUrl` + the request URL, less `proxyUrlPrefixToRemove` (StringUtils.removeStart)."""
    prefix = definition.get("proxyUrlPrefixToRemove")
    url = request_url
    if isinstance(prefix, str) and prefix and url.startswith(prefix):
        url = url[len(prefix) :]
    return str(definition["proxyBaseUrl"]) + url


def outgoing(
    method: str,
    request_headers: list[tuple[str, str]],
    body: bytes,
    url: str,
    definition: dict[str, Any],
    *,
    preserve_host: bool = False,
    preserve_user_agent: bool = False,
) -> Outgoing:
    removed = definition.get("removeProxyRequestHeaders") or []
    headers: list[tuple[str, str]] = []
    has_length = False
    for name, value in request_headers:
        lowered = name.lower()
        if lowered == "content-length":
            has_length = True
        if lowered in removed:
            continue
        if lowered in FORBIDDEN_REQUEST and not (preserve_user_agent and lowered == "user-agent"):
            continue
        if lowered == "host" and not preserve_host:
            value = urlsplit(str(definition["proxyBaseUrl"])).netloc
        headers.append((name, value))
    extra = definition.get("additionalProxyRequestHeaders")
    if isinstance(extra, dict):
        for name, given in extra.items():
            # setHeader(key, firstValue()): replaces any header of that name, first value only
            values = given if isinstance(given, list) else [given]
            if not values:
                continue
            lowered = str(name).lower()
            headers = [(n, v) for n, v in headers if n.lower() != lowered]
            headers.append((str(name), header_pairs({name: values[0]})[0][1]))
    send_body = body if (body or has_length) else None
    return Outgoing(method, url, headers, send_body)


def answer_headers(
    target_headers: list[tuple[str, str]], definition: dict[str, Any], *, stub_cors: bool = False
) -> list[tuple[str, str]]:
    kept = [
        (name, value)
        for name, value in target_headers
        if name.lower() not in FORBIDDEN_RESPONSE
        and not (stub_cors and name.lower().startswith("access-control"))
    ]
    return kept + header_pairs(definition.get("headers"))


def failure_body(kind: str, url: str, message: str) -> bytes:
    """The 500 body WireMock answers when the target cannot be reached (`kind`: Network, SSL)."""
    return f"{kind} failure trying to make a proxied request from WireMock to {url}\r\n{message}".encode()
