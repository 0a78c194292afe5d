"""httpGet probes against real servers on loopback pod IPs."""

from __future__ import annotations

import asyncio
import shutil
import ssl
import subprocess
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from podlab import kube_version
from podlab.probes import ProbeOutcome, ProbeResult, ProbeTarget, run_probe
from podlab.runtime import ExecResult

# A route gets the raw request head and the connection; it returns the bytes to send, or
# None when it wrote (or deliberately did not write) by itself.
Reply = Callable[[bytes, asyncio.StreamWriter], Awaitable[bytes | None]]


async def _no_exec(argv: list[str], timeout: float) -> ExecResult:
    raise AssertionError("exec not expected")


class RawServer:
    """An HTTP server that records each raw request and answers from a per-path script."""

    def __init__(self, host: str, routes: dict[str, Reply], ssl_ctx: ssl.SSLContext | None = None) -> None:
        self.host = host
        self.routes = routes
        self.requests: list[bytes] = []
        self.ssl_ctx = ssl_ctx
        self.port = 0
        self._server: asyncio.Server | None = None

    async def __aenter__(self) -> RawServer:
        self._server = await asyncio.start_server(self._handle, self.host, 0, ssl=self.ssl_ctx)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()
            return
        self.requests.append(head)
        path = head.split(b" ")[1].decode()
        route = self.routes.get(path.split("?")[0])
        data = await route(head, writer) if route else _resp(404, b"404 page not found\n")
        if data is not None:
            writer.write(data)
            await writer.drain()
        writer.close()


def _resp(status: int, body: bytes = b"", headers: list[tuple[str, str]] | None = None) -> bytes:
    lines = [f"HTTP/1.1 {status} X"] + [f"{k}: {v}" for k, v in headers or []]
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def fixed(status: int, body: bytes = b"", headers: list[tuple[str, str]] | None = None) -> Reply:
    async def reply(_: bytes, __: asyncio.StreamWriter) -> bytes:
        return _resp(status, body, headers)

    return reply


async def probe(
    action: dict[str, Any], pod_ip: str, *, timeout: int = 1, container: dict[str, Any] | None = None
) -> ProbeOutcome:
    spec = {"httpGet": action, "timeoutSeconds": timeout}
    target = ProbeTarget(pod_ip=pod_ip, container=container or {"name": "c"}, exec=_no_exec)
    return await run_probe(spec, target, probe_type="liveness")


def test_status_codes_and_body(pod_ip: str) -> None:
    async def main() -> None:
        routes = {"/ok": fixed(200, b"fine"), "/bad": fixed(500, b"secret body"), "/nc": fixed(304)}
        async with RawServer(pod_ip, routes) as srv:
            ok = await probe({"path": "/ok", "port": srv.port}, pod_ip)
            assert ok == ProbeOutcome(ProbeResult.SUCCESS, "fine")
            bad = await probe({"path": "/bad", "port": srv.port}, pod_ip)
            assert bad == ProbeOutcome(ProbeResult.FAILURE, "HTTP probe failed with statuscode: 500")
            missing = await probe({"path": "/missing", "port": srv.port}, pod_ip)
            assert missing.message == "HTTP probe failed with statuscode: 404"
            # A 3xx that is not followed is a warning (success plus a ProbeWarning event).
            nc = await probe({"path": "/nc", "port": srv.port}, pod_ip)
            assert nc == ProbeOutcome(ProbeResult.WARNING, "Probe terminated redirects, Response body: ")

    asyncio.run(main())


def test_request_bytes_match_the_kubelet(pod_ip: str) -> None:
    async def main() -> None:
        async with RawServer(pod_ip, {"/get/this": fixed(200)}) as srv:
            await probe({"path": "/get/this?x=1", "port": srv.port}, pod_ip)
            assert (
                srv.requests[-1]
                == (
                    f"GET /get/this?x=1 HTTP/1.1\r\nHost: {pod_ip}:{srv.port}\r\nUser-Agent: {kube_version.current().user_agent}\r\n"
                    "Accept: */*\r\nConnection: close\r\n\r\n"
                ).encode()
            )
            await probe({"path": "/a b/%41", "port": srv.port}, pod_ip)
            assert srv.requests[-1].startswith(b"GET /a%20b/%41 HTTP/1.1\r\n")
            headers = [
                {"name": "custom-header", "value": "Awesome"},
                {"name": "X-Multi", "value": "a"},
                {"name": "x-multi", "value": "b"},
                {"name": "Host", "value": "example.test"},
                {"name": "Accept", "value": ""},
                {"name": "User-Agent", "value": "mine/1"},
            ]
            await probe({"path": "/get/this", "port": srv.port, "httpHeaders": headers}, pod_ip)
            assert srv.requests[-1] == (
                b"GET /get/this HTTP/1.1\r\nHost: example.test\r\nUser-Agent: mine/1\r\n"
                b"Custom-Header: Awesome\r\nX-Multi: a\r\nX-Multi: b\r\nConnection: close\r\n\r\n"
            )

    asyncio.run(main())


