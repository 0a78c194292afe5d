"""Containers as sandboxed local processes: start/stop/exec, volumes, CRI logs, pod IPs."""

from podlab.images.errors import ImagePullError
from podlab.runtime.container import ContainerNotRunning, RunningContainer
from podlab.runtime.image_service import ImageReport
from podlab.runtime.logfiles import LogRotation
from podlab.runtime.logsource import LogNotFound, LogSource
from podlab.runtime.podip import PodIPAllocator, allocate_pod_ip, release_pod_ip
from podlab.runtime.runtime import Runtime
from podlab.runtime.types import ContainerLaunch, CreateContainerError, ExecResult, ExitInfo, StartError
from podlab.runtime.volumes import VolumeError

__all__ = [
    "ContainerLaunch",
    "ContainerNotRunning",
    "CreateContainerError",
    "ExecResult",
    "ExitInfo",
    "ImagePullError",
    "ImageReport",
    "LogNotFound",
    "LogRotation",
    "LogSource",
    "PodIPAllocator",
    "RunningContainer",
    "Runtime",
    "StartError",
    "VolumeError",
    "allocate_pod_ip",
    "release_pod_ip",
]
