#!/usr/bin/env python3
"""Instructions per stub request, which a loaded machine does not change (not part of the tests).

Feeds N requests to podlab's HTTP core over a fake transport (no sockets, no syscalls), with
`podlab stub`'s handler behind it, under `valgrind --tool=callgrind`, for two N; the difference of
the two instruction counts over the difference of N is what one request costs in Python and C
(parse, match, render, journal, framing), start-up and imports cancelled out. Scenarios as in
stub_bench.py: the reference stub, and 1,000 stubs (half `url`, half `urlPattern`) hit at the
newest (`last`) or oldest (`first`) stub, missed the same way (`miss`) or a new way each time
(`new404`); `canned` is the floor: the core with a handler answering one fixed `Response`.

  .venv/bin/python bench/stub_instructions.py [--scenario canned|ref|last|first|miss|new404]
      [--counts 1000 3000] [--src DIR]

`--src DIR` measures another podlab's src (PYTHONPATH=DIR), e.g. one from `git archive <commit>
src | tar -x -C /tmp/before`. Needs valgrind; ~1 minute per run (most of it the imports).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any


class _Transport:
    """What the protocol needs of a transport: writes are counted and dropped."""

    def __init__(self) -> None:
        self.writes = 0

    def write(self, data: bytes) -> None:
        self.writes += 1

    def is_closing(self) -> bool:
        return False

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return ("127.0.0.1", 5555) if name in ("peername", "sockname") else default

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass

    def close(self) -> None:
        pass


async def _drive(scenario: str, count: int) -> None:
    """The child: N requests through the core and the stub's handler."""
    from podlab.httpcore._protocol import _HttpProtocol
    from podlab.stub.model import StubMapping
    from podlab.stub.options import parse_args
    from podlab.stub.server import StubServer

    root = tempfile.mkdtemp(prefix="stub-instructions-")
    options = parse_args(["--root-dir", root, "--disable-banner", "--disable-request-logging"])
    server = StubServer(options, out=io.StringIO(), err=io.StringIO())
    server.state.files.ensure_dirs()
    handler: Any = lambda request, connection: server.handle(request, connection)  # noqa: E731
    paths = ["/get/this"]
    if scenario == "canned":
        # The floor: the same core and transport, a handler answering fixed bytes at once, so
        # the difference to `ref` is what the stub itself costs.
        from podlab.httpcore import Response

        canned = Response(200, [("Content-Type", "text/plain")], b"Here it is!\n")
        canned.reusable = True  # framed once where the core can (an attribute an older one ignores)
        handler = lambda request, connection: canned  # noqa: E731
    elif scenario == "ref":
        reference = {
            "request": {"url": "/get/this", "method": "GET"},
            "response": {"status": 200, "body": "Here it is!\n"},
        }
        server.state.add(StubMapping.from_json(reference))
    else:
        for i in range(1000):
            request = (
                {"method": "GET", "urlPattern": f"/many/re{i}/[a-z]+/\\d+"}
                if i % 2
                else {"method": "GET", "url": f"/many/exact/{i}"}
            )
            server.state.add(
                StubMapping.from_json({"request": request, "response": {"status": 200, "body": f"stub {i}"}})
            )
        paths = {
            "last": ["/many/re999/abc/42"],
            "first": ["/many/exact/0"],
            "miss": ["/many/none/xyz"],
            "new404": [f"/many/none/{i}-x" for i in range(count)],
        }[scenario]
    protocol = _HttpProtocol(
        handler,
        limits=options.limits,
        registry=set(),
        upgrades=frozenset(),
        any_case_methods=True,
        h2=True,
    )
    transport = _Transport()
    protocol.connection_made(transport)  # type: ignore[arg-type]
    heads = [f"GET {p} HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: wrk\r\n\r\n".encode() for p in paths]
    for i in range(count):
        protocol.data_received(heads[i % len(heads)])
        await asyncio.sleep(0)  # an awaited answer (none here) would run now
    assert transport.writes == count, transport.writes


def _instructions(src: str | None, scenario: str, count: int) -> int:
    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = str(Path(src).resolve())
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={tmp}/callgrind.out",
                sys.executable,
                __file__,
                "--child",
                scenario,
                str(count),
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=1800,
            check=True,
        ).stderr
    found = re.search(r"Collected : (\d+)", out)
    if found is None:
        raise SystemExit(f"no instruction count in valgrind's output:\n{out}")
    return int(found.group(1))


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        import uvloop

        uvloop.run(_drive(sys.argv[2], int(sys.argv[3])))
        return 0
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--scenario", default="ref", choices=["canned", "ref", "last", "first", "miss", "new404"]
    )
    parser.add_argument("--counts", type=int, nargs=2, default=[1000, 3000], metavar=("N1", "N2"))
    parser.add_argument("--src", help="another podlab's src directory (PYTHONPATH)")
    args = parser.parse_args()
    low, high = sorted(args.counts)
    a = _instructions(args.src, args.scenario, low)
    b = _instructions(args.src, args.scenario, high)
    print(
        f"{args.scenario}: {(b - a) / (high - low):,.0f} instructions per request ({low} and {high} requests)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