def test_named_ports(pod_ip: str) -> None:
    async def main() -> None:
        async with RawServer(pod_ip, {"/h": fixed(200, b"ok")}) as srv:
            container = {"name": "c", "ports": [{"name": "http", "containerPort": srv.port}]}
            ok = await probe({"path": "/h", "port": "http"}, pod_ip, container=container)
            assert ok.result is ProbeResult.SUCCESS
            unknown = await probe({"path": "/h", "port": "admin"}, pod_ip, container=container)
            # An error, not a failure: the kubelet discards the attempt.
            assert unknown == ProbeOutcome(ProbeResult.UNKNOWN, 'port "admin" not found')
            bad = await probe({"path": "/h", "port": 70000}, pod_ip, container=container)
            assert bad == ProbeOutcome(ProbeResult.UNKNOWN, "invalid port number: 70000")

    asyncio.run(main())


def test_redirects_same_host_followed_cross_host_warned(pod_ip: str, other_ip: str) -> None:
    async def main() -> None:
        async with RawServer(pod_ip, {}) as srv:

            async def to(loc: str) -> Reply:
                return fixed(302, f'<a href="{loc}">Found</a>.\n\n'.encode(), [("Location", loc)])

            srv.routes["/healthz"] = fixed(500)
            srv.routes["/good"] = fixed(200, b"followed")
            srv.routes["/local"] = await to("/good")
            srv.routes["/local-bad"] = await to("/healthz")
            srv.routes["/other-port"] = await to(f"http://{pod_ip}:{srv.port}/good")
            srv.routes["/cross"] = await to(f"http://{other_ip}:{srv.port}/good")
            srv.routes["/loop"] = await to("/loop")
            assert (await probe({"path": "/local", "port": srv.port}, pod_ip)).message == "followed"
            bad = await probe({"path": "/local-bad", "port": srv.port}, pod_ip)
            assert bad == ProbeOutcome(ProbeResult.FAILURE, "HTTP probe failed with statuscode: 500")
            assert (await probe({"path": "/other-port", "port": srv.port}, pod_ip)).message == "followed"
            cross = await probe({"path": "/cross", "port": srv.port}, pod_ip)
            assert cross == ProbeOutcome(
                ProbeResult.WARNING,
                f'Probe terminated redirects, Response body: <a href="http://{other_ip}:{srv.port}/good">Found</a>.\n\n',
            )
            loop = await probe({"path": "/loop", "port": srv.port}, pod_ip)
            assert loop == ProbeOutcome(ProbeResult.FAILURE, 'Get "/loop": stopped after 10 redirects')
            assert sum(1 for r in srv.requests if r.startswith(b"GET /loop ")) == 10

    asyncio.run(main())


def test_timeout_body_cap_and_transport_errors(pod_ip: str) -> None:
    async def slow_headers(_: bytes, __: asyncio.StreamWriter) -> bytes:
        await asyncio.sleep(5)
        return _resp(200)

    async def slow_body(_: bytes, writer: asyncio.StreamWriter) -> bytes | None:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial")
        await writer.drain()
        await asyncio.sleep(5)
        return None

    async def hang_up(_: bytes, __: asyncio.StreamWriter) -> bytes | None:
        return None

    async def main() -> None:
        routes = {
            "/slow": slow_headers,
            "/big": fixed(200, b"x" * 50_000),
            "/hangup": hang_up,
            "/slow-body": slow_body,
        }
        async with RawServer(pod_ip, routes) as srv:
            loop = asyncio.get_running_loop()
            t0 = loop.time()
            slow = await probe({"path": "/slow", "port": srv.port}, pod_ip, timeout=1)
            assert 0.9 < loop.time() - t0 < 2.5
            assert slow == ProbeOutcome(
                ProbeResult.FAILURE,
                f'Get "http://{pod_ip}:{srv.port}/slow": context deadline exceeded '
                "(Client.Timeout exceeded while awaiting headers)",
            )
            # Headers arrive, the body does not: an error, which the kubelet discards.
            stalled = await probe({"path": "/slow-body", "port": srv.port}, pod_ip, timeout=1)
            assert stalled == ProbeOutcome(
                ProbeResult.UNKNOWN,
                "context deadline exceeded (Client.Timeout or context cancellation while reading body)",
            )
            big = await probe({"path": "/big", "port": srv.port}, pod_ip)
            assert big == ProbeOutcome(ProbeResult.SUCCESS, "x" * 10240)
            hang = await probe({"path": "/hangup", "port": srv.port}, pod_ip)
            assert hang == ProbeOutcome(ProbeResult.FAILURE, f'Get "http://{pod_ip}:{srv.port}/hangup": EOF')
            port = srv.port
        refused = await probe({"path": "/x", "port": port}, pod_ip)
        assert refused == ProbeOutcome(
            ProbeResult.FAILURE,
            f'Get "http://{pod_ip}:{port}/x": dial tcp {pod_ip}:{port}: connect: connection refused',
        )

    asyncio.run(main())


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl CLI not installed")
    cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "1",
            "-subj",
            "/CN=podlab-test",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def test_https_without_verification(pod_ip: str, tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)

    async def main() -> None:
        async with RawServer(pod_ip, {"/secure": fixed(200, b"tls ok")}, ssl_ctx=ctx) as srv:
            ok = await probe({"path": "/secure", "port": srv.port, "scheme": "HTTPS"}, pod_ip)
            assert ok == ProbeOutcome(ProbeResult.SUCCESS, "tls ok")
        async with RawServer(pod_ip, {"/plain": fixed(200)}) as plain:
            mixed = await probe({"path": "/plain", "port": plain.port, "scheme": "HTTPS"}, pod_ip)
            assert mixed.result is ProbeResult.FAILURE
            assert mixed.message.startswith(f'Get "https://{pod_ip}:{plain.port}/plain": ')

    asyncio.run(main())
