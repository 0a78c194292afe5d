"""Streaming responses: watch (JSON lines, chunked) and pods/log (plain text, optionally followed)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any, Protocol

from podlab.httpcore import Request, Response
from podlab.store import Gone, NotFound, Store, StoreError, Watch, WatchEvent

from . import k8sapi
from .negotiation import (
    JSON,
    TABLE_CONTENT_TYPE,
    error_response,
    flag,
    json_bytes,
    status_response,
    wants_table,
)
from .routes import Route

Obj = dict[str, Any]

# An idle stream wakes this often so the HTTP core notices a client that went away (it checks
# between chunks); an empty chunk writes nothing.
IDLE_WAKEUP_SECONDS = 5.0
# Bookmarks on an idle watch (when the client allows them); the apiserver sends about one a minute.
BOOKMARK_INTERVAL_SECONDS = 60.0


def _encode_event(event: WatchEvent, route: Route, table: bool, clock: Callable[[], datetime]) -> bytes:
    obj = event.object
    if table and event.type in ("ADDED", "MODIFIED", "DELETED"):
        obj = k8sapi.to_table(route.resource.kind, [obj], clock())
        obj.setdefault("metadata", {})["resourceVersion"] = event.object["metadata"].get(
            "resourceVersion", ""
        )
    return json_bytes({"type": event.type, "object": obj}) + b"\n"


def watch_response(
    store: Store, route: Route, request: Request, params: dict[str, str], clock: Callable[[], datetime]
) -> Response:
    """GET ...?watch=true: ADDED/MODIFIED/DELETED/BOOKMARK lines until timeoutSeconds or the client leaves."""
    send_initial: bool | None = None
    if "sendInitialEvents" in params:
        send_initial = flag(params, "sendInitialEvents")
    field_selector = params.get("fieldSelector")
    if route.name is not None:
        # A watch on a single object (`/pods/x?watch=1`) is a fieldSelector on its name.
        pin = f"metadata.name={route.name}"
        field_selector = f"{field_selector},{pin}" if field_selector else pin
    table = wants_table(request.header("Accept"))
    content_type = TABLE_CONTENT_TYPE if table else JSON
    try:
        timeout = float(params["timeoutSeconds"]) if params.get("timeoutSeconds") else None
    except ValueError:
        return status_response(400, "BadRequest", f'invalid timeoutSeconds "{params["timeoutSeconds"]}"')
    try:
        watch = store.watch(
            route.key,
            route.namespace,
            resource_version=params.get("resourceVersion"),
            label_selector=params.get("labelSelector"),
            field_selector=field_selector,
            send_initial_events=send_initial,
        )
    except Gone as gone:
        # The apiserver reports an expired resourceVersion inside the stream, as an ERROR event.
        line = json_bytes({"type": "ERROR", "object": gone.status()}) + b"\n"
        return Response(200, [("Content-Type", content_type)], _once(line))
    except StoreError as err:
        return error_response(err)
    bookmarks = flag(params, "allowWatchBookmarks")
    body = _watch_lines(store, watch, route, table, timeout, bookmarks, clock)
    return Response(200, [("Content-Type", content_type), ("Cache-Control", "no-cache, private")], body)


async def _once(line: bytes) -> AsyncIterator[bytes]:
    yield line


async def _watch_lines(
    store: Store,
    watch: Watch,
    route: Route,
    table: bool,
    timeout: float | None,
    bookmarks: bool,
    clock: Callable[[], datetime],
) -> AsyncIterator[bytes]:
    loop = asyncio.get_running_loop()
    deadline = None if timeout is None else loop.time() + timeout
    last_sent = loop.time()
    events = aiter(watch)
    try:
        while True:
            wait = IDLE_WAKEUP_SECONDS
            if deadline is not None:
                wait = min(wait, deadline - loop.time())
                if wait <= 0:
                    return
            try:
                event = await asyncio.wait_for(anext(events), wait)
            except TimeoutError:
                if deadline is not None and loop.time() >= deadline:
                    return
                if bookmarks and loop.time() - last_sent >= BOOKMARK_INTERVAL_SECONDS:
                    last_sent = loop.time()
                    bookmark = WatchEvent("BOOKMARK", store.bookmark_object(route.key))
                    yield _encode_event(bookmark, route, table, clock)
                else:
                    yield b""  # lets the HTTP core check for a vanished client
                continue
            except StopAsyncIteration:
                return
            if event.type == "BOOKMARK" and not bookmarks and not _is_initial_end(event):
                continue
            last_sent = loop.time()
            yield _encode_event(event, route, table, clock)
    finally:
        watch.close()


def _is_initial_end(event: WatchEvent) -> bool:
    annotations = (event.object.get("metadata") or {}).get("annotations") or {}
    return annotations.get("k8s.io/initial-events-end") == "true"


# -- pods/log --------------------------------------------------------------------------------
class LogReader(Protocol):
    """What the API server needs of the runtime's LogSource."""

    def read(
        self,
        namespace: str,
        pod: str,
        container: str,
        *,
        previous: bool = ...,
        timestamps: bool = ...,
        tail_lines: int | None = ...,
        since_seconds: float | None = ...,
        limit_bytes: int | None = ...,
    ) -> bytes: ...

    def follow(
        self,
        namespace: str,
        pod: str,
        container: str,
        *,
        previous: bool = ...,
        timestamps: bool = ...,
        tail_lines: int | None = ...,
        since_seconds: float | None = ...,
        limit_bytes: int | None = ...,
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
    pod_name = pod["metadata"]["name"]
    if requested:
        if requested not in names and requested not in init_names:
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
    options: dict[str, Any] = {
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
        return Response(200, headers, logs.read(namespace, route.name, container, **options))
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
        finally:
            await queue.put(None)

    task = asyncio.create_task(pump())
    try:
        while True:
            try:
                chunk = await asyncio.wait_for(queue.get(), IDLE_WAKEUP_SECONDS)
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
