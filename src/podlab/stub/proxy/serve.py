"""The proxy step of serving a stub: send the request on, make the target's answer the plan."""

from __future__ import annotations

import random
from typing import Any
from urllib.parse import urlsplit

from podlab.httpcore import Request
from podlab.stub.options import StubOptions
from podlab.stub.outbound.targets import DENIED_PROXY
from podlab.stub.proxy.client import ProxyClient, ProxyDenied, ProxyFailure, Reply
from podlab.stub.proxy.forward import Outgoing, answer_headers, failure_body, outgoing, proxy_url
from podlab.stub.serve.render import ResponsePlan, delay_ms, dribble_of


async def proxied_plan(
    definition: dict[str, Any],
    request: Request,
    request_url: str,
    client: ProxyClient,
    options: StubOptions,
    *,
    settings: dict[str, Any],
    rng: random.Random,
) -> ResponsePlan:
    """The target's answer for `request` (its URL as WireMock has it: `request_url`), or
    WireMock's 500 when the target cannot be reached."""
    url = proxy_url(definition, request_url)
    sent = outgoing(
        request.method.upper(),
        request.headers,
        request.body,
        url,
        definition,
        preserve_host=options.preserve_host_header,
        preserve_user_agent=options.preserve_user_agent_proxy_header,
    )
    reply = await _exchange(client, sent, url)
    if isinstance(reply, ResponsePlan):
        return reply
    return ResponsePlan(
        status=reply.status,
        headers=answer_headers(reply.headers, definition, stub_cors=options.enable_stub_cors),
        body=reply.body,
        delay_ms=delay_ms(definition, settings, rng),
        dribble=dribble_of(definition),
        from_proxy=True,
    )


async def browser_proxied_plan(request: Request, client: ProxyClient, options: StubOptions) -> ResponsePlan:
    """A browser proxy request (absolute-form target) sent on to that target as it is."""
    url = request.target
    parts = urlsplit(url)
    definition = {"proxyBaseUrl": f"{parts.scheme}://{parts.netloc}"}  # Host: the target's authority
    sent = outgoing(
        request.method.upper(),
        request.headers,
        request.body,
        url,
        definition,
        preserve_user_agent=options.preserve_user_agent_proxy_header,
    )
    reply = await _exchange(client, sent, url)
    if isinstance(reply, ResponsePlan):
        return reply
    return ResponsePlan(
        status=reply.status,
        headers=answer_headers(reply.headers, {}, stub_cors=options.enable_stub_cors),
        body=reply.body,
        from_proxy=True,
    )


async def _exchange(client: ProxyClient, sent: Outgoing, url: str) -> Reply | ResponsePlan:
    """The target's reply, or the 500 WireMock answers instead (ProxyResponseRenderer): the
    target rules refuse it, it cannot be reached, or `url` is no absolute http(s) URL (which
    java.net.URI refuses the same way)."""
    try:
        return await client.send(sent.method, sent.url, sent.headers, sent.body)
    except ProxyDenied:
        return ResponsePlan(
            status=500,
            headers=[("Content-Type", "text/plain")],
            body=DENIED_PROXY.encode(),
            proxy_failed=True,
        )
    except ProxyFailure as exc:
        return ResponsePlan(status=500, body=failure_body(exc.kind, url, str(exc)), proxy_failed=True)
    except ValueError as exc:
        return ResponsePlan(status=500, body=failure_body("Network", url, str(exc)), proxy_failed=True)
