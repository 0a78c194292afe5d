#!/usr/bin/env python3
"""podlab stub over HTTP/2 (h2c, prior knowledge) against HTTP/1.1 keep-alive, same server, same
stub (not part of the test suite). Both clients are asyncio Python on loopback, so the numbers
compare the server's two paths under the same client cost; wrk gives an HTTP/1.1 reference with
a C client.

Usage:
  .venv/bin/python bench/stub_h2_bench.py [--requests 5000] [--streams 32] [--connections 8]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import h2.config
import h2.connection
import h2.events

STUB = {"request": {"urlPath": "/get/this"}, "response": {"status": 200, "body": "Hello world!"}}


def start_stub(root: Path) -> tuple[subprocess.Popen[bytes], int]:
    log = root / "stub.log"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "podlab.stub",
            "--port",
            "0",
            "--bind-address",
            "127.0.0.1",
            "--root-dir",
            str(root),
            "--use-chunked-encoding",
            "never",  # Content-Length framing: the HTTP/1.1 client below reads by length
        ],
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = re.search(r"^port:\s+(\d+)$", log.read_text(errors="replace"), re.MULTILINE)
        if found:
            return proc, int(found.group(1))
        time.sleep(0.05)
    proc.kill()
    raise SystemExit("stub did not start")


async def h1_client(port: int, count: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    request = b"GET /get/this HTTP/1.1\r\nHost: x\r\n\r\n"
    for _ in range(count):
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(re.search(rb"Content-Length: (\d+)", head, re.IGNORECASE).group(1))  # type: ignore[union-attr]
        await reader.readexactly(length)
    writer.close()


async def h1(port: int, total: int, connections: int) -> float:
    started = time.perf_counter()
    await asyncio.gather(*(h1_client(port, total // connections) for _ in range(connections)))
    return total / (time.perf_counter() - started)


async def h2_run(port: int, total: int, streams: int) -> float:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True, header_encoding=None))
    conn.initiate_connection()
    writer.write(conn.data_to_send())
    headers = [(":method", "GET"), (":path", "/get/this"), (":scheme", "http"), (":authority", "x")]
    started = time.perf_counter()
    sent = done = 0
    open_streams = 0
    while done < total:
        while open_streams < streams and sent < total:
            conn.send_headers(conn.get_next_available_stream_id(), headers, end_stream=True)
            sent += 1
            open_streams += 1
        writer.write(conn.data_to_send())
        data = await reader.read(65536)
        if not data:
            raise SystemExit("server closed")
        for event in conn.receive_data(data):
            if isinstance(event, h2.events.DataReceived):
                conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
            elif isinstance(event, h2.events.StreamEnded):
                done += 1
                open_streams -= 1
    elapsed = time.perf_counter() - started
    writer.close()
    return total / elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--streams", type=int, default=32)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        proc, port = start_stub(Path(tmp))
        try:
            req = urllib.request.Request(
                f"http://127.0.0.1:{port}/__admin/mappings", data=json.dumps(STUB).encode(), method="POST"
            )
            urllib.request.urlopen(req, timeout=10).read()
            asyncio.run(h1(port, 500, 1))  # warm-up
            one = asyncio.run(h1(port, args.requests, 1))
            many = asyncio.run(h1(port, args.requests, args.connections))
            multiplexed = asyncio.run(h2_run(port, args.requests, args.streams))
            single_stream = asyncio.run(h2_run(port, args.requests, 1))
            print(f"HTTP/1.1, 1 keep-alive connection:              {one:8.0f} req/s")
            print(f"HTTP/1.1, {args.connections} keep-alive connections:             {many:8.0f} req/s")
            print(f"HTTP/2 (h2c), 1 connection, 1 stream at a time:  {single_stream:8.0f} req/s")
            print(f"HTTP/2 (h2c), 1 connection, {args.streams} streams at once:  {multiplexed:8.0f} req/s")
            if shutil.which("wrk"):
                out = subprocess.run(
                    ["wrk", "-t1", f"-c{args.connections}", "-d3s", f"http://127.0.0.1:{port}/get/this"],
                    capture_output=True,
                    text=True,
                ).stdout
                found = re.search(r"Requests/sec:\s+([\d.]+)", out)
                if found:
                    print(
                        f"HTTP/1.1 with wrk, {args.connections} connections:           {float(found.group(1)):8.0f} req/s"
                    )
        finally:
            proc.terminate()
            proc.wait(timeout=10)


if __name__ == "__main__":
    main()
