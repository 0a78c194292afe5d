"""Namespace deletion: the store's Terminating mark, the namespace controller's steps and words
(k8s pkg/controller/namespace/deletion), and the system namespaces it brings back."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from podlab.controllers import Controllers
from podlab.controllers.namespace import sync_namespace
from podlab.store import Conflict, Store

NS = ("", "namespaces")
PODS = ("", "pods")
CMS = ("", "configmaps")
NOW = datetime(2026, 12, 7, 12, 0, 0, tzinfo=UTC)


def _setup() -> tuple[Store, Controllers]:
    store = Store(None, clock=lambda: NOW)
    store.create(
        NS,
        {
            "metadata": {"name": "doomed"},
            "spec": {"finalizers": ["kubernetes"]},
            "status": {"phase": "Active"},
        },
    )
    store.create(CMS, {"metadata": {"name": "cfg", "namespace": "doomed"}})
    pod: dict[str, Any] = {
        "metadata": {"name": "web", "namespace": "doomed"},
        "spec": {"nodeName": "podlab", "containers": [{"name": "c", "image": "busybox"}]},
    }
    store.create(PODS, pod)
    return store, Controllers(store, clock=lambda: NOW)


def _conditions(ns: dict[str, Any]) -> dict[str, tuple[str, str, str]]:
    return {c["type"]: (c["status"], c["reason"], c["message"]) for c in ns["status"]["conditions"]}


def test_delete_marks_terminating_and_keeps_content() -> None:
    store, _ = _setup()
    marked = store.delete(NS, None, "doomed")
    assert marked["status"]["phase"] == "Terminating"
    assert marked["metadata"]["deletionTimestamp"] == "2026-12-07T12:00:00Z"
    assert marked["spec"]["finalizers"] == ["kubernetes"]
    assert store.get(CMS, "doomed", "cfg")  # the controller empties it, not the DELETE
    with pytest.raises(Conflict) as info:  # a second DELETE
        store.delete(NS, None, "doomed")
    assert info.value.message == (
        'Operation cannot be fulfilled on namespaces "doomed": The system is ensuring all content is '
        "removed from this namespace.  Upon completion, this namespace will automatically be purged by "
        "the system."
    )
    assert info.value.status()["code"] == 409


def test_controller_deletes_content_gracefully_then_finalizes() -> None:
    store, controllers = _setup()
    store.delete(NS, None, "doomed")
    controllers.sync_once()
    assert store.list(CMS, "doomed")[0] == []
    pod = store.get(PODS, "doomed", "web")  # graceful: the kubelet finishes it
    assert pod["metadata"]["deletionGracePeriodSeconds"] == 30
    ns = store.get(NS, None, "doomed")
    conditions = _conditions(ns)
    assert conditions["NamespaceContentRemaining"] == (
        "True",
        "SomeResourcesRemain",
        "Some resources are remaining: pods. has 1 resource instances",
    )
    assert conditions["NamespaceDeletionContentFailure"] == (
        "False",
        "ContentDeleted",
        "All content successfully deleted, may be waiting on finalization",
    )
    assert conditions["NamespaceFinalizersRemaining"][1] == "ContentHasNoFinalizers"
    store.delete(PODS, "doomed", "web", grace_period_seconds=0)  # the kubelet's final delete
    controllers.sync_once()
    assert [n["metadata"]["name"] for n in store.list(NS)[0] if n["metadata"]["name"] == "doomed"] == []


def test_finalizers_on_content_are_reported() -> None:
    store, _ = _setup()
    cm = store.get(CMS, "doomed", "cfg")
    cm["metadata"]["finalizers"] = ["example.com/hold"]
    store.update(CMS, cm)
    store.delete(NS, None, "doomed")
    ns = store.get(NS, None, "doomed")
    contents = {CMS: store.list(CMS, "doomed")[0], PODS: []}
    for key, items in contents.items():
        for item in items:
            store.delete(key, "doomed", item["metadata"]["name"])
    contents = {CMS: store.list(CMS, "doomed")[0], PODS: []}
    (status_action,) = sync_namespace(ns, contents, NOW)
    conditions = _conditions({"status": status_action.status})  # type: ignore[union-attr]
    assert conditions["NamespaceFinalizersRemaining"] == (
        "True",
        "SomeFinalizersRemain",
        "Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances",
    )


def test_kube_node_lease_is_recreated() -> None:
    store, controllers = _setup()
    store.delete(NS, None, "kube-node-lease")
    controllers.sync_once()
    lease_ns = store.get(NS, None, "kube-node-lease")
    assert "deletionTimestamp" not in lease_ns["metadata"]
    assert lease_ns["status"]["phase"] == "Active"
    assert lease_ns["spec"]["finalizers"] == ["kubernetes"]


def test_controllers_create_nothing_in_a_terminating_namespace() -> None:
    store, controllers = _setup()
    store.delete(NS, None, "doomed")
    from podlab.controllers import CreateObject

    pod = {
        "metadata": {"name": "late", "namespace": "doomed"},
        "spec": {"containers": [{"name": "c", "image": "b"}]},
    }
    assert controllers.apply([CreateObject(PODS, pod)], NOW) == 0
    assert [p["metadata"]["name"] for p in store.list(PODS, "doomed")[0]] == ["web"]
