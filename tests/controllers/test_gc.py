"""Garbage collection decisions: dependents whose owners are all gone."""

from __future__ import annotations

from podlab.controllers import orphaned_dependents


def _obj(kind: str, name: str, uid: str, owners: list[tuple[str, str]] = (), **meta: object) -> dict:  # type: ignore[assignment]
    return {
        "kind": kind,
        "metadata": {
            "name": name,
            "namespace": "default",
            "uid": uid,
            "ownerReferences": [{"kind": k, "uid": u, "name": "x"} for k, u in owners],
            **meta,
        },
    }


def test_orphans_are_deleted_and_owned_or_foreign_owned_kept() -> None:
    objects = {
        ("apps", "deployments"): [_obj("Deployment", "d", "d1")],
        ("apps", "replicasets"): [
            _obj("ReplicaSet", "kept", "r1", [("Deployment", "d1")]),
            _obj("ReplicaSet", "orphan", "r2", [("Deployment", "gone")]),
        ],
        ("", "pods"): [
            _obj("Pod", "p1", "p1", [("ReplicaSet", "r2")]),
            _obj("Pod", "p2", "p2", [("ReplicaSet", "gone")]),
            _obj("Pod", "p3", "p3", [("Job", "job-uid")]),
            _obj("Pod", "p4", "p4", [("ReplicaSet", "gone")], deletionTimestamp="2026-11-28T06:00:00Z"),
            _obj("Pod", "bare", "p5"),
        ],
    }
    deletes = orphaned_dependents(objects, {"Deployment", "ReplicaSet"})
    assert [(d.key, d.name, d.uid) for d in deletes] == [
        (("apps", "replicasets"), "orphan", "r2"),
        (("", "pods"), "p2", "p2"),
    ]
