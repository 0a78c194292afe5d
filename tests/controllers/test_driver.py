"""The async driver against the real Store: watch-driven reconcile, events, GC."""

from __future__ import annotations

import asyncio
import copy
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from podlab.controllers import Controllers
from podlab.k8s import apply_defaults, load_manifests, resource_for
from podlab.k8s.storage_classes import STORAGECLASSES, standard_class
from podlab.store import Store

# The project keeps the reference manifests exactly as the post gives them.
SEED_DIR = Path(__file__).resolve().parents[2] / "examples" / "seed"

PODS = ("", "pods")
RSS = ("apps", "replicasets")
DEPLOYS = ("apps", "deployments")
EVENTS = ("", "events")


async def _until(check: Callable[[], Any], timeout: float = 5.0) -> Any:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = check()
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {timeout}s: {check.__doc__ or check}")
        await asyncio.sleep(0.01)


def _make_ready(store: Store, pod: dict[str, Any]) -> None:
    """What the scheduler and kubelet would do: bind to the node, then report running and Ready."""
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    pod = copy.deepcopy(pod)
    pod["spec"]["nodeName"] = "podlab"
    pod = store.update(PODS, pod)
    pod["status"] = {
        "phase": "Running",
        "podIP": "127.244.0.9",
        "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": now}],
        "containerStatuses": [
            {"name": "wiremock", "ready": True, "restartCount": 0, "state": {"running": {"startedAt": now}}}
        ],
    }
    store.update(PODS, pod, subresource="status")


async def _scenario() -> None:
    store = Store(None)
    text = (SEED_DIR / "wiremock-liveness.yaml").read_text()
    for obj in load_manifests(text, "wiremock-liveness.yaml"):
        obj = apply_defaults(obj)
        obj["metadata"]["namespace"] = "default"
        store.create(resource_for(obj["apiVersion"], obj["kind"]).key, obj)
    controllers = Controllers(store, resync_seconds=0.05)
    task = asyncio.create_task(controllers.run())
    try:

        def pods() -> list[dict[str, Any]]:
            return store.list(PODS)[0]

        await _until(lambda: len(pods()) == 1)
        (rs,) = store.list(RSS)[0]
        rs_name = rs["metadata"]["name"]
        assert re.fullmatch(r"wiremock-[4-9bcdf]{6,10}", rs_name)
        pod = pods()[0]
        assert re.fullmatch(
            re.escape(rs_name) + r"-[bcdfghjklmnpqrstvwxz2456789]{5}", pod["metadata"]["name"]
        )
        assert pod["metadata"]["labels"]["pod-template-hash"] == rs_name.split("-", 1)[1]
        assert pod["metadata"]["ownerReferences"][0]["uid"] == rs["metadata"]["uid"]
        assert pod["spec"]["enableServiceLinks"] is True  # created pods are defaulted
        assert pod["status"]["phase"] == "Pending"

        events = await _until(
            lambda: [e for e in store.list(EVENTS)[0] if e["reason"] == "ScalingReplicaSet"]
        )
        assert events[0]["message"] == f"Scaled up replica set {rs_name} from 0 to 1"
        assert events[0]["source"] == {"component": "deployment-controller"}
        assert events[0]["count"] == 1 and events[0]["type"] == "Normal"
        assert events[0]["involvedObject"]["kind"] == "Deployment"
        created = await _until(
            lambda: [e for e in store.list(EVENTS)[0] if e["reason"] == "SuccessfulCreate"]
        )
        assert created[0]["message"] == f"Created pod: {pod['metadata']['name']}"

        _make_ready(store, pods()[0])

        def available() -> bool:
            d = store.get(DEPLOYS, "default", "wiremock")
            conds = {c["type"]: c["reason"] for c in d.get("status", {}).get("conditions", [])}
            return (
                d["status"].get("availableReplicas") == 1
                and conds.get("Progressing") == "NewReplicaSetAvailable"
            )

        await _until(available)
        d = store.get(DEPLOYS, "default", "wiremock")
        assert d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1"
        assert d["status"]["observedGeneration"] == d["metadata"]["generation"]

        # Scale up through a spec update.
        d["spec"]["replicas"] = 2
        store.update(DEPLOYS, d)
        await _until(lambda: len(pods()) == 2)

        # Deleting the Deployment garbage-collects the ReplicaSet, then its pods (graceful).
        store.delete(DEPLOYS, "default", "wiremock")
        await _until(lambda: not store.list(RSS)[0])
        await _until(lambda: all(p["metadata"].get("deletionTimestamp") for p in pods()))
    finally:
        controllers.stop()
        await asyncio.wait_for(task, 5)
        store.close()


def test_driver_runs_deployment_to_available_and_collects_garbage() -> None:
    asyncio.run(_scenario())


