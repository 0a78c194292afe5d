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
