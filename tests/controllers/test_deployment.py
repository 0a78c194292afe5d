"""Deployment decisions in virtual time: naming, annotations, rollouts, status, conditions, events."""

from __future__ import annotations

import re

from podlab.controllers import CreateObject, RecordEvent, SetStatus, sync_deployment
from podlab.controllers.util import is_pod_ready
from podlab.k8s import pod_template_hash

from .world import T0, World, deployment


def test_first_sync_creates_replicaset_named_by_template_hash() -> None:
    d = deployment("wiremock", image="wiremock/wiremock:2.35.0")
    w = World()
    d = w.add(d)
    actions = sync_deployment(d, [], [], T0)
    creates = [a for a in actions if isinstance(a, CreateObject)]
    assert len(creates) == 1
    rs = creates[0].obj
    h = pod_template_hash(d["spec"]["template"], None)
    assert rs["metadata"]["name"] == f"wiremock-{h}"
    assert re.fullmatch(r"wiremock-[4-9bcdf]{6,10}", rs["metadata"]["name"])
    assert rs["metadata"]["labels"] == {"app": "wiremock", "pod-template-hash": h}
    assert rs["spec"]["selector"] == {"matchLabels": {"app": "wiremock", "pod-template-hash": h}}
    assert rs["spec"]["template"]["metadata"]["labels"]["pod-template-hash"] == h
    assert rs["metadata"]["annotations"] == {
        "deployment.kubernetes.io/desired-replicas": "1",
        "deployment.kubernetes.io/max-replicas": "2",
        "deployment.kubernetes.io/revision": "1",
    }
    ref = rs["metadata"]["ownerReferences"][0]
    assert ref == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "wiremock",
        "uid": d["metadata"]["uid"],
        "controller": True,
        "blockOwnerDeletion": True,
    }
    events = [a for a in actions if isinstance(a, RecordEvent)]
    assert [(e.reason, e.message, e.component) for e in events] == [
        ("ScalingReplicaSet", f"Scaled up replica set wiremock-{h} from 0 to 1", "deployment-controller")
    ]
    status = [a for a in actions if isinstance(a, SetStatus)][-1].status
    progressing = next(c for c in status["conditions"] if c["type"] == "Progressing")
    assert (progressing["reason"], progressing["message"]) == (
        "NewReplicaSetCreated",
        f'Created new replica set "wiremock-{h}"',
    )


def test_rollout_to_available_and_complete() -> None:
    w = World()
    w.add(deployment("web", replicas=3))
    w.run(3)
    d = w.get("Deployment", "web")
    rs_name = next(iter(w.objects["ReplicaSet"]))
    pods = list(w.objects["Pod"])
    assert len(pods) == 3 and all(p.startswith(rs_name + "-") and len(p) == len(rs_name) + 6 for p in pods)
    assert d["status"]["replicas"] == 3 and d["status"].get("availableReplicas", 0) == 0
    available = next(c for c in d["status"]["conditions"] if c["type"] == "Available")
    assert available["status"] == "False" and available["reason"] == "MinimumReplicasUnavailable"
    w.run(5)
    d = w.get("Deployment", "web")
    assert {k: d["status"][k] for k in ("replicas", "updatedReplicas", "readyReplicas", "availableReplicas", "observedGeneration")} == {
        "replicas": 3, "updatedReplicas": 3, "readyReplicas": 3, "availableReplicas": 3, "observedGeneration": 1,
    }  # fmt: skip
    assert "unavailableReplicas" not in d["status"]
    conds = {c["type"]: (c["status"], c["reason"], c["message"]) for c in d["status"]["conditions"]}
    assert conds == {
        "Available": ("True", "MinimumReplicasAvailable", "Deployment has minimum availability."),
        "Progressing": (
            "True",
            "NewReplicaSetAvailable",
            f'ReplicaSet "{rs_name}" has successfully progressed.',
        ),
    }
    assert [c["type"] for c in d["status"]["conditions"]] == ["Available", "Progressing"]
    assert d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1"
    rs = w.get("ReplicaSet", rs_name)
    assert rs["status"] == {
        "replicas": 3,
        "fullyLabeledReplicas": 3,
        "readyReplicas": 3,
        "availableReplicas": 3,
        "observedGeneration": 1,
    }