async def _broken_neighbour() -> None:
    store = Store(None)
    # Stored without validation (only the controllers' own writes skip the API server): a
    # ReplicaSet whose replicas is garbage must not stop the Deployment next to it.
    store.create(
        RSS,
        {
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": {"name": "broken", "namespace": "default"},
            "spec": {"replicas": "many", "selector": {"matchLabels": {"x": "y"}}, "template": {}},
        },
    )
    d = apply_defaults(load_manifests((SEED_DIR / "deployment.wiremock.yaml").read_text(), "d")[0])
    d["metadata"]["namespace"] = "default"
    store.create(DEPLOYS, d)
    controllers = Controllers(store, resync_seconds=0.05)
    task = asyncio.create_task(controllers.run())
    try:
        await _until(lambda: len(store.list(PODS)[0]) == 1)
        assert not task.done()
    finally:
        controllers.stop()
        await asyncio.wait_for(task, 5)
        store.close()


def test_one_broken_object_does_not_stop_the_controllers() -> None:
    asyncio.run(_broken_neighbour())


async def _recreate() -> None:
    store = Store(None)
    d = apply_defaults(load_manifests((SEED_DIR / "deployment.wiremock.yaml").read_text(), "d")[0])
    d["metadata"]["namespace"] = "default"
    d["spec"]["strategy"] = {"type": "Recreate"}
    store.create(DEPLOYS, d)
    controllers = Controllers(store, resync_seconds=0.05)
    task = asyncio.create_task(controllers.run())
    try:
        (old_pod,) = await _until(lambda: store.list(PODS)[0])
        _make_ready(store, old_pod)
        current = store.get(DEPLOYS, "default", "wiremock")
        current["spec"]["template"]["spec"]["containers"][0]["image"] = "wiremock/wiremock:3.0.0"
        store.update(DEPLOYS, current)

        # The old pod is deleted gracefully (the kubelet has not finished it yet) ...
        await _until(
            lambda: store.get(PODS, "default", old_pod["metadata"]["name"])["metadata"].get(
                "deletionTimestamp"
            )
        )
        await asyncio.sleep(0.3)  # several resync periods: nothing new may start meanwhile
        assert [p["metadata"]["name"] for p in store.list(PODS)[0]] == [old_pod["metadata"]["name"]]
        assert len(store.list(RSS)[0]) == 1
        # ... and only when it is gone does the new ReplicaSet get its pod.
        store.delete(PODS, "default", old_pod["metadata"]["name"], grace_period_seconds=0)
        (new_pod,) = await _until(lambda: store.list(PODS)[0])
        assert new_pod["spec"]["containers"][0]["image"] == "wiremock/wiremock:3.0.0"
        messages = [e["message"] for e in store.list(EVENTS)[0] if e["reason"] == "ScalingReplicaSet"]
        assert any(m.endswith("from 1 to 0") for m in messages) and messages[-1].endswith("from 0 to 1")
    finally:
        controllers.stop()
        await asyncio.wait_for(task, 5)
        store.close()


def test_recreate_waits_for_old_pods_to_be_gone() -> None:
    asyncio.run(_recreate())


def test_statefulset_pods_and_claims_through_the_store(tmp_path: Path) -> None:
    """A set's pods are validated as the API server would; a claim from its template gets the
    default class; a pod it cannot create is said in the statefulset controller's words."""
    store = Store(None)
    store.create(STORAGECLASSES, apply_defaults(standard_class()))
    sts = {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {
            "replicas": 1,
            "serviceName": "web",
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {
                    "containers": [
                        {"name": "c", "image": "nginx", "volumeMounts": [{"name": "data", "mountPath": "/d"}]}
                    ]
                },
            },
            "volumeClaimTemplates": [
                {
                    "metadata": {"name": "data"},
                    "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
                }
            ],
        },
    }
    store.create(("apps", "statefulsets"), apply_defaults(sts))
    controllers = Controllers(store, local_path=tmp_path)
    controllers.sync_once()
    (pod,) = store.list(PODS)[0]
    assert pod["metadata"]["name"] == "web-0" and pod["spec"]["subdomain"] == "web"
    (claim,) = store.list(("", "persistentvolumeclaims"))[0]
    assert claim["metadata"]["name"] == "data-web-0" and claim["spec"]["storageClassName"] == "standard"

    broken = copy.deepcopy(sts)
    broken["metadata"]["name"] = "bad"
    broken["spec"]["template"]["metadata"]["labels"] = {"app": "bad"}
    broken["spec"]["selector"] = {"matchLabels": {"app": "bad"}}
    broken["spec"]["volumeClaimTemplates"] = []
    store.create(("apps", "statefulsets"), apply_defaults(broken))
    controllers.sync_once()
    messages = [e["message"] for e in store.list(EVENTS)[0] if e["reason"] == "FailedCreate"]
    assert messages[0] == (
        'create Pod bad-0 in StatefulSet bad failed error: Pod "bad-0" is invalid: '
        'spec.containers[0].volumeMounts[0].name: Not found: "data"'
    )
