"""Side by side with real WireMock on the wire: status lines, framing, header handling, journal
order, mapping files and the verbose log, against answers recorded from the 3.13.2 and 2.35.1
standalone jars (Java 17.0.15) on 2026-12-07 (tests/stub/data/wire_fidelity.json, "_recorded").

Real WireMock writes a close-delimited body where podlab chunks (a framing choice no HTTP client
sees), so exchanges are compared on status line, body and the headers that are not framing.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from .conftest import StubProcess, launch, stub_command
from .recorded import recorded_data

RECORDED = recorded_data("wire_fidelity.json")
FRAMING = {"transfer-encoding", "content-length"}
COMPATS = ["3", "2"]


def exchange(port: int, data: bytes, timeout: float = 5.0) -> bytes:
    """Send raw bytes and read until the server closes (every recorded request says close)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        chunks = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and (chunk := sock.recv(65536)):
            chunks.append(chunk)
    return b"".join(chunks)


def parsed(raw: str) -> tuple[str, list[tuple[str, str]], str]:
    """Status line, headers and body (de-chunked) of one recorded or received response."""
    head, _, body = raw.partition("\r\n\r\n")
    status, *lines = head.split("\r\n")
    headers = [(name, value) for name, _, value in (line.partition(": ") for line in lines)]
    if any(n.lower() == "transfer-encoding" and v == "chunked" for n, v in headers):
        out, rest = "", body
        while rest:
            size_text, _, rest = rest.partition("\r\n")
            size = int(size_text, 16)
            if size == 0:
                break
            out, rest = out + rest[:size], rest[size + 2 :]
        body = out
    return status, headers, body


def comparable(raw: str) -> tuple[str, list[tuple[str, str]], str]:
    status, headers, body = parsed(re.sub(r"Matched-Stub-Id: [0-9a-f-]+", "Matched-Stub-Id: <id>", raw))
    return status, sorted((n, v) for n, v in headers if n.lower() not in FRAMING), body


def started(tmp_path: Path, compat: str, *args: str) -> StubProcess:
    stub = launch(tmp_path / f"root{compat}", "--compat", compat, *args, log_dir=tmp_path)
    for body in RECORDED["stubs"]:
        status, _, answer = stub.call("POST", "/__admin/mappings", body)
        assert status == 201, answer
    return stub


