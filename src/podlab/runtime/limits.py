"""The runtime's side of resource limits: the node's cgroups, one cgroup per container, the
Warning event where limits cannot be enforced, and usage for metrics.k8s.io.

Never silent: where no cgroup can be used (docs/reference/cgroups.md, "Without cgroups") the
node says so at start-up and in `podlab status`, and each container with limits gets a Warning
event `ResourceLimitsNotEnforced` on its pod. Limits are then not emulated, so no OOMKilled
is ever reported without the kernel's OOM killer having acted.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from podlab.runtime.cgroups import CgroupError, CgroupHost, ContainerCgroup, ContainerResources, node_key
from podlab.runtime.container import RunningContainer
from podlab.runtime.types import ContainerLaunch, StartError, start_error_message
from podlab.runtime.usage import CpuRates, Sample, Usage, node_sample, process_table, tree_usage

log = logging.getLogger("podlab.runtime")

NOT_ENFORCED = "ResourceLimitsNotEnforced"


@dataclass(frozen=True)
class ContainerRef:
    namespace: str
    pod: str
    pod_uid: str
    container: str
    started: float = field(default_factory=time.monotonic)


@dataclass(frozen=True)
class ContainerUsage:
    ref: ContainerRef
    usage: Usage
    timestamp: datetime


class NodeLimits:
    def __init__(self, home: Path, host: CgroupHost | None = None, pids_limit: int | None = None) -> None:
        host = host or CgroupHost.detect(node_key(home), pids_limit)
        try:
            host.start()
        except CgroupError as exc:
            host = CgroupHost.disabled(f"no writable cgroup: {exc}")
        self.host = host
        if host.enabled:
            log.info("resource limits are enforced: %s", host.summary)
        else:
            log.warning("resource limits are not enforced: %s", host.summary)
        self._warned: set[tuple[str, str]] = set()
        self._running: dict[RunningContainer, ContainerRef] = {}
        self._rates = CpuRates()

    @property
    def status(self) -> str:
        """One line for `podlab status`."""
        return ("enforced: " if self.host.enabled else "not enforced: ") + self.host.summary

    def prepare(self, launch: ContainerLaunch) -> ContainerCgroup | None:
        """The container's cgroup, made and configured (blocking: call off the event loop).
        Raises StartError, as runc's failure to apply a cgroup configuration would show."""
        uid = str(launch.pod["metadata"]["uid"])
        name = str(launch.container["name"])
        resources = ContainerResources.from_spec(launch.container)
        if not self.host.enabled:
            if resources.has_limits and launch.warn is not None and (uid, name) not in self._warned:
                self._warned.add((uid, name))
                launch.warn(
                    NOT_ENFORCED,
                    f"Resource limits of container {name} are not enforced: {self.host.summary}",
                )
            return None
        try:
            return self.host.create_container(uid, name, resources, launch.restart_count)
        except CgroupError as exc:
            raise StartError(start_error_message(f"unable to apply cgroup configuration: {exc}")) from None

    def track(self, running: RunningContainer, launch: ContainerLaunch) -> None:
        meta = launch.pod["metadata"]
        self._running[running] = ContainerRef(
            str(meta.get("namespace", "default")),
            str(meta["name"]),
            str(meta["uid"]),
            str(launch.container["name"]),
        )

    def untrack(self, running: RunningContainer) -> None:
        self._running.pop(running, None)

    def release_pod(self, pod_uid: str) -> None:
        self._warned = {key for key in self._warned if key[0] != pod_uid}
        self.host.remove_pod(pod_uid)

    def close(self) -> None:
        self.host.close()

    def container_usage(self) -> list[ContainerUsage]:
        """Usage of every running container: from its cgroup, or its process tree in /proc."""
        now = time.monotonic()
        stamp = datetime.now(UTC)
        table = None
        out: list[ContainerUsage] = []
        for running, ref in list(self._running.items()):
            if not running.running:
                continue
            cpu = memory = None
            if running.cgroup is not None:
                cpu, memory = running.cgroup.cpu_ns(), running.cgroup.memory_working_set()
            if cpu is None or memory is None:
                table = table if table is not None else process_table()
                proc_cpu, proc_memory = tree_usage(table, running.pid)
                cpu = proc_cpu if cpu is None else cpu
                memory = proc_memory if memory is None else memory
            key = running.container_id
            nanocores, window = self._rates.rate(key, Sample(now, cpu), Sample(ref.started, 0))
            out.append(ContainerUsage(ref, Usage(nanocores, memory, window), stamp))
        self._rates.forget([*(r.container_id for r in self._running), "node"])
        return out

    def node_usage(self) -> tuple[Usage, datetime]:
        cpu, memory = node_sample()
        # Before a second sample, the rate since boot (the monotonic clock counts from boot).
        nanocores, window = self._rates.rate("node", Sample(time.monotonic(), cpu), Sample(0.0, 0))
        return Usage(nanocores, memory, window), datetime.now(UTC)
