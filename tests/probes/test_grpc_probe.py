"""The grpc probe against real sockets: grpcio servers, scripted HTTP/2 servers, and servers that
are not gRPC at all. The test process may load grpcio; the node does not (test_node_imports.py)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import grpc
import h2.config
import h2.connection
import h2.events
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from podlab import kube_version
from podlab.probes import ProbeOutcome, ProbeResult, ProbeTarget, run_probe
from podlab.runtime import ExecResult

Responder = Callable[[h2.connection.H2Connection, int], None]


async def _no_exec(argv: list[str], timeout: float) -> ExecResult:
    raise AssertionError("exec not expected")


async def _probe(pod_ip: str, port: int, timeout: int = 1, service: str = "") -> tuple[ProbeOutcome, float]:
    t0 = time.monotonic()
    outcome = await run_probe(
        {"grpc": {"port": port, "service": service}, "timeoutSeconds": timeout},
        ProbeTarget(pod_ip, {"name": "c"}, _no_exec),
        probe_type="liveness",
    )
    return outcome, time.monotonic() - t0


def _connect_timeout(pod_ip: str, port: int) -> ProbeOutcome:
    return ProbeOutcome(
        ProbeResult.FAILURE,
        f'timeout: failed to connect service "{pod_ip}:{port}" within 1s: context deadline exceeded',
    )


@asynccontextmanager
async def _raw_server(
    pod_ip: str, handle: Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
) -> AsyncIterator[int]:
    clients: list[asyncio.StreamWriter] = []

    async def tracked(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        clients.append(writer)
        with contextlib.suppress(ConnectionError):
            await handle(reader, writer)

    server = await asyncio.start_server(tracked, pod_ip, 0)
    try:
        yield int(server.sockets[0].getsockname()[1])
    finally:
        server.close()
        for writer in clients:  # Server.abort_clients() is Python 3.13+
            writer.transport.abort()
        await server.wait_closed()


@asynccontextmanager
async def _h2_server(
    pod_ip: str, respond: Responder | None, seen: list[dict[str, str]]
) -> AsyncIterator[int]:
    """An HTTP/2 server speaking h2's server side; `respond` answers each request (None: never)."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False))
        conn.initiate_connection()
        writer.write(conn.data_to_send())
        while data := await reader.read(65536):
            for event in conn.receive_data(data):
                if isinstance(event, h2.events.RequestReceived):
                    seen.append({k.decode(): v.decode() for k, v in event.headers or []})
                if isinstance(event, h2.events.StreamEnded) and respond is not None:
                    respond(conn, event.stream_id)
            writer.write(conn.data_to_send())

    async with _raw_server(pod_ip, handle) as port:
        yield port


@asynccontextmanager
async def _grpcio_server(
    pod_ip: str, with_health: bool = True, port: int = 0
) -> AsyncIterator[tuple[int, Any]]:
    server = grpc.aio.server()
    servicer = health.aio.HealthServicer() if with_health else None
    if servicer is not None:
        health_pb2_grpc.add_HealthServicer_to_server(servicer, server)
    port = server.add_insecure_port(f"{pod_ip}:{port}")
    await server.start()
    try:
        yield port, servicer
    finally:
        await server.stop(0)


