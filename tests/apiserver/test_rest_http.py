"""REST details over raw HTTP: field validation, patch types, Tables, watch-list, Status bodies."""

from __future__ import annotations

import json
import socket
import time
from typing import Any

import pytest

from .conftest import TOKEN, Node, http, wait_for

CM_PATH = "/api/v1/namespaces/default/configmaps"
TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"


def js(raw: bytes) -> Any:
    return json.loads(raw)


def test_field_validation_strict_warn_ignore(node: Node) -> None:
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": {}, "bogus": 1}
    status, _, raw = http(node, "POST", CM_PATH + "?fieldValidation=Strict", obj)
    assert status == 400
    assert js(raw)["message"] == (
        'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "bogus"'
    )
    status, headers, raw = http(node, "POST", CM_PATH + "?fieldValidation=Warn", obj)
    assert status == 201
    assert headers["Warning"] == '299 - "unknown field \\"bogus\\""'
    status, headers, _ = http(
        node, "POST", CM_PATH + "?fieldValidation=Ignore", dict(obj, metadata={"name": "y"})
    )
    assert status == 201 and "Warning" not in headers


def test_body_kind_and_name_mismatches_are_400(node: Node) -> None:
    status, _, raw = http(
        node, "POST", CM_PATH, {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "a"}}
    )
    assert status == 400
    assert js(raw)["message"] == "the kind in the data (Secret) does not match the expected kind (ConfigMap)"
    http(node, "POST", CM_PATH, {"metadata": {"name": "a"}})
    status, _, raw = http(node, "PUT", CM_PATH + "/a", {"metadata": {"name": "b"}})
    assert status == 400
    assert js(raw)["message"] == "the name of the object (b) does not match the name on the URL (a)"


def test_merge_patch_and_unsupported_patch_type(node: Node) -> None:
    http(node, "POST", CM_PATH, {"metadata": {"name": "m"}, "data": {"a": "1", "b": "2"}})
    status, _, raw = http(
        node,
        "PATCH",
        CM_PATH + "/m",
        {"data": {"a": None, "c": "3"}},
        content_type="application/merge-patch+json",
    )
    assert status == 200 and js(raw)["data"] == {"b": "2", "c": "3"}
    status, _, raw = http(node, "PATCH", CM_PATH + "/m", {"data": {}}, content_type="text/plain")
    assert status == 415 and js(raw)["reason"] == "UnsupportedMediaType"


def test_apply_patch_creates_then_merges(node: Node) -> None:
    path = CM_PATH + "/applied?fieldManager=kubectl&fieldValidation=Strict&force=false"
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "applied"}, "data": {"a": "1"}}
    status, _, raw = http(node, "PATCH", path, obj, content_type="application/apply-patch+yaml")
    assert status == 201 and js(raw)["data"] == {"a": "1"}
    obj["data"] = {"a": "2"}
    status, _, raw = http(node, "PATCH", path, obj, content_type="application/apply-patch+yaml")
    assert status == 200 and js(raw)["data"] == {"a": "2"}


def test_table_output_for_list_and_get(node: Node) -> None:
    http(node, "POST", CM_PATH, {"metadata": {"name": "t"}, "data": {"k": "v"}})
    status, headers, raw = http(node, "GET", CM_PATH + "?limit=500", accept=TABLE)
    assert status == 200
    assert headers["Content-Type"] == "application/json;as=Table;v=v1;g=meta.k8s.io"
    table = js(raw)
    assert table["kind"] == "Table"
    assert table["rows"][0]["object"]["metadata"]["name"] == "t"
    assert table["metadata"]["resourceVersion"]
    status, _, raw = http(node, "GET", CM_PATH + "/t", accept=TABLE)
    assert js(raw)["kind"] == "Table" and len(js(raw)["rows"]) == 1


def test_delete_options_body_and_status_success(node: Node) -> None:
    http(node, "POST", CM_PATH, {"metadata": {"name": "d"}})
    status, _, raw = http(node, "DELETE", CM_PATH + "/d", {"propagationPolicy": "Background"})
    body = js(raw)
    assert status == 200 and body["status"] == "Success" and body["details"]["name"] == "d"
    status, _, raw = http(node, "DELETE", CM_PATH + "/d")
    assert status == 404 and js(raw)["message"] == 'configmaps "d" not found'
    status, _, raw = http(node, "DELETE", CM_PATH + "/x", {"propagationPolicy": "Sometimes"})
    assert status == 422


def test_orphan_propagation_strips_owner_references(node: Node) -> None:
    _, _, raw = http(node, "POST", CM_PATH, {"metadata": {"name": "owner"}})
    owner = js(raw)["metadata"]
    ref = {"apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": owner["uid"]}
    http(node, "POST", CM_PATH, {"metadata": {"name": "child", "ownerReferences": [ref]}})
    http(node, "DELETE", CM_PATH + "/owner", {"propagationPolicy": "Orphan"})
    _, _, raw = http(node, "GET", CM_PATH + "/child")
    assert js(raw)["metadata"].get("ownerReferences") == []


