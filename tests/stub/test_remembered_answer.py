"""A stub's fixed answer is remembered whole (serve/pipeline.py Serving.ready) and framed once by
the core (httpcore Response.reusable): what goes on the wire and into the journal must be what
answering afresh gives, and whatever could change the answer must be seen at once."""

from __future__ import annotations

import gzip
import socket
import time
from collections.abc import Callable
from typing import Any

from .inprocess import Running

REFERENCE = {
    "request": {"url": "/get/this", "method": "ANY"},
    "response": {"status": 200, "body": "Here it is!\n", "headers": {"X-Kind": "ref"}},
}


def exchange(server: Running, heads: list[bytes], *, expect: int, deadline_s: float = 10.0) -> bytes:
    """Send request heads on one connection (pipelined) and read until `expect` whole answers
    are in, or the peer closes."""
    bodiless = heads[0].startswith(b"HEAD ")
    with socket.create_connection(("127.0.0.1", server.server.port), timeout=deadline_s) as sock:
        sock.sendall(b"".join(heads))
        data = b""
        end = time.monotonic() + deadline_s
        while time.monotonic() < end and answers_in(data, bodiless) < expect:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
        return data


def answers_in(data: bytes, bodiless: bool) -> int:
    """How many whole answers `data` holds (framed by Content-Length or chunked)."""
    count = 0
    while True:
        wire_head, found, rest = data.partition(b"\r\n\r\n")
        if not found:
            return count
        if bodiless:
            length = 0
        elif b"Transfer-Encoding: chunked" in wire_head:
            end = rest.find(b"\r\n0\r\n\r\n")
            if end < 0 and not rest.startswith(b"0\r\n\r\n"):
                return count
            length = end + 7 if end >= 0 else 5
        else:
            header = [
                line for line in wire_head.split(b"\r\n") if line.lower().startswith(b"content-length:")
            ]
            length = int(header[0].split(b":")[1]) if header else 0
        if len(rest) < length:
            return count
        count, data = count + 1, rest[length:]


def body_of(answer: bytes) -> bytes:
    """The body of one raw answer, de-chunked when chunked."""
    wire_head, _, body = answer.partition(b"\r\n\r\n")
    if b"Transfer-Encoding: chunked" not in wire_head:
        return body
    out = b""
    while body:
        size_text, _, body = body.partition(b"\r\n")
        size = int(size_text, 16)
        if size == 0:
            break
        out, body = out + body[:size], body[size + 2 :]
    return out


def head(method: str = "GET", version: str = "1.1", extra: str = "") -> bytes:
    return f"{method} /get/this HTTP/{version}\r\nHost: 127.0.0.1\r\n{extra}\r\n".encode()


def entries(server: Running) -> list[dict[str, Any]]:
    """The journal, oldest first, without what differs per request (ids, dates, timing)."""
    out = []
    for event in reversed(server.json("GET", "/__admin/requests")["requests"]):
        event = dict(event)
        event.pop("id")
        event.pop("timing")
        request = dict(event.pop("request"))
        for key in ("loggedDate", "loggedDateString"):
            request.pop(key)
        out.append({**event, "request": request})
    return out


def test_remembered_answers_are_the_first_byte_for_byte(start: Callable[..., Running]) -> None:
    server = start()
    server.json("POST", "/__admin/mappings", REFERENCE)
    kinds = [head(), head("HEAD"), head(version="1.0"), head("POST", extra="Content-Length: 0\r\n")]
    # Each kind alone on a fresh connection (answered afresh), then three times on one (remembered).
    first = [exchange(server, [kind], expect=1) for kind in kinds]
    for kind, answer in zip(kinds, first, strict=True):
        assert answer.startswith(b"HTTP/1.1 200 OK\r\n"), answer
        if b"HTTP/1.0" in kind:  # no keep-alive: one request per connection
            again = b"".join(exchange(server, [kind], expect=1) for _ in range(3))
        else:
            again = exchange(server, [kind, kind, kind], expect=3)
        assert again == answer * 3, (kind, again)
    closing = exchange(server, [head(extra="Connection: close\r\n")], expect=1)
    assert b"Connection: close\r\n" in closing
    # The journal shows the remembered answers as it shows the first.
    journal = entries(server)
    assert len(journal) == 4 + 4 * 3 + 1
    gets = [e for e in journal if e["request"]["method"] == "GET" and e["request"]["protocol"] == "HTTP/1.1"]
    assert all(entry == gets[0] for entry in gets[1:4]), gets
    assert gets[0]["response"]["headers"]["Matched-Stub-Id"]
    assert gets[0]["response"]["body"] == "Here it is!\n"


def test_what_could_change_an_answer_is_seen_at_once(start: Callable[..., Running]) -> None:
    server = start("--enable-stub-cors")
    created = server.json("POST", "/__admin/mappings", REFERENCE)
    for _ in range(2):
        assert body_of(exchange(server, [head()], expect=1)) == b"Here it is!\n"
    # The stub changes: the new answer at once.
    changed = {**REFERENCE, "response": {"status": 200, "body": "again\n"}}
    server.json("PUT", f"/__admin/mappings/{created['id']}", changed)
    assert body_of(exchange(server, [head()], expect=1)) == b"again\n"
    assert body_of(exchange(server, [head()], expect=1)) == b"again\n"
    # A gzip-accepting client gets it gzipped, then a plain one plain again.
    zipped = exchange(server, [head(extra="Accept-Encoding: gzip\r\n")], expect=1, deadline_s=2.0)
    assert b"Content-Encoding: gzip" in zipped.partition(b"\r\n\r\n")[0]
    assert gzip.decompress(body_of(zipped)) == b"again\n"
    assert body_of(exchange(server, [head()], expect=1)) == b"again\n"
    # A CORS origin is echoed.
    cors = exchange(server, [head(extra="Origin: http://x.test\r\n")], expect=1)
    assert b"Access-Control-Allow-Origin: http://x.test\r\n" in cors
    assert b"Access-Control-Allow-Origin" not in exchange(server, [head()], expect=1)
    # A global delay applies to the next request.
    server.json("POST", "/__admin/settings", {"fixedDelay": 150})
    exchange(server, [head()], expect=1)
    newest = server.json("GET", "/__admin/requests")["requests"][0]
    assert newest["timing"]["addedDelay"] == 150
    server.json("POST", "/__admin/settings", {"fixedDelay": 0})
    exchange(server, [head()], expect=1)
    assert server.json("GET", "/__admin/requests")["requests"][0]["timing"]["addedDelay"] == 0
    # The stub goes: a 404.
    server.json("DELETE", f"/__admin/mappings/{created['id']}")
    assert exchange(server, [head()], expect=1).startswith(b"HTTP/1.1 404 ")