def test_servers_that_are_not_http2_fail_the_dial_until_the_deadline(pod_ip: str) -> None:
    """grpc-go's WithBlock dial retries an HTTP/1.1 answer, a closed or a silent connection until
    the context ends, and reports only "context deadline exceeded"."""

    async def http11(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(100)
        writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        await writer.drain()
        writer.close()

    async def close_at_once(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.close()

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1 << 20)  # reads the client preface, answers nothing

    async def main() -> None:
        for handler in (http11, close_at_once, silent):
            async with _raw_server(pod_ip, handler) as port:
                outcome, took = await _probe(pod_ip, port)
            assert outcome == _connect_timeout(pod_ip, port), handler.__name__
            assert 0.9 < took < 3, (handler.__name__, took)

    asyncio.run(main())


def test_a_server_that_never_answers_the_call_times_out_the_rpc(pod_ip: str) -> None:
    async def main() -> None:
        seen: list[dict[str, str]] = []
        async with _h2_server(pod_ip, None, seen) as port:
            outcome, took = await _probe(pod_ip, port)
        assert outcome == ProbeOutcome(ProbeResult.FAILURE, "timeout: health rpc did not complete within 1s")
        assert 0.9 < took < 3
        assert seen and seen[0]["grpc-timeout"].endswith("u")  # ~1s left, in microseconds

    asyncio.run(main())


def test_grpc_message_is_percent_decoded_and_the_user_agent_is_kube_probe(pod_ip: str) -> None:
    def not_found(conn: h2.connection.H2Connection, stream: int) -> None:
        conn.send_headers(
            stream,
            [
                (":status", "200"),
                ("content-type", "application/grpc"),
                ("grpc-status", "5"),
                ("grpc-message", "unknown service %22x%22: 100%25 %E2%9C%93"),
            ],
            end_stream=True,
        )

    async def main() -> None:
        seen: list[dict[str, str]] = []
        async with _h2_server(pod_ip, not_found, seen) as port:
            outcome, _ = await _probe(pod_ip, port, service="x")
        assert outcome == ProbeOutcome(
            ProbeResult.FAILURE,
            'error: health rpc probe failed: rpc error: code = NotFound desc = unknown service "x": 100% \u2713',
        )
        assert seen[0]["user-agent"] == kube_version.current().user_agent
        assert seen[0][":authority"] == f"{pod_ip}:{port}"

    asyncio.run(main())


def test_an_http2_server_that_is_not_grpc(pod_ip: str) -> None:
    def page(conn: h2.connection.H2Connection, stream: int) -> None:
        conn.send_headers(stream, [(":status", "404"), ("content-type", "text/html")], end_stream=True)

    async def main() -> None:
        async with _h2_server(pod_ip, page, []) as port:
            outcome, _ = await _probe(pod_ip, port)
        assert outcome == ProbeOutcome(
            ProbeResult.FAILURE,
            "error: this server does not implement the grpc health protocol (grpc.health.v1.Health): "
            "unexpected HTTP status code received from server: 404 (Not Found); "
            'transport: received unexpected content-type "text/html"',
        )

    asyncio.run(main())


def test_grpcio_server_statuses(pod_ip: str) -> None:
    async def main() -> None:
        async with _grpcio_server(pod_ip) as (port, servicer):
            await servicer.set("", health_pb2.HealthCheckResponse.NOT_SERVING)
            await servicer.set("gone", health_pb2.HealthCheckResponse.SERVICE_UNKNOWN)
            await servicer.set("ok", health_pb2.HealthCheckResponse.SERVING)
            down, _ = await _probe(pod_ip, port)
            gone, _ = await _probe(pod_ip, port, service="gone")
            ok, _ = await _probe(pod_ip, port, service="ok")
        assert down == ProbeOutcome(ProbeResult.FAILURE, 'service unhealthy (responded with "NOT_SERVING")')
        assert gone == ProbeOutcome(
            ProbeResult.FAILURE, 'service unhealthy (responded with "SERVICE_UNKNOWN")'
        )
        assert ok == ProbeOutcome(ProbeResult.SUCCESS, "service healthy")
        async with _grpcio_server(pod_ip, with_health=False) as (bare, _):
            unimplemented, _ = await _probe(pod_ip, bare)
        assert unimplemented == ProbeOutcome(
            ProbeResult.FAILURE,
            "error: this server does not implement the grpc health protocol (grpc.health.v1.Health): "
            "Method not found!",
        )

    asyncio.run(main())


def test_the_dial_retries_until_the_server_answers(pod_ip: str) -> None:
    """The first connection is closed at once; grpc-go's backoff dials again after 1 s, within
    the 3 s timeout, and by then a gRPC server listens on that port."""
    first_attempt = asyncio.Event()

    async def close_at_once(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        first_attempt.set()
        writer.close()

    async def main() -> None:
        async with _raw_server(pod_ip, close_at_once) as port:
            probing = asyncio.create_task(_probe(pod_ip, port, timeout=3))
            await asyncio.wait_for(first_attempt.wait(), 3)
        async with _grpcio_server(pod_ip, port=port) as (_, servicer):
            await servicer.set("", health_pb2.HealthCheckResponse.SERVING)
            outcome, took = await asyncio.wait_for(probing, 5)
        assert outcome == ProbeOutcome(ProbeResult.SUCCESS, "service healthy")
        assert 0.9 < took < 2.5, took

    asyncio.run(main())


def test_a_connection_reset_under_the_call_is_unavailable(pod_ip: str) -> None:
    async def reset(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False))
        conn.initiate_connection()
        writer.write(conn.data_to_send())
        while data := await reader.read(65536):
            if any(isinstance(e, h2.events.StreamEnded) for e in conn.receive_data(data)):
                writer.transport.abort()  # RST: the request arrived, no answer will
                return
            writer.write(conn.data_to_send())

    async def main() -> None:
        async with _raw_server(pod_ip, reset) as port:
            outcome, took = await _probe(pod_ip, port)
        assert outcome == ProbeOutcome(
            ProbeResult.FAILURE,
            "error: health rpc probe failed: rpc error: code = Unavailable desc = "
            'connection error: desc = "error reading from server: EOF"',
        )
        assert took < 0.9  # the answer is not the deadline's

    asyncio.run(main())


def test_a_service_name_longer_than_one_frame(pod_ip: str) -> None:
    """The request body spans two DATA frames (16 KiB each at most); grpcio reads it whole."""

    async def main() -> None:
        async with _grpcio_server(pod_ip) as (port, servicer):
            await servicer.set("s" * 20000, health_pb2.HealthCheckResponse.NOT_SERVING)
            outcome, _ = await _probe(pod_ip, port, service="s" * 20000)
        assert outcome == ProbeOutcome(
            ProbeResult.FAILURE, 'service unhealthy (responded with "NOT_SERVING")'
        )

    asyncio.run(main())
