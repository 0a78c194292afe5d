"""From a stub's response definition to bytes on the wire.

`plan_response` decides (status, headers, body, delay, fault, dribble) without I/O; the
`send_fault` and `dribble` drivers act on the connection. Delay sampling takes its random
source as an argument so tests can pin it.
"""

from __future__ import annotations

import asyncio
import base64
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from podlab.httpcore import Connection
from podlab.stub.jvm.jsonfmt import compact, integral_floats_as_ints
from podlab.stub.model.delays import sample_delay_ms
from podlab.stub.store.files import FileRoot, PathEscapeError

# What WireMock's Fault enum writes for the two "garbage" faults (a fixed string, not random).
_GARBAGE = b"lskdu018973t09sylgasjkfg1][]'./.sdlv"


@dataclass
class ResponsePlan:
    status: int
    reason: str | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    from_file: bool = False
    fault: str | None = None
    delay_ms: float = 0.0
    dribble: tuple[int, float] | None = None  # (numberOfChunks, totalDuration ms)
    from_proxy: bool = False  # the target's answer (podlab.stub.proxy): no Matched-Stub-Id added
    proxy_failed: bool = False  # the 500 for a target not reached: no Matched-Stub-Id either
    error_page: bool = False  # Jetty's own 500 page (serve/error_page.py): no Matched-Stub-Id, no gzip


class RenderError(Exception):
    """The definition cannot be served (missing body file, path escape); answered as 500."""


def header_pairs(headers: Any) -> list[tuple[str, str]]:
    """A definition's `headers` map (value or list of values) as ordered pairs."""
    out: list[tuple[str, str]] = []
    if isinstance(headers, dict):
        for name, value in headers.items():
            values = value if isinstance(value, list) else [value]
            out.extend((str(name), _text(v)) for v in values)
    return out


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def body_of(definition: dict[str, Any], files: FileRoot, compat: int = 3) -> tuple[bytes, bool]:
    """The body bytes and whether they came from a file."""
    if definition.get("body") is not None:
        return str(definition["body"]).encode("utf-8"), False
    if "jsonBody" in definition and definition["jsonBody"] is not None:
        json_body = definition["jsonBody"]
        if compat == 2:  # 2.35.1 serves a JSON number such as `2.0` as `2` (seen on the jar)
            json_body = integral_floats_as_ints(json_body)
        return compact(json_body).encode("utf-8"), False
    if definition.get("base64Body") is not None:
        try:
            return base64.b64decode(str(definition["base64Body"])), False
        except ValueError as exc:
            raise RenderError(f"base64Body is not valid base64: {exc}") from None
    if definition.get("bodyFileName"):
        name = str(definition["bodyFileName"])
        try:
            path = files.resolve_body_file(name)
        except PathEscapeError as exc:
            raise RenderError(f"bodyFileName refused: {exc}") from None
        try:
            return path.read_bytes(), True
        except OSError:
            raise RenderError(f"bodyFileName {name!r}: no such file under __files") from None
    return b"", False


def plan_response(
    definition: dict[str, Any],
    files: FileRoot,
    *,
    settings: dict[str, Any],
    rng: random.Random,
    compat: int = 3,
) -> ResponsePlan:
    """Decide everything about a stub's answer except templating (already applied) and
    proxying (`proxyBaseUrl`: podlab.stub.proxy.serve)."""
    fault = definition.get("fault")
    delay = delay_ms(definition, settings, rng)
    if fault:
        return ResponsePlan(status=200, fault=str(fault), delay_ms=delay)
    body, from_file = body_of(definition, files, compat)
    return ResponsePlan(
        status=int(definition.get("status", 200) or 200),
        reason=definition.get("statusMessage"),
        headers=header_pairs(definition.get("headers")),
        body=body,
        from_file=from_file,
        delay_ms=delay,
        dribble=dribble_of(definition),
    )


