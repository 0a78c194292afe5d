#!/usr/bin/env python3
"""podlab stub against real WireMock 3.13.2, same machine, same run (not part of the test suite).

Measures, for both servers:
- start-up: process spawn to the first 200 from GET /__admin/mappings;
- throughput and p99 latency with wrk over loopback, for the reference stub (GET /get/this)
  and for 1,000 stubs (half exact `url`, half `urlPattern` regexes) hitting the last added one,
  the first added one, and none (a 404 with the near-miss report: the same miss repeated, which
  podlab answers from its unmatched memo, and a different miss per request, which it does not);
- peak RSS (VmHWM) of the server process after all load.

Usage:
  .venv/bin/python bench/stub_bench.py --wiremock-jar PATH/wiremock-standalone-3.13.2.jar \
      [--duration 5] [--warmup 3] [--threads 2] [--connections 32]

The jar comes with `npm install wiremock@3.13.2` (node_modules/wiremock/build/). WIREMOCK_JAR
may name it instead of --wiremock-jar.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

STUB_COUNT = 1000


@dataclass
class Server:
    name: str
    proc: subprocess.Popen[bytes]
    port: int
    startup_s: float
    results: dict[str, tuple[float, float]] = field(default_factory=dict)  # scenario -> (rps, p99 ms)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def peak_rss_mib(self) -> float:
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
        return int(found.group(1)) / 1024 if found else float("nan")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(port: int, proc: subprocess.Popen[bytes], started: float, timeout: float = 60) -> float:
    deadline = started + timeout
    url = f"http://127.0.0.1:{port}/__admin/mappings"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode} before answering")
        try:
            with urllib.request.urlopen(url, timeout=1) as resp:
                if resp.status == 200:
                    return time.monotonic() - started
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.005)
    raise SystemExit(f"server on port {port} not ready after {timeout}s")


def child_env(pycache: Path) -> dict[str, str]:
    """The servers' environment: Python may write its bytecode cache (to a private directory),
    as an installed package has one; with PYTHONDONTWRITEBYTECODE=1 every start-up would
    compile podlab's ~80 modules again (~0.25 s here)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


def start(name: str, argv: list[str], port: int, cwd: Path, env: dict[str, str] | None = None) -> Server:
    started = time.monotonic()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    return Server(name, proc, port, wait_ready(port, proc, started))


def admin(server: Server, method: str, path: str, body: object | None = None) -> None:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(server.base + path, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=30) as resp:
        resp.read()


# Every request a path of its own (/many/none/<n>): a 404 podlab's unmatched memo has not seen,
# so the near misses are ranked and the report rendered afresh each time.
DISTINCT_PATHS_LUA = """
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", "/many/none/" .. n .. "-" .. math.random(1000000))
end
"""


def wrk(
    url: str,
    duration: int,
    threads: int,
    connections: int,
    *,
    expect_404: bool = False,
    script: str | None = None,
) -> tuple[float, float]:
    extra: list[str] = []
    if script is not None:
        script_file = Path(tempfile.gettempdir()) / f"stub_bench_{os.getpid()}.lua"
        script_file.write_text(script)
        extra = ["-s", str(script_file)]
    out = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{duration}s",
            "--latency",
            "--timeout",
            "5s",
            *extra,
            url,
        ],
        capture_output=True,
        text=True,
        timeout=duration + 60,
        check=True,
    ).stdout
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx and not expect_404:
        raise SystemExit(f"{url}: {non2xx.group(1)} non-2xx answers under load:\n{out}")
    return wrk_numbers(out)


def wrk_numbers(out: str) -> tuple[float, float]:
    """(requests/s, p99 ms) from wrk --latency output."""
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE)
    assert p99, out
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    return rps, float(p99.group(1)) * scale


