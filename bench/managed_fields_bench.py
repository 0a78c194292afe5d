"""The cost managedFields add to an API write: one Update (a scale of a Deployment) and one
server-side apply of the same Deployment, each as the REST handlers run them.

Run: .venv/bin/python bench/managed_fields_bench.py [--writes 2000]
"""

from __future__ import annotations

import argparse
import copy
import statistics
import time
from typing import Any

from podlab.k8s import managed_fields


def deployment(replicas: int) -> dict[str, Any]:
    container = {
        "name": "app",
        "image": "busybox",
        "command": ["sleep", "3600"],
        "ports": [{"containerPort": 80}, {"containerPort": 53, "protocol": "UDP"}],
        "env": [{"name": f"E{i}", "value": str(i)} for i in range(5)],
        "readinessProbe": {"httpGet": {"path": "/", "port": 80}, "periodSeconds": 5},
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [container]}},
        },
    }


def timed(fn: Any, writes: int) -> list[float]:
    out = []
    for _ in range(writes):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1e6)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--writes", type=int, default=2000)
    args = parser.parse_args()
    kw: dict[str, Any] = {"kind": "Deployment", "api_version": "apps/v1"}
    live = managed_fields.apply(None, deployment(2), manager="kubectl", force=False, now="t0", **kw)
    scaled = copy.deepcopy(live)
    scaled["spec"]["replicas"] = 3

    def update() -> None:
        managed_fields.record_update(live, scaled, manager="kubectl", subresource="scale", now="t1", **kw)

    def apply() -> None:
        managed_fields.apply(live, deployment(4), manager="kubectl", force=True, now="t1", **kw)

    for name, fn in (("update (scale)", update), ("apply (force)", apply)):
        times = timed(fn, args.writes)
        print(
            f"{name:15} median {statistics.median(times):7.0f} us   p95 {sorted(times)[len(times) * 95 // 100]:7.0f} us"
        )


if __name__ == "__main__":
    main()
