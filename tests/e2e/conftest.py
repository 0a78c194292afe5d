"""A real podlab node, started as `python -m podlab up` in a private PODLAB_HOME, for end-to-end tests."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest

ROOT = Path(__file__).resolve().parents[2]
KUBECTL = str(Path(sys.executable).parent / "kubectl")
T = TypeVar("T")


def wait_for(condition: Callable[[], T], *, timeout: float, what: str, interval: float = 0.1) -> T:
    """Poll `condition` until it returns something truthy; fail naming `what` at the deadline."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = condition()
        except Exception as exc:  # the condition may race the system under test
            last = exc
        else:
            if last:
                return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}; last: {last!r}")


@contextlib.contextmanager
def port_forward(kubeconfig: Path, target: str, remote: int) -> Iterator[int]:
    """`kubectl port-forward TARGET LOCAL:REMOTE` for the block; yields LOCAL.

    Tests reach pods this way, as users do: pod IPs live inside podlab's network namespaces,
    and dialled from the host they would leave through the machine's default route.
    """
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        local = int(probe.getsockname()[1])
    forward = subprocess.Popen(
        [KUBECTL, "--kubeconfig", str(kubeconfig), "port-forward", target, f"{local}:{remote}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert forward.stdout is not None
        line = forward.stdout.readline()  # "Forwarding from 127.0.0.1:LOCAL -> REMOTE" once it listens
        assert line.startswith(b"Forwarding from"), (line, forward.stderr.read() if forward.stderr else b"")
        yield local
    finally:
        forward.terminate()
        forward.wait(timeout=10)


@dataclass
class RunningNode:
    home: Path
    process: subprocess.Popen[bytes]
    server: str
    token: str
    out_path: Path | None = None
    ca_pem: str = ""

    def ssl_context(self) -> ssl.SSLContext:
        """What trusts the node's https URL (`server`): its self-signed certificate."""
        return ssl.create_default_context(cadata=self.ca_pem)

    @property
    def kubeconfig(self) -> Path:
        return self.home / "kubeconfig"

    def kubectl(
        self, *args: str, timeout: float = 30, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [KUBECTL, "--kubeconfig", str(self.kubeconfig), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed ({result.returncode}): {result.stderr}")
        return result

    def podlab(self, *args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "podlab", *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, "PODLAB_HOME": str(self.home)},
        )

    def port_forward(self, target: str, remote: int) -> contextlib.AbstractContextManager[int]:
        return port_forward(self.kubeconfig, target, remote)

    def core_api(self) -> Any:
        from kubernetes import client, config

        return client.CoreV1Api(config.new_client_from_config(config_file=str(self.kubeconfig)))

    def apps_api(self) -> Any:
        from kubernetes import client, config

        return client.AppsV1Api(config.new_client_from_config(config_file=str(self.kubeconfig)))

    def log(self) -> str:
        return (self.out_path or self.home / "node.out").read_text(errors="replace")


def start_node(
    home: Path, *files: Path, timeout: float = 30, args: Sequence[str] = (), out_path: Path | None = None
) -> RunningNode:
    """`args`: more `podlab up` options (--config); `out_path`: the node's output, if not in home."""
    home.mkdir(parents=True, exist_ok=True)
    ready = home / "ready"
    argv = [sys.executable, "-m", "podlab", "up", "--no-live", "--ready-file", str(ready), *args]
    for path in files:
        argv += ["-f", str(path)]
    out_path = out_path or home / "node.out"
    out = open(out_path, "wb")  # noqa: SIM115 - the child owns it
    process = subprocess.Popen(
        argv,
        stdout=out,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PODLAB_HOME": str(home), "PODLAB_LOG": "INFO"},
    )
    out.close()
    deadline = time.monotonic() + timeout
    while not ready.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f"node did not start: {out_path.read_text(errors='replace')}")
        time.sleep(0.05)
    state = json.loads((home / "node.json").read_text())
    return RunningNode(home, process, state["server"], state["token"], out_path, state.get("ca_pem", ""))


def stop_node(node: RunningNode) -> None:
    if node.process.poll() is None:
        node.process.send_signal(signal.SIGTERM)
        try:
            node.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            node.process.kill()
            node.process.wait()
            raise AssertionError("node did not stop within 40 s of SIGTERM") from None


@pytest.fixture
def node_factory(tmp_path: Path) -> Iterator[Callable[..., RunningNode]]:
    started: list[RunningNode] = []

    def factory(*files: Path) -> RunningNode:
        node = start_node(tmp_path / f"home{len(started)}", *files)
        started.append(node)
        return node

    yield factory
    for node in started:
        stop_node(node)


def descendants(pid: int) -> set[int]:
    """Every live process below `pid`, from /proc (to prove nothing outlives the node)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"
