"""The controllers' listings (controllers/listing.py) over a real Store: each answer equals
a fresh listing, and only what changed is copied again."""

from __future__ import annotations

from typing import Any

from podlab.controllers.listing import Listings
from podlab.store import Store

PODS = ("", "pods")
CMS = ("", "configmaps")


def pod(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"nodeName": "podlab", "containers": [{"name": "c", "image": "busybox"}]},
    }


def test_a_listing_equals_the_stores_own_and_keeps_copies_of_unchanged_objects() -> None:
    store = Store()
    for name in ("b", "a", "c"):
        store.create(PODS, pod(name))
    listings = Listings(store)
    first = listings.list(PODS)
    assert first == store.list(PODS)[0]  # same objects, same (sorted) order
    second = listings.list(PODS)
    assert [id(o) for o in second] == [id(o) for o in first]  # nothing changed: nothing copied


def test_an_object_the_store_replaced_is_copied_again() -> None:
    store = Store()
    store.create(PODS, pod("a"))
    store.create(PODS, pod("b"))
    listings = Listings(store)
    before = listings.list(PODS)
    updated = store.get(PODS, "default", "a")
    updated["metadata"]["labels"] = {"x": "y"}
    store.update(PODS, updated)
    after = listings.list(PODS)
    assert after == store.list(PODS)[0]
    assert after[0]["metadata"]["labels"] == {"x": "y"} and "labels" not in before[0]["metadata"]
    assert after[1] is before[1]


def test_a_copy_a_controller_changed_is_never_handed_out_again() -> None:
    store = Store()
    store.create(PODS, pod("a"))
    listings = Listings(store)
    mine = listings.list(PODS)[0]
    mine["status"] = {"phase": "Failed"}  # a controller editing its working copy
    again = listings.list(PODS)
    assert again == store.list(PODS)[0]
    assert again[0] is not mine and "status" not in again[0]


def test_deleted_objects_leave_the_listing_and_the_store_is_never_changed_by_it() -> None:
    store = Store()
    for name in ("a", "b"):
        store.create(
            CMS, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": "default"}}
        )
    listings = Listings(store)
    listings.list(CMS)[0]["metadata"]["name"] = "changed"
    store.delete(CMS, "default", "b")  # configmaps go at once (pods wait for their kubelet)
    assert [o["metadata"]["name"] for o in listings.list(CMS)] == ["a"]
    assert [o["metadata"]["name"] for o in store.list(CMS)[0]] == ["a"]
