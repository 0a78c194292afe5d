"""Exec round trip: `kubectl exec POD -- true`, median of 20, over each of kubectl's transports.

Run: .venv/bin/python bench/exec_bench.py [--runs 20]
The time includes kubectl's own start (measured alone as `kubectl version --client`) and its
GET of the pod; the difference is what the node adds: the upgrade, starting a second bwrap
sandbox in the container's PID namespace, and the Status at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from node_bench import Node

KUBECTL = str(Path(sys.executable).parent / "kubectl")
POD = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "target"},
    "spec": {"containers": [{"name": "c", "image": "busybox", "command": ["sleep", "3600"]}]},
}


def timed(argv: list[str], env: dict[str, str], stdin: bytes | None = None) -> float:
    t0 = time.monotonic()
    subprocess.run(argv, input=stdin, capture_output=True, timeout=60, check=True, env=env)
    return time.monotonic() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    node = Node()
    try:
        base = [KUBECTL, "--kubeconfig", str(node.home / "kubeconfig")]
        timed([*base, "apply", "-f", "-"], dict(os.environ), json.dumps(POD).encode())
        timed([*base, "wait", "--for=condition=Ready", "pod/target", "--timeout=60s"], dict(os.environ))
        client = [timed([KUBECTL, "version", "--client"], dict(os.environ)) for _ in range(args.runs)]
        print(f"kubectl version --client (kubectl's own start): median {statistics.median(client):.3f}s")
        for name, websockets in (("WebSocket v5", "true"), ("SPDY/3.1", "false")):
            env = {**os.environ, "KUBECTL_REMOTE_COMMAND_WEBSOCKETS": websockets}
            times = [timed([*base, "exec", "target", "--", "true"], env) for _ in range(args.runs)]
            print(
                f"kubectl exec -- true over {name}: median {statistics.median(times):.3f}s, "
                f"min {min(times):.3f}s, max {max(times):.3f}s ({args.runs} runs)"
            )
    finally:
        node.stop()


if __name__ == "__main__":
    main()
