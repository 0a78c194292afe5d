"""podlab simulate's speed: virtual time per wall second, and many runs.

    .venv/bin/python bench/insight_bench.py [--hours 1] [--runs 1000] [--run-minutes 10] [--workers 2]

Prints the wall time of one simulated hour of the reference scenario (the stub broken at 60 s,
so it includes a restart) and of --runs runs of --run-minutes each with a latency distribution
(each run draws anew), spread over --workers processes.
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import yaml

from podlab.insight.model import parse_model
from podlab.insight.simulate import pods_to_simulate, simulate, simulate_runs

ROOT = Path(__file__).resolve().parents[1]
MODEL = {
    "containers": {
        "wiremock": {
            "startup": {"p50": "1s", "p99": "4s"},
            "http": {
                "/get/this": {
                    "latency": {"p50": "5ms", "p99": "400ms"},
                    "fail": [{"from": "60s", "status": 404, "untilRestart": True}],
                }
            },
        }
    }
}


def _pod() -> dict[str, object]:
    docs = [d for d in yaml.safe_load_all((ROOT / "examples/seed/wiremock-liveness.yaml").read_text()) if d]
    return pods_to_simulate(docs)[0]


def _runs(args: tuple[int, int, float]) -> dict[str, object]:
    seed, runs, duration = args
    return simulate_runs(
        _pod(), parse_model(MODEL, "bench"), duration=duration, runs=runs, seed=seed
    ).to_json()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hours", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--run-minutes", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    model = parse_model(MODEL, "bench")
    started = time.perf_counter()
    story = simulate(_pod(), model, duration=args.hours * 3600)
    one = time.perf_counter() - started
    print(f"{args.hours:g} h of virtual time: {one:.2f} s wall, restarts {story.restarts}")
    started = time.perf_counter()
    share = [
        args.runs // args.workers + (1 if i < args.runs % args.workers else 0) for i in range(args.workers)
    ]
    jobs = [(sum(share[:i]) * 7919, n, args.run_minutes * 60) for i, n in enumerate(share) if n]
    with ProcessPoolExecutor(args.workers) as pool:
        results = list(pool.map(_runs, jobs))
    many = time.perf_counter() - started
    restarted = sum(float(r["pRestart"]) * int(r["n"]) for r in results) / args.runs
    print(
        f"{args.runs} runs of {args.run_minutes:g} min on {args.workers} workers: {many:.1f} s wall "
        f"({many / args.runs * 1000:.0f} ms per run), P(restart) {restarted:.3f}"
    )


if __name__ == "__main__":
    main()
