#!/usr/bin/env python3
"""podlab stub under hostile stubs and requests: how long the hostile request takes and what it
does to everyone else (not part of the test suite; tests/security/test_stub_hostile.py is).

Cases, each on a fresh `python -m podlab.stub` on 127.0.0.1:
- regex: `urlPattern "/(a+)+$"` (RE2) and `"/(?:a|a)+(?!a)c"` (budgeted `regex`) against
  `/aaa...a!`: the hostile request's latency, and `GET /ok` p99 from wrk -t1 -c8 -d3s with and
  without a client sending the hostile request in a loop; and the budgeted pattern in a
  `matches` body pattern with a new hostile value per request (nothing remembered helps);
- template: `{{#each (range 1 10000000)}}` answered (500) in how long;
- near misses: 10,000 `url` stubs, wrk -t1 -c8 -d3s on one unmatched URL and on a new URL per
  request (req/s, p99);
- journal: 200,000 entries (pipelined GET /ok), then GET /__admin/requests: time to list, body
  size, and the worst `GET /ok` latency from a second client meanwhile; peak RSS.

Usage: .venv/bin/python bench/stub_hostile_bench.py [--journal 200000] [--duration 3]
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from stub_bench import wrk_numbers  # bench/ is the script's directory, on sys.path

HOSTILE_PATH = "/" + "a" * 30 + "!"


class Stub:
    def __init__(self, root: Path) -> None:
        self.out = root / "stdout"
        self.err = root / "stderr"
        with self.out.open("wb") as out, self.err.open("wb") as err:
            command = [sys.executable, "-m", "podlab.stub", "--port", "0", "--bind-address", "127.0.0.1"]
            self.proc = subprocess.Popen([*command, "--root-dir", str(root)], stdout=out, stderr=err)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            found = re.search(r"^port:\s+(\d+)$", self.out.read_text(), re.MULTILINE)
            if found:
                self.port = int(found.group(1))
                return
            time.sleep(0.05)
        raise SystemExit("stub did not start:\n" + self.err.read_text())

    def call(self, method: str, path: str, body: str | None = None) -> tuple[int, bytes, float]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
        started = time.monotonic()
        try:
            connection.request(method, path, body=body, headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            data = response.read()
            return response.status, data, time.monotonic() - started
        finally:
            connection.close()

    def stub(self, mapping: str) -> None:
        status, body, _ = self.call("POST", "/__admin/mappings", mapping)
        assert status == 201, body

    def peak_rss_mib(self) -> float:
        found = re.search(
            r"^VmHWM:\s+(\d+) kB", Path(f"/proc/{self.proc.pid}/status").read_text(), re.MULTILINE
        )
        return int(found.group(1)) / 1024 if found else float("nan")

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=15)


@contextmanager
def stub_server() -> Iterator[Stub]:
    root = Path(tempfile.mkdtemp(prefix="podlab-hostile-"))
    server = Stub(root)
    try:
        server.stub('{"request": {"url": "/ok"}, "response": {"status": 204}}')
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


# Every request a different URL, so nothing the server remembers per URL helps.
VARIED_LUA = """
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", "/api/itme/" .. counter .. "x")
end
"""


def wrk(port: int, path: str, duration: int, script: Path | None = None) -> tuple[float, float]:
    """(requests/s, p99 ms) from wrk -t1 -c8 over loopback."""
    extra = ["-s", str(script)] if script is not None else []
    out = subprocess.run(
        ["wrk", "-t1", "-c8", f"-d{duration}s", "--latency", *extra, f"http://127.0.0.1:{port}{path}"],
        capture_output=True,
        text=True,
        timeout=duration + 30,
        check=True,
    ).stdout
    return wrk_numbers(out)  # 404s expected here, so not stub_bench.wrk, which refuses them


def while_looping(action: Callable[[], object], measure: Callable[[], object]) -> object:
    """`measure()` while another thread repeats `action` (bounded: stops when measure ends)."""
    done = threading.Event()

    def loop() -> None:
        deadline = time.monotonic() + 120
        while not done.is_set() and time.monotonic() < deadline:
            action()

    thread = threading.Thread(target=loop)
    thread.start()
    try:
        return measure()
    finally:
        done.set()
        thread.join(timeout=130)


def bench_regex(duration: int) -> None:
    for pattern in ("/(a+)+$", "/(?:a|a)+(?!a)c"):
        with stub_server() as server:
            server.stub(json.dumps({"request": {"urlPattern": pattern}, "response": {"status": 200}}))
            seconds = sorted(server.call("GET", HOSTILE_PATH)[2] for _ in range(20))
            base_rps, base_p99 = wrk(server.port, "/ok", duration)
            rps, p99 = while_looping(
                lambda s=server: s.call("GET", HOSTILE_PATH), lambda s=server: wrk(s.port, "/ok", duration)
            )  # type: ignore[misc]
            print(
                f"regex {pattern!r}: hostile request median {seconds[10] * 1000:.1f} ms, max {seconds[-1] * 1000:.1f} ms; "
                f"GET /ok p99 {base_p99:.1f} ms alone ({base_rps:.0f}/s), {p99:.1f} ms beside a hostile loop ({rps:.0f}/s)"
            )
    # The worst case for the budgeted engine: a new hostile value on every request (the server
    # remembers timed-out values, so repeating one is cheap), in a `matches` body pattern.
    with stub_server() as server:
        mapping = {
            "request": {"method": "POST", "url": "/body", "bodyPatterns": [{"matches": "(?:a|a)+(?!a)c"}]},
            "response": {"status": 200},
        }
        server.stub(json.dumps(mapping))
        counter = iter(range(10**9))

        def hostile() -> float:
            return server.call("POST", "/body", "a" * (28 + next(counter) % 40) + "!")[2]

        seconds = sorted(hostile() for _ in range(20))
        base_rps, base_p99 = wrk(server.port, "/ok", duration)
        rps, p99 = while_looping(hostile, lambda: wrk(server.port, "/ok", duration))  # type: ignore[misc]
        print(
            "regex '(?:a|a)+(?!a)c' in bodyPatterns, a new value per request: hostile request median "
            f"{seconds[10] * 1000:.1f} ms, max {seconds[-1] * 1000:.1f} ms; GET /ok p99 {base_p99:.1f} ms alone "
            f"({base_rps:.0f}/s), {p99:.1f} ms beside a hostile loop ({rps:.0f}/s)"
        )


def bench_template() -> None:
    with stub_server() as server:
        server.stub(
            '{"request": {"url": "/big"}, "response": {"body": "{{#each (range 1 10000000)}}x{{/each}}",'
            ' "transformers": ["response-template"]}}'
        )
        server.stub(
            '{"request": {"url": "/nested"}, "response": {"body": "{{#each (range 1 10000)}}{{#each (range 1 10000)}}x{{/each}}{{/each}}",'
            ' "transformers": ["response-template"]}}'
        )
        for path in ("/big", "/nested"):
            answers = [server.call("GET", path) for _ in range(10)]
            worst = max(seconds for _, _, seconds in answers)
            print(
                f"template {path}: status {answers[0][0]}, worst of 10 {worst * 1000:.1f} ms; {answers[0][1][:90]!r}"
            )


def bench_near_misses(duration: int) -> None:
    with stub_server() as server:
        mappings = [
            {"request": {"method": "GET", "url": f"/api/item/{i}"}, "response": {"status": 200}}
            for i in range(10_000)
        ]
        status, _, seconds = server.call(
            "POST", "/__admin/mappings/import", json.dumps({"mappings": mappings})
        )
        assert status == 200
        rps, p99 = wrk(server.port, "/api/itme/77x", duration)
        script = Path(tempfile.mkdtemp(prefix="podlab-wrk-")) / "varied.lua"
        script.write_text(VARIED_LUA)
        varied_rps, varied_p99 = wrk(server.port, "/", duration, script)
        shutil.rmtree(script.parent, ignore_errors=True)
        print(
            f"near misses: 10,000 stubs (imported in {seconds:.1f} s); unmatched GET, one URL: {rps:.0f} req/s, "
            f"p99 {p99:.1f} ms; every URL different: {varied_rps:.0f} req/s, p99 {varied_p99:.1f} ms"
        )


def fill_journal(port: int, count: int) -> None:
    request = b"GET /ok HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sent = 0
        while sent < count:
            batch = min(1000, count - sent)
            sock.sendall(request * batch)
            buffer = b""
            while buffer.count(b"HTTP/1.1 204") < batch:
                chunk = sock.recv(1 << 16)
                if not chunk:
                    raise SystemExit("server closed the connection")
                buffer += chunk
            sent += batch


def bench_journal(entries: int) -> None:
    with stub_server() as server:
        started = time.monotonic()
        fill_journal(server.port, entries)
        print(
            f"journal: {entries} entries filled in {time.monotonic() - started:.1f} s, RSS {server.peak_rss_mib():.0f} MiB"
        )
        latencies: list[float] = []
        done = threading.Event()

        def ordinary() -> None:
            deadline = time.monotonic() + 600
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
            while not done.is_set() and time.monotonic() < deadline:
                began = time.monotonic()
                connection.request("GET", "/ok")
                connection.getresponse().read()
                latencies.append(time.monotonic() - began)
                time.sleep(0.005)
            connection.close()

        thread = threading.Thread(target=ordinary)
        thread.start()
        try:
            status, body, seconds = server.call("GET", "/__admin/requests")
        finally:
            done.set()
            thread.join(timeout=70)
        latencies.sort()
        p99 = latencies[int(len(latencies) * 0.99)] if latencies else float("nan")
        print(
            f"journal: GET /__admin/requests {status} in {seconds:.1f} s, {len(body) / 2**20:.0f} MiB; "
            f"GET /ok meanwhile: {len(latencies)} requests, p99 {p99 * 1000:.1f} ms, max {latencies[-1] * 1000:.1f} ms; "
            f"peak RSS {server.peak_rss_mib():.0f} MiB"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--journal", type=int, default=200_000)
    parser.add_argument("--duration", type=int, default=3)
    parser.add_argument("--only", choices=["regex", "template", "near", "journal"])
    args = parser.parse_args()
    if args.only in (None, "regex"):
        bench_regex(args.duration)
    if args.only in (None, "template"):
        bench_template()
    if args.only in (None, "near"):
        bench_near_misses(args.duration)
    if args.only in (None, "journal"):
        bench_journal(args.journal)


if __name__ == "__main__":
    main()
