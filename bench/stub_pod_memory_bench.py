#!/usr/bin/env python3
"""A wiremock pod's stub process: CPU to its first answer and memory once serving (not a test).

Runs `python -m podlab.stub` the way a wiremock pod runs it (runtime/pyruntime.py): this
interpreter with PYTHONHOME, PYTHONPATH of a compiled copy of podlab and the dependency
directories, PYTHONDONTWRITEBYTECODE=1, the seed pod's flags (`--compat 2 --verbose`) and the
reference mapping, on the host (no sandbox, so no bwrap processes are counted). Per start:

- CPU of the process from its exec to the first 200 of GET /get/this (schedstat, all threads);
- its `Anonymous` and `Pss` (smaps_rollup) after `--requests` on one keep-alive connection, and
  after `--connections` more requests each on a connection of its own, as kubelet probes do.

With `--before-src DIR` (a `src` directory of another checkout, e.g. from `git worktree add`) the
starts alternate between the two trees, so a loaded machine affects both alike.

    .venv/bin/python bench/stub_pod_memory_bench.py [--runs 6] [--requests 100]
        [--connections 1000] [--before-src /tmp/base/src]
"""

from __future__ import annotations

import argparse
import compileall
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE_STUB = {
    "request": {"url": "/get/this", "method": "GET"},
    "response": {"status": 200, "body": "here it is!\n"},
}


def compiled_copy(src: Path, into: Path) -> Path:
    """A copy of src/podlab with bytecode, as the node binds it (runtime/pycache.py)."""
    lib = into / "lib"
    shutil.copytree(src / "podlab", lib / "podlab", ignore=shutil.ignore_patterns("__pycache__"))
    compileall.compile_dir(str(lib / "podlab"), quiet=1)
    return lib


def pod_env(lib: Path) -> dict[str, str]:
    sys.path.insert(0, str(ROOT / "src"))
    from podlab.runtime.pyruntime import dependency_dirs

    prefix = os.path.realpath(sys.base_prefix)
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONHOME": prefix,
        "PYTHONPATH": ":".join([str(lib), *dict.fromkeys(dependency_dirs())]),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
    }
    if any(Path(prefix, "lib").glob("libpython*.so*")):
        env["LD_LIBRARY_PATH"] = str(Path(prefix, "lib"))
    return env


def cpu_seconds(pid: int) -> float:
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            total += int(Path(f"/proc/{pid}/task/{task}/schedstat").read_text().split()[0])
        except (OSError, IndexError, ValueError):
            pass  # a thread that ended meanwhile
    return total / 1e9


def rollup(pid: int) -> dict[str, int]:
    values = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1].isdigit():
            values[parts[0].rstrip(":")] = int(parts[1])
    return values


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(port: int, close: bool, conn: http.client.HTTPConnection | None = None) -> int:
    c = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("GET", "/get/this", headers={"Connection": "close"} if close else {})
    response = c.getresponse()
    response.read()
    if conn is None:
        c.close()
    return response.status


def one_start(env: dict[str, str], root: Path, requests: int, connections: int) -> dict[str, float]:
    port = free_port()
    argv = [sys.executable, "-m", "podlab.stub", "--compat", "2", "--verbose", "--port", str(port)]
    argv += ["--bind-address", "127.0.0.1", "--root-dir", str(root)]
    started = time.monotonic()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = started + 60
        while True:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the stub did not answer (exit {proc.returncode})")
            try:
                if get(port, close=True) == 200:
                    break
            except OSError:
                time.sleep(0.002)
        out = {"wall_s": time.monotonic() - started, "cpu_s": cpu_seconds(proc.pid)}
        keep = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        for _ in range(requests):
            get(port, close=False, conn=keep)
        keep.close()
        time.sleep(0.05)
        first = rollup(proc.pid)
        out |= {"anon_mib": first["Anonymous"] / 1024, "pss_mib": first["Pss"] / 1024}
        for _ in range(connections):
            get(port, close=True)
        time.sleep(0.05)
        after = rollup(proc.pid)
        out |= {
            "anon_conns_mib": after["Anonymous"] / 1024,
            "threads": len(os.listdir(f"/proc/{proc.pid}/task")),
        }
        return out
    finally:
        proc.kill()
        proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=6)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--before-src", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="podlab-podmem-") as tmp:
        work = Path(tmp)
        root = work / "root"
        (root / "mappings").mkdir(parents=True)
        (root / "mappings" / "reference.json").write_text(json.dumps(REFERENCE_STUB))
        trees = {"after": compiled_copy(ROOT / "src", work / "after")}
        if args.before_src:
            trees = {"before": compiled_copy(args.before_src.resolve(), work / "before"), **trees}
        results: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
        for _ in range(args.runs):
            for name, lib in trees.items():
                results[name].append(one_start(pod_env(lib), root, args.requests, args.connections))
    load = os.getloadavg()
    print(f"{args.runs} starts per tree, alternating; load average {load[0]:.1f} at the end")
    labels = {
        "cpu_s": "CPU to the first 200 (s)",
        "wall_s": "wall to the first 200 (s)",
        "anon_mib": f"anonymous after {args.requests} keep-alive requests (MiB)",
        "pss_mib": f"PSS (lone process) after {args.requests} requests (MiB)",
        "anon_conns_mib": f"anonymous after {args.connections} more connections (MiB)",
        "threads": "threads",
    }
    for name, runs in results.items():
        print(name)
        for key, label in labels.items():
            values = [r[key] for r in runs]
            print(
                f"  {label:52s} median {statistics.median(values):8.3f}  range {min(values):.3f}-{max(values):.3f}"
            )


if __name__ == "__main__":
    main()
