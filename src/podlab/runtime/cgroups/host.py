"""The thin driver: podlab's cgroup subtree on this host, per node, pod and container.

Layout (docs/reference/cgroups.md):
- v1: `<hierarchy>/podlab/<node key>/pod<uid>/<container>-<restart count>` in each of the memory,
  cpu, cpuacct and pids hierarchies that are mounted;
- v2: `<node's cgroup>/<node key>/pod<uid>/<container>-<restart count>`, after moving the node's own processes
  into the leaf `<node's cgroup>/podlab-node` (no process may sit in a cgroup that enables
  controllers for its children).
The node key is derived from $PODLAB_HOME, so the next node started on the same home finds and
removes what a SIGKILLed one left, and nodes on other homes are never touched.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import logging
import os
import signal
import time
from pathlib import Path

from podlab.runtime.cgroups import counters
from podlab.runtime.cgroups.detect import V2_CONTROLLERS, Setup, decide, parse_mountinfo, v2_path
from podlab.runtime.cgroups.values import (
    ContainerResources,
    Write,
    pod_writes,
    v1_container_writes,
    v2_container_writes,
)
from podlab.runtime.types import os_error_text

log = logging.getLogger("podlab.runtime.cgroups")

# How long removing a cgroup may wait for its last processes to be gone (they were SIGKILLed).
REMOVE_SECONDS = 3.0
NODE_LEAF = "podlab-node"


class CgroupError(Exception):
    """A cgroup could not be made or configured; the message names the file."""


def node_key(home: Path) -> str:
    return "node-" + hashlib.sha256(str(home.resolve()).encode()).hexdigest()[:12]


class ContainerCgroup:
    """One container's cgroup (one directory per v1 hierarchy, one on v2)."""

    def __init__(self, version: int, dirs: dict[str, Path]) -> None:
        self.version = version
        self.dirs = dirs
        self.oom_at_start = 0

    def add_process(self, pid: int) -> None:
        """Put `pid` (and the threads of its process) into this container's cgroup: the hook for
        everything that must count as the container (its sandbox, exec sessions)."""
        for directory in self.dirs.values():
            _write(directory / "cgroup.procs", str(pid))

    def procs_files(self) -> tuple[str, ...]:
        """The `cgroup.procs` files a new process writes its PID to, to join this cgroup."""
        return tuple(str(directory / "cgroup.procs") for directory in self.dirs.values())

    def oom_kills(self) -> int:
        memory = self.dirs.get("memory" if self.version == 1 else "")
        if memory is None:
            return 0
        name = "memory.oom_control" if self.version == 1 else "memory.events"
        try:
            return counters.oom_kills((memory / name).read_text())
        except OSError:
            return 0

    def cpu_ns(self) -> int | None:
        try:
            if self.version == 2:
                return counters.cpu_usage_ns_v2((self.dirs[""] / "cpu.stat").read_text())
            cpuacct = self.dirs.get("cpuacct")
            return None if cpuacct is None else int((cpuacct / "cpuacct.usage").read_text())
        except (OSError, ValueError):
            return None

    def memory_working_set(self) -> int | None:
        memory = self.dirs.get("memory" if self.version == 1 else "")
        if memory is None:
            return None
        usage_file = "memory.usage_in_bytes" if self.version == 1 else "memory.current"
        try:
            usage = int((memory / usage_file).read_text())
            return counters.working_set(usage, (memory / "memory.stat").read_text(), version=self.version)
        except (OSError, ValueError):
            return None

    def remove(self) -> None:
        for directory in self.dirs.values():
            remove_tree(directory)


