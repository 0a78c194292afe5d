"""What a pod runner works with, passed in explicitly (no back-pointer to the Kubelet).

``NodeContext``: the node-wide collaborators every pod runner shares (store, runtime, clock,
event recorder, backoff tables, the probe attempt). ``PodSandbox``: what the runner prepared for
one pod (IP, netns, volumes), read by its container actions and probes. ``ProbeAttempt``: one probe
attempt, the seam tests use to script probe results (``run_probe_attempt`` is the real one).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from podlab.kubelet.backoff import Backoff
from podlab.kubelet.clock import Clock
from podlab.kubelet.container_runtime import ContainerRuntime, SourceLookup
from podlab.kubelet.probe_results import ProbeType
from podlab.kubelet.recorder import EventRecorder
from podlab.kubelet.resolv_conf import ClusterDNS
from podlab.kubelet.tokens import TokenManager, TokenUnavailable
from podlab.network.netns import PodNetns
from podlab.network.podnet import PodNetwork
from podlab.network.sockets import PodNetworkSockets
from podlab.probes import ProbeOutcome, ProbeTarget, run_probe
from podlab.runtime.types import ExecResult, PodEtc
from podlab.store import NotFound, Store

Obj = dict[str, Any]
# (probe spec, target, probe type) -> outcome. The timeout is the spec's timeoutSeconds; the
# type only names the probe in kubelet's "missing ... probe handler" message.
ProbeAttempt = Callable[[Obj, ProbeTarget, ProbeType], Awaitable[ProbeOutcome]]
# (type, reason, message, container or None for the pod itself): one event about the pod.
EventSink = Callable[[str, str, str, str | None], None]


async def run_probe_attempt(probe: Obj, target: ProbeTarget, probe_type: ProbeType) -> ProbeOutcome:
    """The real attempt: podlab.probes against the container (exec through the runtime)."""
    return await run_probe(probe, target, probe_type=probe_type.value)


@dataclass(frozen=True, slots=True)
class NodeContext:
    store: Store  # pod status writes, final deletes, ConfigMap/Secret reads
    runtime: ContainerRuntime
    clock: Clock
    recorder: EventRecorder
    # Node-wide backoff tables keyed per pod+container (kubelet keeps one for the node).
    backoff: Backoff
    image_backoff: Backoff
    probe_attempt: ProbeAttempt
    node_name: str
    host_ip: str
    # The pod network: addresses and namespaces for pods, and the node's sockets into it
    # (`pod_network.sockets`, the seam probes, port-forward, Services and DNS dial through).
    pod_network: PodNetwork
    # clusterDNS/clusterDomain and the node's resolver file, for each pod's /etc/resolv.conf.
    cluster_dns: ClusterDNS = field(default_factory=ClusterDNS)
    # ServiceAccount tokens for projected volumes (None: a node without an API server's issuer).
    tokens: TokenManager | None = None

    def services(self) -> list[Obj]:
        """Every Service now: what a starting container's Service variables come from."""
        items, _ = self.store.list(("", "services"))
        return items

    def source_lookup(self, namespace: str, pod: Obj | None = None) -> SourceLookup:
        """ConfigMaps and Secrets of one namespace, for volumes and env; with `pod`, its
        ServiceAccount tokens too (kind "ServiceAccountToken", name "SECONDS/AUDIENCE")."""

        def lookup(kind: str, name: str) -> Obj | None:
            if kind == "ServiceAccountToken":
                return self._token(pod, name)
            key = _SOURCE_KEYS.get(kind) or (
                ("", "configmaps") if kind.lower().startswith("configmap") else ("", "secrets")
            )
            try:
                return self.store.get(key, namespace, name)
            except NotFound:
                return None

        return lookup

    def _token(self, pod: Obj | None, name: str) -> Obj:
        if self.tokens is None or pod is None:
            return {"error": "this node issues no ServiceAccount tokens"}
        seconds, _, audience = name.partition("/")
        try:
            return {"token": self.tokens.token(pod, int(seconds), audience)}
        except TokenUnavailable as err:
            return {"error": str(err)}


# Claims and their volumes, for persistentVolumeClaim volumes (a volume is cluster-scoped: the
# store ignores the namespace for it).
_SOURCE_KEYS = {
    "PersistentVolumeClaim": ("", "persistentvolumeclaims"),
    "PersistentVolume": ("", "persistentvolumes"),
}


@dataclass(slots=True)
class PodSandbox:
    """Filled in by the pod runner before any container starts."""

    pod_ip: str | None = None
    netns: PodNetns | None = None  # the pod's network namespace (None: the host's network)
    volumes: dict[str, Path] | None = None
    etc: PodEtc | None = None  # hosts, resolv.conf, hostname (kubelet/pod_etc.py)
    network: PodNetworkSockets | None = None  # where pod_ip is reached (probes, hooks)
    pod_name: str = ""

    def probe_target(
        self, container: Obj, exec_: Callable[[list[str], float], Awaitable[ExecResult]]
    ) -> ProbeTarget:
        """What a probe or an httpGet/tcpSocket hook of `container` dials: the pod IP, in the pod network."""
        return ProbeTarget(
            pod_ip=self.pod_ip or "", container=container, exec=exec_, network=self.network, pod=self.pod_name
        )
