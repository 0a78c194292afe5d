"""Resolving `POD` or `deploy/NAME` to a pod name, as kubectl logs/port-forward do."""

from __future__ import annotations

import click

from .client import ApiClient


def resolve_pod(client: ApiClient, namespace: str, target: str) -> str:
    kind, _, name = target.partition("/")
    if not name:
        return kind
    if kind not in (
        "deploy",
        "deployment",
        "deployments",
        "deployment.apps",
        "rs",
        "replicaset",
        "pod",
        "po",
        "pods",
    ):
        raise click.ClickException(f'error: unsupported target "{target}" (use POD, pod/NAME or deploy/NAME)')
    if kind in ("pod", "po", "pods"):
        return name
    group = "apps/v1"
    plural = "deployments" if kind.startswith("deploy") else "replicasets"
    obj = client.request("GET", f"/apis/{group}/namespaces/{namespace}/{plural}/{name}")
    labels = (obj.get("spec", {}).get("selector") or {}).get("matchLabels") or {}
    selector = ",".join(f"{k}={v}" for k, v in sorted(labels.items()))
    pods = client.request("GET", f"/api/v1/namespaces/{namespace}/pods", query={"labelSelector": selector})
    items = [p for p in pods.get("items", []) if not p["metadata"].get("deletionTimestamp")]
    running = [p for p in items if p.get("status", {}).get("phase") == "Running"] or items
    if not running:
        raise click.ClickException(f"no pods found for {target}")
    return str(
        sorted(running, key=lambda p: p["metadata"].get("creationTimestamp", ""))[0]["metadata"]["name"]
    )
