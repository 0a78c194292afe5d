"""Socket-level behaviour: the four faults, delays, dribble, gzip, framing, and hostile clients.

Everything goes over raw sockets to a real server process, because what matters here is bytes
and connection state (RST, FIN, garbage), which HTTP client libraries paper over.
"""

from __future__ import annotations

import gzip
import json
import socket
import threading
import time

import pytest

from .conftest import StubProcess


def add(stub: StubProcess, mapping: dict) -> str:
    status, _, body = stub.call("POST", "/__admin/mappings", mapping)
    assert status == 201, body
    return str(json.loads(body)["id"])


def raw_exchange(port: int, request: bytes, timeout: float = 5.0) -> bytes:
    """Send request bytes, read until the server closes; ConnectionResetError propagates."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request)
        chunks = []
        while data := sock.recv(65536):
            chunks.append(data)
    return b"".join(chunks)


def get_bytes(path: str, extra: str = "") -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{extra}\r\n".encode()


def alive(stub: StubProcess) -> bool:
    return stub.call("GET", "/__admin/health")[0] == 200


def test_connection_reset_by_peer_sends_rst(stub_server: StubProcess) -> None:
    add(stub_server, {"request": {"url": "/f"}, "response": {"fault": "CONNECTION_RESET_BY_PEER"}})
    with pytest.raises(ConnectionResetError):
        raw_exchange(stub_server.port, get_bytes("/f"))
    assert alive(stub_server)


def test_empty_response_closes_without_a_byte(stub_server: StubProcess) -> None:
    add(stub_server, {"request": {"url": "/f"}, "response": {"fault": "EMPTY_RESPONSE"}})
    assert raw_exchange(stub_server.port, get_bytes("/f")) == b""
    assert alive(stub_server)


def test_malformed_response_chunk_breaks_the_chunking(stub_server: StubProcess) -> None:
    add(stub_server, {"request": {"url": "/f"}, "response": {"fault": "MALFORMED_RESPONSE_CHUNK"}})
    answer = raw_exchange(stub_server.port, get_bytes("/f"))
    head, _, rest = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    assert b"transfer-encoding: chunked" in head.lower()
    assert rest and not rest.endswith(b"0\r\n\r\n")  # never a valid last chunk
    int_text = rest.split(b"\r\n")[0]
    with pytest.raises(ValueError):
        int(int_text, 16)


def test_random_data_then_close_is_not_http(stub_server: StubProcess) -> None:
    add(stub_server, {"request": {"url": "/f"}, "response": {"fault": "RANDOM_DATA_THEN_CLOSE"}})
    answer = raw_exchange(stub_server.port, get_bytes("/f"))
    assert answer and not answer.startswith(b"HTTP/")
    assert alive(stub_server)


def test_stub_response_framing_like_wiremock(stub_server: StubProcess) -> None:
    stub_id = add(
        stub_server,
        {
            "name": "framed",
            "request": {"url": "/h"},
            "response": {
                "status": 418,
                "statusMessage": "Teapot",
                "headers": {"X-Multi": ["a", "b"]},
                "body": "hi",
            },
        },
    )
    answer = raw_exchange(stub_server.port, get_bytes("/h"))
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    assert lines[0] == "HTTP/1.1 418 Teapot"
    names = [line.split(":", 1)[0].lower() for line in lines[1:]]
    assert "date" not in names and "server" not in names and "content-length" not in names
    assert lines[1:5] == [
        "X-Multi: a",
        "X-Multi: b",
        f"Matched-Stub-Id: {stub_id}",
        "Matched-Stub-Name: framed",
    ]
    assert "Transfer-Encoding: chunked" in lines
    assert body == b"2\r\nhi\r\n0\r\n\r\n"


def test_gzip_when_the_client_accepts_it(stub_server: StubProcess) -> None:
    add(stub_server, {"request": {"url": "/gz"}, "response": {"body": "zip me " * 20}})
    status, headers, body = stub_server.call("GET", "/gz", headers={"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["content-encoding"] == "gzip"
    assert gzip.decompress(body) == ("zip me " * 20).encode()
    status, headers, body = stub_server.call("GET", "/gz")
    assert "content-encoding" not in headers and body == ("zip me " * 20).encode()


def test_fixed_and_distributed_delays(stub_server: StubProcess) -> None:
    add(stub_server, {"request": {"url": "/slow"}, "response": {"body": "s", "fixedDelayMilliseconds": 300}})
    add(
        stub_server,
        {
            "request": {"url": "/uni"},
            "response": {"body": "u", "delayDistribution": {"type": "uniform", "lower": 200, "upper": 250}},
        },
    )
    add(
        stub_server,
        {
            "request": {"url": "/logn"},
            "response": {
                "body": "l",
                "delayDistribution": {"type": "lognormal", "median": 150, "sigma": 0.1, "maxValue": 400},
            },
        },
    )
    for path, low, high in (("/slow", 0.3, 2.0), ("/uni", 0.2, 2.0), ("/logn", 0.05, 2.0)):
        started = time.monotonic()
        assert stub_server.call("GET", path)[0] == 200
        elapsed = time.monotonic() - started
        assert low <= elapsed < high, (path, elapsed)


def test_chunked_dribble_spreads_the_body_over_time(stub_server: StubProcess) -> None:
    add(
        stub_server,
        {
            "request": {"url": "/drib"},
            "response": {
                "body": "abcdefghij",
                "chunkedDribbleDelay": {"numberOfChunks": 5, "totalDuration": 500},
            },
        },
    )
    arrivals = []
    with socket.create_connection(("127.0.0.1", stub_server.port), timeout=5) as sock:
        started = time.monotonic()
        sock.sendall(get_bytes("/drib"))
        data = b""
        while chunk := sock.recv(65536):
            arrivals.append(time.monotonic() - started)
            data += chunk
    assert data.endswith(b"0\r\n\r\n")
    body = data.partition(b"\r\n\r\n")[2]
    assert body.count(b"\r\n2\r\n") + body.startswith(b"2\r\n") == 5  # five 2-byte chunks
    # As 3.13.2 paces it (5 chunks over 1,000 ms: headers and the first chunk after ~200 ms, the
    # last after ~1,000 ms): a pause before every chunk, the first too.
    assert arrivals[0] >= 0.09
    assert arrivals[-1] >= 0.48
    assert len(arrivals) >= 3  # they did not arrive together


def test_slow_client_does_not_block_others(stub_server: StubProcess) -> None:
    add(stub_server, {"request": {"url": "/ok"}, "response": {"body": "ok"}})
    with socket.create_connection(("127.0.0.1", stub_server.port), timeout=5) as slow:
        slow.sendall(b"GET /ok HTTP/1.1\r\nHo")  # and then nothing for a while
        for _ in range(5):
            assert stub_server.call("GET", "/ok", timeout=3)[2] == b"ok"
        slow.sendall(b"st: x\r\nConnection: close\r\n\r\n")
        answer = b""
        while data := slow.recv(65536):
            answer += data
    assert answer.startswith(b"HTTP/1.1 200") and answer.endswith(b"2\r\nok\r\n0\r\n\r\n")


def test_abrupt_disconnects_never_stop_the_server(stub_server: StubProcess) -> None:
    add(
        stub_server,
        {"request": {"url": "/delayed"}, "response": {"body": "late", "fixedDelayMilliseconds": 200}},
    )
    for _ in range(10):
        sock = socket.create_connection(("127.0.0.1", stub_server.port), timeout=5)
        sock.sendall(get_bytes("/delayed"))
        # RST while the server is still delaying the answer
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        sock.close()
        half = socket.create_connection(("127.0.0.1", stub_server.port), timeout=5)
        half.sendall(b"POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly part")
        half.close()
    time.sleep(0.3)  # let the delayed answers hit the closed sockets
    assert alive(stub_server)
    assert stub_server.call("GET", "/delayed")[2] == b"late"
    assert stub_server.proc.poll() is None


def test_oversized_body_is_refused_and_the_server_lives(start_stub) -> None:
    stub = start_stub("--max-body-bytes", "65536")
    big = b"x" * (256 * 1024)
    request = b"POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(big)
    try:
        answer = raw_exchange(stub.port, request + big)
    except (ConnectionResetError, BrokenPipeError):
        answer = b"HTTP/1.1 413 reset"
    assert answer.startswith(b"HTTP/1.1 413")
    assert alive(stub)


def test_concurrent_admin_writes_lose_nothing(stub_server: StubProcess) -> None:
    errors: list[BaseException] = []
    ids: list[str] = []
    lock = threading.Lock()

    def writer(worker: int) -> None:
        try:
            for i in range(10):
                stub_id = add(
                    stub_server, {"request": {"url": f"/c/{worker}/{i}"}, "response": {"body": "c"}}
                )
                with lock:
                    ids.append(stub_id)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors

    status, _, body = stub_server.call("GET", "/__admin/mappings")
    assert status == 200
    listed = json.loads(body)
    assert listed["meta"]["total"] == 80
    assert {m["id"] for m in listed["mappings"]} == set(ids)


def test_stub_cors_and_content_length_modes(start_stub) -> None:
    stub = start_stub("--enable-stub-cors", "--use-chunked-encoding", "never")
    add(stub, {"request": {"url": "/c"}, "response": {"body": "cors"}})
    answer = raw_exchange(stub.port, get_bytes("/c", "Origin: http://app.example\r\n"))
    head, _, body = answer.partition(b"\r\n\r\n")
    assert b"Access-Control-Allow-Origin: http://app.example" in head
    assert b"Content-Length: 4" in head and b"chunked" not in head.lower()
    assert body == b"cors"
    preflight = raw_exchange(
        stub.port,
        b"OPTIONS /c HTTP/1.1\r\nHost: x\r\nOrigin: http://app.example\r\n"
        b"Access-Control-Request-Method: PUT\r\nConnection: close\r\n\r\n",
    )
    assert preflight.startswith(b"HTTP/1.1 200")
    assert b"Access-Control-Allow-Methods: OPTIONS,GET,POST,PUT,PATCH,DELETE" in preflight
