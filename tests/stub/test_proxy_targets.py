"""`--allow-proxy-targets`, `--deny-proxy-targets` and `--proxy-via`, as WireMock 3.13.2 has
them (observed on the jar with a podlab stub as the target: the 500's text, which hosts are
judged by which rules, the refused via's error, the start-up listing and option errors). Every
server here is a podlab stub on 127.0.0.1; the via proxy is one with browser proxying on."""

from __future__ import annotations

import base64
import subprocess
import sys
import time
from typing import Any

import pytest

from podlab.stub.banner import options_block
from podlab.stub.options import OptionsError, parse_args
from podlab.stub.outbound.targets import DENIED_PROXY, TargetRuleError, TargetRules
from podlab.stub.outbound.via import ProxyVia, ProxyViaError

from .inprocess import Running
from .test_proxy import free_port, received


@pytest.fixture
def target(start: Any) -> Running:
    server = start()
    server.json(
        "POST",
        "/__admin/mappings",
        {"request": {"urlPathPattern": "/t/.*"}, "response": {"status": 201, "body": "target-body"}},
    )
    return server


def proxying(start: Any, target: Running, *args: str, host: str = "127.0.0.1") -> Running:
    proxy = start(*args)
    proxy.json(
        "POST",
        "/__admin/mappings",
        {
            "request": {"urlPathPattern": "/t/.*"},
            "response": {"proxyBaseUrl": f"http://{host}:{target.server.port}"},
        },
    )
    return proxy


def test_rules_judge_addresses_by_ip_entries_and_names_by_name_entries() -> None:
    rules = TargetRules.parse("10.0.0.1, 127.0.0.2-127.0.0.9, *.example.com", "127.0.0.5,bad.example.com")
    assert rules.allows("10.0.0.1") and rules.allows("127.0.0.9") and rules.allows("a.example.com")
    assert not rules.allows("127.0.0.5")  # denied after being allowed
    assert (
        not rules.allows("127.0.0.1")
        and not rules.allows("bad.example.com")
        and not rules.allows("example.com")
    )
    # Only name patterns allowed: every address is still allowed (and the other way round).
    assert TargetRules.parse("local*", None).allows("192.0.2.1")
    assert TargetRules.parse("127.0.0.1", None).allows("anything.test")
    assert TargetRules.parse(None, "*host").allows("127.0.0.1") and not TargetRules.parse(
        None, "*host"
    ).allows("localhost")
    # A dotted quad that is not canonical is a name, as java.net.InetAddress has it.
    assert TargetRules.parse(None, None).allows_all and not rules.allows_all


@pytest.mark.parametrize(
    ("allow", "deny", "message"),
    [
        (None, "999.1.1.1", "999.1.1.1 is not a valid IP address"),
        ("127.0.0.1-300.0.0.1", None, "300.0.0.1 is not a valid IP address"),
        ("", None, " is not a valid network address"),
        ("a,,b", None, " is not a valid network address"),
    ],
)
def test_bad_entries_are_refused_in_wiremocks_words(
    allow: str | None, deny: str | None, message: str
) -> None:
    with pytest.raises(TargetRuleError, match=f"^{message}$"):
        TargetRules.parse(allow, deny)
    option, value = ("--allow-proxy-targets", allow) if allow is not None else ("--deny-proxy-targets", deny)
    assert value is not None
    with pytest.raises(OptionsError, match=f"^{option}: {message}$"):
        parse_args([option, value])


def test_proxy_via_values_as_wiremock_reads_them() -> None:
    assert ProxyVia.parse("127.0.0.1:3128") == ProxyVia("127.0.0.1", 3128)
    assert ProxyVia.parse("proxy.test") == ProxyVia("proxy.test", 80)
    with_credentials = ProxyVia.parse("http://u%40x:p@127.0.0.1:3128")
    assert with_credentials == ProxyVia("127.0.0.1", 3128, "u@x", "p")
    assert with_credentials.text == "127.0.0.1:3128 (with credentials)"
    assert with_credentials.authorization == "Basic " + base64.b64encode(b"u@x:p").decode()
    assert ProxyVia.parse("http://u@h:1").authorization is None  # WireMock sets both or none
    for bad, message in [
        ("ftp://x:1", "Proxy via does not support any other protocol than http"),
        ("https://x:1", "Proxy via does not support any other protocol than http"),
        ("http://x:99999", "'http://x:99999' could not be parsed as a proxy URL"),
        ("x:port", "'x:port' could not be parsed as a proxy URL with or without an 'http://' prefix"),
    ]:
        with pytest.raises(ProxyViaError, match=f"^{message}$"):
            ProxyVia.parse(bad)
    options = parse_args(["--proxy-via", "127.0.0.1:3128"])
    # The start-up listing as 3.13.2 prints it: right after the ports.
    assert (
        "port:                         8080\nproxy-via:                    127.0.0.1:3128\n"
        in options_block(options, 8080)
    )


