"""pods/log: plain text from the runtime's log files, optionally followed (chunked)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, Unpack

from podlab.httpcore import Response
from podlab.store import NotFound, Store

from . import watchstream
from .negotiation import error_response, flag, status_response
from .routes import Route

if TYPE_CHECKING:
    from podlab.runtime.logsource import LogOptions

Obj = dict[str, Any]
log = logging.getLogger("podlab.apiserver.logs")


class LogReader(Protocol):
    """What the API server needs of the runtime's LogSource."""

    def read(self, namespace: str, pod: str, container: str, **options: Unpack[LogOptions]) -> bytes: ...

    def stream(
        self, namespace: str, pod: str, container: str, **options: Unpack[LogOptions]
    ) -> AsyncIterator[bytes]: ...

    def follow(
        self, namespace: str, pod: str, container: str, **options: Unpack[LogOptions]
    ) -> AsyncIterator[bytes]: ...


def _int_param(params: dict[str, str], name: str) -> int | None:
    if not params.get(name):
        return None
    try:
        return int(params[name])
    except ValueError:
        raise ValueError(f'invalid {name} "{params[name]}"') from None


def _pick_container(pod: Obj, requested: str | None) -> str:
    """kubelet/registry rules: the one container, or the named one (BadRequest otherwise)."""
    spec = pod.get("spec") or {}
    names = [c.get("name", "") for c in spec.get("containers") or []]
    init_names = [c.get("name", "") for c in spec.get("initContainers") or []]
    ephemeral_names = [c.get("name", "") for c in spec.get("ephemeralContainers") or []]
    pod_name = pod["metadata"]["name"]
    if requested:
        if requested not in names and requested not in init_names and requested not in ephemeral_names:
            raise ValueError(f"container {requested} is not valid for pod {pod_name}")
        return requested
    if len(names) == 1:
        return names[0]
    annotations = (pod.get("metadata") or {}).get("annotations") or {}
    default = annotations.get("kubectl.kubernetes.io/default-container")
    if default in names:
        return str(default)
    choices = " ".join(names)
    if init_names:
        raise ValueError(
            f"a container name must be specified for pod {pod_name}, choose one of: [{choices}] "
            f"or one of the init containers: [{' '.join(init_names)}]"
        )
    raise ValueError(f"a container name must be specified for pod {pod_name}, choose one of: [{choices}]")


def _waiting_reason(pod: Obj, container: str) -> str | None:
    status = pod.get("status") or {}
    for entry in (status.get("containerStatuses") or []) + (status.get("initContainerStatuses") or []):
        if entry.get("name") == container:
            waiting = (entry.get("state") or {}).get("waiting")
            if waiting is not None and entry.get("restartCount", 0) == 0:
                return str(waiting.get("reason") or "ContainerCreating")
    return None


def log_response(store: Store, logs: LogReader, route: Route, params: dict[str, str]) -> Response:
    assert route.name is not None
    try:
        pod = store.get(route.key, route.namespace, route.name)
    except NotFound as err:
        return error_response(err)
    try:
        container = _pick_container(pod, params.get("container"))
        tail = _int_param(params, "tailLines")
        since = _int_param(params, "sinceSeconds")
        limit = _int_param(params, "limitBytes")
    except ValueError as exc:
        return status_response(400, "BadRequest", str(exc))
    if since is None and params.get("sinceTime"):
        try:
            moment = datetime.fromisoformat(params["sinceTime"].replace("Z", "+00:00"))
        except ValueError:
            return status_response(400, "BadRequest", f'invalid sinceTime "{params["sinceTime"]}"')
        since = max(0, int(time.time() - moment.timestamp()))
    namespace = pod["metadata"]["namespace"]
    previous = flag(params, "previous")
    options: LogOptions = {
        "previous": previous,
        "timestamps": flag(params, "timestamps"),
        "tail_lines": tail,
        "since_seconds": since,
        "limit_bytes": limit,
    }
    if not previous:
        reason = _waiting_reason(pod, container)
        if reason is not None:
            return status_response(
                400,
                "BadRequest",
                f'container "{container}" in pod "{route.name}" is waiting to start: {reason}',
            )
    headers = [("Content-Type", "text/plain")]
    try:
        if flag(params, "follow"):
            # Probe first: a follow generator would only fail after the 200 is on the wire.
            logs.read(namespace, route.name, container, previous=previous, tail_lines=0)
            stream = logs.follow(namespace, route.name, container, **options)
            return Response(200, headers, _with_heartbeat(stream))
        # Streamed from a worker thread: a 300 MB log must neither sit in memory nor stall the loop.
        return Response(200, headers, logs.stream(namespace, route.name, container, **options))
    except Exception as exc:  # the runtime's LogNotFound and friends carry Kubernetes wording
        message = getattr(exc, "message", None)
        if message is None:
            raise
        return status_response(400, "BadRequest", str(message))


async def _with_heartbeat(stream: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """Follow output, with an empty chunk every few idle seconds so a vanished client is noticed.

    The source generator runs in its own task feeding a queue: cancelling a wait on the queue
    is harmless, whereas cancelling the generator's own `anext` would kill it.
    """
    queue: asyncio.Queue[bytes | None] = asyncio.Queue(maxsize=16)

    async def pump() -> None:
        try:
            async for chunk in stream:
                await queue.put(chunk)
        except asyncio.CancelledError:
            return  # the consumer is gone; nobody reads the end marker
        except Exception:
            log.exception("following a container log failed")
        await queue.put(None)

    task = asyncio.create_task(pump())
    try:
        while True:
            try:
                chunk = await asyncio.wait_for(queue.get(), watchstream.IDLE_WAKEUP_SECONDS)
            except TimeoutError:
                yield b""
                continue
            if chunk is None:
                return
            yield chunk
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
        aclose = getattr(stream, "aclose", None)
        if aclose is not None:
            with contextlib.suppress(Exception):
                await aclose()
