"""podlab's kubelet: probes, restarts, CrashLoopBackOff, pod status and events.

Sans-IO cores: probe_worker (one probe loop), probe_results (verdict cache), pod_worker
(computePodActions: init containers, sidecars, kills, restarts), backoff, status, events
(client-go correlation), env. Drivers: probe_driver, probe_manager, pod_probes, pod_runner,
container_actions, lifecycle (hooks), kubelet (Kubelet), scheduler, recorder, tasks, clock.
Seams: container_runtime (ContainerRuntime, what the kubelet needs of a runtime), pod_context
(NodeContext for pod runners; ProbeAttempt, one probe attempt) and the Clock.
"""

from podlab.kubelet.backoff import Backoff
from podlab.kubelet.clock import Clock, LoopClock, VirtualClock
from podlab.kubelet.container_runtime import ContainerHandle, ContainerRuntime
from podlab.kubelet.events import EventCorrelator, ObjectRef, Source, make_event
from podlab.kubelet.kubelet import Kubelet
from podlab.kubelet.pod_context import ProbeAttempt
from podlab.kubelet.pod_worker import PodWorker
from podlab.kubelet.probe_results import ProbeResults, ProbeType, Result, ResultsCache
from podlab.kubelet.probe_worker import ContainerView, ProbeSpec, ProbeWorker
from podlab.kubelet.scheduler import Scheduler

__all__ = [
    "Backoff",
    "Clock",
    "ContainerHandle",
    "ContainerRuntime",
    "ContainerView",
    "EventCorrelator",
    "Kubelet",
    "LoopClock",
    "ObjectRef",
    "PodWorker",
    "ProbeAttempt",
    "ProbeResults",
    "ProbeSpec",
    "ProbeType",
    "ProbeWorker",
    "Result",
    "ResultsCache",
    "Scheduler",
    "Source",
    "VirtualClock",
    "make_event",
]