class CgroupHost:
    """The node's view of cgroups: disabled (with the reason) or one version's tree."""

    def __init__(self, setup: Setup, key: str, pids_limit: int | None = None) -> None:
        self.setup = setup
        self.key = key
        self.pids_limit = pids_limit  # podlab.yaml's podPidsLimit; None: unlimited
        self._memsw = False
        self._swap = False

    @classmethod
    def detect(cls, key: str, pids_limit: int | None = None) -> CgroupHost:
        try:
            mounts = parse_mountinfo(Path("/proc/self/mountinfo").read_text())
            own = v2_path(Path("/proc/self/cgroup").read_text())
        except OSError as exc:
            return cls(Setup(0, {}, f"no writable cgroup: cannot read /proc/self: {exc.strerror}"), key)
        controllers: list[str] = []
        if mounts.v2 is not None and own is not None:
            base = mounts.v2.rstrip("/") + ("" if own == "/" else own)
            with contextlib.suppress(OSError):
                controllers = Path(base, "cgroup.controllers").read_text().split()
        setup = decide(mounts, own, controllers, lambda p: os.access(p, os.W_OK), os.geteuid())
        return cls(setup, key, pids_limit)

    @classmethod
    def disabled(cls, reason: str) -> CgroupHost:
        return cls(Setup(0, {}, reason), "")

    @property
    def enabled(self) -> bool:
        return self.setup.enabled

    @property
    def version(self) -> int:
        return self.setup.version

    @property
    def summary(self) -> str:
        return self.setup.summary

    def node_dirs(self) -> dict[str, Path]:
        return {c: Path(root, self.key) for c, root in self.setup.roots.items()}

    def start(self) -> None:
        """Remove what an earlier node on this home left, then make the node's own cgroups."""
        if not self.enabled:
            return
        remove_node_tree(self.node_dirs())
        try:
            if self.version == 2:
                self._start_v2()
            for directory in self.node_dirs().values():
                directory.mkdir(parents=True, exist_ok=True)
                if self.version == 2:
                    _enable_controllers(directory)
        except OSError as exc:
            raise CgroupError(f"cannot set up podlab's cgroups: {os_error_text(exc)}") from None
        memory = self.node_dirs().get("memory" if self.version == 1 else "")
        if memory is not None:
            self._memsw = (memory / "memory.memsw.limit_in_bytes").exists()
            self._swap = (memory / "memory.swap.max").exists()

    def _start_v2(self) -> None:
        base = Path(self.setup.roots[""])
        # The root cgroup (no cgroup.type file: cgroup-v2.rst) may hold processes and enable
        # controllers at once, and holds every process of the host: nothing moves there.
        if (base / "cgroup.type").exists():
            # The node's processes leave for a leaf, as a cgroup that enables controllers for
            # its children may hold none (the "no internal processes" rule).
            leaf = base / NODE_LEAF
            leaf.mkdir(exist_ok=True)
            for pid in (base / "cgroup.procs").read_text().split():
                with contextlib.suppress(ProcessLookupError):
                    _write(leaf / "cgroup.procs", pid)
        _enable_controllers(base)

    def create_container(
        self, pod_uid: str, name: str, resources: ContainerResources, restart_count: int = 0
    ) -> ContainerCgroup:
        pod_dirs = self._pod_dirs(pod_uid)
        # One cgroup per container instance, as runc makes one per container ID: a restarted
        # container's new cgroup is never the old one, which is removed while the old processes
        # die (up to REMOVE_SECONDS later), so it cannot take the new instance's with it.
        leaf = f"{name}-{restart_count}"
        dirs = {c: d / leaf for c, d in pod_dirs.items()}
        try:
            for controller, directory in dirs.items():
                if not pod_dirs[controller].exists():
                    self._create_pod_dir(controller, pod_dirs[controller])
                directory.mkdir(exist_ok=True)
        except OSError as exc:
            raise CgroupError(f"cannot create cgroup: {os_error_text(exc)}") from None
        writes = (
            v1_container_writes(resources, memsw=self._memsw)
            if self.version == 1
            else v2_container_writes(resources, swap=self._swap)
        )
        for write in writes:
            target = dirs.get(write.controller)
            if target is not None:
                _apply(target, write)
        cgroup = ContainerCgroup(self.version, dirs)
        cgroup.oom_at_start = cgroup.oom_kills()
        return cgroup

    def _create_pod_dir(self, controller: str, directory: Path) -> None:
        try:
            directory.mkdir(parents=True)
        except FileExistsError:
            # A container of the same pod starting at the same time (they are prepared on a
            # thread pool) made it first, and sets it up.
            return
        if self.version == 2:
            _enable_controllers(directory)
        # The pod-level pids.max, as the kubelet's podPidsLimit sets it.
        for write in pod_writes(self.version, self.pids_limit):
            if write.controller == controller:
                _apply(directory, write)

    def _pod_dirs(self, pod_uid: str) -> dict[str, Path]:
        return {c: d / f"pod{pod_uid}" for c, d in self.node_dirs().items()}

    def remove_pod(self, pod_uid: str) -> None:
        if self.enabled:
            remove_node_tree(self._pod_dirs(pod_uid))

    def close(self) -> None:
        """Node shutdown: no podlab cgroup of this node may outlive it."""
        if self.enabled:
            remove_node_tree(self.node_dirs())


def _enable_controllers(directory: Path) -> None:
    available = set((directory / "cgroup.controllers").read_text().split())
    wanted = " ".join(f"+{c}" for c in V2_CONTROLLERS if c in available)
    if wanted:
        _write(directory / "cgroup.subtree_control", wanted)


def _apply(directory: Path, write: Write) -> None:
    try:
        _write(directory / write.file, write.value)
    except OSError as exc:
        raise CgroupError(
            f"failed to write {write.value!r} to {directory / write.file}: {os_error_text(exc)}"
        ) from None


def _write(path: Path, value: str) -> None:
    # One write(2) per value: cgroup files take a whole value per call.
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, value.encode())
    finally:
        os.close(fd)


def remove_node_cgroups(home: Path) -> None:
    """Remove the cgroups a node on `home` left (killed with SIGKILL: nothing removed them).
    Runs before the next node on that home starts, and in `podlab down` after such a kill."""
    host = CgroupHost.detect(node_key(home))
    if host.enabled:
        remove_node_tree(host.node_dirs())


def remove_node_tree(dirs: dict[str, Path]) -> None:
    for directory in dirs.values():
        remove_tree(directory)


def remove_tree(top: Path, timeout: float = REMOVE_SECONDS) -> None:
    """Remove a cgroup and its children, deepest first. Processes still inside (left by a node
    killed with SIGKILL, or still dying) are SIGKILLed; rmdir is retried until they are gone."""
    if not top.is_dir():
        return
    deadline = time.monotonic() + timeout
    for current, subdirs, _ in os.walk(top, topdown=False):
        directory = Path(current)
        del subdirs  # the walk is bottom-up: children are gone already
        while True:
            try:
                directory.rmdir()
                break
            except FileNotFoundError:
                break
            except OSError as exc:
                if exc.errno != errno.EBUSY or time.monotonic() > deadline:
                    log.warning("could not remove cgroup %s: %s", directory, os_error_text(exc))
                    return
                _kill_members(directory)
                time.sleep(0.02)


def _kill_members(directory: Path) -> None:
    try:
        pids = (directory / "cgroup.procs").read_text().split()
    except OSError:
        return
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, ValueError, PermissionError):
            os.kill(int(pid), signal.SIGKILL)