def test_delete_collection_by_label(node: Node) -> None:
    http(node, "POST", CM_PATH, {"metadata": {"name": "a", "labels": {"x": "1"}}})
    http(node, "POST", CM_PATH, {"metadata": {"name": "b"}})
    status, _, _ = http(node, "DELETE", CM_PATH + "?labelSelector=x%3D1")
    assert status == 200
    _, _, raw = http(node, "GET", CM_PATH)
    assert [i["metadata"]["name"] for i in js(raw)["items"]] == ["b"]


def open_stream(node: Node, path: str) -> socket.socket:
    raw = socket.create_connection(("127.0.0.1", node.server.port), timeout=10)
    sock = node.ssl_context().wrap_socket(raw, server_hostname="127.0.0.1")
    sock.sendall(
        f"GET {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\nAccept: application/json\r\n\r\n".encode()
    )
    return sock


def read_events(sock: socket.socket, count: int, deadline: float = 10.0) -> list[dict[str, Any]]:
    """Read chunked JSON lines until `count` events arrived (chunk framing stripped crudely)."""
    buf = b""
    end = time.monotonic() + deadline
    events: list[dict[str, Any]] = []
    while len(events) < count and time.monotonic() < end:
        data = sock.recv(65536)
        if not data:
            break
        buf += data
        events = [json.loads(line) for line in buf.split(b"\r\n") if line.startswith(b'{"type"')]
    return events


def test_watch_list_initial_events_end_bookmark(node: Node) -> None:
    http(node, "POST", CM_PATH, {"metadata": {"name": "w1"}})
    sock = open_stream(
        node,
        CM_PATH
        + "?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true",
    )
    events = read_events(sock, 2)
    assert [e["type"] for e in events] == ["ADDED", "BOOKMARK"]
    assert events[1]["object"]["metadata"]["annotations"] == {"k8s.io/initial-events-end": "true"}
    http(node, "POST", CM_PATH, {"metadata": {"name": "w2"}})
    events = read_events(sock, 1)  # a fresh buffer: only what came after the bookmark
    assert events[0]["type"] == "ADDED" and events[0]["object"]["metadata"]["name"] == "w2"
    sock.close()


def test_watch_too_old_resource_version_is_410_event(node: Node) -> None:
    node.call(lambda: setattr(node.store, "_compacted", 5))  # pretend history before 5 was compacted
    sock = open_stream(node, CM_PATH + "?watch=true&resourceVersion=2")
    events = read_events(sock, 1)
    assert events[0]["type"] == "ERROR"
    assert events[0]["object"]["code"] == 410
    assert events[0]["object"]["message"] == "too old resource version: 2 (5)"
    sock.close()


def test_watch_timeout_seconds_ends_stream(node: Node) -> None:
    start = time.monotonic()
    status, _, raw = http(node, "GET", CM_PATH + "?watch=true&timeoutSeconds=1")
    assert status == 200 and raw == b""
    assert 0.9 < time.monotonic() - start < 5


def test_idle_watch_gets_bookmarks_and_is_dropped_when_client_leaves(
    node: Node, monkeypatch: pytest.MonkeyPatch
) -> None:
    from podlab.apiserver import watchstream as streams

    monkeypatch.setattr(streams, "IDLE_WAKEUP_SECONDS", 0.1)
    monkeypatch.setattr(streams, "BOOKMARK_INTERVAL_SECONDS", 0.2)
    sock = open_stream(node, CM_PATH + "?watch=true&resourceVersion=1&allowWatchBookmarks=true")
    events = read_events(sock, 1)
    assert events[0]["type"] == "BOOKMARK"
    assert events[0]["object"]["metadata"]["resourceVersion"] == node.call(
        lambda: node.store.resource_version
    )

    def watchers() -> int:
        return node.call(lambda: len(node.store._watchers))

    assert watchers() == 1
    sock.close()
    wait_for(lambda: watchers() == 0, timeout=5)


def test_log_follow_ends_when_client_leaves(node: Node, monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    from podlab.apiserver import watchstream

    from .test_python_client import pod_body, write_log

    monkeypatch.setattr(watchstream, "IDLE_WAKEUP_SECONDS", 0.1)
    made = node.call(lambda: node.store.create(("", "pods"), pod_body("quiet")))
    write_log(node.home, made, "app", 0, ["only line"])

    def tasks() -> int:
        return node.call(lambda: len(asyncio.all_tasks(node.loop)))

    baseline = tasks()
    sock = open_stream(node, "/api/v1/namespaces/default/pods/quiet/log?follow=true")
    received = b""
    while b"only line" not in received:
        chunk = sock.recv(65536)
        assert chunk, "stream ended early"
        received += chunk
    assert tasks() > baseline
    sock.close()
    wait_for(lambda: tasks() <= baseline, timeout=5)


def test_unsupported_field_label_is_400(node: Node) -> None:
    status, _, raw = http(node, "GET", "/api/v1/namespaces/default/pods?fieldSelector=spec.bogus%3Dx")
    assert status == 400
    assert js(raw)["message"] == "field label not supported: spec.bogus"
    status, _, _ = http(node, "GET", "/api/v1/namespaces/default/pods?fieldSelector=status.phase%3DRunning")
    assert status == 200