def test_a_bad_option_stops_the_real_process_naming_it() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "podlab.stub", "--port", "0", "--deny-proxy-targets", "127.0.0.1,999.1.1.1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr.strip() == "podlab stub: --deny-proxy-targets: 999.1.1.1 is not a valid IP address"


@pytest.mark.parametrize(
    ("args", "host"),
    [
        (("--deny-proxy-targets", "127.0.0.1"), "127.0.0.1"),
        (("--allow-proxy-targets", "127.0.0.2-127.0.0.9"), "127.0.0.1"),
        # The name is allowed (no name entries), but it resolves to an address that is not.
        (("--allow-proxy-targets", "127.0.0.2"), "localhost"),
        (("--deny-proxy-targets", "*host"), "localhost"),
    ],
)
def test_a_denied_target_gets_wiremocks_500_and_nothing_is_sent(
    start: Any, target: Running, args: tuple[str, ...], host: str
) -> None:
    proxy = proxying(start, target, *args, host=host)
    status, headers, body = proxy.call("GET", "/t/x")
    assert (status, headers["content-type"], body) == (500, "text/plain", DENIED_PROXY.encode())
    assert received(target) == []
    (event,) = proxy.json("GET", "/__admin/requests")["requests"]
    assert event["response"]["status"] == 500


@pytest.mark.parametrize(
    ("args", "host"),
    [
        (("--deny-proxy-targets", "*host"), "127.0.0.1"),  # an address is judged by IP entries only
        (("--allow-proxy-targets", "local*"), "localhost"),
        (("--allow-proxy-targets", "127.0.0.1", "--deny-proxy-targets", "127.0.0.2"), "localhost"),
    ],
)
def test_an_allowed_target_is_proxied(start: Any, target: Running, args: tuple[str, ...], host: str) -> None:
    proxy = proxying(start, target, *args, host=host)
    assert proxy.call("GET", "/t/x")[0] == 201
    assert [r["url"] for r in received(target)] == ["/t/x"]


def test_proxy_via_sends_absolute_form_through_the_proxy(start: Any, target: Running) -> None:
    via = start("--enable-browser-proxying")
    proxy = proxying(start, target, "--proxy-via", f"127.0.0.1:{via.server.port}")
    assert f"proxy-via:                    127.0.0.1:{via.server.port}\n" in proxy.out.getvalue()
    status, _, body = proxy.call("GET", "/t/x?q=1")
    assert (status, body) == (201, b"target-body")
    (seen,) = via.json("GET", "/__admin/requests")["requests"]
    assert seen["request"]["browserProxyRequest"] is True
    assert seen["request"]["absoluteUrl"] == f"{target.base}/t/x?q=1"
    assert [r["url"] for r in received(target)] == ["/t/x?q=1"]


def test_a_refused_via_is_named_in_the_500(start: Any, target: Running) -> None:
    port = free_port()
    proxy = proxying(start, target, "--proxy-via", f"127.0.0.1:{port}")
    status, _, body = proxy.call("GET", "/t/x")
    assert status == 500
    assert body.decode() == (
        f"Network failure trying to make a proxied request from WireMock to {target.base}/t/x\r\n"
        f"Connect to http://127.0.0.1:{port} failed: Connection refused"
    )


def test_the_via_is_judged_by_the_rules_and_so_is_the_target_name(start: Any, target: Running) -> None:
    via = start("--enable-browser-proxying")
    # As on the jar: the via's own address is denied, so nothing goes out.
    through_denied = proxying(
        start, target, "--proxy-via", f"127.0.0.1:{via.server.port}", "--deny-proxy-targets", "127.0.0.1"
    )
    assert through_denied.call("GET", "/t/x")[2] == DENIED_PROXY.encode()
    # Differs on purpose: WireMock would let a denied name through the via (it never resolves
    # the target); podlab refuses it.
    by_name = proxying(
        start,
        target,
        "--proxy-via",
        f"127.0.0.1:{via.server.port}",
        "--deny-proxy-targets",
        "localhost",
        host="localhost",
    )
    assert by_name.call("GET", "/t/x")[2] == DENIED_PROXY.encode()
    assert via.json("GET", "/__admin/requests")["requests"] == []


