"""The endpointslice and endpoints reconciles (sans-IO), against the rules of the Kubernetes
controllers: conditions, publishNotReadyAddresses, named ports per pod, the placeholder slice,
terminating pods, the v1 mirror's notReadyAddresses."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from podlab.controllers.actions import CreateObject, DeleteObject, PatchObject
from podlab.controllers.endpoints import desired_subsets, stale_endpoints, sync_endpoints
from podlab.controllers.endpointslice import desired_groups, sync_endpointslices
from podlab.k8s.patch import json_merge_patch

NOW = datetime(2026, 1, 2, 3, 4, 5, 600000, tzinfo=UTC)
Obj = dict[str, Any]


def service(**spec: Any) -> Obj:
    base: Obj = {"selector": {"app": "web"}, "ports": [{"name": "http", "port": 80, "targetPort": "http"}]}
    base.update(spec)
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "web", "namespace": "default", "uid": "svc-uid", "labels": {"tier": "front"}},
        "spec": base,
    }


def pod(
    name: str, ip: str, *, ready: bool = True, port: int = 8080, deleting: bool = False, **spec: Any
) -> Obj:
    meta: Obj = {"name": name, "namespace": "default", "uid": f"uid-{name}", "labels": {"app": "web"}}
    if deleting:
        meta["deletionTimestamp"] = "2026-01-02T03:04:05Z"
    return {
        "kind": "Pod",
        "metadata": meta,
        "spec": {
            "nodeName": "podlab",
            "containers": [{"name": "c", "ports": [{"name": "http", "containerPort": port}]}],
            **spec,
        },
        "status": {
            "phase": "Running",
            "podIP": ip,
            "podIPs": [{"ip": ip}],
            "conditions": [{"type": "Ready", "status": "True" if ready else "False"}],
        },
    }


def conditions_by_ip(groups: list[tuple[list[Obj], list[Obj]]]) -> dict[str, Obj]:
    return {e["addresses"][0]: e["conditions"] for _, endpoints in groups for e in endpoints}


def test_conditions_follow_readiness_and_termination() -> None:
    pods = [
        pod("a", "127.244.0.2"),
        pod("b", "127.244.0.3", ready=False),
        pod("c", "127.244.0.4", deleting=True),
    ]
    got = conditions_by_ip(desired_groups(service(), pods))
    assert got == {
        "127.244.0.2": {"ready": True, "serving": True, "terminating": False},
        "127.244.0.3": {"ready": False, "serving": False, "terminating": False},
        "127.244.0.4": {"ready": False, "serving": True, "terminating": True},
    }
    published = conditions_by_ip(desired_groups(service(publishNotReadyAddresses=True), pods))
    assert all(c["ready"] for c in published.values())


def test_pods_left_out_finished_unlabelled_without_ip_or_elsewhere() -> None:
    finished = pod("done", "127.244.0.5")
    finished["status"]["phase"] = "Succeeded"
    no_ip = pod("new", "")
    no_ip["status"].pop("podIPs")
    other_ns = pod("far", "127.244.0.6")
    other_ns["metadata"]["namespace"] = "other"
    unlabelled = pod("x", "127.244.0.7")
    unlabelled["metadata"]["labels"] = {"app": "db"}
    assert desired_groups(service(), [finished, no_ip, other_ns, unlabelled]) == []


def test_named_target_port_resolves_per_pod_into_separate_slices() -> None:
    groups = desired_groups(
        service(), [pod("a", "127.244.0.2", port=8080), pod("b", "127.244.0.3", port=9090)]
    )
    ports = sorted(g[0][0]["port"] for g in groups)
    assert ports == [8080, 9090] and all(len(g[1]) == 1 for g in groups)
    assert groups[0][0] == [{"name": "http", "port": 8080, "protocol": "TCP"}]


def test_hostname_only_when_subdomain_names_the_service() -> None:
    pods = [pod("a", "127.244.0.2", hostname="a0", subdomain="web"), pod("b", "127.244.0.3", hostname="b0")]
    endpoints = {e["targetRef"]["name"]: e for _, eps in desired_groups(service(), pods) for e in eps}
    assert endpoints["a"]["hostname"] == "a0" and "hostname" not in endpoints["b"]
    assert endpoints["a"]["targetRef"] == {"kind": "Pod", "namespace": "default", "name": "a", "uid": "uid-a"}
    assert endpoints["a"]["nodeName"] == "podlab"


def test_first_sync_creates_a_labelled_owned_slice_then_a_readiness_flip_is_one_patch() -> None:
    svc = service()
    actions = sync_endpointslices(svc, [pod("a", "127.244.0.2"), pod("b", "127.244.0.3")], [], NOW)
    assert len(actions) == 1 and isinstance(actions[0], CreateObject)
    created = actions[0].obj
    assert created["metadata"]["generateName"] == "web-"
    assert created["metadata"]["labels"] == {
        "tier": "front",
        "kubernetes.io/service-name": "web",
        "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
    }
    assert created["metadata"]["ownerReferences"][0]["uid"] == "svc-uid"
    assert created["metadata"]["annotations"] == {
        "endpoints.kubernetes.io/last-change-trigger-time": "2026-01-02T03:04:05.6Z"
    }
    stored = {**created, "metadata": {**created["metadata"], "name": "web-abcde"}}
    assert sync_endpointslices(svc, [pod("a", "127.244.0.2"), pod("b", "127.244.0.3")], [stored], NOW) == []
    flipped = sync_endpointslices(
        svc, [pod("a", "127.244.0.2"), pod("b", "127.244.0.3", ready=False)], [stored], NOW
    )
    assert len(flipped) == 1 and isinstance(flipped[0], PatchObject) and flipped[0].name == "web-abcde"
    after = json_merge_patch(stored, flipped[0].merge)
    assert [e["conditions"]["ready"] for e in after["endpoints"]] == [True, False]


def test_empty_service_keeps_one_placeholder_and_stale_slices_go() -> None:
    svc = service()
    created = sync_endpointslices(svc, [], [], NOW)
    assert len(created) == 1 and isinstance(created[0], CreateObject)
    placeholder = created[0].obj
    assert placeholder["endpoints"] == [] and "ports" not in placeholder
    a = {**placeholder, "metadata": {**placeholder["metadata"], "name": "web-a", "uid": "1"}}
    b = {**placeholder, "metadata": {**placeholder["metadata"], "name": "web-b", "uid": "2"}}
    actions = sync_endpointslices(svc, [], [a, b], NOW)
    assert actions == [DeleteObject(("discovery.k8s.io", "endpointslices"), "default", "web-b", uid="2")]


def test_selectorless_and_external_name_services_get_nothing() -> None:
    assert sync_endpointslices(service(selector=None), [pod("a", "127.244.0.2")], [], NOW) == []
    assert sync_endpoints(service(type="ExternalName"), [pod("a", "127.244.0.2")], None, NOW) == []


def test_endpoints_mirror_not_ready_addresses_and_drops_terminating() -> None:
    pods = [
        pod("a", "127.244.0.3"),
        pod("b", "127.244.0.2", ready=False),
        pod("c", "127.244.0.4", deleting=True),
    ]
    subsets = desired_subsets(service(), pods)
    assert subsets == [
        {
            "addresses": [
                {
                    "ip": "127.244.0.3",
                    "targetRef": {"kind": "Pod", "namespace": "default", "name": "a", "uid": "uid-a"},
                    "nodeName": "podlab",
                }
            ],
            "notReadyAddresses": [
                {
                    "ip": "127.244.0.2",
                    "targetRef": {"kind": "Pod", "namespace": "default", "name": "b", "uid": "uid-b"},
                    "nodeName": "podlab",
                }
            ],
            "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}],
        }
    ]
    published = desired_subsets(service(publishNotReadyAddresses=True), pods)
    assert [a["ip"] for a in published[0]["addresses"]] == ["127.244.0.2", "127.244.0.3", "127.244.0.4"]


def test_endpoints_created_patched_and_deleted_with_their_service() -> None:
    svc = service()
    created = sync_endpoints(svc, [pod("a", "127.244.0.2")], None, NOW)
    assert len(created) == 1 and isinstance(created[0], CreateObject)
    ep = created[0].obj
    assert ep["metadata"]["name"] == "web" and ep["metadata"]["labels"] == {"tier": "front"}
    assert sync_endpoints(svc, [pod("a", "127.244.0.2")], ep, NOW) == []
    emptied = sync_endpoints(svc, [], ep, NOW)
    assert isinstance(emptied[0], PatchObject) and "subsets" not in json_merge_patch(ep, emptied[0].merge)
    stored = {**ep, "metadata": {**ep["metadata"], "uid": "ep-uid"}}
    assert stale_endpoints([], [stored]) == [DeleteObject(("", "endpoints"), "default", "web", uid="ep-uid")]
    hand_made = {"metadata": {"name": "ext", "namespace": "default", "uid": "u"}}
    assert stale_endpoints([], [hand_made]) == []  # not this controller's


def test_driver_brings_a_readiness_flip_to_the_slice_within_100_ms() -> None:
    """The controllers' driver wakes on the pod's status write; measured on a real Store."""
    import asyncio
    import time

    from podlab.controllers import Controllers
    from podlab.store import Store

    slices_key = ("discovery.k8s.io", "endpointslices")

    def slice_ready(store: Store) -> list[bool]:
        items = store.list(slices_key, "default")[0]
        return [e["conditions"]["ready"] for s in items for e in s.get("endpoints") or []]

    async def until(check: Any, timeout: float) -> float:
        started = time.monotonic()
        while not check():
            if time.monotonic() - started > timeout:
                raise AssertionError("deadline passed")
            await asyncio.sleep(0.002)
        return time.monotonic() - started

    async def main() -> list[float]:
        store = Store(None)
        store.create(("", "services"), service())
        store.create(("", "pods"), pod("a", "127.244.0.2"))
        controllers = Controllers(store, resync_seconds=30.0)  # only watch events may wake it
        task = asyncio.create_task(controllers.run())
        took = []
        try:
            await until(lambda: slice_ready(store) == [True], 5)
            for ready in (False, True, False):
                current = store.get(("", "pods"), "default", "a")
                current["status"]["conditions"] = [{"type": "Ready", "status": str(ready)}]
                store.update(("", "pods"), current, subresource="status")
                took.append(await until(lambda ready=ready: slice_ready(store) == [ready], 2))
            endpoints = store.get(("", "endpoints"), "default", "web")
            assert "notReadyAddresses" in endpoints["subsets"][0]
        finally:
            controllers.stop()
            await asyncio.wait_for(task, 5)
        return took

    took = asyncio.run(main())
    assert max(took) < 0.1, took
