"""httpGet probes (k8s pkg/probe/http/http.go and request.go)."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

from podlab import kube_version
from podlab.probes import httpclient
from podlab.probes.dial import StreamDial
from podlab.probes.ports import ProbeError, join_host_port, resolve_port
from podlab.probes.result import ProbeOutcome, ProbeResult


def build_request(action: dict[str, Any], pod_ip: str, container: dict[str, Any]) -> httpclient.Request:
    """NewRequestForHTTPGetAction: scheme, host, named port, path (with query), headers."""
    scheme = str(action.get("scheme") or "HTTP").lower()
    host = str(action.get("host") or pod_ip)
    port = resolve_port(action.get("port"), container)
    path = str(action.get("path") or "")
    if path and not path.startswith("/"):
        path = "/" + path
    # Go's url.URL.String() escapes what cannot appear in a request target (a space -> %20)
    # and leaves existing escapes and the query alone.
    path = quote(path, safe="/?&=%:@!$'()*+,;~[]")
    url = f"{scheme}://{join_host_port(host, port)}{path}"
    headers: list[tuple[str, str]] = [
        (httpclient.canonical_header(str(h.get("name", ""))), str(h.get("value", "")))
        for h in action.get("httpHeaders") or []
    ]
    names = {k for k, _ in headers}
    if "User-Agent" not in names:
        headers.append(("User-Agent", kube_version.current().user_agent))
    if "Accept" not in names:
        headers.append(("Accept", "*/*"))
    elif next(v for k, v in headers if k == "Accept") == "":
        # An Accept header given with an empty value removes it.
        headers = [(k, v) for k, v in headers if k != "Accept"]
    host_header = next((v for k, v in headers if k == "Host"), "")
    return httpclient.Request(url=url, headers=[(k, v) for k, v in headers if k != "Host"], host=host_header)


async def probe_http(
    action: dict[str, Any],
    pod_ip: str,
    container: dict[str, Any],
    timeout: float,
    dial: StreamDial | None = None,
) -> ProbeOutcome:
    try:
        req = build_request(action, pod_ip, container)
    except ProbeError as e:
        return ProbeOutcome(ProbeResult.UNKNOWN, str(e))
    progress = httpclient.Progress(url=req.url)
    try:
        async with asyncio.timeout(timeout):
            resp = await httpclient.get(req, progress, dial)
    except TimeoutError:
        if progress.headers_received:
            # A body-read error: DoHTTPProbe returns it as an error, so the attempt is discarded.
            return ProbeOutcome(
                ProbeResult.UNKNOWN,
                "context deadline exceeded (Client.Timeout or context cancellation while reading body)",
            )
        return headers_timeout(progress.url)
    except httpclient.ClientError as e:
        return ProbeOutcome(ProbeResult.FAILURE, str(e))
    except httpclient.BodyReadError as e:
        return ProbeOutcome(ProbeResult.UNKNOWN, str(e))
    body = resp.body.decode("utf-8", errors="replace")
    if 200 <= resp.status < 400:
        if resp.status >= 300:
            return ProbeOutcome(ProbeResult.WARNING, f"Probe terminated redirects, Response body: {body}")
        return ProbeOutcome(ProbeResult.SUCCESS, body)
    return status_failure(resp.status)


def headers_timeout(url: str) -> ProbeOutcome:
    """No response head within timeoutSeconds (Go's http.Client timeout, in its words)."""
    return ProbeOutcome(
        ProbeResult.FAILURE,
        f'Get "{url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)',
    )


def status_failure(status: int) -> ProbeOutcome:
    # The body is deliberately left out of the message (kubernetes issue 99425).
    return ProbeOutcome(ProbeResult.FAILURE, f"HTTP probe failed with statuscode: {status}")