def many_stubs() -> list[dict[str, object]]:
    stubs: list[dict[str, object]] = []
    for i in range(STUB_COUNT):
        if i % 2:
            request: dict[str, object] = {"method": "GET", "urlPattern": f"/many/re{i}/[a-z]+/\\d+"}
            path = f"/many/re{i}/abc/42"
        else:
            request = {"method": "GET", "url": f"/many/exact/{i}"}
            path = f"/many/exact/{i}"
        stubs.append({"request": request, "response": {"status": 200, "body": f"stub {i}"}, "_path": path})
    return stubs


def run_scenarios(servers: list[Server], args: argparse.Namespace) -> None:
    """Every scenario on every server, wrk rounds alternating between the servers, so a change
    in the machine's load (other users of a shared host) hits both alike."""

    def measure(label: str, path: str, expect_404: bool = False, script: str | None = None) -> None:
        if args.warmup > 0:  # JIT / caches warm for both
            for server in servers:
                wrk(
                    server.base + path,
                    args.warmup,
                    args.threads,
                    args.connections,
                    expect_404=expect_404,
                    script=script,
                )
        rounds: dict[str, list[tuple[float, float]]] = {server.name: [] for server in servers}
        for _ in range(args.rounds):
            for server in servers:
                rounds[server.name].append(
                    wrk(
                        server.base + path,
                        args.duration,
                        args.threads,
                        args.connections,
                        expect_404=expect_404,
                        script=script,
                    )
                )
        for server in servers:
            runs = rounds[server.name]
            server.results[label] = (
                statistics.median(r[0] for r in runs),
                statistics.median(r[1] for r in runs),
            )

    reference = {
        "request": {"url": "/get/this", "method": "GET"},
        "response": {"status": 200, "body": "Here it is!\n"},
    }
    for server in servers:
        admin(server, "POST", "/__admin/mappings", reference)
    measure("reference stub", "/get/this")
    stubs = many_stubs()
    for server in servers:
        admin(server, "DELETE", "/__admin/mappings")
        for stub in stubs:
            admin(server, "POST", "/__admin/mappings", {k: v for k, v in stub.items() if k != "_path"})
    measure("1000 stubs, hit last added", str(stubs[-1]["_path"]))
    measure("1000 stubs, hit first added", str(stubs[0]["_path"]))
    # No stub matches: a 404 with the near-miss report (the diff of the nearest stubs).
    # The same miss again and again (a probe on a wrong path, a retrying client) ...
    measure("1000 stubs, no match (404)", "/many/none/xyz", expect_404=True)
    # ... and a different miss every time: the ranking and the report are paid per request.
    measure("1000 stubs, each 404 new", "/many/none/", expect_404=True, script=DISTINCT_PATHS_LUA)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--wiremock-jar", default=os.environ.get("WIREMOCK_JAR"))
    parser.add_argument("--duration", type=int, default=5, help="seconds per measured wrk run")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of wrk before each measure")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3, help="measured wrk runs per scenario (median)")
    parser.add_argument("--startups", type=int, default=3, help="start-ups per server (median)")
    parser.add_argument("--podlab-python", default=sys.executable, help="the python that runs podlab stub")
    parser.add_argument("--only-startup", action="store_true", help="measure start-up only")
    parser.add_argument(
        "--before-src",
        help="an older podlab's src directory (e.g. `git archive <commit> src | tar -x -C DIR`):"
        " measured as a third server in the same run, with PYTHONPATH=BEFORE_SRC",
    )
    args = parser.parse_args()
    if not args.wiremock_jar or not Path(args.wiremock_jar).is_file():
        raise SystemExit(
            "give --wiremock-jar (npm install wiremock@3.13.2; node_modules/wiremock/build/*.jar)"
        )
    if shutil.which("wrk") is None or shutil.which("java") is None:
        raise SystemExit("wrk and java must be on PATH")

    servers: list[Server] = []
    with tempfile.TemporaryDirectory(prefix="stub-bench-") as tmp:
        env = child_env(Path(tmp) / "pycache")
        launches = []
        candidates: list[tuple[str, list[str], dict[str, str]]] = [
            ("podlab stub", [args.podlab_python, "-m", "podlab.stub"], env),
            ("WireMock 3.13.2", ["java", "-jar", args.wiremock_jar], env),
        ]
        if args.before_src:
            before_env = {**env, "PYTHONPATH": str(Path(args.before_src).resolve())}
            before_env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache-before")
            candidates.append(("podlab before", [args.podlab_python, "-m", "podlab.stub"], before_env))
        for name, command, server_env in candidates:
            root = Path(tmp) / name.replace(" ", "-")
            root.mkdir()
            port = free_port()
            argv = [
                *command,
                "--port",
                str(port),
                "--bind-address",
                "127.0.0.1",
                "--root-dir",
                str(root),
                "--disable-banner",
                "--disable-request-logging",
            ]
            launches.append((name, argv, port, root, server_env))
        try:
            for name, argv, port, root, server_env in launches:
                start(name, argv, port, root, server_env).stop()  # untimed: fills the bytecode cache
            startups: dict[str, list[float]] = {name: [] for name, *_ in launches}
            for _ in range(args.startups - 1):  # start-ups alternating, only timed
                for name, argv, port, root, server_env in launches:
                    extra = start(name, argv, port, root, server_env)
                    startups[name].append(extra.startup_s)
                    extra.stop()
            for name, argv, port, root, server_env in launches:  # the last ones stay up for the load
                server = start(name, argv, port, root, server_env)
                startups[name].append(server.startup_s)
                server.startup_s = statistics.median(startups[name])
                servers.append(server)
            if not args.only_startup:
                run_scenarios(servers, args)
                for server in servers:
                    server.results["peak RSS"] = (server.peak_rss_mib(), 0.0)
        finally:
            for server in servers:
                server.stop()
    print_table(servers, args)
    return 0


