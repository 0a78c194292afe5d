"""watch=true responses: one JSON event per line, chunked, until timeoutSeconds or the client leaves."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any

from podlab.httpcore import Request, Response
from podlab.store import Gone, Store, StoreError, Watch, WatchEvent

from . import k8sapi
from .field_labels import check_field_selector
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
from .views import from_storage, is_view

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
    elif is_view(route.resource):
        obj = from_storage(route.resource, obj)
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
        check_field_selector(route.resource, params.get("fieldSelector"))
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
