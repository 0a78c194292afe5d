"""The store's Kubernetes semantics, driven through its public API."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from podlab.store import AlreadyExists, BadRequest, Conflict, Gone, Invalid, NotFound, Store, WatchEvent

PODS = ("", "pods")
CMS = ("", "configmaps")
DEPLOYS = ("apps", "deployments")


def pod(
    name: str, *, labels: dict[str, str] | None = None, node: str = "podlab", **spec: Any
) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "labels": labels or {}},
        "spec": {"nodeName": node, "containers": [{"name": "c", "image": "busybox"}], **spec},
    }


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 28, 5, 0, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def drain(watch: Any) -> list[WatchEvent]:
    events = []
    while (event := watch.get_nowait()) is not None:
        events.append(event)
    return events


def test_initial_namespaces_exist() -> None:
    store = Store(None)
    names = [ns["metadata"]["name"] for ns in store.list(("", "namespaces"))[0]]
    assert {"default", "kube-system"} <= set(names)


def test_create_fills_metadata_and_rejects_duplicates() -> None:
    clock = FakeClock()
    store = Store(None, clock=clock)
    created = store.create(PODS, pod("a"))
    meta = created["metadata"]
    assert meta["namespace"] == "default"
    assert meta["creationTimestamp"] == "2026-11-28T05:00:00Z"
    assert meta["generation"] == 1
    assert len(meta["uid"]) == 36
    assert int(meta["resourceVersion"]) > 0
    with pytest.raises(AlreadyExists) as info:
        store.create(PODS, pod("a"))
    assert info.value.status()["message"] == 'pods "a" already exists'
    assert info.value.status()["code"] == 409
    cm = store.create(CMS, {"metadata": {"name": "x"}, "data": {}})
    assert "generation" not in cm["metadata"]


def test_generate_name_and_missing_name() -> None:
    store = Store(None)
    made = store.create(PODS, {"kind": "Pod", "metadata": {"generateName": "web-"}, "spec": {}})
    assert made["metadata"]["name"].startswith("web-")
    assert len(made["metadata"]["name"]) == len("web-") + 5
    with pytest.raises(Invalid) as info:
        store.create(PODS, {"kind": "Pod", "metadata": {}, "spec": {}})
    assert "metadata.name: Required value: name or generateName is required" in info.value.message


def test_unknown_namespace_is_not_found() -> None:
    store = Store(None)
    with pytest.raises(NotFound) as info:
        store.create(CMS, {"metadata": {"name": "x", "namespace": "nope"}})
    assert info.value.message == 'namespaces "nope" not found'


def test_get_not_found_wording_for_group_resources() -> None:
    store = Store(None)
    with pytest.raises(NotFound) as info:
        store.get(DEPLOYS, "default", "web")
    status = info.value.status()
    assert status["message"] == 'deployments.apps "web" not found'
    assert status["reason"] == "NotFound"
    assert status["details"] == {"name": "web", "group": "apps", "kind": "deployments"}


def test_update_conflict_generation_and_status_subresource() -> None:
    store = Store(None)
    first = store.create(
        DEPLOYS, {"kind": "Deployment", "metadata": {"name": "web"}, "spec": {"replicas": 1}}
    )
    changed = dict(first, spec={"replicas": 2}, status={"replicas": 9})
    second = store.update(DEPLOYS, changed)
    assert second["metadata"]["generation"] == 2
    assert "status" not in second  # .status goes through the subresource only
    with pytest.raises(Conflict) as info:
        store.update(DEPLOYS, changed)  # stale resourceVersion
    assert info.value.message == (
        'Operation cannot be fulfilled on deployments.apps "web": the object has been modified; '
        "please apply your changes to the latest version and try again"
    )
    third = store.update(DEPLOYS, dict(second, status={"replicas": 2}), subresource="status")
    assert third["status"] == {"replicas": 2}
    assert third["metadata"]["generation"] == 2
    # An identical update is a no-op: same resourceVersion
    again = store.update(DEPLOYS, third)
    assert again["metadata"]["resourceVersion"] == third["metadata"]["resourceVersion"]


def test_graceful_pod_deletion() -> None:
    clock = FakeClock()
    store = Store(None, clock=clock)
    store.create(PODS, pod("a", terminationGracePeriodSeconds=20))
    watch = store.watch(PODS, "default", resource_version=store.resource_version)
    terminating = store.delete(PODS, "default", "a")
    assert terminating["metadata"]["deletionGracePeriodSeconds"] == 20
    assert terminating["metadata"]["deletionTimestamp"] == "2026-11-28T05:00:20Z"
    assert terminating["metadata"]["generation"] == 2
    assert store.get(PODS, "default", "a")["metadata"]["deletionTimestamp"]
    # A second delete with a longer grace changes nothing; a shorter one shortens it
    store.delete(PODS, "default", "a", grace_period_seconds=60)
    clock.now += timedelta(seconds=1)
    shorter = store.delete(PODS, "default", "a", grace_period_seconds=5)
    assert shorter["metadata"]["deletionGracePeriodSeconds"] == 5
    store.delete(PODS, "default", "a", grace_period_seconds=0)
    with pytest.raises(NotFound):
        store.get(PODS, "default", "a")
    assert [e.type for e in drain(watch)] == ["MODIFIED", "MODIFIED", "DELETED"]


def test_unscheduled_pod_and_other_kinds_delete_at_once() -> None:
    store = Store(None)
    store.create(PODS, pod("a", node=""))
    store.delete(PODS, "default", "a")
    store.create(CMS, {"metadata": {"name": "c"}})
    store.delete(CMS, "default", "c")
    assert store.list(PODS)[0] == [] and store.list(CMS)[0] == []


def test_finalizers_hold_deletion_until_removed() -> None:
    store = Store(None)
    store.create(CMS, {"metadata": {"name": "c", "finalizers": ["x/y"]}})
    held = store.delete(CMS, "default", "c")
    assert held["metadata"]["deletionTimestamp"]
    released = dict(held, metadata=dict(held["metadata"], finalizers=[]))
    store.update(CMS, released)
    with pytest.raises(NotFound):
        store.get(CMS, "default", "c")


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ("app=web", ["a", "b"]),
        ("app==web,tier=front", ["a"]),
        ("app!=web", ["c", "d"]),
        ("app in (web, db)", ["a", "b", "c"]),
        ("app notin (web)", ["c", "d"]),
        ("tier", ["a"]),
        ("!tier", ["b", "c", "d"]),
        ("", ["a", "b", "c", "d"]),
    ],
)
def test_label_selectors(selector: str, expected: list[str]) -> None:
    store = Store(None)
    store.create(PODS, pod("a", labels={"app": "web", "tier": "front"}))
    store.create(PODS, pod("b", labels={"app": "web"}))
    store.create(PODS, pod("c", labels={"app": "db"}))
    store.create(PODS, pod("d"))
    items, _ = store.list(PODS, "default", label_selector=selector)
    assert [i["metadata"]["name"] for i in items] == expected


def test_bad_label_selector_is_bad_request() -> None:
    with pytest.raises(BadRequest):
        Store(None).list(PODS, label_selector="a in (b")


def test_field_selectors() -> None:
    store = Store(None)
    store.create(PODS, pod("a"))
    store.create(PODS, pod("b", node="other"))
    events = ("", "events")
    store.create(events, {"metadata": {"name": "e1"}, "involvedObject": {"kind": "Pod", "name": "a"}})
    store.create(events, {"metadata": {"name": "e2"}, "involvedObject": {"kind": "Pod", "name": "b"}})

    def names(key: tuple[str, str], sel: str) -> list[str]:
        return [i["metadata"]["name"] for i in store.list(key, None, field_selector=sel)[0]]

    assert names(PODS, "metadata.name=b") == ["b"]
    assert names(PODS, "spec.nodeName!=podlab") == ["b"]
    assert names(PODS, "metadata.namespace==default,metadata.name=a") == ["a"]
    assert names(events, "involvedObject.name=a,involvedObject.kind=Pod") == ["e1"]
    with pytest.raises(BadRequest):
        names(PODS, "nonsense")


def test_watch_replays_history_and_filters_by_selector() -> None:
    store = Store(None)
    start = store.resource_version
    store.create(PODS, pod("a", labels={"app": "web"}))
    live = store.watch(PODS, "default", label_selector="app=web", resource_version=start)
    b = store.create(PODS, pod("b", labels={"app": "db"}))
    b["metadata"]["labels"] = {"app": "web"}
    b = store.update(PODS, b)  # enters the selector: ADDED for this watcher
    b["metadata"]["labels"] = {"app": "db"}
    store.update(PODS, b)  # leaves it: DELETED
    events = drain(live)
    assert [(e.type, e.object["metadata"]["name"]) for e in events] == [
        ("ADDED", "a"),
        ("ADDED", "b"),
        ("DELETED", "b"),
    ]


def test_watch_without_rv_and_watch_list_bookmark() -> None:
    store = Store(None)
    store.create(PODS, pod("a"))
    plain = store.watch(PODS, "default")
    assert [e.type for e in drain(plain)] == ["ADDED"]
    listing = store.watch(PODS, "default", send_initial_events=True)
    events = drain(listing)
    assert [e.type for e in events] == ["ADDED", "BOOKMARK"]
    bookmark = events[1].object
    assert bookmark["metadata"]["annotations"] == {"k8s.io/initial-events-end": "true"}
    assert bookmark["metadata"]["resourceVersion"] == store.resource_version
    assert bookmark["kind"] == "Pod"


def test_watch_too_old_resource_version_is_gone() -> None:
    store = Store(None, history_limit=3)
    first = store.resource_version
    for i in range(5):
        store.create(CMS, {"metadata": {"name": f"c{i}"}})
    with pytest.raises(Gone) as info:
        store.watch(CMS, resource_version=first)
    assert info.value.code == 410
    assert info.value.message.startswith(f"too old resource version: {first} (")


def test_slow_watcher_is_closed_with_410() -> None:
    store = Store(None, watch_queue_limit=3)
    watch = store.watch(CMS, resource_version=store.resource_version)
    for i in range(5):
        store.create(CMS, {"metadata": {"name": f"c{i}"}})
    events = drain(watch)
    assert watch.closed
    assert events[-1].type == "ERROR" and events[-1].object["code"] == 410


def test_async_watch_delivers_live_events() -> None:
    async def scenario() -> list[str]:
        store = Store(None)
        watch = store.watch(CMS, resource_version=store.resource_version)

        async def produce() -> None:
            await asyncio.sleep(0)
            store.create(CMS, {"metadata": {"name": "late"}})
            store.delete(CMS, "default", "late")

        task = asyncio.create_task(produce())
        seen = []
        async for event in watch:
            seen.append(event.type)
            if len(seen) == 2:
                watch.close()
        await task
        return seen

    assert asyncio.run(asyncio.wait_for(scenario(), 5)) == ["ADDED", "DELETED"]


def test_returned_objects_are_copies() -> None:
    store = Store(None)
    made = store.create(CMS, {"metadata": {"name": "c"}, "data": {"k": "v"}})
    made["data"]["k"] = "changed"
    assert store.get(CMS, "default", "c")["data"] == {"k": "v"}


def test_sqlite_mirror_survives_restart(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    store = Store(path)
    store.create(CMS, {"metadata": {"name": "kept"}, "data": {"k": "v"}})
    store.create(CMS, {"metadata": {"name": "gone"}})
    store.delete(CMS, "default", "gone")
    rv = store.resource_version
    store.close()
    rows = sqlite3.connect(path).execute("SELECT name FROM objects WHERE plural='configmaps'").fetchall()
    assert rows == [("kept",)]
    again = Store(path)
    assert again.resource_version == rv
    assert again.get(CMS, "default", "kept")["data"] == {"k": "v"}
    made = again.create(CMS, {"metadata": {"name": "new"}})
    assert int(made["metadata"]["resourceVersion"]) == int(rv) + 1
    with pytest.raises(Gone):  # history did not survive, so old RVs are compacted
        again.watch(CMS, resource_version="1")


def test_binding_a_pod_does_not_bump_generation() -> None:
    store = Store(None)
    made = store.create(PODS, pod("a", node=""))
    made["spec"]["nodeName"] = "podlab"
    bound = store.update(PODS, made)
    assert bound["metadata"]["generation"] == 1
    bound["spec"]["activeDeadlineSeconds"] = 5
    assert store.update(PODS, bound)["metadata"]["generation"] == 2


def test_stored_objects_always_carry_api_version_and_kind() -> None:
    store = Store(None)
    made = store.create(DEPLOYS, {"metadata": {"name": "d"}, "spec": {}})
    assert (made["apiVersion"], made["kind"]) == ("apps/v1", "Deployment")
    cm = store.create(CMS, {"metadata": {"name": "c"}})
    assert (cm["apiVersion"], cm["kind"]) == ("v1", "ConfigMap")
