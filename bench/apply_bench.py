"""`kubectl apply` of a 100-object file against podlab's API server: wall time per apply.

Each round applies the file with a cold kubectl cache (kubectl then downloads `/openapi/v3`
and the group-version documents it needs, as on a first run) and once with the warm cache,
then deletes the objects. It also times the server's strict field check alone (the unknown
field walk over the 100 objects). Run it on two trees to compare: the API server comes from
whatever `podlab` the interpreter imports (PYTHONPATH=OLD/src for an older checkout).

    .venv/bin/python bench/apply_bench.py [--rounds 5] [--objects 100]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import subprocess
import tempfile
import threading
import time
from concurrent.futures import Future
from pathlib import Path

import yaml

from podlab.apiserver import ApiServer, write_kubeconfig
from podlab.k8s import unknown_fields
from podlab.runtime.logsource import LogSource
from podlab.store import Store

KUBECTL = str(Path(__file__).resolve().parents[1] / ".venv" / "bin" / "kubectl")
TOKEN = "bench-token-0123456789"


def objects(count: int) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for i in range(count):
        if i % 2:
            out.append(
                {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"cm-{i}"}, "data": {"k": "v"}}
            )
            continue
        container = {
            "name": "app",
            "image": "busybox",
            "ports": [{"containerPort": 8080, "name": "http"}],
            "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}},
            "livenessProbe": {"httpGet": {"path": "/", "port": 8080}, "periodSeconds": 5},
            "env": [{"name": "A", "value": "1"}],
        }
        out.append(
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": f"web-{i}", "labels": {"app": f"web-{i}"}},
                "spec": {
                    "replicas": 1,
                    "selector": {"matchLabels": {"app": f"web-{i}"}},
                    "template": {
                        "metadata": {"labels": {"app": f"web-{i}"}},
                        "spec": {"containers": [container]},
                    },
                },
            }
        )
    return out


def start_server(home: Path) -> tuple[ApiServer, asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    ready: Future[ApiServer] = Future()

    def main() -> None:
        asyncio.set_event_loop(loop)

        async def start() -> None:
            server = ApiServer(Store(None), token=TOKEN, logs=LogSource(home))
            await server.start()
            ready.set_result(server)

        loop.run_until_complete(start())
        loop.run_forever()

    threading.Thread(target=main, daemon=True).start()
    return ready.result(timeout=30), loop


def kubectl(env: dict[str, str], cache: Path, *args: str) -> tuple[float, float, float]:
    """Wall seconds, kubectl's CPU seconds, and the API server's (this process's) CPU seconds:
    CPU time holds still on a shared, loaded machine where wall time does not."""
    wall, server = time.perf_counter(), time.process_time()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(
        [KUBECTL, f"--cache-dir={cache}", *args], env=env, check=True, capture_output=True, timeout=300
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    client = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return time.perf_counter() - wall, client, time.process_time() - server


def _report(name: str, runs: list[tuple[float, float, float]]) -> None:
    wall, client, server = (statistics.median(column) for column in zip(*runs, strict=True))
    print(f"{name}: median wall {wall:.2f}s, kubectl CPU {client:.2f}s, API server CPU {server:.2f}s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--objects", type=int, default=100)
    args = parser.parse_args()
    objs = objects(args.objects)
    started = time.perf_counter()
    for obj in objs:
        unknown_fields(obj)
    print(
        f"unknown-field check of {len(objs)} objects (first, loads tables): {time.perf_counter() - started:.4f}s"
    )
    started = time.perf_counter()
    for _ in range(20):
        for obj in objs:
            unknown_fields(obj)
    print(
        f"unknown-field check of {len(objs)} objects (warm): {(time.perf_counter() - started) / 20 * 1000:.2f} ms"
    )
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "home").mkdir()
        server, _loop = start_server(root / "home")
        kubeconfig = root / "kubeconfig"
        write_kubeconfig(kubeconfig, server.url, TOKEN, ca_pem=server.ca_pem)
        manifest = root / "objects.yaml"
        manifest.write_text(yaml.safe_dump_all(objs))
        env = {k: v for k, v in os.environ.items() if not k.startswith("KUBE")}
        env.update(KUBECONFIG=str(kubeconfig), HOME=str(root / "home"))
        cold, warm = [], []
        for n in range(args.rounds):
            cache = root / f"cache-{n}"
            cold.append(kubectl(env, cache, "apply", "-f", str(manifest)))
            kubectl(env, cache, "delete", "-f", str(manifest), "--wait=false")
            warm.append(kubectl(env, cache, "apply", "-f", str(manifest)))
            kubectl(env, cache, "delete", "-f", str(manifest), "--wait=false")
        _report(f"kubectl apply -f ({len(objs)} objects), cold cache", cold)
        _report(f"kubectl apply -f ({len(objs)} objects), warm cache", warm)


if __name__ == "__main__":
    main()
