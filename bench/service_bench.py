"""Service path vs pod-direct: what the userspace Service proxy costs, measured in one run.

Three processes, so no two share a GIL: a backend server on a pod address (127.244.200.1), the
Service proxy (a Store holding one Service and its EndpointSlice, `ServiceProxy` over the
loopback seam, the ClusterIP 127.96.200.1:80), and this client. For each path (direct to the
pod, through the ClusterIP) it measures, every loop bounded in count and in time:

- connect: a fresh connection and one 64-byte round trip (median, p99 over --connects);
- round trip: 64-byte ping-pong on one kept connection (median, p99 over --pings);
- throughput: --mib MiB streamed to a sink that answers with the byte count (MiB/s).

    .venv/bin/python bench/service_bench.py [--connects 300] [--pings 3000] [--mib 256] [--loop asyncio]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import socket
import socketserver
import statistics
import time
from typing import Any

POD_IP, CLUSTER_IP, SERVICE_PORT = "127.244.200.1", "127.96.200.1", 80
PING = b"x" * 64
CHUNK = b"\0" * (256 * 1024)
TIME_LIMIT = 20.0  # seconds per measurement, whatever the counts


class _Handler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        sock: socket.socket = self.request
        mode = sock.recv(1)
        if mode == b"e":  # echo 64-byte pings until EOF
            while data := sock.recv(65536):
                sock.sendall(data)
        elif mode == b"s":  # sink: count until EOF, then answer with the count
            total = 0
            while data := sock.recv(1 << 20):
                total += len(data)
            sock.sendall(str(total).encode())


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def _backend(ready: Any, port_out: Any) -> None:
    server = _Server((POD_IP, 0), _Handler)
    port_out.value = server.server_address[1]
    ready.set()
    server.serve_forever()


def _proxy(port: int, ready: Any, loop_name: str) -> None:
    from podlab.httpcore import install_uvloop
    from podlab.network.proxy import ServiceProxy
    from podlab.network.sockets import LoopbackSockets
    from podlab.store import Store

    store = Store(None)
    store.create(
        ("", "services"),
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "bench", "namespace": "default"},
            "spec": {
                "clusterIP": CLUSTER_IP,
                "clusterIPs": [CLUSTER_IP],
                "ports": [{"name": "", "port": SERVICE_PORT, "protocol": "TCP"}],
            },
        },
    )
    store.create(
        ("discovery.k8s.io", "endpointslices"),
        {
            "metadata": {
                "name": "bench-x",
                "namespace": "default",
                "labels": {"kubernetes.io/service-name": "bench"},
            },
            "addressType": "IPv4",
            "ports": [{"name": "", "port": port, "protocol": "TCP"}],
            "endpoints": [{"addresses": [POD_IP], "conditions": {"ready": True}}],
        },
    )

    if loop_name == "uvloop" and not install_uvloop():
        raise SystemExit("uvloop is not installed")

    async def main() -> None:
        proxy = ServiceProxy(store, LoopbackSockets())
        task = asyncio.create_task(proxy.run())
        await proxy.sync()
        ready.set()
        await task

    asyncio.run(main())


def _roundtrip(sock: socket.socket) -> None:
    sock.sendall(PING)
    got = 0
    while got < len(PING):
        data = sock.recv(65536)
        if not data:
            raise ConnectionError("closed mid-ping")
        got += len(data)


def _connects(host: str, port: int, count: int) -> list[float]:
    out: list[float] = []
    deadline = time.monotonic() + TIME_LIMIT
    while len(out) < count and time.monotonic() < deadline:
        started = time.perf_counter()
        with socket.create_connection((host, port), timeout=5) as sock:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.sendall(b"e")
            _roundtrip(sock)
        out.append(time.perf_counter() - started)
    return out


def _pings(host: str, port: int, count: int) -> list[float]:
    out: list[float] = []
    deadline = time.monotonic() + TIME_LIMIT
    with socket.create_connection((host, port), timeout=5) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.sendall(b"e")
        while len(out) < count and time.monotonic() < deadline:
            started = time.perf_counter()
            _roundtrip(sock)
            out.append(time.perf_counter() - started)
    return out


def _throughput(host: str, port: int, mib: int) -> float:
    deadline = time.monotonic() + TIME_LIMIT
    sent = 0
    with socket.create_connection((host, port), timeout=30) as sock:
        sock.sendall(b"s")
        started = time.perf_counter()
        while sent < mib * (1 << 20) and time.monotonic() < deadline:
            sock.sendall(CHUNK)
            sent += len(CHUNK)
        sock.shutdown(socket.SHUT_WR)
        answer = sock.recv(64)
        elapsed = time.perf_counter() - started
    assert int(answer) == sent, f"sink counted {answer!r}, sent {sent}"
    return sent / (1 << 20) / elapsed


def _p99(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.99) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connects", type=int, default=300)
    parser.add_argument("--pings", type=int, default=3000)
    parser.add_argument("--mib", type=int, default=256)
    # The node runs on uvloop when it is installed (`podlab up`), else on asyncio's own loop.
    parser.add_argument("--loop", choices=("uvloop", "asyncio"), default="uvloop")
    args = parser.parse_args()
    ctx = multiprocessing.get_context("spawn")
    backend_ready, proxy_ready, port = ctx.Event(), ctx.Event(), ctx.Value("i", 0)
    backend = ctx.Process(target=_backend, args=(backend_ready, port), daemon=True)
    backend.start()
    if not backend_ready.wait(10):
        raise SystemExit("backend did not start")
    proxy = ctx.Process(target=_proxy, args=(port.value, proxy_ready, args.loop), daemon=True)
    proxy.start()
    try:
        if not proxy_ready.wait(20):
            raise SystemExit("proxy did not start")
        paths = {"pod-direct": (POD_IP, port.value), "service": (CLUSTER_IP, SERVICE_PORT)}
        results: dict[str, dict[str, float]] = {}
        for name, (host, p) in paths.items():
            connects = _connects(host, p, args.connects)
            pings = _pings(host, p, args.pings)
            results[name] = {
                "connect p50 ms": statistics.median(connects) * 1000,
                "connect p99 ms": _p99(connects) * 1000,
                "round trip p50 us": statistics.median(pings) * 1e6,
                "round trip p99 us": _p99(pings) * 1e6,
                "throughput MiB/s": _throughput(host, p, args.mib),
            }
        print(f"{'':22}{'pod-direct':>12}{'service':>12}{'ratio':>8}")
        for metric in results["pod-direct"]:
            direct, via = results["pod-direct"][metric], results["service"][metric]
            print(f"{metric:22}{direct:12.1f}{via:12.1f}{via / direct:8.2f}")
    finally:
        proxy.kill()
        backend.kill()
        proxy.join(5)
        backend.join(5)


if __name__ == "__main__":
    main()
