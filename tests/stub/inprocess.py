"""A `podlab stub` server run in the test process on its own event loop thread, for tests that
need several servers talking to each other (a proxy and its target): starting a process per
server costs about a second each, this a few milliseconds. Clients are real sockets."""

from __future__ import annotations

import asyncio
import io
import json
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from podlab.stub.options import parse_args
from podlab.stub.server import StubServer

START_TIMEOUT = 10.0


class Running:
    """A StubServer on its own loop thread; `stop()` is idempotent."""

    def __init__(self, root: Path, *args: str) -> None:
        options = parse_args(["--port", "0", "--bind-address", "127.0.0.1", "--root-dir", str(root), *args])
        self.root = root
        self.out = io.StringIO()
        self.err = io.StringIO()
        self.server = StubServer(options, out=self.out, err=self.err)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.server.start(), self.loop).result(START_TIMEOUT)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"

    def call(
        self,
        method: str,
        path: str,
        body: bytes | str | dict[str, Any] | list[Any] | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 10.0,
    ) -> tuple[int, dict[str, str], bytes]:
        """One HTTP exchange; returns status, headers (lower-cased names) and body."""
        data = json.dumps(body).encode() if isinstance(body, dict | list) else body
        if isinstance(data, str):
            data = data.encode()
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
        except urllib.error.HTTPError as err:
            return err.code, {k.lower(): v for k, v in err.headers.items()}, err.read()

    def json(self, method: str, path: str, body: Any = None) -> Any:
        status, _, data = self.call(method, path, body)
        assert 200 <= status < 300, (status, data)
        return json.loads(data) if data else None

    def stop(self) -> None:
        if self.loop.is_running():
            asyncio.run_coroutine_threadsafe(self.server.stop(), self.loop).result(START_TIMEOUT)
            asyncio.run_coroutine_threadsafe(_cancel_the_rest(), self.loop).result(START_TIMEOUT)
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(START_TIMEOUT)
            self.loop.close()


async def _cancel_the_rest() -> None:
    """Handlers still running (a delayed answer whose client gave up) end before the loop does."""
    tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
