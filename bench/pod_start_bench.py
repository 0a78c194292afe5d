"""Pod network benchmarks: pod start-to-Ready with namespaces vs loopback, and connect_tcp cost.

Run: .venv/bin/python bench/pod_start_bench.py [--pods 10] [--dials 2000]
Same run, same machine: one node per mode (PODLAB_POD_NETWORK=loopback forces the loopback
form), each starting --pods pods one after another (busybox httpd with an httpGet readiness
probe, so Ready means the kubelet's first probe reached the server through the pod network).
Start-to-Ready is from the create request to the first API read showing Ready (10 ms polls).
connect_tcp: in this process, --dials connections to a listener in the network (the bridge
gateway in the node netns; 127.0.0.1 for loopback), each accepted and closed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from node_bench import Node, _all_ready

from podlab.network.podnet import MODE_VARIABLE, start_pod_network
from podlab.network.sockets import PodNetworkSockets


def _pod(i: int) -> dict[str, Any]:
    # The pod IP, not 0.0.0.0: in loopback mode pods share the host's ports.
    serve = 'echo ok > /tmp/index.html; exec httpd -f -p "$PODLAB_POD_IP:8080" -h /tmp'
    container = {
        "name": "web",
        "image": "busybox",
        "command": ["sh", "-c", serve],
        "readinessProbe": {"httpGet": {"path": "/index.html", "port": 8080}, "periodSeconds": 1},
    }
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": f"web-{i}"},
        "spec": {"containers": [container]},
    }


def _post(node: Node, path: str, body: dict[str, Any]) -> None:
    request = urllib.request.Request(
        node.server + path,
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {node.token}", "Content-Type": "application/json"},
        method="POST",
    )
    urllib.request.urlopen(request, timeout=10, context=node.tls).read()


def bench_start_to_ready(mode: str, pods: int) -> list[float]:
    os.environ[MODE_VARIABLE] = mode  # "namespaces" is not a value: it means the default
    node = Node()
    times = []
    try:
        for i in range(pods):
            started = time.monotonic()
            _post(node, "/api/v1/namespaces/default/pods", _pod(i))
            deadline = started + 60
            while not _all_ready([node.get(f"/api/v1/namespaces/default/pods/web-{i}")], 1):
                if time.monotonic() > deadline:
                    raise SystemExit(f"pod web-{i} not Ready in 60 s ({mode})")
                time.sleep(0.01)
            times.append(time.monotonic() - started)
    finally:
        node.stop()
        os.environ.pop(MODE_VARIABLE, None)
    return times


async def _dials(sockets: PodNetworkSockets, host: str, dials: int) -> list[float]:
    listener = await sockets.listen_tcp(host, 0)
    port = listener.getsockname()[1]
    loop = asyncio.get_running_loop()
    costs = []
    try:
        for _ in range(dials):
            started = time.perf_counter()
            sock = await sockets.connect_tcp(host, port, 2.0)
            costs.append(time.perf_counter() - started)
            accepted, _ = await loop.sock_accept(listener)
            accepted.close()
            sock.close()
    finally:
        listener.close()
    return costs


async def bench_connect(dials: int) -> dict[str, list[float]]:
    os.environ[MODE_VARIABLE] = "loopback"
    loopback = await start_pod_network("bwrap")
    os.environ.pop(MODE_VARIABLE, None)
    namespaces = await start_pod_network("bwrap")
    try:
        if namespaces.mode != "namespaces":
            raise SystemExit(f"no namespaces here: {namespaces.describe()}")
        return {
            "loopback": await _dials(loopback.sockets, "127.0.0.1", dials),
            "namespaces": await _dials(namespaces.sockets, "10.244.0.1", dials),
        }
    finally:
        namespaces.close()


def _summary(values: list[float], scale: float, unit: str) -> str:
    ordered = sorted(values)
    p90 = ordered[int(len(ordered) * 0.9)]
    return f"median {statistics.median(ordered) * scale:.1f} {unit}, p90 {p90 * scale:.1f} {unit}, n={len(ordered)}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pods", type=int, default=10)
    parser.add_argument("--dials", type=int, default=2000)
    args = parser.parse_args()
    ready = {mode: bench_start_to_ready(mode, args.pods) for mode in ("namespaces", "loopback")}
    for mode, times in ready.items():
        print(f"pod start-to-Ready, {mode:10}: {_summary(times, 1000, 'ms')}")
    ratio = statistics.median(ready["namespaces"]) / statistics.median(ready["loopback"])
    print(f"  namespaces/loopback (medians): {ratio:.2f}")
    costs = asyncio.run(bench_connect(args.dials))
    for mode, values in costs.items():
        print(f"connect_tcp, {mode:10}: {_summary(values, 1e6, 'us')}")


if __name__ == "__main__":
    main()
