"""`podlab up` and `podlab down`: run a node in the foreground (live view) or detached."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from podlab.node.config import NodeConfig
from podlab.node.home import NodeState, ensure_private_home, kubeconfig_path, open_private_append
from podlab.node.node import Node

from .apply import apply_all
from .client import ApiClient
from .manifests import Manifest

log = logging.getLogger("podlab.up")
READY_TIMEOUT = 30.0


async def run_foreground(
    home: Path,
    manifests: list[Manifest],
    *,
    port: int,
    sandbox: str,
    live: bool,
    config: NodeConfig,
    ready_file: Path | None = None,
) -> int:
    """Run a node until SIGINT/SIGTERM, applying `manifests` once it is up."""
    node = Node(home, port=port, sandbox=sandbox, config=config)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await node.start()
    try:
        client = ApiClient(node.server_url, node.token)
        for line in await asyncio.to_thread(apply_all, client, manifests):
            print(line, flush=True)
        if ready_file is not None:
            ready_file.write_text(node.server_url)
        if live and sys.stdout.isatty():
            await _live_view(node, stop)
        else:
            print(
                f"podlab node ready at {node.api_url}; export KUBECONFIG={kubeconfig_path(home)}", flush=True
            )
            await stop.wait()
    finally:
        await node.stop()
        print("podlab node stopped: every container is gone", flush=True)
    return 0


async def _live_view(node: Node, stop: asyncio.Event) -> None:
    from rich.console import Group
    from rich.live import Live

    from .view import render

    assert node.runtime is not None
    kubeconfig = str(kubeconfig_path(node.home))

    def frame() -> Group:
        assert node.runtime is not None
        assert node.kubelet is not None
        return render(
            node.store, node.api_url, node.runtime.isolation, kubeconfig, node.kubelet.probe_history
        )

    with Live(frame(), refresh_per_second=4, screen=False) as live:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=0.5)
            live.update(frame())


def start_detached(
    home: Path, files: list[Path], *, port: int, sandbox: str, config_path: Path | None
) -> NodeState:
    """Start `podlab up` as a background process and return once its API answers."""
    ensure_private_home(home)
    ready = home / "ready"
    with contextlib.suppress(FileNotFoundError):
        ready.unlink()
    argv = [
        sys.executable,
        "-m",
        "podlab",
        "up",
        "--no-live",
        "--port",
        str(port),
        "--sandbox",
        sandbox,
        "--ready-file",
        str(ready),
    ]
    for path in files:
        argv += ["-f", str(path.resolve())]
    if config_path is not None:
        argv += ["--config", str(config_path.resolve())]
    log_file = os.fdopen(open_private_append(home / "node.log"), "ab")  # handed to the child, closed below
    try:
        child = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, "PODLAB_HOME": str(home)},
        )
    finally:
        log_file.close()
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if ready.exists():
            state = NodeState.read(home)
            if state is not None:
                return state
        if child.poll() is not None:
            raise RuntimeError(f"the node exited with code {child.returncode}; see {home / 'node.log'}")
        time.sleep(0.05)
    child.kill()
    raise RuntimeError(f"the node did not become ready in {READY_TIMEOUT:.0f}s; see {home / 'node.log'}")


def stop_detached(home: Path, timeout: float = 30.0) -> bool:
    """Stop a detached node; returns False when none was running."""
    state = NodeState.read(home)
    if state is None or not state.alive():
        return False
    os.kill(state.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and state.alive():
        time.sleep(0.05)
    if state.alive():
        # Say so: a node that needs SIGKILL left its containers and tmpfs mounts to the kernel.
        print(
            f"podlab: the node (pid {state.pid}) did not stop within {timeout:.0f}s; killed it (SIGKILL)",
            file=sys.stderr,
        )
        os.kill(state.pid, signal.SIGKILL)
    return True