def print_table(servers: list[Server], args: argparse.Namespace) -> None:
    ours, theirs, *rest = servers
    before = rest[0] if rest else None
    print(
        f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s x{args.rounds} rounds, median"
        f" (after {args.warmup}s warm-up), loopback; start-up median of {args.startups}"
    )
    header = f"{'metric':<42}{ours.name:>16}{theirs.name:>18}{'ratio':>9}"
    if before is not None:
        header += f"{before.name:>16}{'vs before':>11}"
    print(header)
    print("-" * len(header))

    def row(label: str, a: float, b: float, unit: str, c: float | None = None) -> None:
        ratio = a / b if b else float("nan")
        line = f"{label:<42}{a:>13.1f} {unit:<2}{b:>15.1f} {unit:<2}{ratio:>8.2f}x"
        if c is not None:
            line += f"{c:>13.1f} {unit:<2}{(a / c if c else float('nan')):>10.2f}x"
        print(line)

    row(
        "start-up to first 200 (ms)",
        ours.startup_s * 1000,
        theirs.startup_s * 1000,
        "ms",
        before.startup_s * 1000 if before else None,
    )
    if args.only_startup:
        return
    scenarios = (
        "reference stub",
        "1000 stubs, hit last added",
        "1000 stubs, hit first added",
        "1000 stubs, no match (404)",
        "1000 stubs, each 404 new",
    )
    for scenario in scenarios:
        old = before.results[scenario] if before else None
        row(
            f"{scenario}: req/s",
            ours.results[scenario][0],
            theirs.results[scenario][0],
            "",
            old[0] if old else None,
        )
        row(
            f"{scenario}: p99 (ms)",
            ours.results[scenario][1],
            theirs.results[scenario][1],
            "ms",
            old[1] if old else None,
        )
    row(
        "peak RSS after load (MiB)",
        ours.results["peak RSS"][0],
        theirs.results["peak RSS"][0],
        "Mi",
        before.results["peak RSS"][0] if before else None,
    )


if __name__ == "__main__":
    sys.exit(main())
