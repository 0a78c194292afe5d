"""The real Kubelet on a VirtualClock with the scripted runtime: what it hands the runtime for a
pod's /etc and environment, and the events it records about them."""

from __future__ import annotations

import asyncio
from typing import Any

from fake_runtime import ScriptedRuntime, virtual_node
from test_kubelet_virtual_time import advance_to, events_of

from podlab.kubelet import VirtualClock
from podlab.kubelet.resolv_conf import ClusterDNS

Obj = dict[str, Any]
PODS = ("", "pods")
SERVICES = ("", "services")


def pod(name: str, **spec: Any) -> Obj:
    return {"metadata": {"name": name}, "spec": {"containers": [{"name": "c", "image": "busybox"}], **spec}}


def test_launch_carries_the_pods_etc_and_a_fresh_service_snapshot_per_start() -> None:
    async def scenario() -> None:
        clock = VirtualClock()
        runtime = ScriptedRuntime(clock, lifetime=1.0)  # exits after 1 s: restarted with backoff
        async with virtual_node(clock, runtime) as (store, _kubelet):
            store.create(PODS, pod("p", hostname="h", subdomain="sub"))
            await advance_to(clock, 0.5)
            first = runtime.launches[0]
            assert first.etc is not None
            assert first.etc.resolv_conf.startswith("search default.svc.cluster.local svc.cluster.local")
            assert "nameserver 10.96.0.10\n" in first.etc.resolv_conf
            assert f"{first.pod_ip}\th.sub.default.svc.cluster.local\th\n" in first.etc.hosts
            assert first.etc.hostname == "h"
            assert not any(k.startswith("LATE_") for k in first.env)
            # A Service created while the container runs reaches only the next start.
            store.create(
                SERVICES,
                {
                    "metadata": {"name": "late", "namespace": "default"},
                    "spec": {"clusterIP": "10.96.1.1", "ports": [{"port": 80}]},
                },
            )
            await advance_to(clock, 15)
            assert len(runtime.launches) >= 2
            assert runtime.launches[1].env["LATE_SERVICE_HOST"] == "10.96.1.1"

    asyncio.run(scenario())


def test_no_cluster_dns_records_missing_cluster_dns_and_uses_the_node_resolver() -> None:
    async def scenario() -> None:
        clock = VirtualClock()
        runtime = ScriptedRuntime(clock, lifetime=None)
        node_dns = ClusterDNS(host_resolv="nameserver 192.0.2.53\n")
        async with virtual_node(clock, runtime, cluster_dns=node_dns) as (store, _kubelet):
            store.create(PODS, pod("p"))
            await advance_to(clock, 1)
            assert runtime.launches[0].etc is not None
            assert runtime.launches[0].etc.resolv_conf == "nameserver 192.0.2.53\n"
            (event,) = events_of(store, "p", "MissingClusterDNS")
            assert event["type"] == "Warning"
            assert event["message"].endswith(
                'kubelet does not have ClusterDNS IP configured and cannot create Pod using "ClusterFirst" '
                'policy. Falling back to "Default" policy.'
            )

    asyncio.run(scenario())


def test_an_fqdn_too_long_for_a_hostname_fails_the_sandbox_and_is_retried() -> None:
    async def scenario() -> None:
        clock = VirtualClock()
        runtime = ScriptedRuntime(clock, lifetime=None)
        async with virtual_node(clock, runtime) as (store, _kubelet):
            store.create(PODS, pod("p", hostname="h" * 40, subdomain="web", setHostnameAsFQDN=True))
            await advance_to(clock, 25)
            assert runtime.launches == []
            (event,) = events_of(store, "p", "FailedCreatePodSandBox")
            assert event["message"].startswith(
                "Failed to create pod sandbox: failed to construct FQDN from pod hostname and cluster domain, FQDN "
            )
            assert event["count"] >= 2  # tried again after the sync backoff

    asyncio.run(scenario())