def delay_ms(definition: dict[str, Any], settings: dict[str, Any], rng: random.Random) -> float:
    """The stub's fixed and random delays plus the global settings' ones."""
    delay = float(definition.get("fixedDelayMilliseconds") or 0)
    delay += sample_delay_ms(definition.get("delayDistribution"), rng)
    delay += float(settings.get("fixedDelay") or 0)
    delay += sample_delay_ms(settings.get("delayDistribution"), rng)
    return delay


def dribble_of(definition: dict[str, Any]) -> tuple[int, float] | None:
    spec = definition.get("chunkedDribbleDelay")
    if not isinstance(spec, dict):
        return None
    chunks = int(spec.get("numberOfChunks", 1) or 1)
    return (max(chunks, 1), float(spec.get("totalDuration", 0) or 0))


def wants_gzip(accept_encoding: list[str]) -> bool:
    for value in accept_encoding:
        for token in value.split(","):
            coding, _, params = token.strip().partition(";")
            if coding.strip().lower() == "gzip" and params.replace(" ", "") not in ("q=0", "q=0.0"):
                return True
    return False


def maybe_gzip(plan: ResponsePlan, accept_encoding: list[str]) -> None:
    """Gzip the body in place the way Jetty's GzipHandler does for a gzip-accepting client."""
    # Observed on 3.13.2: every stub answer is gzipped for such a client, even an empty body,
    # except bodiless statuses.
    if plan.error_page or plan.status in (204, 304) or plan.status < 200 or not wants_gzip(accept_encoding):
        return
    if any(name.lower() == "content-encoding" for name, _ in plan.headers):
        return
    import gzip  # with the first gzip-accepting client, not at start (start-up memory)

    plan.body = gzip.compress(plan.body, mtime=0)
    # A length the headers carry (a proxied answer's) was the plain body's: the core frames it.
    plan.headers = [(n, v) for n, v in plan.headers if n.lower() != "content-length"]
    plan.headers.append(("Content-Encoding", "gzip"))


def chunks_for_dribble(body: bytes, chunks: int) -> list[bytes]:
    """Split a body as WireMock's BodyChunker does: `len // chunks` bytes each, the remainder
    added to the last piece; never more pieces than bytes (3.13.2: 10 bytes in 3 are 3+3+4, in
    4 are 2+2+2+4, 5 bytes asked in 20 are five of 1)."""
    if not body:
        return []
    count = min(max(chunks, 1), len(body))
    size = len(body) // count
    return [body[i * size : (i + 1) * size] for i in range(count - 1)] + [body[(count - 1) * size :]]


def dribble_pause(body: bytes, chunks: int, total_ms: float) -> float:
    """Seconds WireMock waits before each piece, the first too (chunkedDribbleDelay). Observed
    on 3.13.2 (10 bytes, 5 chunks over 1,000 ms): the status line, headers and first chunk
    arrive together after ~200 ms, the last chunk after ~1,000 ms. The caller waits the first
    pause before handing over the response, so the headers leave with the first piece."""
    return total_ms / 1000.0 / max(len(chunks_for_dribble(body, chunks)), 1)


async def dribble(body: bytes, chunks: int, total_ms: float) -> AsyncIterator[bytes]:
    """Stream the body in pieces, a `dribble_pause` between them (the one before the first is
    the caller's)."""
    pause = dribble_pause(body, chunks, total_ms)
    for index, piece in enumerate(chunks_for_dribble(body, chunks)):
        if index:
            await asyncio.sleep(pause)
        yield piece


async def send_fault(fault: str, connection: Connection) -> None:
    """Break the connection the way the fault names, at the socket level."""
    if fault == "CONNECTION_RESET_BY_PEER":
        connection.abort()
    elif fault == "EMPTY_RESPONSE":
        connection.close()
    elif fault == "MALFORMED_RESPONSE_CHUNK":
        await connection.write_raw(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + _GARBAGE)
        connection.close()
    else:  # RANDOM_DATA_THEN_CLOSE
        await connection.write_raw(_GARBAGE)
        connection.close()
