"""Differences the differential fuzzer (bench/stub_fuzz.py) found, pinned against answers of real
WireMock 3.13.2 and 2.35.1 recorded by tools/record_stub_fuzz_cases.py (tests/stub/data/fuzz_cases.json):

- Java refuses a `{` that does not start a counted quantifier (`{"a":1}` as a regex, `a{1`,
  `x{2,1}`), Python took it as a literal: the mapping is refused with Java's message;
- binaryEqualTo rows of the 404 report: shown only when WireMock's own check fails, without an
  `[binaryEqualTo]` heading, never "Body is not present" (the request side is podlab's base64
  where WireMock prints `[B@hash`, docs/STUB-LIMITS.md);
- `and`/`or` on cookies and path parameters print the first operand's expectation;
- date matchers read a bare year (`1`) or year-month (`2026-02`) as a date (3.x only);
- `dateFormat` takes its pattern from `format=`; `parseJson` of blank text, `{}` or null is an
  empty map; a JSON parse failure's 500 body shows the first line of WireMock's message;
- 2.35.1 takes `and`/`or` with one operand (not none, not an `absent` first), has no `not`,
  and prints near misses without `subEvents`/`diffDescriptions` and requests without
  `formParams`; a bad matcher value is reported before an unknown field, wherever each stands.

One podlab server per compatibility level in this process (its own event loop thread) serves
every case over real loopback sockets; no JVM is needed.
"""

from __future__ import annotations

import asyncio
import base64
import http.client
import io
import json
import re
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from podlab.stub.options import StubOptions
from podlab.stub.server import StubServer

from .recorded import recorded_data
from .test_wire_cases import ThreadedStub

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from stub_fuzz import DROPPED_HEADERS, masked, normalised_body, strip_volatile

RECORDED = recorded_data("fuzz_cases.json")
CASES = [
    pytest.param(name, version, id=f"{name}-{version}")
    for name, case in RECORDED.items()
    if not name.startswith("_")
    for version in case["answers"]
]
BYTES_CELL = re.compile(r"\[B@[0-9a-f]+ *")


class TemplatingStub(ThreadedStub):
    """The recording's servers: 2.35.1 was started with --local-response-templating."""

    def __init__(self, root: Path, compat: int) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        options = StubOptions(
            port=0,
            bind_address="127.0.0.1",
            root_dir=root,
            compat=compat,
            disable_banner=True,
            local_response_templating=compat == 2,
        )
        self.server = StubServer(options, out=io.StringIO(), err=io.StringIO())
        asyncio.run_coroutine_threadsafe(self.server.start(), self.loop).result(timeout=10)
        self.port = self.server.port


@pytest.fixture(scope="module")
def stubs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, ThreadedStub]]:
    started: dict[str, ThreadedStub] = {}
    try:
        for version in ("3", "2"):
            root = tmp_path_factory.mktemp(f"fuzz{version}")
            (root / "mappings").mkdir()
            started[version] = TemplatingStub(root, int(version))
        yield started
    finally:
        for server in started.values():
            server.stop()


def send(
    port: int, method: str, path: str, headers: list[tuple[str, str]], body: str | None
) -> tuple[int, str, list[list[str]]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for name, value in headers:
            conn.putheader(name, value)
        data = None if body is None else body.encode()
        if data is not None:
            conn.putheader("Content-Length", str(len(data)))
        conn.endheaders(data)
        resp = conn.getresponse()
        kept = sorted([k.lower(), v] for k, v in resp.getheaders() if k.lower() not in DROPPED_HEADERS)
        return (
            resp.status,
            resp.read().decode("latin-1" if "iso-8859-1" in str(kept).lower() else "utf-8"),
            kept,
        )
    finally:
        conn.close()


def podlab_bytes_cell(expected: str, body: str | None) -> str:
    """WireMock's `[B@hash` cell as podlab writes it: the body's base64, padded alike."""
    cell = base64.b64encode((body or "").encode()).decode()
    return BYTES_CELL.sub(cell.ljust(52), expected)


@pytest.mark.parametrize(("name", "version"), CASES)
def test_fuzz_case_answers_as_wiremock(stubs: dict[str, ThreadedStub], name: str, version: str) -> None:
    case: dict[str, Any] = RECORDED[name]
    want = case["answers"][version]
    stub = stubs[version]
    stub.call("POST", "/__admin/reset")
    answers = []
    for body in case["stubs"]:
        status, text = stub.call("POST", "/__admin/mappings", json.dumps(body))
        answers.append([status, text.decode() if status >= 300 else ""])
    assert answers == want["admin"]
    if "request" not in case:
        return
    method, path, headers, body = case["request"]
    sent = [*((k, v) for k, v in headers), ("Host", "127.0.0.1:8080")]
    status, text, got_headers = send(stub.port, method, path, sent, body)
    assert status == want["status"]
    if "headers" in want:  # Jetty's error page, compared as bench/stub_fuzz.py does: its message
        assert got_headers == want["headers"]
        assert normalised_body(text, []) == want["body"]
    elif status == 404:  # the report names no port; only its binary cells are podlab's own
        assert text == podlab_bytes_cell(want["body"], body)
    else:
        assert text == want["body"]
    if "near_misses" in want:
        status, answer = stub.call("GET", "/__admin/requests/unmatched/near-misses")
        got = strip_volatile(json.loads(masked(answer.decode(), 8080)))
        assert got == want["near_misses"]
