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

from podlab import kube_version
from podlab.node.config import NodeConfig
from podlab.node.home import (
    NodeState,
    clear_run_state,
    ensure_private_home,
    kubeconfig_path,
    open_private_log,
)
from podlab.node.node import Node

from .apply import apply_all
from .client import ApiClient
from .manifests import STDIN, Manifest

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
        client = ApiClient(node.api_url, node.token, ca_pem=node.ca_pem.decode())
        for line in await asyncio.to_thread(apply_all, client, manifests):
            print(line, flush=True)
        if node.dns is not None:
            print(node.dns.status, flush=True)
        if ready_file is not None:
            ready_file.write_text(node.api_url)
        if live and sys.stdout.isatty():
            await _live_view(node, stop)
        else:
            print(
                f"podlab node ready at {node.api_url}; export KUBECONFIG={kubeconfig_path(home)}", flush=True
            )
            assert node.pod_network is not None
            print(f"pod network: {node.pod_network.describe()}", flush=True)
            if node.state_path is not None:
                print(f"objects persist in {node.state_path} ({node.store.restored} restored)", flush=True)
            await stop.wait()
    finally:
        await node.stop()
        # What belonged to this run goes with it; the kubeconfig stays for the next `podlab up`.
        clear_run_state(home)
        if ready_file is not None:
            ready_file.unlink(missing_ok=True)
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
            node.store,
            node.api_url,
            node.runtime.isolation,
            kubeconfig,
            node.kubelet.probe_history,
            node.runtime.images.source,
        )

    with Live(frame(), refresh_per_second=4, screen=False) as live:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=0.5)
            live.update(frame())


def start_detached(
    home: Path,
    files: list[str],
    *,
    recursive: bool,
    stdin: str | None,
    port: int,
    sandbox: str,
    version: kube_version.KubeVersion,
    config_path: Path | None,
) -> NodeState:
    """Start `podlab up` as a background process and return once its API answers.

    The child reads the same -f inputs; what the parent read from standard input for `-f -`
    is handed on through the child's standard input.
    """
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
        "--kubernetes-version",
        str(version),
        "--ready-file",
        str(ready),
    ]
    for path in files:
        argv += ["-f", path if path == STDIN else str(Path(path).resolve())]
    if recursive:
        argv.append("--recursive")
    if config_path is not None:
        argv += ["--config", str(config_path.resolve())]
    # node.log holds the latest detached run only; it stays after `podlab down` for a post-mortem.
    log_file = os.fdopen(open_private_log(home / "node.log"), "wb")  # handed to the child, closed below
    try:
        child = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL if stdin is None else subprocess.PIPE,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, "PODLAB_HOME": str(home)},
        )
    finally:
        log_file.close()
    if child.stdin is not None:
        # A child that failed before reading says why in node.log, reported below.
        with contextlib.suppress(BrokenPipeError), child.stdin:
            child.stdin.write(stdin.encode() if stdin else b"")
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if ready.exists():
            state = NodeState.read(home)
            if state is not None:
                return state
        if child.poll() is not None:
            said = _last_error(home / "node.log")
            raise RuntimeError(
                (f"{said}\n" if said else "")
                + f"the node exited with code {child.returncode}; see {home / 'node.log'}"
            )
        time.sleep(0.05)
    child.kill()
    raise RuntimeError(f"the node did not become ready in {READY_TIMEOUT:.0f}s; see {home / 'node.log'}")


def _last_error(log: Path) -> str:
    """The child's own error line (click's `Error: ...`), so the parent can repeat it."""
    try:
        lines = log.read_text(errors="replace").splitlines()
    except OSError:
        return ""
    said = next((line for line in reversed(lines) if line.startswith("Error: ")), "")
    return said.removeprefix("Error: ").strip()


def stop_node(home: Path, state: NodeState, timeout: float = 30.0) -> None:
    """Stop the node `state` names (SIGTERM, then SIGKILL after `timeout`) and clear its run."""
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
        while state.alive() and time.monotonic() < deadline + 5:
            time.sleep(0.05)
    # A node that stopped cleanly cleared this already; one killed did not.
    clear_run_state(home)
