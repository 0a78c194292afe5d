"""The embeddable API: StubServer in the caller's event loop, and a clean stop on SIGTERM."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

from podlab.stub.options import StubOptions
from podlab.stub.server import StubServer

from .conftest import launch


async def http(port: int, request: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request)
    await writer.drain()
    data = await asyncio.wait_for(reader.read(), timeout=5)
    writer.close()
    return data


def test_stub_server_runs_in_process(tmp_path: Path) -> None:
    async def scenario() -> tuple[bytes, bytes, str]:
        out = io.StringIO()
        server = StubServer(
            StubOptions(port=0, bind_address="127.0.0.1", root_dir=tmp_path, disable_banner=True), out=out
        )
        await server.start()
        assert server.port > 0
        mapping = b'{"request":{"url":"/in"},"response":{"body":"in-process"}}'
        created = await http(
            server.port,
            b"POST /__admin/mappings HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: %d\r\n\r\n"
            % len(mapping)
            + mapping,
        )
        served = await http(server.port, b"GET /in HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        await server.stop()
        return created, served, out.getvalue()

    created, served, out = asyncio.run(scenario())
    assert created.startswith(b"HTTP/1.1 201 Created")
    assert served.startswith(b"HTTP/1.1 200 OK") and b"in-process" in served
    assert out.startswith("\nThe WireMock server is started .....\nversion:                      3.13.2\n")
    assert (tmp_path / "mappings").is_dir()


def test_sigterm_stops_cleanly_with_the_jvm_exit_code(tmp_path: Path) -> None:
    # Real WireMock (java) exits 143 on SIGTERM: a liveness kill reads "Exit Code: 143, Reason: Error".
    stub = launch(tmp_path / "root")
    assert stub.call("GET", "/__admin/health")[0] == 200
    assert stub.stop() == 143


def test_wire_limits_come_from_wiremock_and_podlab_options(tmp_path: Path) -> None:
    from podlab.stub.options import OptionsError, parse_args

    options = parse_args(
        [
            "--port=0",
            "--bind-address=127.0.0.1",
            f"--root-dir={tmp_path}",
            "--disable-banner",
            "--jetty-header-request-size",
            "2048",
            "--max-header-count",
            "10",
            "--header-timeout",
            "0.3",
        ]
    )

    async def scenario() -> tuple[bytes, bytes, bytes, bytes]:
        server = StubServer(options, out=io.StringIO())
        await server.start()
        try:
            big = await http(
                server.port, b"GET /x HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 8192 + b"\r\n\r\n"
            )
            many = await http(server.port, b"GET /x HTTP/1.1\r\nHost: x\r\n" + b"X-A: 1\r\n" * 11 + b"\r\n")
            slow = await http(server.port, b"GET /x HTTP/1.1\r\nHost: x\r\n")  # head never completed
            fine = await http(
                server.port, b"GET /__admin/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            )
        finally:
            await server.stop()
        return big, many, slow, fine

    big, many, slow, fine = asyncio.run(scenario())
    assert big.startswith(b"HTTP/1.1 431 Request Header Fields Too Large")
    assert many.startswith(b"HTTP/1.1 431 Request Header Fields Too Large")
    assert slow.startswith(b"HTTP/1.1 408 Request Timeout")
    assert fine.startswith(b"HTTP/1.1 200")
    for bad, message in (
        (["--jetty-header-request-size", "lots"], "--jetty-header-request-size: 'lots' is not a number"),
        (["--max-header-count", "0"], "--max-header-count: 0 is below 1"),
        (["--header-timeout", "-1"], "--header-timeout: -1 must be a positive number of seconds"),
    ):
        try:
            parse_args(bad)
        except OptionsError as err:
            assert str(err) == message
        else:
            raise AssertionError(f"{bad} was accepted")
