"""The kubelet writes a pod's projected ServiceAccount token (from its token manager, bound to the
pod) into the volume, and rewrites it when the manager renews it; with the real Store and Runtime."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from kubelet_helpers import BUSYBOX, CLUSTER_DNS, PODS, eventually, running

from podlab.k8s.admission import token_volume_source
from podlab.kubelet import Kubelet
from podlab.kubelet.tokens import TokenManager, has_token_volume
from podlab.runtime import Runtime
from podlab.store import Store

Obj = dict[str, Any]


def test_projected_token_is_written_and_renewed(tmp_path: Path) -> None:
    now = [datetime(2026, 1, 1, tzinfo=UTC)]
    requests: list[tuple[str, str, Obj]] = []

    def source(namespace: str, account: str, spec: Obj) -> tuple[str, datetime]:
        requests.append((namespace, account, spec))
        return f"token-{len(requests)}", now[0] + timedelta(seconds=int(spec["expirationSeconds"]))

    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "default"},
        "spec": {
            "serviceAccountName": "default",
            "terminationGracePeriodSeconds": 0,
            "containers": [{"name": "c", "image": BUSYBOX, "command": ["sleep", "600"]}],
            "volumes": [{"name": "kube-api-access-abcde", "projected": token_volume_source()}],
        },
    }
    assert has_token_volume(pod)

    async def scenario() -> None:
        store = Store(None)
        runtime = Runtime(tmp_path / "home")
        # kube-root-ca.crt, as every namespace of a node holds it.
        store.create(("", "configmaps"), {"metadata": {"name": "kube-root-ca.crt"}, "data": {"ca.crt": "CA"}})
        kubelet = Kubelet(
            store, runtime, cluster_dns=CLUSTER_DNS, tokens=TokenManager(source, lambda: now[0])
        )
        try:
            async with running(kubelet):
                created = store.create(PODS, pod)
                volume = tmp_path / "home" / "sandbox" / created["metadata"]["uid"] / "volumes"
                token_file = volume / "kube-api-access-abcde" / "token"
                await eventually(token_file.exists, 20, "the projected token file")
                assert token_file.read_text() == "token-1"
                assert (volume / "kube-api-access-abcde" / "ca.crt").read_text() == "CA"
                assert (volume / "kube-api-access-abcde" / "namespace").read_text() == "default"
                namespace, account, spec = requests[0]
                assert (namespace, account, spec["expirationSeconds"]) == ("default", "default", 3607)
                assert spec["boundObjectRef"]["uid"] == created["metadata"]["uid"]
                runner = kubelet.runners[created["metadata"]["uid"]]
                runner.retry_mounts()  # the periodic remount, before 80%: the same token
                assert token_file.read_text() == "token-1"
                now[0] += timedelta(seconds=3000)
                runner.retry_mounts()
                assert token_file.read_text() == "token-2"
                await asyncio.sleep(0)
        finally:
            runtime.close()
            store.close()

    asyncio.run(scenario())
