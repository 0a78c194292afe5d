"""Cluster DNS answer rate and latency over real UDP, with many Services in the store.

Run: .venv/bin/python bench/dns_bench.py [--services 1000] [--queries 5000]
The server runs on its own event loop in a thread (as in the node, one loop serves it); one
client asks sequentially, each name once per round (hit) and a missing name (NXDOMAIN, the
search-path misses every ndots:5 lookup makes) in between.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import socket
import statistics
import threading
import time

from dnslib import DNSRecord

from podlab.network.dns_cluster import SERVICES, ClusterView
from podlab.network.dns_resolver import Resolver
from podlab.network.dns_server import DnsServer
from podlab.network.sockets import LoopbackSockets
from podlab.store import Store


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--services", type=int, default=1000)
    parser.add_argument("--queries", type=int, default=5000)
    args = parser.parse_args()
    store = Store(None)
    for n in range(10):
        store.create(("", "namespaces"), {"metadata": {"name": f"ns{n}"}})
    for i in range(args.services):
        ns = f"ns{i % 10}"
        store.create(
            SERVICES,
            {
                "metadata": {"name": f"svc{i}", "namespace": ns},
                "spec": {
                    "clusterIP": f"10.96.{i // 250}.{i % 250 + 1}",
                    "ports": [{"name": "http", "port": 80}],
                },
            },
        )
    ip, port = f"127.98.{random.randint(1, 254)}.1", 5353
    loop = asyncio.new_event_loop()
    server = DnsServer(Resolver(ClusterView(store)), LoopbackSockets(), ip, port=port)
    loop.run_until_complete(server.start())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.settimeout(5)
    latencies: dict[str, list[float]] = {"hit": [], "nxdomain": []}
    started = time.perf_counter()
    for n in range(args.queries):
        kind = "hit" if n % 2 == 0 else "nxdomain"
        i = random.randrange(args.services)
        name = (
            f"svc{i}.ns{i % 10}.svc.cluster.local"
            if kind == "hit"
            else f"example.com.ns{i % 10}.svc.cluster.local"
        )
        wire = DNSRecord.question(name).pack()
        t0 = time.perf_counter()
        sock.sendto(wire, (ip, port))
        sock.recv(4096)
        latencies[kind].append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - started
    print(
        f"{args.services} Services, {args.queries} queries in {elapsed:.2f}s: {args.queries / elapsed:.0f} queries/s"
    )
    for kind, values in latencies.items():
        values.sort()
        print(
            f"  {kind}: median {statistics.median(values) * 1e3:.2f} ms, "
            f"p99 {values[int(len(values) * 0.99)] * 1e3:.2f} ms"
        )
    asyncio.run_coroutine_threadsafe(server.stop(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)


if __name__ == "__main__":
    main()
