"""pods/exec and pods/attach, whatever the transport: options, the container, the final Status.

Sans-IO except `run_remote_command`, which drives one session: the transports (SPDY in
exec_spdy.py, WebSocket in exec_websocket.py) turn their frames into `Inbound` events and give
it a `send(channel, bytes)`. Facts and sources: docs/reference/exec-streams.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import parse_qsl

Obj = dict[str, Any]

# Channel numbers, the same on both transports (SPDY maps stream types onto them).
STDIN, STDOUT, STDERR, ERROR, RESIZE = 0, 1, 2, 3, 4
STREAM_TYPES = {"stdin": STDIN, "stdout": STDOUT, "stderr": STDERR, "error": ERROR, "resize": RESIZE}
# How long a terminal session waits for the client's first window size before starting the
# command, so that `stty size` run at once already sees it.
FIRST_RESIZE_SECONDS = 1.0


class StreamError(Exception):
    """A request the API server refuses before upgrading: HTTP status, reason, message."""

    def __init__(self, code: int, reason: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message


class NotRunning(Exception):
    """The container has no running instance (kubelet: `container not found ("c")`)."""


class StartFailed(Exception):
    """The command could not start inside the container (containerd's message)."""


class StreamSession(Protocol):
    """A started command (podlab.runtime.ExecSession)."""

    async def write_stdin(self, data: bytes) -> None: ...

    def close_stdin(self) -> None: ...

    def resize(self, width: int, height: int) -> None: ...

    async def run(self, sink: Callable[[int, bytes], Awaitable[None]]) -> int: ...

    def kill(self) -> None: ...


class ContainerStreams(Protocol):
    """The node's side: the running containers, by pod UID and container name."""

    def running(self, pod_uid: str, container: str) -> bool: ...

    async def open(
        self,
        pod_uid: str,
        container: str,
        argv: list[str],
        *,
        stdin: bool,
        tty: bool,
        size: tuple[int, int] | None,
    ) -> StreamSession:
        """Start `argv` in the container. Raises NotRunning or StartFailed."""
        ...

    def attach(self, pod_uid: str, container: str) -> StreamSession:
        """The container's own stdin and live output. Raises NotRunning."""
        ...


@dataclass(frozen=True)
class StreamOptions:
    """PodExecOptions / PodAttachOptions."""

    command: list[str]
    container: str
    stdin: bool
    stdout: bool
    stderr: bool
    tty: bool

    @property
    def stream_count(self) -> int:
        """Streams a SPDY client opens: error, the requested stdio, resize with a terminal."""
        return 1 + self.stdin + self.stdout + self.stderr + self.tty


def _query_bool(values: list[str]) -> bool:
    # apimachinery's Convert_Slice_string_To_bool: false only when absent, "0" or "false".
    return bool(values) and values[0].lower() not in ("0", "false")


def parse_options(query: str, *, attach: bool) -> StreamOptions:
    values: dict[str, list[str]] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        values.setdefault(key, []).append(value)
    opts = StreamOptions(
        command=[] if attach else values.get("command", []),
        container=(values.get("container") or [""])[0],
        stdin=_query_bool(values.get("stdin", [])),
        stdout=_query_bool(values.get("stdout", [])),
        stderr=_query_bool(values.get("stderr", [])),
        tty=_query_bool(values.get("tty", [])),
    )
    if not (opts.stdin or opts.stdout or opts.stderr):
        raise StreamError(400, "BadRequest", "you must specify at least 1 of stdin, stdout, stderr")
    if not attach and not opts.command:
        raise StreamError(400, "BadRequest", "you must specify at least one command for the container")
    if opts.tty and opts.stderr:
        # The kubelet drops stderr with a terminal: it is the same stream.
        opts = StreamOptions(opts.command, opts.container, opts.stdin, opts.stdout, False, True)
    return opts


def choose_container(pod: Obj, requested: str) -> str:
    """The API server's validateContainer, in its words."""
    name = pod["metadata"]["name"]
    spec = pod.get("spec") or {}
    if not spec.get("nodeName"):
        raise StreamError(400, "BadRequest", f"pod {name} does not have a host assigned")
    regular = [str(c.get("name")) for c in spec.get("containers") or []]
    # podutil.VisitContainers' order: init, regular, ephemeral.
    every = [
        *(str(c.get("name")) for c in spec.get("initContainers") or []),
        *regular,
        *(str(c.get("name")) for c in spec.get("ephemeralContainers") or []),
    ]
    if not requested:
        if len(regular) == 1:
            return regular[0]
        choices = " ".join(every)
        raise StreamError(
            400,
            "BadRequest",
            f"a container name must be specified for pod {name}, choose one of: [{choices}]",
        )
    if requested not in every:
        raise StreamError(400, "BadRequest", f"container {requested} is not valid for pod {name}")
    return requested


def exit_status(code: int) -> Obj:
    """The error channel's last word (v4/v5). kubectl reads the ExitCode cause as a uint8."""
    if code == 0:
        return {"metadata": {}, "status": "Success"}
    return {
        "metadata": {},
        "status": "Failure",
        "message": f"command terminated with exit code {code}",
        "reason": "NonZeroExitCode",
        "details": {"causes": [{"reason": "ExitCode", "message": str(code)}]},
    }


def internal_error_status(message: str) -> Obj:
    text = f"Internal error occurred: {message}"
    return {
        "metadata": {},
        "status": "Failure",
        "message": text,
        "reason": "InternalError",
        "details": {"causes": [{"message": message}]},
        "code": 500,
    }


class ResizeDecoder:
    """Channel 4: a stream of `{"Width":W,"Height":H}` objects; kubectl ends each with a
    newline, the Python client does not, so objects are split by parsing, not by lines."""

    def __init__(self) -> None:
        self._buffer = ""
        self._decoder = json.JSONDecoder()

    def feed(self, data: bytes) -> list[tuple[int, int]]:
        self._buffer += data.decode("utf-8", errors="replace")
        sizes: list[tuple[int, int]] = []
        while True:
            text = self._buffer.lstrip()
            if not text:
                self._buffer = ""
                return sizes
            try:
                obj, end = self._decoder.raw_decode(text)
            except json.JSONDecodeError:
                self._buffer = text
                if len(text) > 4096:  # not a size message: drop it rather than grow
                    self._buffer = ""
                return sizes
            self._buffer = text[end:]
            if isinstance(obj, dict):
                width, height = obj.get("Width"), obj.get("Height")
                if (
                    isinstance(width, int)
                    and isinstance(height, int)
                    and 0 <= width < 65536
                    and 0 <= height < 65536
                ):
                    sizes.append((width, height))


@dataclass(frozen=True)
class Inbound:
    """What the client sent: stdin bytes, the end of stdin, resize bytes, or that it is gone."""

    kind: str  # "stdin", "stdin-eof", "resize", "gone"
    data: bytes = b""


Send = Callable[[int, bytes], Awaitable[None]]


async def run_remote_command(
    opts: StreamOptions,
    start: Callable[[tuple[int, int] | None], Awaitable[StreamSession]],
    inbound: asyncio.Queue[Inbound],
    send: Send,
) -> Obj | None:
    """Start the command, relay until it ends, return the Status for the error channel
    (None when the client went away first)."""
    sizes = ResizeDecoder()
    early: list[Inbound] = []
    size = await _first_size(inbound, sizes, early) if opts.tty else None
    try:
        session = await start(size)
    except (StartFailed, NotRunning) as exc:
        return internal_error_status(str(exc))
    for event in early:
        inbound.put_nowait(event)
    gone = asyncio.Event()
    relay = asyncio.ensure_future(_relay_input(session, inbound, sizes, gone))

    async def sink(stream: int, data: bytes) -> None:
        if (stream == STDOUT and opts.stdout) or (stream == STDERR and opts.stderr):
            await send(stream, data)

    runner = asyncio.ensure_future(session.run(sink))
    watcher = asyncio.ensure_future(gone.wait())
    try:
        await asyncio.wait([runner, watcher], return_when=asyncio.FIRST_COMPLETED)
        if not runner.done():
            session.kill()
            with contextlib.suppress(Exception):
                await runner
            return None
        return exit_status(runner.result())
    finally:
        for task in (relay, runner, watcher):
            task.cancel()
        session.kill()


async def _first_size(
    inbound: asyncio.Queue[Inbound], sizes: ResizeDecoder, early: list[Inbound]
) -> tuple[int, int] | None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + FIRST_RESIZE_SECONDS
    while (left := deadline - loop.time()) > 0:
        try:
            event = await asyncio.wait_for(inbound.get(), left)
        except TimeoutError:
            return None
        if event.kind == "resize":
            found = sizes.feed(event.data)
            if found:
                return found[-1]
        else:
            early.append(event)
            if event.kind == "gone":
                return None
    return None


async def _relay_input(
    session: StreamSession, inbound: asyncio.Queue[Inbound], sizes: ResizeDecoder, gone: asyncio.Event
) -> None:
    while True:
        event = await inbound.get()
        if event.kind == "stdin":
            await session.write_stdin(event.data)
        elif event.kind == "stdin-eof":
            session.close_stdin()
        elif event.kind == "resize":
            for width, height in sizes.feed(event.data):
                session.resize(width, height)
        elif event.kind == "gone":
            gone.set()
            return
