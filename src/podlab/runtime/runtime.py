"""Runs containers as local processes: in a bubblewrap sandbox when it works, plain otherwise.

Start: image -> program (podlab.images), a fresh per-instance root and its view (layout.py),
executable lookup with runc's wording (lookup.py), then the mode's launcher (launchers.py).
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
from collections.abc import Callable, Coroutine, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from podlab.images.busybox import applet_dir, is_static
from podlab.images.errors import ImagePullError
from podlab.images.resolve import ImageProgram, resolve
from podlab.images.source import PULL
from podlab.runtime.attach import ContainerStdio, close_master, container_stdio
from podlab.runtime.cgroups import CgroupHost
from podlab.runtime.container import RunningContainer
from podlab.runtime.forkserver import ForkServer
from podlab.runtime.forkserver import enabled as forkserver_enabled
from podlab.runtime.image_service import ImageReport, ImageService, mapping_hint
from podlab.runtime.launchers import BwrapLauncher, Launcher, PlainLauncher, bwrap_works
from podlab.runtime.layout import Layout, prepare
from podlab.runtime.limits import NodeLimits
from podlab.runtime.logfiles import LogRotation
from podlab.runtime.logsource import container_log_dir
from podlab.runtime.lookup import look_path
from podlab.runtime.pycache import CompiledPackage
from podlab.runtime.seccomp import container_filter
from podlab.runtime.termination import TerminationLog
from podlab.runtime.tmpfs import can_mount, unmount_under
from podlab.runtime.types import (
    ContainerLaunch,
    CreateContainerError,
    Obj,
    StartError,
    os_error_text,
    start_error_message,
)
from podlab.runtime.volumes import Lookup, materialise, refresh

log = logging.getLogger("podlab.runtime")

# Threads for that filesystem work. Few on purpose: they hold the GIL while they run Python, and
# six busy threads (the default pool on 2 cores) slowed the event loop itself to a crawl.
LAYOUT_THREADS = 2


class Runtime:
    def __init__(
        self,
        home: Path,
        *,
        sandbox: str = "auto",
        user_images: Mapping[str, str] | None = None,
        log_rotation: LogRotation | None = None,
        cgroups: CgroupHost | None = None,
        pids_limit: int | None = None,
        image_sources: Mapping[str, str] | None = None,
        insecure_registries: tuple[str, ...] = (),
    ) -> None:
        """`user_images`: podlab.yaml's `images:` (image name, with or without tag -> command);
        `log_rotation`: its containerLogMaxSize / containerLogMaxFiles; `cgroups`: the cgroup
        tree to use (default: detected); `pids_limit`: its podPidsLimit; `image_sources`: its
        `imageSources:` (image -> builtin | pull); `insecure_registries`: its `insecureRegistries:`."""
        if sandbox not in ("auto", "bwrap", "plain"):
            raise ValueError(f'sandbox must be "auto", "bwrap" or "plain", not {sandbox!r}')
        self.home = home
        self.user_images = dict(user_images or {})
        self.log_rotation = log_rotation or LogRotation()
        self.images = ImageService(
            home, user_images=self.user_images, sources=image_sources, insecure_registries=insecure_registries
        )
        bwrap = shutil.which("bwrap")
        if sandbox == "bwrap" and not bwrap_works(bwrap):
            raise RuntimeError("sandbox 'bwrap' requested but bubblewrap is not installed or cannot run here")
        self._launcher: Launcher
        if sandbox != "plain" and bwrap is not None and bwrap_works(bwrap):
            self._launcher = BwrapLauncher(bwrap, ForkServer() if forkserver_enabled() else None)
            if container_filter() is None:
                log.warning(
                    "containers run without a seccomp filter (libseccomp is not installed); "
                    "the user namespace and the default capabilities still confine them"
                )
        else:
            self._launcher = PlainLauncher()
            log.warning(
                "container isolation is off (bubblewrap %s): containers run as plain processes, "
                "share the host's /tmp, and see volumes only through their working directory",
                "not requested" if sandbox == "plain" else "is not available",
            )
        self.isolation = self._launcher.isolation
        # The built-in images' compiled copy of podlab, once the node has built it (pycache.py).
        self.python_package = CompiledPackage()
        self._busybox: Path | None = None
        self._busybox_checked = False
        self._tasks: set[asyncio.Task[None]] = set()
        self._containers: set[RunningContainer] = set()
        self._layout_pool = ThreadPoolExecutor(LAYOUT_THREADS, thread_name_prefix="podlab-layout")
        self.limits = NodeLimits(home, cgroups, pids_limit)

    def materialise_volumes(self, pod: Obj, lookup: Lookup) -> dict[str, Path]:
        """Write the pod's volumes to host directories. lookup(kind, name): kind "ConfigMap"/"Secret".

        Raises VolumeError with the kubelet's FailedMount message when a source is missing.
        """
        return materialise(pod, lookup, self._pod_dir(pod) / "volumes", tmpfs=can_mount())

    def refresh_volumes(self, pod: Obj, lookup: Lookup, volumes: Mapping[str, Path]) -> list[str]:
        """A running pod's configMap/secret/downwardAPI/projected volumes follow their sources
        (the kubelet's atomic writer); returns the volumes that changed."""
        return refresh(pod, lookup, volumes)

    def release_pod(self, pod_uid: str) -> None:
        """Remove the pod's scratch directories (tmpfs volumes unmounted first) and its logs.
        kubelet's container GC removes a deleted pod's logs too; the pod network (not the
        runtime) takes the pod's IP and namespace back."""
        sandbox_dir = self.home / "sandbox" / pod_uid
        unmount_under(sandbox_dir)
        shutil.rmtree(sandbox_dir, ignore_errors=True)
        for log_dir in (self.home / "pods").glob(f"*_{pod_uid}"):
            shutil.rmtree(log_dir, ignore_errors=True)
        self.limits.release_pod(pod_uid)

    def _pod_dir(self, pod: Obj) -> Path:
        return self.home / "sandbox" / str(pod["metadata"]["uid"])

    async def ensure_image(
        self, pod: Obj, container: Obj, pull_secrets: list[Obj], pulling: Callable[[], None]
    ) -> ImageReport:
        """kubelet's EnsureImageExists: pull per imagePullPolicy (built-ins are always present).
        Calls `pulling()` as a pull begins; raises ImagePullError with the runtime's words."""
        return await self.images.ensure(pod, container, pull_secrets, pulling)

    def node_images(self) -> list[tuple[list[str], int]]:
        return [(record.names, record.size) for record in self.images.store.images()]

    def _program(self, launch: ContainerLaunch) -> ImageProgram:
        meta = launch.pod["metadata"]
        container = launch.container
        image = str(container.get("image", ""))
        if self.images.source(launch.pod, container) == PULL:
            record = self.images.find(image)
            if record is None:
                # ensure_image pulls it first; a bare start() of an absent image cannot.
                raise ImagePullError(
                    f'Failed to pull image "{image}": image "{image}" is not present on this node '
                    f"(podlab pull {image}); {mapping_hint(image, str(container.get('name', '')))}"
                )
            hostname = str(launch.pod.get("spec", {}).get("hostname") or meta["name"])[:63]
            return self.images.program(record, container, hostname)
        return resolve(
            image,
            container,
            self.user_images,
            pod_ip=launch.pod_ip,
            annotations=meta.get("annotations") or {},
        )

    async def start(self, launch: ContainerLaunch) -> RunningContainer:
        """Start one container instance. Raises ImagePullError, VolumeError or StartError."""
        meta = launch.pod["metadata"]
        container = launch.container
        program = self._program(launch)
        busybox = self._busybox_dir() if program.rootfs == "busybox" else None
        # Directories, files and the executable lookup are blocking filesystem work: off the loop.
        layout, error = await asyncio.get_running_loop().run_in_executor(
            self._layout_pool, self._lay_out, launch, program, busybox
        )
        if error is not None:
            raise StartError(start_error_message(error))
        log_dir = container_log_dir(
            self.home, meta["namespace"], meta["name"], meta["uid"], str(container["name"])
        )
        cgroup = await asyncio.get_running_loop().run_in_executor(
            self._layout_pool, self.limits.prepare, launch
        )
        stdio, master = container_stdio(container)
        try:
            procs = () if cgroup is None else cgroup.procs_files()
            proc, pid = await self._launcher.start_container(
                layout.argv, layout, stdio, pid_namespace_of=launch.pid_namespace_of, cgroup_procs=procs
            )
        except BaseException:
            close_master(master)
            if cgroup is not None:
                cgroup.remove()
            raise
        finally:
            if master is not None:
                os.close(stdio.stdin)  # the terminal's slave side: the container holds it now
        running = RunningContainer(
            launcher=self._launcher,
            proc=proc,
            pid=pid,
            log_path=log_dir / f"{launch.restart_count}.log",
            layout=layout,
            rotation=self.log_rotation,
            warn=launch.warn,
            attachable=ContainerStdio(
                stdin=proc.stdin, master=master, stdin_once=bool(container.get("stdinOnce"))
            ),
            cgroup=cgroup,
            termination=TerminationLog.for_container(container, layout.termination_file),
        )
        self._containers.add(running)
        self.limits.track(running, launch)
        self._own(running.monitor(), lambda: self._forget(running))
        return running

    def _forget(self, running: RunningContainer) -> None:
        self._containers.discard(running)
        self.limits.untrack(running)

    def _lay_out(
        self, launch: ContainerLaunch, program: ImageProgram, busybox: Path | None
    ) -> tuple[Layout, str | None]:
        """Runs in a worker thread: touches only this instance's directories (and the pod's
        etc files, which layout.py replaces atomically)."""
        try:
            layout = prepare(
                launch,
                program,
                self._pod_dir(launch.pod),
                isolated=self.isolation == "bwrap",
                busybox=busybox,
                python_package=self.python_package.path,
            )
        except OSError as exc:  # e.g. no space left on device for the instance's root
            raise CreateContainerError(
                f"failed to create containerd container: {os_error_text(exc)}"
            ) from None
        return layout, look_path(layout.argv[0], layout.env.get("PATH", ""), layout.workdir, layout.host_path)

    async def stop_all(self, grace_seconds: float) -> None:
        """Stop every container still running (node shutdown), then the plain-mode reaper."""
        running = [c for c in self._containers if c.running]
        await asyncio.gather(*(c.stop(grace_seconds) for c in running))
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self.close()

    def close(self) -> None:
        self._launcher.close()
        # tmpfs volumes live in the host's mount table: none may outlive the node.
        unmount_under(self.home / "sandbox")
        self._layout_pool.shutdown(wait=False, cancel_futures=True)
        self.limits.close()

    def _busybox_dir(self) -> Path | None:
        if not self._busybox_checked:
            self._busybox_checked = True
            found = applet_dir(self.home)
            # A dynamically linked busybox would need the host's /lib in a busybox-only root.
            self._busybox = found if found is not None and is_static(found / "busybox") else None
        return self._busybox

    def _own(self, coro: Coroutine[Any, Any, None], on_done: Callable[[], None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        task.add_done_callback(lambda _: on_done())
