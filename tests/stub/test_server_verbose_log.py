"""The reference mapping of the liveness-probe post, served with --verbose --compat 2.

The post (a WireMock 2.35.0 pod probed by kubelet 1.25) shows its container log; a probe-like
request to podlab stub must log the same lines. Timestamps, addresses, the probe's version, the
port and the generated stub id differ by nature and are normalised on both sides.
"""

from __future__ import annotations

import re
import socket
import time
from pathlib import Path

import yaml

from .conftest import launch

SEED = Path(__file__).resolve().parents[2] / "examples" / "seed" / "wiremock-liveness.yaml"

# The container log as printed in the post (trailing spaces of the banner were lost by the blog).
BLOG_LOG = [
    "2023-04-10 11:15:04.017 Verbose logging enabled",
    "2023-04-10 11:15:04.572 Verbose logging enabled",
    " /$$      /$$ /$$                     /$$      /$$                     /$$",
    "| $$  /$ | $$|__/                    | $$$    /$$$                    | $$",
    "| $$ /$$$| $$ /$$  /$$$$$$   /$$$$$$ | $$$$  /$$$$  /$$$$$$   /$$$$$$$| $$   /$$",
    "| $$/$$ $$ $$| $$ /$$__  $$ /$$__  $$| $$ $$/$$ $$ /$$__  $$ /$$_____/| $$  /$$/",
    "| $$$$_  $$$$| $$| $$  \\__/| $$$$$$$$| $$  $$$| $$| $$  \\ $$| $$      | $$$$$$/",
    "| $$$/ \\  $$$| $$| $$      | $$_____/| $$\\  $ | $$| $$  | $$| $$      | $$_  $$",
    "| $$/   \\  $$| $$| $$      |  $$$$$$$| $$ \\/  | $$|  $$$$$$/|  $$$$$$$| $$ \\  $$",
    "|__/     \\__/|__/|__/       \\_______/|__/     |__/ \\______/  \\_______/|__/  \\__/",
    "",
    "port:                         8080",
    "enable-browser-proxying:      false",
    "disable-banner:               false",
    "no-request-journal:           false",
    "verbose:                      true",
    "",
    "2023-04-10 11:15:08.686 Request received:",
    "10.244.1.1 - GET /get/this",
    "",
    "Host: [10.244.1.14:8080]",
    "User-Agent: [kube-probe/1.25]",
    "Accept: [*/*]",
    "Connection: [close]",
    "",
    "",
    "",
    "Matched response definition:",
    "{",
    '  "status" : 200,',
    '  "body" : "here it is!\\n"',
    "}",
    "",
    "Response:",
    "HTTP/1.1 200",
    "Matched-Stub-Id: [ff2d9379-40f5-4554-be54-25296345a647]",
    "",
    "",
]

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3} ")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def normalise(line: str, client_ip: str, host: str, port: str) -> str:
    line = TIMESTAMP.sub("<ts> ", line.rstrip())
    line = UUID.sub("<uuid>", line)
    line = line.replace(f"{client_ip} - ", "<client> - ").replace(f"Host: [{host}]", "Host: [<host>]")
    line = re.sub(r"kube-probe/\d+\.\d+", "kube-probe/<v>", line)
    return re.sub(r"^port:(\s+)" + port + "$", "port:\\1<port>", line)


