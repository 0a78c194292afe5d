"""The Node object this kubelet registers (k8s pkg/kubelet/kubelet_node_status.go), no I/O.

Conditions carry kubelet's reasons and messages (nodestatus/setters.go): MemoryPressure,
DiskPressure, PIDPressure (all False) and Ready (True, ``KubeletReady``).
"""

from __future__ import annotations

import os
import platform
from typing import Any

from podlab import kube_version

Obj = dict[str, Any]

MAX_PODS = 110  # kubelet's default --max-pods

_ARCH = {"x86_64": "amd64", "aarch64": "arm64", "arm64": "arm64"}


def _condition(type_: str, status: str, reason: str, message: str, now: str) -> Obj:
    return {
        "type": type_,
        "status": status,
        "lastHeartbeatTime": now,
        "lastTransitionTime": now,
        "reason": reason,
        "message": message,
    }


def _resources() -> Obj:
    memory_kib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 1024
    return {"cpu": str(os.cpu_count() or 1), "memory": f"{memory_kib}Ki", "pods": str(MAX_PODS)}


def build_node(name: str, host_ip: str, pod_cidr: str, now: str) -> Obj:
    arch = _ARCH.get(platform.machine(), platform.machine())
    labels = {
        "beta.kubernetes.io/arch": arch,
        "beta.kubernetes.io/os": "linux",
        "kubernetes.io/arch": arch,
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
    }
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": labels},
        "spec": {"podCIDR": pod_cidr, "podCIDRs": [pod_cidr]},
        "status": {
            "capacity": _resources(),
            "allocatable": _resources(),
            "conditions": [
                _condition(
                    "MemoryPressure",
                    "False",
                    "KubeletHasSufficientMemory",
                    "kubelet has sufficient memory available",
                    now,
                ),
                _condition(
                    "DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure", now
                ),
                _condition(
                    "PIDPressure",
                    "False",
                    "KubeletHasSufficientPID",
                    "kubelet has sufficient PID available",
                    now,
                ),
                _condition("Ready", "True", "KubeletReady", "kubelet is posting ready status", now),
            ],
            "addresses": [{"type": "InternalIP", "address": host_ip}, {"type": "Hostname", "address": name}],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {
                "architecture": arch,
                "containerRuntimeVersion": "podlab://0.1.0",
                "kernelVersion": platform.release(),
                "kubeProxyVersion": "",
                "kubeletVersion": kube_version.current().git_version,
                "operatingSystem": "linux",
                "osImage": "podlab",
                "bootID": "",
                "machineID": "",
                "systemUUID": "",
            },
        },
    }


def refresh_heartbeat(status: Obj, now: str) -> Obj:
    """The same status with every condition's lastHeartbeatTime moved to ``now``."""
    out = dict(status)
    out["conditions"] = [{**c, "lastHeartbeatTime": now} for c in status.get("conditions", [])]
    return out


# nodestatus/setters.go Images: largest first, nodeStatusMaxImages (50) of them, each with at
# most MaxNamesPerImageInNodeStatus (5) names, repo digests before repo tags.
MAX_IMAGES = 50
MAX_NAMES_PER_IMAGE = 5


def node_images(images: list[tuple[list[str], int]]) -> list[Obj]:
    """`status.images` from (names, size) pairs."""
    ordered = sorted((i for i in images if i[0]), key=lambda i: -i[1])[:MAX_IMAGES]
    return [{"names": names[:MAX_NAMES_PER_IMAGE], "sizeBytes": size} for names, size in ordered]
