"""Proxying stubs (`proxyBaseUrl`, `--proxy-all`, `--preserve-host-header`) as WireMock 3.13.2
does them (checked side by side on the jar: see podlab.stub.proxy.forward). A podlab stub on
127.0.0.1 is the target, so what reached it is read back from its request journal."""

from __future__ import annotations

import gzip
import http.client
import shutil
import socket
import subprocess
from pathlib import Path
from typing import Any

import pytest

from podlab.stub.proxy.forward import outgoing, proxy_url

from .inprocess import Running


@pytest.fixture
def target(start: Any) -> Running:
    server = start()
    server.json(
        "POST",
        "/__admin/mappings",
        {
            "request": {"urlPathPattern": "/t/.*"},
            "response": {
                "status": 201,
                "headers": {"X-T": "1", "Content-Type": "text/plain"},
                "body": "target-body",
            },
        },
    )
    return server


def received(target: Running) -> list[dict[str, Any]]:
    """What reached the target, oldest first."""
    return [event["request"] for event in reversed(target.json("GET", "/__admin/requests")["requests"])]


def free_port() -> int:
    """A loopback port nothing listens on (bound, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_proxy_url_and_headers_sent_on() -> None:
    definition = {
        "proxyBaseUrl": "http://127.0.0.1:9/t",
        "proxyUrlPrefixToRemove": "/p",
        "additionalProxyRequestHeaders": {"X-Add": ["one", "two"], "Accept": "text/x"},
        "removeProxyRequestHeaders": ["x-remove", "X-Upper"],
    }
    assert proxy_url(definition, "/p/a?q=1") == "http://127.0.0.1:9/t/a?q=1"
    assert proxy_url(definition, "/other/p") == "http://127.0.0.1:9/t/other/p"
    headers = [
        ("Host", "localhost:8080"),
        ("User-Agent", "curl/8"),
        ("Accept", "*/*"),
        ("X-Remove", "r"),
        ("X-Upper", "u"),  # listed as "X-Upper": WireMock compares the lower-cased name, keeps it
        ("Connection", "keep-alive"),
        ("Content-Length", "0"),
    ]
    sent = outgoing("POST", headers, b"", "http://127.0.0.1:9/t/a", definition)
    assert sent.headers == [("Host", "127.0.0.1:9"), ("X-Upper", "u"), ("X-Add", "one"), ("Accept", "text/x")]
    assert sent.body == b""  # a Content-Length came, so an (empty) body goes
    kept = outgoing("GET", headers[:2], b"", "u", definition, preserve_host=True, preserve_user_agent=True)
    assert kept.headers[:2] == [("Host", "localhost:8080"), ("User-Agent", "curl/8")]
    assert kept.body is None


def test_proxy_base_url_forwards_and_answers_with_the_target(start: Any, target: Running) -> None:
    proxy = start()
    proxy.json(
        "POST",
        "/__admin/mappings",
        {
            "request": {"urlPathPattern": "/p/.*"},
            "response": {
                "proxyBaseUrl": f"{target.base}/t",
                "proxyUrlPrefixToRemove": "/p",
                "additionalProxyRequestHeaders": {"X-Add": "yes"},
                "removeProxyRequestHeaders": ["x-remove"],
                "headers": {"X-Own": "o"},
            },
        },
    )
    status, headers, body = proxy.call(
        "POST", "/p/a/b?q=1", b'{"k":1}', {"X-Remove": "r", "X-Keep": "k", "Content-Type": "application/json"}
    )
    assert (status, body) == (201, b"target-body")
    assert headers["x-t"] == "1" and headers["x-own"] == "o"
    target_stub_id = target.json("GET", "/__admin/mappings")["mappings"][0]["id"]
    assert headers["matched-stub-id"] == target_stub_id  # the target's; the proxy adds none
    (seen,) = received(target)
    assert seen["url"] == "/t/a/b?q=1" and seen["method"] == "POST" and seen["body"] == '{"k":1}'
    names = {name.lower(): value for name, value in seen["headers"].items()}
    assert names["host"] == f"127.0.0.1:{target.server.port}"
    assert names["x-add"] == "yes" and names["x-keep"] == "k" and "x-remove" not in names
    assert names["content-type"] == "application/json" and names["content-length"] == "7"
    assert "user-agent" not in names  # WireMock's client puts its own; podlab's puts none
    # The proxy's journal has the target's answer and the proxying stub's definition.
    (event,) = proxy.json("GET", "/__admin/requests")["requests"]
    assert event["response"]["status"] == 201 and event["response"]["body"] == "target-body"
    assert event["response"]["headers"]["X-Own"] == "o"
    assert event["responseDefinition"]["proxyBaseUrl"] == f"{target.base}/t"


def test_unreachable_target_is_wiremocks_500(start: Any) -> None:
    proxy = start()
    port = free_port()
    proxy.json(
        "POST",
        "/__admin/mappings",
        {"request": {"urlPath": "/dead"}, "response": {"proxyBaseUrl": f"http://127.0.0.1:{port}"}},
    )
    status, headers, body = proxy.call("GET", "/dead")
    assert status == 500
    assert (
        body
        == (
            f"Network failure trying to make a proxied request from WireMock to http://127.0.0.1:{port}/dead\r\n"
            f"Connect to http://127.0.0.1:{port} failed: Connection refused"
        ).encode()
    )
    assert "content-type" not in headers


def test_proxy_all_serves_what_no_stub_matches(start: Any, target: Running) -> None:
    proxy = start("--proxy-all", target.base, "--preserve-host-header")
    assert (
        f"proxy-all:                    {target.base}\npreserve-host-header:         true\n"
        in proxy.out.getvalue()
    )
    (mapping,) = proxy.json("GET", "/__admin/mappings")["mappings"]
    assert mapping["priority"] == 10 and mapping["response"]["proxyBaseUrl"] == target.base
    proxy.json("POST", "/__admin/mappings", {"request": {"url": "/t/own"}, "response": {"body": "own"}})
    assert proxy.call("GET", "/t/own")[2] == b"own"
    assert proxy.call("GET", "/t/x")[:3:2] == (201, b"target-body")
    (seen,) = received(target)
    assert seen["url"] == "/t/x"
    assert seen["headers"]["Host"] == f"127.0.0.1:{proxy.server.port}"  # --preserve-host-header
    proxy.json("POST", "/__admin/reset")
    assert proxy.json("GET", "/__admin/mappings")["mappings"] == []  # as on the jar: reset drops it


def test_gzip_from_the_target_passes_through(start: Any, target: Running) -> None:
    proxy = start("--proxy-all", target.base)
    conn = http.client.HTTPConnection("127.0.0.1", proxy.server.port, timeout=10)
    try:
        conn.request("GET", "/t/z", headers={"Accept-Encoding": "gzip"})
        resp = conn.getresponse()
        assert resp.status == 201 and resp.getheader("Content-Encoding") == "gzip"
        assert gzip.decompress(resp.read()) == b"target-body"
        # Keep-alive on both legs: a second request on the same connection, and the pool reuses
        # its connection to the target.
        conn.request("GET", "/t/z2")
        resp = conn.getresponse()
        assert (resp.status, resp.read()) == (201, b"target-body")
    finally:
        conn.close()
    assert [r["url"] for r in received(target)] == ["/t/z", "/t/z2"]


def test_proxy_timeout_is_wiremocks_read_timed_out(start: Any, target: Running) -> None:
    target.json(
        "POST",
        "/__admin/mappings",
        {"request": {"urlPath": "/t/slow"}, "response": {"fixedDelayMilliseconds": 3000, "body": "late"}},
    )
    proxy = start("--proxy-all", target.base, "--proxy-timeout", "300")
    status, _, body = proxy.call("GET", "/t/slow")
    assert (status, body) == (
        500,
        f"Network failure trying to make a proxied request from WireMock to {target.base}/t/slow\r\nRead timed out".encode(),
    )


def proxy_get(proxy: Running, url: str, **headers: str) -> tuple[int, bytes]:
    """GET `url` with the stub as the HTTP proxy (an absolute-form request target)."""
    authority = url.split("/")[2]
    conn = http.client.HTTPConnection("127.0.0.1", proxy.server.port, timeout=10)
    try:
        conn.request("GET", url, headers={"Host": authority, **headers})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def test_browser_proxying_forwards_what_no_stub_matches(start: Any, target: Running) -> None:
    proxy = start("--enable-browser-proxying")
    assert "enable-browser-proxying:      true\ntrust-all-proxy-targets:      false\n" in proxy.out.getvalue()
    assert proxy_get(proxy, f"{target.base}/t/via?q=1", **{"X-Foo": "1"}) == (201, b"target-body")
    proxy.json(
        "POST", "/__admin/mappings", {"request": {"urlPath": "/t/via"}, "response": {"body": "stubbed"}}
    )
    assert proxy_get(proxy, f"{target.base}/t/via?q=1") == (200, b"stubbed")  # a stub still wins
    port = free_port()
    status, body = proxy_get(proxy, f"http://127.0.0.1:{port}/dead")
    assert status == 500 and body.endswith(
        f"Connect to http://127.0.0.1:{port} failed: Connection refused".encode()
    )
    (seen,) = received(target)
    assert seen["url"] == "/t/via?q=1" and seen["headers"]["X-Foo"] == "1"
    assert seen["headers"]["Host"] == f"127.0.0.1:{target.server.port}"
    dead, stubbed, forwarded = proxy.json("GET", "/__admin/requests")["requests"]
    assert forwarded["request"]["browserProxyRequest"] is True
    assert forwarded["request"]["absoluteUrl"] == f"{target.base}/t/via?q=1"
    # As the jar journals it: matched, a bare definition, the target's answer, no stub.
    assert forwarded["wasMatched"] is True and forwarded["responseDefinition"] == {"status": 200}
    assert forwarded["response"]["status"] == 201 and "stubMapping" not in forwarded
    assert stubbed["stubMapping"]["response"] == {"status": 200, "body": "stubbed"}
    assert dead["response"]["status"] == 500
    # Without the option an absolute-form request is only matched by its path (and 404s here).
    plain = start()
    assert proxy_get(plain, f"{target.base}/t/via")[0] == 404


@pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl")
def test_browser_proxying_connect_is_answered_with_a_certificate_for_the_host(
    start: Any, tmp_path: Path
) -> None:
    target = start("--https-port", "0")
    target.json("POST", "/__admin/mappings", {"request": {"urlPath": "/s"}, "response": {"body": "secure"}})
    trusting = start("--enable-browser-proxying", "--trust-all-proxy-targets")
    ca = tmp_path / "ca.pem"
    status, headers, pem = trusting.call("GET", "/__admin/certs/wiremock-ca.crt")
    assert status == 200 and headers["content-type"] == "application/x-pem-file"
    ca.write_bytes(pem)
    url = f"https://localhost:{target.server.https_port}/s?x=1"

    def through(proxy: Running) -> str:
        done = subprocess.run(
            ["curl", "-s", "-i", "--max-time", "10", "--cacert", str(ca), "-x", proxy.base, url],
            capture_output=True,
            timeout=30,
        )
        assert done.returncode == 0, done.stderr
        connect, _, rest = done.stdout.decode().partition("\r\n\r\n")
        assert connect == "HTTP/1.1 200 OK\r\nContent-Length: 0"  # the tunnel, as Jetty answers it
        return rest

    answer = through(trusting)  # curl verified the stub's certificate for localhost against the CA
    assert answer.startswith("HTTP/1.1 200") and answer.endswith("\r\n\r\nsecure")
    (event,) = trusting.json("GET", "/__admin/requests")["requests"]
    assert event["request"]["browserProxyRequest"] is True and event["request"]["absoluteUrl"] == url
    assert event["request"]["scheme"] == "https"
    # Without --trust-all-proxy-targets the target's self-signed certificate is refused, in the
    # JVM's words. (The CA is the same object per server: this one gets its own.)
    verifying = start("--enable-browser-proxying")
    ca.write_bytes(verifying.call("GET", "/__admin/certs/wiremock-ca.crt")[2])
    refused = through(verifying)
    assert refused.startswith("HTTP/1.1 500")
    assert refused.endswith(
        f"SSL failure trying to make a proxied request from WireMock to {url}\r\n"
        "PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: "
        "unable to find valid certification path to requested target"
    )