@pytest.fixture(params=COMPATS, ids=["3.13.2", "2.35.1"])
def recorded_stub(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    stub = started(tmp_path, request.param)
    try:
        yield request.param, stub
    finally:
        stub.stop()


def test_status_lines_carry_jettys_reason_phrases(recorded_stub: tuple[str, StubProcess]) -> None:
    """And 2.35.1's gzip Vary only where its GzipHandler looks at the answer (2xx with a body)."""
    compat, stub = recorded_stub
    want = RECORDED["status_lines"][compat]
    got = {}
    for code in want:
        raw = exchange(
            stub.port, f"GET /status/{code} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n".encode()
        )
        got[code] = comparable(raw.decode("latin-1"))
    assert got == {code: comparable(raw) for code, raw in want.items()}
    assert got["500"][0] == "HTTP/1.1 500 Server Error" and got["299"][0] == "HTTP/1.1 299 299"


@pytest.mark.parametrize(
    "name",
    ["trailing_space", "surrounding_tabs", "head_200", "head_204", "head_304", "no_host", "no_host_http10"],
)
def test_exchanges_answer_as_wiremock(recorded_stub: tuple[str, StubProcess], name: str) -> None:
    compat, stub = recorded_stub
    case = RECORDED["exchanges"][name]
    raw = exchange(stub.port, case["request"].encode("latin-1")).decode("latin-1")
    assert comparable(raw) == comparable(case[compat])
    if name in ("head_204", "head_304"):
        # A 204 or 304 has no body and no framing headers at all, HEAD or not.
        _, headers, body = parsed(raw)
        assert body == "" and not [n for n, _ in headers if n.lower() in FRAMING]
    if name == "no_host":
        assert raw == case[compat]


def test_expect_continue_gets_the_interim_answer_before_the_body(
    recorded_stub: tuple[str, StubProcess],
) -> None:
    compat, stub = recorded_stub
    want = RECORDED["expect_continue"][compat]
    with socket.create_connection(("127.0.0.1", stub.port), timeout=5) as sock:
        sock.sendall(
            b"POST /post HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n"
        )
        first = sock.recv(1000).decode("latin-1")
        sock.sendall(b"abc")
        rest = b""
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and (chunk := sock.recv(65536)):
            rest += chunk
    assert first == want["before_body"]
    assert comparable(rest.decode("latin-1")) == comparable(want["after_body"])


def test_journal_writes_known_header_names_in_jettys_spelling(recorded_stub: tuple[str, StubProcess]) -> None:
    compat, stub = recorded_stub
    sent = RECORDED["journal_header_names"]["sent"]
    head = (
        "GET /hdrs HTTP/1.1\r\nhost: a\r\n"
        + "".join(f"{h}: v\r\n" for h in sent)
        + "connection: close\r\n\r\n"
    )
    exchange(stub.port, head.encode())
    _, _, body = stub.call("GET", "/__admin/requests")
    got = list(json.loads(body)["requests"][0]["request"]["headers"])
    assert got == RECORDED["journal_header_names"][compat]
    assert ("Alt-Svc" in got) == (compat == "3")  # Jetty 11 knows it, Jetty 9 does not


def test_unmatched_requests_and_near_misses_are_newest_first(recorded_stub: tuple[str, StubProcess]) -> None:
    compat, stub = recorded_stub
    for url in ("/first", "/second", "/third"):
        exchange(stub.port, f"GET {url} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n".encode())
    _, _, requests = stub.call("GET", "/__admin/requests/unmatched")
    _, _, misses = stub.call("GET", "/__admin/requests/unmatched/near-misses")
    got = {
        "requests": [r["url"] for r in json.loads(requests)["requests"]],
        "near_misses": [m["request"]["url"] for m in json.loads(misses)["nearMisses"]],
    }
    assert got == RECORDED["unmatched_order"][compat]


BOM_MAPPING = (
    b'\xef\xbb\xbf{"request":{"method":"GET","url":"/bom"},"response":{"status":200,"body":"bom ok"}}'
)


def test_mapping_file_with_a_bom_loads_in_3(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "mappings").mkdir(parents=True)
    (root / "mappings" / "bom.json").write_bytes(BOM_MAPPING)
    stub = launch(root)
    try:
        assert stub.call("GET", "/bom")[::2] == (200, b"bom ok")
    finally:
        stub.stop()


def test_mapping_file_with_a_bom_stops_2_from_starting(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "mappings").mkdir(parents=True)
    (root / "mappings" / "bom.json").write_bytes(BOM_MAPPING)
    result = subprocess.run(
        stub_command("--port", "0", "--bind-address", "127.0.0.1", "--root-dir", str(root), "--compat", "2"),
        capture_output=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 1
    assert b"bom.json" in result.stderr and b"BOM" in result.stderr


def test_verbose_log_reports_an_unmatched_request_after_it(tmp_path: Path) -> None:
    stub = launch(tmp_path / "root", "--verbose", merge_stderr=True)
    try:
        assert stub.call("POST", "/__admin/mappings", RECORDED["stubs"][1])[0] == 201
        exchange(stub.port, b"GET /nothing HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        deadline = time.monotonic() + 5
        while "Request was not matched" not in stub.stdout() and time.monotonic() < deadline:
            time.sleep(0.02)
        log = stub.stdout()
    finally:
        stub.stop()
    received = log.index("127.0.0.1 - GET /nothing")
    assert received < log.index("Request was not matched", received)
    # WireMock announces verbose logging twice, each line with its own clock reading, and 3.13.2
    # then its HTTP server (seen on the jar with --verbose, stdout and stderr in one file: the two
    # lines, `Using HTTP server impl: Jetty11HttpServer`, the banner; not printed without --verbose).
    assert len(re.findall(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} Verbose logging enabled$", log, re.M)) == 2
    impl = re.findall(
        r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} Using HTTP server impl: Jetty11HttpServer$", log, re.M
    )
    assert len(impl) == 1
    assert log.index("Verbose logging enabled") < log.index("Using HTTP server impl") < log.index("port:")
