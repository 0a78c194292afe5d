"""`podlab stub` over HTTP/2, as WireMock 3.13.2 serves it (checked on the jar): h2c with prior
knowledge, h2c by upgrade (the upgraded request journalled as the HTTP/1.1 request it came as),
h2 over TLS by ALPN, the same stubs and journal. Clients: curl, the h2 library, the JDK's
HttpClient."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .inprocess import Running

STUB = {
    "request": {"urlPath": "/h"},
    "response": {"status": 201, "headers": {"X-T": "1", "Content-Type": "text/plain"}, "body": "hello-h2"},
}


def _curl_has_http2() -> bool:
    curl = shutil.which("curl")
    return curl is not None and "HTTP2" in subprocess.run([curl, "-V"], capture_output=True, text=True).stdout


needs_curl = pytest.mark.skipif(not _curl_has_http2(), reason="needs curl with HTTP/2")


@pytest.fixture
def stub(tmp_path: Path) -> Iterator[Running]:
    server = Running(tmp_path / "root", "--https-port", "0")
    try:
        server.json("POST", "/__admin/mappings", STUB)
        yield server
    finally:
        server.stop()


def curl(*args: str) -> str:
    done = subprocess.run(["curl", "-s", "-i", "--max-time", "10", *args], capture_output=True, timeout=20)
    return done.stdout.decode("utf-8", errors="replace")


def journal(server: Running) -> list[dict[str, Any]]:
    return [e["request"] for e in reversed(server.json("GET", "/__admin/requests")["requests"])]


@needs_curl
def test_curl_prior_knowledge_upgrade_and_alpn(stub: Running) -> None:
    port, tls = stub.server.port, stub.server.https_port
    prior = curl("--http2-prior-knowledge", f"http://localhost:{port}/h?x=1")
    assert prior.startswith("HTTP/2 201") and "x-t: 1" in prior and prior.endswith("\r\n\r\nhello-h2")
    assert "matched-stub-id:" in prior
    upgraded = curl("--http2", f"http://localhost:{port}/h")
    assert upgraded.startswith(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n"
    )
    assert "HTTP/2 201" in upgraded and upgraded.endswith("hello-h2")
    alpn = curl("-k", "--http2", f"https://localhost:{tls}/h")
    assert alpn.startswith("HTTP/2 201") and alpn.endswith("hello-h2")
    posted = curl("--http2-prior-knowledge", "-d", "abc", f"http://localhost:{port}/nothing")
    assert posted.startswith("HTTP/2 404") and "Request was not matched" in posted
    first, second, third, fourth = journal(stub)
    assert (first["protocol"], first["absoluteUrl"]) == ("HTTP/2.0", f"http://localhost:{port}/h?x=1")
    assert first["headers"] == {"user-agent": first["headers"]["user-agent"], "accept": "*/*"}  # as sent
    assert second["protocol"] == "HTTP/1.1" and second["headers"]["Upgrade"] == "h2c"  # as the jar has it
    assert (third["protocol"], third["scheme"]) == ("HTTP/2.0", "https")
    assert (fourth["method"], fourth["body"]) == ("POST", "abc")


@needs_curl
def test_http2_can_be_switched_off(tmp_path: Path) -> None:
    server = Running(tmp_path / "root", "--disable-http2-plain")
    try:
        server.json("POST", "/__admin/mappings", STUB)
        upgraded = curl("--http2", f"http://127.0.0.1:{server.server.port}/h")
        assert upgraded.startswith("HTTP/1.1 201")  # the upgrade is ignored
    finally:
        server.stop()


JAVA_CLIENT = """
import java.net.URI;
import java.net.http.*;
public class H2Client {
    public static void main(String[] args) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        HttpResponse<String> post = client.send(
            HttpRequest.newBuilder(URI.create(args[0] + "/h")).POST(HttpRequest.BodyPublishers.ofString("abc")).build(),
            HttpResponse.BodyHandlers.ofString());
        System.out.println(post.version() + " " + post.statusCode() + " " + post.body());
        HttpResponse<String> get = client.send(
            HttpRequest.newBuilder(URI.create(args[0] + "/h?q=2")).build(), HttpResponse.BodyHandlers.ofString());
        System.out.println(get.version() + " " + get.statusCode() + " " + get.body());
    }
}
"""


@pytest.mark.skipif(shutil.which("java") is None, reason="needs a JDK")
def test_jdk_http_client(stub: Running, tmp_path: Path) -> None:
    source = tmp_path / "H2Client.java"
    source.write_text(JAVA_CLIENT)
    done = subprocess.run(
        ["java", str(source), f"http://127.0.0.1:{stub.server.port}"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    # A request with a body is not upgraded (Jetty's rule too); the bodiless one is.
    assert done.stdout.splitlines() == ["HTTP_1_1 201 hello-h2", "HTTP_2 201 hello-h2"]
    post, get = journal(stub)
    assert (post["protocol"], post["body"]) == ("HTTP/1.1", "abc")
    assert get["protocol"] == "HTTP/1.1" and get["headers"]["Upgrade"] == "h2c"
    assert "HTTP2-Settings" in get["headers"]
