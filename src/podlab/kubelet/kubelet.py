"""The node agent: watches pods bound to this node and runs one PodRunner per pod.

Also runs the scheduler (scheduler.py) so that pods created without ``spec.nodeName`` land here,
and watches ConfigMaps/Secrets so a pod stuck on a missing volume source retries at once.
Each PodRunner gets the node's collaborators as one ``NodeContext``, never the Kubelet itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from podlab.k8s.timestamps import format_time
from podlab.kubelet.backoff import Backoff
from podlab.kubelet.clock import Clock, LoopClock
from podlab.kubelet.container_runtime import ContainerRuntime
from podlab.kubelet.events import Source
from podlab.kubelet.eviction import run_eviction
from podlab.kubelet.node_lease import (
    LEASES,
    NODE_LEASE_NAMESPACE,
    RENEW_INTERVAL_SECONDS,
    new_node_lease,
    renewed,
)
from podlab.kubelet.node_status import build_node, node_images, refresh_heartbeat
from podlab.kubelet.pod_context import NodeContext, ProbeAttempt, run_probe_attempt
from podlab.kubelet.pod_runner import PodRunner
from podlab.kubelet.recorder import EventRecorder
from podlab.kubelet.resolv_conf import ClusterDNS, read_host_resolv
from podlab.kubelet.scheduler import Admission, Scheduler
from podlab.kubelet.tasks import OwnedTasks, cancel_and_wait
from podlab.kubelet.tokens import TOKEN_RESYNC_SECONDS, TokenManager, has_token_volume
from podlab.network.podnet import LoopbackPodNetwork, PodNetwork
from podlab.store import AlreadyExists, NotFound, Store, StoreError, Watch

log = logging.getLogger("podlab.kubelet")

Obj = dict[str, Any]
PODS = ("", "pods")
NODES = ("", "nodes")
NODE_STATUS_REPORT_SECONDS = 300.0
# Node shutdown: SIGTERM, then SIGKILL after kubelet's minimum grace.
SHUTDOWN_GRACE = 2.0
# Pause before re-listing after a watch fell behind (410), so a broken store cannot spin us.
RELIST_PAUSE = 0.05


class Kubelet:
    def __init__(
        self,
        store: Store,
        runtime: ContainerRuntime,
        *,
        node_name: str = "podlab",
        clock: Clock | None = None,
        host_ip: str = "127.0.0.1",
        schedule: bool = True,
        probe_attempt: ProbeAttempt = run_probe_attempt,
        cluster_dns: ClusterDNS | None = None,
        admission: Admission | None = None,
        pod_network: PodNetwork | None = None,
        tokens: TokenManager | None = None,
    ) -> None:
        """`pod_network`: the node's (node.py makes it); the loopback form when not given."""
        self.store = store
        self.node_name = node_name
        self.clock: Clock = clock or LoopClock()
        self.host_ip = host_ip
        self.node = NodeContext(
            store=store,
            runtime=runtime,
            clock=self.clock,
            recorder=EventRecorder(store, self.clock, Source("kubelet", node_name)),
            backoff=Backoff(),
            image_backoff=Backoff(),
            probe_attempt=probe_attempt,
            node_name=node_name,
            host_ip=host_ip,
            # No clusterDNS unless the node runs one: ClusterFirst pods then fall back to Default.
            cluster_dns=cluster_dns or ClusterDNS(host_resolv=read_host_resolv()),
            pod_network=pod_network or LoopbackPodNetwork("no pod network given"),
            tokens=tokens,
        )
        self.scheduler = (
            Scheduler(store, self.clock, node_name=node_name, admission=admission) if schedule else None
        )
        self.runners: dict[str, PodRunner] = {}
        self._runner_tasks: dict[str, asyncio.Task[None]] = {}
        self._tasks = OwnedTasks()  # heartbeat, scheduler, source watches
        self._watches: list[Watch] = []
        self._stopped = False

    def probe_history(self, pod_uid: str) -> dict[tuple[str, str], list[str]]:
        """(container, probe type) -> the latest attempt results, oldest first; {} for unknown pods."""
        runner = self.runners.get(pod_uid)
        if runner is None:
            return {}
        return {
            (key.container, key.probe_type.value): [str(result) for result in results]
            for key, results in runner.probes.history().items()
        }

    async def run(self) -> None:
        self.register_node()
        self._tasks.spawn(self._heartbeat())
        self._tasks.spawn(self._renew_lease())
        self._tasks.spawn(run_eviction(self))
        if self.scheduler is not None:
            self._tasks.spawn(self.scheduler.run())
        self._tasks.spawn(self._watch_sources(("", "configmaps")))
        self._tasks.spawn(self._watch_sources(("", "secrets")))
        if self.node.tokens is not None:
            self._tasks.spawn(self._rotate_tokens())
        await self._watch_pods()

    async def stop(self) -> None:
        """Stop watching and stop every container (idempotent)."""
        if self._stopped:
            return
        self._stopped = True
        if self.scheduler is not None:
            self.scheduler.stop()
        for watch in self._watches:
            watch.close()
        await asyncio.gather(
            *(r.shutdown(SHUTDOWN_GRACE) for r in self.runners.values()), return_exceptions=True
        )
        await cancel_and_wait([*self._runner_tasks.values(), *self._tasks])

    # -- the Node object ------------------------------------------------------------------
    def register_node(self) -> None:
        """Create (or refresh) this node's Node object, as kubelet registers itself."""
        now = format_time(self.clock.wall())
        node = build_node(self.node_name, self.host_ip, str(self.node.pod_network.sockets.pod_cidr), now)
        node["status"]["images"] = node_images(self.node.runtime.node_images())
        try:
            self.store.create(NODES, node)
        except AlreadyExists:
            existing = self.store.get(NODES, None, self.node_name)
            existing["status"] = node["status"]
            self.store.update(NODES, existing, subresource="status")
        except StoreError as exc:
            log.warning("could not register node %s: %s", self.node_name, exc)

    async def _heartbeat(self) -> None:
        # nodeStatusReportFrequency: an unchanged status is re-posted every 5 minutes.
        while not self._stopped:
            await self.clock.sleep_until(self.clock.now() + NODE_STATUS_REPORT_SECONDS)
            with contextlib.suppress(StoreError):
                node = self.store.get(NODES, None, self.node_name)
                node["status"] = refresh_heartbeat(node.get("status") or {}, format_time(self.clock.wall()))
                self.store.update(NODES, node, subresource="status")

    def renew_lease(self) -> None:
        """Create or renew kube-node-lease/<node> (the nodelease controller's sync)."""
        now = self.clock.wall()
        try:
            uid = str(self.store.get(NODES, None, self.node_name)["metadata"].get("uid", ""))
        except StoreError:
            uid = ""
        try:
            lease = self.store.get(LEASES, NODE_LEASE_NAMESPACE, self.node_name)
        except NotFound:
            self.store.create(LEASES, new_node_lease(self.node_name, uid, now))
            return
        self.store.update(LEASES, renewed(lease, self.node_name, uid, now))

    async def _renew_lease(self) -> None:
        # The lease is the heartbeat (every 10 s); the Node status only every 5 minutes.
        while not self._stopped:
            try:
                self.renew_lease()
            except StoreError as exc:
                log.warning("failed to update lease %s: %s", self.node_name, exc)
            await self.clock.sleep_until(self.clock.now() + RENEW_INTERVAL_SECONDS)

    # -- pods -----------------------------------------------------------------------------
    async def _watch_pods(self) -> None:
        while not self._stopped:
            watch = self.store.watch(PODS)
            self._watches.append(watch)
            seen: set[str] = set()
            try:
                async for event in watch:
                    if event.type == "ERROR":
                        break
                    uid = str(event.object.get("metadata", {}).get("uid", ""))
                    seen.add(uid)
                    self._handle(event.type, event.object)
            finally:
                self._watches.remove(watch)
            if self._stopped:
                return
            # Re-list after a 410: pods we run that are gone now were deleted meanwhile.
            items, _ = self.store.list(PODS)
            alive = {str(p["metadata"]["uid"]) for p in items}
            for uid, runner in list(self.runners.items()):
                if uid not in alive:
                    runner.removed()
            await self.clock.sleep(RELIST_PAUSE)

    def _handle(self, kind: str, pod: Obj) -> None:
        meta = pod.get("metadata", {})
        uid = str(meta.get("uid", ""))
        runner = self.runners.get(uid)
        if kind == "DELETED":
            if runner is not None:
                runner.removed()
            return
        if pod.get("spec", {}).get("nodeName") != self.node_name:
            return
        if runner is not None:
            runner.update(pod)
            return
        if meta.get("deletionTimestamp") is not None and uid not in self._runner_tasks:
            # Nothing of it runs here: finish the deletion at once.
            with contextlib.suppress(NotFound, StoreError):
                self.store.delete(
                    PODS, meta.get("namespace"), meta["name"], grace_period_seconds=0, preconditions_uid=uid
                )
            return
        if (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
            return  # finished before this kubelet started; nothing to run
        runner = PodRunner(self.node, pod)
        self.runners[uid] = runner
        task = asyncio.create_task(self._run_pod(uid, runner), name=f"pod {meta.get('name')}")
        self._runner_tasks[uid] = task

    async def _run_pod(self, uid: str, runner: PodRunner) -> None:
        try:
            await runner.run()
        except Exception:
            log.exception("pod worker for %s crashed", runner.pod["metadata"].get("name"))
        finally:
            self.runners.pop(uid, None)
            self._runner_tasks.pop(uid, None)
            if self.node.tokens is not None:
                self.node.tokens.forget(uid)

    async def _rotate_tokens(self) -> None:
        """The volume manager's periodic remount: projected ServiceAccount tokens are rewritten
        once the token manager renews them (80% of their lifetime, token_manager.go)."""
        while not self._stopped:
            await self.clock.sleep_until(self.clock.now() + TOKEN_RESYNC_SECONDS)
            for runner in list(self.runners.values()):
                if has_token_volume(runner.pod):
                    runner.retry_mounts()

    # -- volume sources -------------------------------------------------------------------
    async def _watch_sources(self, key: tuple[str, str]) -> None:
        while not self._stopped:
            watch = self.store.watch(key, resource_version=self.store.resource_version)
            self._watches.append(watch)
            try:
                async for event in watch:
                    if event.type == "ERROR":
                        break
                    for runner in self.runners.values():
                        runner.retry_mounts()
            finally:
                self._watches.remove(watch)
            if not self._stopped:
                await self.clock.sleep(RELIST_PAUSE)