def probe(port: int) -> bytes:
    """What kubelet's HTTP prober sends: these headers, in this order, then it closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(
            b"GET /get/this HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUser-Agent: kube-probe/1.33\r\n"
            b"Accept: */*\r\nConnection: close\r\n\r\n" % port
        )
        chunks = []
        while data := sock.recv(65536):
            chunks.append(data)
    return b"".join(chunks)


def test_reference_mapping_verbose_log_matches_the_post(tmp_path: Path) -> None:
    documents = list(yaml.safe_load_all(SEED.read_text()))
    config_map = next(d for d in documents if d["kind"] == "ConfigMap")
    mappings = tmp_path / "root" / "mappings"
    mappings.mkdir(parents=True)
    for name, text in config_map["data"].items():
        (mappings / name).write_text(text)

    stub = launch(tmp_path / "root", "--verbose", "--compat", "2")
    try:
        answer = probe(stub.port)
        assert answer.startswith(b"HTTP/1.1 200 OK\r\n")
        assert answer.endswith(b"here it is!\n\r\n0\r\n\r\n")  # chunked, as WireMock sends it
        deadline = time.monotonic() + 5
        while "Matched-Stub-Id" not in stub.stdout() and time.monotonic() < deadline:
            time.sleep(0.02)
        ours = stub.stdout().split("\n")
    finally:
        stub.stop()

    port = str(stub.port)
    got = [normalise(line, "127.0.0.1", f"127.0.0.1:{port}", port) for line in ours]
    want = [normalise(line, "10.244.1.1", "10.244.1.14:8080", "8080") for line in BLOG_LOG]
    assert got == want


# WireMock 3.13.2's stdout for: admin POST /mappings, a matched and an unmatched GET (curl 7.88.1),
# from wiremock-real-output.txt.
REAL_3_LOG = [
    "2026-11-28 04:49:09.538 Admin request received:",
    "127.0.0.1 - POST /mappings",
    "",
    "Host: [127.0.0.1:18080]",
    "User-Agent: [curl/7.88.1]",
    "Accept: [*/*]",
    "Content-Type: [application/json]",
    "Content-Length: [95]",
    '{"request":{"url":"/get/this","method":"GET"},"response":{"status":200,"body":"Here it is!\\n"}}',
    "",
    "2026-11-28 04:49:09.667 Request received:",
    "127.0.0.1 - GET /get/this",
    "",
    "Host: [127.0.0.1:18080]",
    "User-Agent: [curl/7.88.1]",
    "Accept: [*/*]",
    "",
    "",
    "",
    "Matched response definition:",
    "{",
    '  "status" : 200,',
    '  "body" : "Here it is!\\n"',
    "}",
    "",
    "Response:",
    "HTTP/1.1 200",
    "Matched-Stub-Id: [ce0b9d93-ef96-4554-bc02-aaab996dcaa7]",
    "",
    "2026-11-28 04:49:09.679 Request received:",
    "127.0.0.1 - GET /get/that",
    "",
    "Host: [127.0.0.1:18080]",
    "User-Agent: [curl/7.88.1]",
    "Accept: [*/*]",
    "",
    "",
    "",
    "Matched response definition:",
    "(no response definition configured)",
    "",
    "Response:",
    "HTTP/1.1 404",
    "(no headers)",
    "",
    "",  # stdout ends with the blank line println adds
]
CURL = b"User-Agent: curl/7.88.1\r\nAccept: */*\r\n"


def send(port: int, head: bytes, body: bytes = b"") -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(head + body)
        sock.shutdown(socket.SHUT_WR)
        chunks = []
        while data := sock.recv(65536):
            chunks.append(data)
    return b"".join(chunks)


def test_verbose_log_matches_wiremock_3_line_for_line(tmp_path: Path) -> None:
    stub = launch(tmp_path / "root", "--verbose")
    host = b"127.0.0.1:%d" % stub.port
    mapping = (
        b'{"request":{"url":"/get/this","method":"GET"},"response":{"status":200,"body":"Here it is!\\n"}}'
    )
    try:
        send(
            stub.port,
            b"POST /__admin/mappings HTTP/1.1\r\nHost: "
            + host
            + b"\r\n"
            + CURL
            + b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(mapping),
            mapping,
        )
        send(stub.port, b"GET /get/this HTTP/1.1\r\nHost: " + host + b"\r\n" + CURL + b"\r\n")
        send(stub.port, b"GET /get/that HTTP/1.1\r\nHost: " + host + b"\r\n" + CURL + b"\r\n")
        deadline = time.monotonic() + 5
        while stub.stdout().count("Request received:") < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        out = stub.stdout()
    finally:
        stub.stop()
    ours = out[out.index("Admin request received:") - 24 :].split("\n")
    port = str(stub.port)
    got = [normalise(line, "127.0.0.1", f"127.0.0.1:{port}", port) for line in ours]
    want = [normalise(line, "127.0.0.1", "127.0.0.1:18080", "18080") for line in REAL_3_LOG]
    assert got == want
