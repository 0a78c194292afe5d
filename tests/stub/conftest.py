"""Helpers for the stub server tests: a real `python -m podlab.stub` process on a free port.

The server is started with `--port 0`; the port it bound is read back from the options block it
prints (`port:                         NNNNN`), so no port is ever guessed.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from .inprocess import Running

PORT_LINE = re.compile(r"^port:\s+(\d+)$", re.MULTILINE)
START_TIMEOUT = 20.0


@dataclass
class StubProcess:
    proc: subprocess.Popen[bytes]
    root: Path
    stdout_path: Path
    stderr_path: Path
    port: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stdout(self) -> str:
        return self.stdout_path.read_text(encoding="utf-8", errors="replace")

    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        return self.proc.returncode

    def call(
        self,
        method: str,
        path: str,
        body: bytes | str | dict[str, Any] | list[Any] | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 10.0,
    ) -> tuple[int, dict[str, str], bytes]:
        """One HTTP exchange; returns status, headers (lower-cased names) and body."""
        data: bytes | None
        if isinstance(body, dict | list):
            data = json.dumps(body).encode()
        elif isinstance(body, str):
            data = body.encode()
        else:
            data = body
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
        except urllib.error.HTTPError as err:
            return err.code, {k.lower(): v for k, v in err.headers.items()}, err.read()


def stub_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "podlab.stub", *args]


def launch(
    root: Path, *args: str, log_dir: Path | None = None, port: str = "0", merge_stderr: bool = False
) -> StubProcess:
    """Start the server and wait (with a deadline) until it listens; fails with its output.
    merge_stderr writes both streams to one file, as a container log shows them."""
    log_dir = log_dir or root.parent
    log_dir.mkdir(parents=True, exist_ok=True)
    stdout_path = log_dir / f"stub-{os.getpid()}-{time.monotonic_ns()}.out"
    stderr_path = stdout_path if merge_stderr else stdout_path.with_suffix(".err")
    with stdout_path.open("wb") as out, stderr_path.open("ab") as err:
        proc = subprocess.Popen(
            stub_command("--port", port, "--bind-address", "127.0.0.1", "--root-dir", str(root), *args),
            stdout=out,
            stderr=subprocess.STDOUT if merge_stderr else err,
        )
    stub = StubProcess(proc, root, stdout_path, stderr_path)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        found = PORT_LINE.search(stub.stdout())
        if found:
            stub.port = int(found.group(1))
            return stub
        if proc.poll() is not None:
            raise AssertionError(f"stub server exited {proc.returncode}:\n{stub.stdout()}\n{stub.stderr()}")
        time.sleep(0.02)
    stub.stop()
    raise AssertionError(f"stub server did not start in {START_TIMEOUT}s:\n{stub.stdout()}\n{stub.stderr()}")


@pytest.fixture
def stub_server(tmp_path: Path) -> Iterator[StubProcess]:
    """A default (--compat 3) server on an empty root dir."""
    stub = launch(tmp_path / "root")
    try:
        yield stub
    finally:
        stub.stop()


@pytest.fixture
def start_stub(tmp_path: Path) -> Iterator[Any]:
    """Factory: start_stub(*args, root=None) -> StubProcess; all are stopped afterwards."""
    started: list[StubProcess] = []

    def factory(*args: str, root: Path | None = None) -> StubProcess:
        stub = launch(root or tmp_path / f"root{len(started)}", *args, log_dir=tmp_path / "logs")
        started.append(stub)
        return stub

    try:
        yield factory
    finally:
        for stub in started:
            stub.stop()


@pytest.fixture
def start(tmp_path: Path) -> Iterator[Any]:
    """Stub servers in this test's process (tests/stub/inprocess.py), each with its own root,
    stopped at the end: `start("--proxy-all", URL)`."""
    running: list[Running] = []

    def factory(*args: str) -> Running:
        server = Running(tmp_path / f"root{len(running)}", *args)
        running.append(server)
        return server

    try:
        yield factory
    finally:
        for server in running:
            server.stop()
