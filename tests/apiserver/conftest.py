"""A real ApiServer on a free port, run on its own event loop thread, plus real clients."""

from __future__ import annotations

import asyncio
import os
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest

from podlab.apiserver import ApiServer, write_kubeconfig
from podlab.runtime.logsource import LogSource
from podlab.store import Store

KUBECTL = str(Path(__file__).resolve().parents[2] / ".venv" / "bin" / "kubectl")
TOKEN = "test-token-0123456789"
T = TypeVar("T")


@dataclass
class Node:
    """The running API server and how to reach it."""

    store: Store
    server: ApiServer
    loop: asyncio.AbstractEventLoop
    home: Path
    kubeconfig: Path
    cache_dir: Path

    @property
    def url(self) -> str:
        return self.server.url

    def ssl_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context()
        assert self.server.ca_pem is not None
        ctx.load_verify_locations(cadata=self.server.ca_pem.decode())
        return ctx

    def call(self, fn: Callable[[], T]) -> T:
        """Run fn on the server's loop (the store is single-threaded by design)."""
        done: Future[T] = Future()

        def run() -> None:
            try:
                done.set_result(fn())
            except BaseException as exc:
                done.set_exception(exc)

        self.loop.call_soon_threadsafe(run)
        return done.result(timeout=10)

    def kubectl(
        self, *args: str, timeout: float = 30, input: str | None = None, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        cmd = [KUBECTL, f"--cache-dir={self.cache_dir}", *args]
        proc = subprocess.run(
            cmd, capture_output=True, text=True, timeout=timeout, env=self.kubectl_env(), input=input
        )
        if check and proc.returncode != 0:
            raise AssertionError(
                f"kubectl {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
            )
        return proc

    def kubectl_popen(self, *args: str) -> subprocess.Popen[str]:
        """A long-running kubectl (watch, port-forward, logs -f) with text pipes."""
        return subprocess.Popen(
            [KUBECTL, f"--cache-dir={self.cache_dir}", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=self.kubectl_env(),
        )

    def kubectl_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("KUBE")}
        env["KUBECONFIG"] = str(self.kubeconfig)
        env["HOME"] = str(self.home)
        return env


@pytest.fixture
def node(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Node]:
    # Indirect parametrization with a service CIDR serves Services with ClusterIP allocation.
    service_cidr = getattr(request, "param", None)
    # PODLAB_TEST_LOOP=uvloop runs the server on uvloop, as `podlab up` does when installed.
    if os.environ.get("PODLAB_TEST_LOOP") == "uvloop":
        import uvloop

        loop: asyncio.AbstractEventLoop = uvloop.new_event_loop()
    else:
        loop = asyncio.new_event_loop()
    ready: Future[tuple[Store, ApiServer]] = Future()
    home = tmp_path / "home"
    home.mkdir()

    def main() -> None:
        asyncio.set_event_loop(loop)

        async def start() -> None:
            store = Store(None)
            server = ApiServer(store, token=TOKEN, logs=LogSource(home), service_cidr=service_cidr)
            await server.start()
            ready.set_result((store, server))

        loop.run_until_complete(start())
        loop.run_forever()

    thread = threading.Thread(target=main, daemon=True)
    thread.start()
    store, server = ready.result(timeout=10)
    kubeconfig = tmp_path / "kubeconfig"
    write_kubeconfig(kubeconfig, server.url, TOKEN, ca_pem=server.ca_pem)
    cache = tmp_path / "kube-cache"
    yield Node(store, server, loop, home, kubeconfig, cache)

    async def shutdown() -> None:
        await server.stop()
        # Streams still open (watches, follows, port-forwards) end with the loop.
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)
        store.close()

    asyncio.run_coroutine_threadsafe(shutdown(), loop).result(timeout=10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout=10)
    loop.close()


@dataclass
class Clients:
    core: Any  # kubernetes.client.CoreV1Api
    apps: Any  # kubernetes.client.AppsV1Api
    api: Any  # kubernetes.client.ApiClient


@pytest.fixture
def clients(node: Node) -> Iterator[Clients]:
    """The official Python client, configured from the kubeconfig we wrote."""
    from kubernetes import client, config

    api = config.new_client_from_config(config_file=str(node.kubeconfig))
    yield Clients(client.CoreV1Api(api), client.AppsV1Api(api), api)
    api.close()


def api_client(node: Node) -> Any:
    from kubernetes import config

    return config.new_client_from_config(config_file=str(node.kubeconfig))


def wait_for(predicate: Callable[[], Any], timeout: float = 10.0, interval: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not met before the deadline")
        time.sleep(interval)


def http(
    node: Node,
    method: str,
    path: str,
    body: Any = None,
    *,
    content_type: str | None = None,
    accept: str | None = None,
    token: str | None = TOKEN,
) -> tuple[int, dict[str, str], bytes]:
    """One raw HTTP request (for what the typed Python client refuses to send)."""
    import json as _json
    import urllib.error
    import urllib.request

    data = None if body is None else (body if isinstance(body, bytes) else _json.dumps(body).encode())
    req = urllib.request.Request(node.url + path, data=data, method=method)
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    if content_type or data is not None:
        req.add_header("Content-Type", content_type or "application/json")
    if accept:
        req.add_header("Accept", accept)
    try:
        with urllib.request.urlopen(req, timeout=10, context=node.ssl_context()) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()