def test_https_targets_go_through_a_connect_tunnel(start: Any) -> None:
    secure = start("--https-port", "0")
    secure.json("POST", "/__admin/mappings", {"request": {"urlPath": "/s"}, "response": {"body": "secure"}})
    # The via answers CONNECT with a certificate from its own CA; the reverse proxy trusts any.
    via = start("--enable-browser-proxying", "--trust-all-proxy-targets")
    proxy = start("--proxy-via", f"127.0.0.1:{via.server.port}")
    proxy.json(
        "POST",
        "/__admin/mappings",
        {
            "request": {"urlPath": "/s"},
            "response": {"proxyBaseUrl": f"https://localhost:{secure.server.https_port}"},
        },
    )
    assert proxy.call("GET", "/s")[::2] == (200, b"secure")
    (seen,) = via.json("GET", "/__admin/requests")["requests"]
    assert seen["request"]["scheme"] == "https" and seen["request"]["browserProxyRequest"] is True


def test_credentials_are_sent_when_the_via_asks(start: Any, target: Running) -> None:
    via = start("--enable-browser-proxying")
    # A stub on the via plays a proxy that wants credentials: 407 without them.
    via.json(
        "POST",
        "/__admin/mappings",
        {
            "request": {"urlPathPattern": "/t/.*", "headers": {"Proxy-Authorization": {"absent": True}}},
            "response": {"status": 407, "headers": {"Proxy-Authenticate": 'Basic realm="via"'}},
        },
    )
    proxy = proxying(start, target, "--proxy-via", f"http://u:secret@127.0.0.1:{via.server.port}")
    assert proxy.call("GET", "/t/x")[0] == 201
    challenged, answered = reversed(via.json("GET", "/__admin/requests")["requests"])
    assert "Proxy-Authorization" not in challenged["request"]["headers"]  # none until asked
    assert (
        answered["request"]["headers"]["Proxy-Authorization"]
        == "Basic " + base64.b64encode(b"u:secret").decode()
    )
    # Without credentials the 407 is the answer.
    bare = proxying(start, target, "--proxy-via", f"127.0.0.1:{via.server.port}")
    assert bare.call("GET", "/t/x")[0] == 407


def wait_for_text(server: Running, text: str, deadline: float = 10.0) -> str:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if text in (seen := server.err.getvalue() + server.out.getvalue()):
            return seen
        time.sleep(0.02)
    raise AssertionError(f"{text!r} never logged; stderr: {server.err.getvalue()}")


def test_webhooks_obey_the_rules_and_the_via(start: Any, target: Running) -> None:
    hook = {"name": "webhook", "parameters": {"method": "POST", "url": f"{target.base}/t/hook", "body": "b"}}
    denying = start("--deny-proxy-targets", "127.0.0.1")
    stub = denying.json(
        "POST",
        "/__admin/mappings",
        {
            "name": "notify",
            "request": {"url": "/go"},
            "response": {"status": 200},
            "serveEventListeners": [hook],
        },
    )
    assert stub["name"] == "notify"
    assert denying.call("GET", "/go")[0] == 200
    wait_for_text(
        denying,
        f"The target webhook address {target.base}/t/hook specified by stub notify is denied in "
        "WireMock's configuration.",
    )
    assert received(target) == []
    via = start("--enable-browser-proxying")
    going = start("--proxy-via", f"127.0.0.1:{via.server.port}")
    going.json(
        "POST",
        "/__admin/mappings",
        {"request": {"url": "/go"}, "response": {"status": 200}, "serveEventListeners": [hook]},
    )
    assert going.call("GET", "/go")[0] == 200
    end = time.monotonic() + 10
    while not received(target) and time.monotonic() < end:
        time.sleep(0.02)
    assert [r["url"] for r in received(target)] == ["/t/hook"]
    (seen,) = via.json("GET", "/__admin/requests")["requests"]
    assert seen["request"]["absoluteUrl"] == f"{target.base}/t/hook" and seen["request"]["method"] == "POST"
