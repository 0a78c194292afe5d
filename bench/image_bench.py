"""Image benchmarks: pull + unpack of a multi-layer image, and pod start from a warm image cache
against a built-in image.

Run: .venv/bin/python bench/image_bench.py [--layers 8] [--layer-mib 4] [--runs 5]
Needs Debian's docker-registry (started on 127.0.0.1 with a throwaway config) and busybox-static.
The image is built in Python (tests/oci/imagebuild.py): a busybox layer plus N layers of
incompressible data. Pod start is measured through the API: pod created -> container running.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "bench")]

from node_bench import Node  # noqa: E402

from oci.imagebuild import Entry, build_image, busybox_layer  # noqa: E402
from oci.registry import run_registry  # noqa: E402
from podlab.oci.store import ImageStore  # noqa: E402

SLEEPER = ["sh", "-c", "sleep 3600"]


def data_layers(count: int, mib: int) -> list[list[Entry]]:
    rng = random.Random(8)
    return [
        [Entry(f"data{i}", "dir"), Entry(f"data{i}/blob", data=rng.randbytes(mib << 20))]
        for i in range(count)
    ]


def bench_pull(host: str, runs: int) -> tuple[list[float], list[float]]:
    cold, warm = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="podlab-images-") as tmp:
            store = ImageStore(Path(tmp))
            began = time.monotonic()
            store.pull(f"{host}/bench/layers:1")
            cold.append(time.monotonic() - began)
            began = time.monotonic()
            store.pull(f"{host}/bench/layers:1")  # Always, unchanged: manifests only
            warm.append(time.monotonic() - began)
    return cold, warm


def post(node: Node, path: str, body: dict[str, Any]) -> None:
    request = urllib.request.Request(
        node.server + path,
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {node.token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10, context=node.tls):
        pass


def pod_start(node: Node, name: str, image: str) -> float:
    manifest = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name},
        "spec": {
            "containers": [{"name": "c", "image": image, "command": SLEEPER}],
            "terminationGracePeriodSeconds": 0,
        },
    }
    began = time.monotonic()
    post(node, "/api/v1/namespaces/default/pods", manifest)
    deadline = began + 60
    while time.monotonic() < deadline:
        pod = node.get(f"/api/v1/namespaces/default/pods/{name}")
        statuses = pod.get("status", {}).get("containerStatuses") or [{}]
        if "running" in statuses[0].get("state", {}):
            return time.monotonic() - began
        time.sleep(0.01)
    raise SystemExit(f"pod {name} did not start")


def bench_start(host: str, runs: int) -> tuple[list[float], list[float]]:
    node = Node()
    try:
        os.environ["PODLAB_HOME"] = str(node.home)
        ImageStore(node.home / "images").pull(f"{host}/bench/layers:1")  # the warm cache
        pulled = [pod_start(node, f"pulled-{i}", f"{host}/bench/layers:1") for i in range(runs)]
        builtin = [pod_start(node, f"builtin-{i}", "busybox:1.36") for i in range(runs)]
        return pulled, builtin
    finally:
        node.stop()


def row(label: str, values: list[float]) -> str:
    return f"{label:<44} median {statistics.median(values) * 1000:8.0f} ms   min {min(values) * 1000:6.0f}   max {max(values) * 1000:6.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layers", type=int, default=8)
    parser.add_argument("--layer-mib", type=int, default=4)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    image = build_image([busybox_layer(), *data_layers(args.layers, args.layer_mib)], {"Cmd": SLEEPER})
    size = sum(len(b) for b in image.blobs.values())
    with tempfile.TemporaryDirectory(prefix="podlab-registry-") as tmp, run_registry(Path(tmp)) as registry:
        registry.push("bench/layers", "1", image)
        cold, warm = bench_pull(registry.host, args.runs)
        pulled, builtin = bench_start(registry.host, args.runs)
    print(f"image: {args.layers + 1} layers, {size / 1e6:.1f} MB compressed; {args.runs} runs each")
    print(row("pull + unpack, empty store", cold))
    print(f"{'':<44} = {size / 1e6 / statistics.median(cold):.0f} MB/s")
    print(row("pull again, unchanged (Always)", warm))
    print(row("pod start, pulled image, warm cache", pulled))
    print(row("pod start, built-in busybox", builtin))


if __name__ == "__main__":
    main()
