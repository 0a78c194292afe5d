"""Log reading on a 300 MB container log: `kubectl logs --tail=3`, a full read, and the API's
answer time while that full read runs.

Run: .venv/bin/python bench/logs_bench.py [--mib 300] [--runs 5]
The log is written straight into the node's log directory (a container would take minutes to
print 300 MB); the pod itself only echoes one line and exits.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from node_bench import Node

from podlab.runtime.crilog import LogLine, encode

KUBECTL = str(Path(sys.executable).parent / "kubectl")
POD = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "big"},
    "spec": {
        "restartPolicy": "Never",
        "containers": [{"name": "c", "image": "busybox:1.36", "command": ["/bin/sh", "-c", "echo small"]}],
    },
}


def kubectl(node: Node, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [KUBECTL, "--kubeconfig", str(node.home / "kubeconfig"), *args],
        input=stdin.encode() if stdin else None,
        capture_output=True,
        timeout=300,
        check=True,
    )


def write_log(path: Path, mib: int) -> None:
    line = encode(LogLine(time.time_ns(), "stdout", False, b"y" * 200))
    block = line * (8 * 1024 * 1024 // len(line))
    with open(path, "wb") as f:
        for _ in range(max(1, mib * 1024 * 1024 // len(block))):
            f.write(block)
        f.write(encode(LogLine(time.time_ns(), "stdout", False, b"the end")))


def peak_rss_mib(node: Node) -> float:
    for line in Path(f"/proc/{node.process.pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mib", type=int, default=300)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    node = Node()
    try:
        kubectl(node, "apply", "-f", "-", stdin=json.dumps(POD))
        deadline = time.monotonic() + 60
        while node.get("/api/v1/namespaces/default/pods/big")["status"].get("phase") != "Succeeded":
            if time.monotonic() > deadline:
                raise SystemExit("the pod did not finish")
            time.sleep(0.1)
        uid = node.get("/api/v1/namespaces/default/pods/big")["metadata"]["uid"]
        log = node.home / "pods" / f"default_big_{uid}" / "c" / "0.log"
        write_log(log, args.mib)
        size_mib = log.stat().st_size / 2**20

        tails = []
        for _ in range(args.runs):
            t0 = time.monotonic()
            out = kubectl(node, "logs", "big", "--tail=3").stdout
            tails.append(time.monotonic() - t0)
            assert out.endswith(b"the end\n"), out[-100:]

        api: list[float] = []
        done = threading.Event()

        def watch_api() -> None:
            while not done.is_set():
                t0 = time.monotonic()
                node.get("/api/v1/namespaces/default/pods")
                api.append(time.monotonic() - t0)
                time.sleep(0.05)

        watcher = threading.Thread(target=watch_api)
        watcher.start()
        t0 = time.monotonic()
        full = kubectl(node, "logs", "big").stdout
        full_seconds = time.monotonic() - t0
        done.set()
        watcher.join()

        print(f"log file: {size_mib:.0f} MiB")
        print(
            f"kubectl logs --tail=3: median {statistics.median(tails):.3f}s, max {max(tails):.3f}s ({args.runs} runs)"
        )
        print(f"kubectl logs (full, {len(full) / 2**20:.0f} MiB out): {full_seconds:.1f}s")
        print(f"API GET pods during the full read: max {max(api):.3f}s, median {statistics.median(api):.3f}s")
        print(f"node peak RSS: {peak_rss_mib(node):.0f} MiB")
    finally:
        node.stop()


if __name__ == "__main__":
    main()
