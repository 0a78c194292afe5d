"""What store.db costs a write: ConfigMap creates per second, with the SQLite mirror and without.

Two levels, alternating with/without so a change in the machine's load hits both alike:
- store: `Store.create` in a loop (the mirror's own cost: one transaction per write, WAL,
  synchronous=NORMAL);
- API: creates through the kubernetes Python client against a real node (`Node(persist=...)`,
  started by this script in a child process), one request at a time, as `kubectl apply` sends them.

Run: .venv/bin/python bench/persist_bench.py [--store-writes 5000] [--api-writes 300] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from podlab.store import Store

CMS = ("", "configmaps")


def store_rate(path: Path | None, writes: int) -> float:
    store = Store(path)
    started = time.perf_counter()
    for i in range(writes):
        store.create(CMS, {"metadata": {"name": f"c{i}"}, "data": {"key": "value" * 20}})
    rate = writes / (time.perf_counter() - started)
    store.close()
    return rate


def serve(home: Path, persist: bool) -> None:
    """The child: a node with or without store.db, until SIGTERM."""
    from podlab.node.node import Node

    async def main() -> None:
        node = Node(home, persist=persist)
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        await node.start()
        (home / "bench-ready").write_text(node.api_url)
        try:
            await stop.wait()
        finally:
            await node.stop()

    asyncio.run(main())


def api_rate(persist: bool, writes: int) -> float:
    from kubernetes import client, config

    with tempfile.TemporaryDirectory(prefix="podlab-persist-bench-") as tmp:
        home = Path(tmp) / "home"
        child = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(home), "--persist", json.dumps(persist)],
        )
        try:
            deadline = time.monotonic() + 60
            while not (home / "bench-ready").exists():
                if child.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the node did not start")
                time.sleep(0.05)
            api = client.CoreV1Api(config.new_client_from_config(config_file=str(home / "kubeconfig")))
            body = {"metadata": {"name": "warm"}, "data": {"key": "value" * 20}}
            api.create_namespaced_config_map("default", body)  # connection and TLS set up
            started = time.perf_counter()
            for i in range(writes):
                api.create_namespaced_config_map("default", {**body, "metadata": {"name": f"c{i}"}})
            return writes / (time.perf_counter() - started)
        finally:
            child.send_signal(signal.SIGTERM)
            child.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store-writes", type=int, default=5000)
    parser.add_argument("--api-writes", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--persist", default="true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve is not None:
        serve(args.serve, json.loads(args.persist))
        return
    rates: dict[str, list[float]] = {
        "store memory": [],
        "store sqlite": [],
        "api memory": [],
        "api sqlite": [],
    }
    for _ in range(args.rounds):
        with tempfile.TemporaryDirectory() as tmp:
            rates["store memory"].append(store_rate(None, args.store_writes))
            rates["store sqlite"].append(store_rate(Path(tmp) / "store.db", args.store_writes))
        rates["api memory"].append(api_rate(False, args.api_writes))
        rates["api sqlite"].append(api_rate(True, args.api_writes))
    for name, values in rates.items():
        print(
            f"{name:13} creates/s median {statistics.median(values):8.0f}  runs {[round(v) for v in values]}"
        )
    for level in ("store", "api"):
        memory, sqlite = (statistics.median(rates[f"{level} {kind}"]) for kind in ("memory", "sqlite"))
        print(
            f"{level}: {1e6 / sqlite - 1e6 / memory:+.0f} µs per create with store.db ({sqlite / memory:.0%})"
        )


if __name__ == "__main__":
    main()