def test_scale_up_and_down_events() -> None:
    w = World()
    w.add(deployment("web", replicas=1))
    w.run(8)
    rs_name = next(iter(w.objects["ReplicaSet"]))
    w.objects["Deployment"]["web"]["spec"]["replicas"] = 4
    w.run(2)
    assert len(w.objects["Pod"]) == 4
    w.objects["Deployment"]["web"]["spec"]["replicas"] = 2
    w.run(2)
    assert len(w.objects["Pod"]) == 2
    scaling = [m for _, r, m in w.events if r == "ScalingReplicaSet"]
    assert scaling == [
        f"Scaled up replica set {rs_name} from 0 to 1",
        f"Scaled up replica set {rs_name} from 1 to 4",
        f"Scaled down replica set {rs_name} from 4 to 2",
    ]
    assert sum(1 for _, r, _ in w.events if r == "SuccessfulDelete") == 2
    assert (
        w.get("ReplicaSet", rs_name)["metadata"]["annotations"]["deployment.kubernetes.io/desired-replicas"]
        == "2"
    )


def test_rolling_update_respects_surge_and_unavailable() -> None:
    w = World(ready_after=3)
    w.add(deployment("web", replicas=4))
    w.run(6)
    old_rs = next(iter(w.objects["ReplicaSet"]))
    w.objects["Deployment"]["web"]["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:2"
    w.objects["Deployment"]["web"]["metadata"]["generation"] = 2
    max_total = 0
    min_ready = 99
    for _ in range(40):
        w.step(1)
        pods = w.objects["Pod"].values()
        max_total = max(max_total, len(pods))
        ready = sum(1 for p in pods if is_pod_ready(p))
        min_ready = min(min_ready, ready)
    # 25% of 4: surge 1 (round up), unavailable 1 (round down)
    assert max_total <= 5
    assert min_ready >= 3
    rss = w.objects["ReplicaSet"]
    new_rs = next(n for n in rss if n != old_rs)
    assert rss[old_rs]["spec"]["replicas"] == 0 and rss[new_rs]["spec"]["replicas"] == 4
    assert rss[new_rs]["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "2"
    d = w.get("Deployment", "web")
    assert d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "2"
    assert d["status"]["updatedReplicas"] == 4 and d["status"]["observedGeneration"] == 2
    progressing = next(c for c in d["status"]["conditions"] if c["type"] == "Progressing")
    assert progressing["reason"] == "NewReplicaSetAvailable"
    messages = [m for _, r, m in w.events if r == "ScalingReplicaSet"]
    assert f"Scaled up replica set {new_rs} from 0 to 1" in messages
    assert f"Scaled down replica set {old_rs} from 4 to 3" in messages
    assert messages[-1] in (
        f"Scaled down replica set {old_rs} from 1 to 0",
        f"Scaled up replica set {new_rs} from 3 to 4",
    )


def test_recreate_scales_old_to_zero_before_new() -> None:
    w = World(ready_after=2)
    w.add(deployment("web", replicas=2, strategy={"type": "Recreate"}))
    w.run(4)
    old_rs = next(iter(w.objects["ReplicaSet"]))
    w.objects["Deployment"]["web"]["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:2"
    w.step(1)
    assert w.get("ReplicaSet", old_rs)["spec"]["replicas"] == 0
    assert len(w.objects["ReplicaSet"]) == 1  # no new RS while old pods exist
    w.run(6)
    new_rs = next(n for n in w.objects["ReplicaSet"] if n != old_rs)
    assert all(p.startswith(new_rs) for p in w.objects["Pod"]) and len(w.objects["Pod"]) == 2
    messages = [m for _, r, m in w.events if r == "ScalingReplicaSet"]
    assert messages[-2:] == [
        f"Scaled down replica set {old_rs} from 2 to 0",
        f"Scaled up replica set {new_rs} from 0 to 2",
    ]


def test_rollback_reuses_old_replicaset_with_new_revision() -> None:
    w = World(ready_after=1)
    w.add(deployment("web", replicas=1))
    w.run(4)
    first = next(iter(w.objects["ReplicaSet"]))
    w.objects["Deployment"]["web"]["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:2"
    w.run(8)
    w.objects["Deployment"]["web"]["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1"
    w.run(8)
    assert len(w.objects["ReplicaSet"]) == 2
    assert w.get("ReplicaSet", first)["spec"]["replicas"] == 1
    assert w.get("ReplicaSet", first)["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "3"
    assert w.get("Deployment", "web")["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "3"


def test_revision_history_limit_deletes_oldest_empty_replicasets() -> None:
    w = World(ready_after=1)
    w.add(deployment("web", replicas=1, revisionHistoryLimit=1))
    w.run(3)
    for tag in ("2", "3", "4"):
        w.objects["Deployment"]["web"]["spec"]["template"]["spec"]["containers"][0]["image"] = f"nginx:{tag}"
        w.run(6)
    images = sorted(
        rs["spec"]["template"]["spec"]["containers"][0]["image"] for rs in w.objects["ReplicaSet"].values()
    )
    assert images == ["nginx:3", "nginx:4"]


def test_progress_deadline_exceeded() -> None:
    w = World(ready_after=10_000)
    w.add(deployment("web", replicas=1, progressDeadlineSeconds=30))
    w.run(40, tick=2)
    d = w.get("Deployment", "web")
    progressing = next(c for c in d["status"]["conditions"] if c["type"] == "Progressing")
    rs_name = next(iter(w.objects["ReplicaSet"]))
    assert (progressing["status"], progressing["reason"], progressing["message"]) == (
        "False",
        "ProgressDeadlineExceeded",
        f'ReplicaSet "{rs_name}" has timed out progressing.',
    )


def test_paused_deployment_does_not_roll_out() -> None:
    w = World(ready_after=1)
    w.add(deployment("web", replicas=1))
    w.run(3)
    w.objects["Deployment"]["web"]["spec"]["paused"] = True
    w.objects["Deployment"]["web"]["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:2"
    w.run(3)
    assert len(w.objects["ReplicaSet"]) == 1


def test_name_collision_bumps_collision_count() -> None:
    w = World()
    d = w.add(deployment("web"))
    h = pod_template_hash(d["spec"]["template"], None)
    stranger = {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {"name": f"web-{h}", "namespace": "default"},
        "spec": {"replicas": 0, "selector": {"matchLabels": {"x": "y"}}, "template": {}},
    }
    w.add(stranger)
    actions = sync_deployment(w.get("Deployment", "web"), w.items("ReplicaSet"), [], w.now)
    assert [a.status.get("collisionCount") for a in actions if isinstance(a, SetStatus)] == [1]
    w.apply(actions)
    actions = sync_deployment(w.get("Deployment", "web"), w.items("ReplicaSet"), [], w.now)
    created = [a.obj["metadata"]["name"] for a in actions if isinstance(a, CreateObject)]
    assert created == [f"web-{pod_template_hash(d['spec']['template'], 1)}"]


def test_proportional_scaling_during_a_stuck_rollout() -> None:
    # The Deployment docs' example: 10 replicas, maxSurge 3, maxUnavailable 2, a bad image, then 15.
    w = World(ready_after=1, broken_images={"nginx:bad"})
    strategy = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 3, "maxUnavailable": 2}}
    w.add(deployment("web", replicas=10, strategy=strategy))
    w.run(4)
    old_rs = next(iter(w.objects["ReplicaSet"]))
    w.objects["Deployment"]["web"]["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:bad"
    w.run(10)
    new_rs = next(n for n in w.objects["ReplicaSet"] if n != old_rs)
    sizes = {n: rs["spec"]["replicas"] for n, rs in w.objects["ReplicaSet"].items()}
    assert sizes == {old_rs: 8, new_rs: 5}
    w.objects["Deployment"]["web"]["spec"]["replicas"] = 15
    w.run(3)
    sizes = {n: rs["spec"]["replicas"] for n, rs in w.objects["ReplicaSet"].items()}
    assert sizes == {old_rs: 11, new_rs: 7}
    assert f"Scaled up replica set {old_rs} from 8 to 11" in [
        m for _, r, m in w.events if r == "ScalingReplicaSet"
    ]


def test_pause_and_resume_conditions() -> None:
    w = World(ready_after=1)
    w.add(deployment("web", replicas=1))
    w.run(3)
    w.objects["Deployment"]["web"]["spec"]["paused"] = True
    w.run(1)
    cond = next(c for c in w.get("Deployment", "web")["status"]["conditions"] if c["type"] == "Progressing")
    assert (cond["status"], cond["reason"], cond["message"]) == (
        "Unknown",
        "DeploymentPaused",
        "Deployment is paused",
    )
    w.objects["Deployment"]["web"]["spec"]["paused"] = False
    w.run(1)
    cond = next(c for c in w.get("Deployment", "web")["status"]["conditions"] if c["type"] == "Progressing")
    assert cond["reason"] in ("DeploymentResumed", "NewReplicaSetAvailable")


def test_change_cause_and_min_ready_seconds_follow_the_deployment() -> None:
    w = World(ready_after=1)
    w.add(deployment("web", replicas=1))
    w.run(3)
    rs_name = next(iter(w.objects["ReplicaSet"]))
    d = w.objects["Deployment"]["web"]
    d["metadata"]["annotations"]["kubernetes.io/change-cause"] = "kubectl set image"
    d["spec"]["minReadySeconds"] = 5
    w.run(1)
    rs = w.get("ReplicaSet", rs_name)
    assert rs["metadata"]["annotations"]["kubernetes.io/change-cause"] == "kubectl set image"
    assert rs["spec"]["minReadySeconds"] == 5
