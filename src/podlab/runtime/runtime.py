"""Runs containers as local processes: in a bubblewrap sandbox when it works, plain otherwise.

bubblewrap mode (peers-and-sandboxing.md §3): `--unshare-pid --as-pid-1` makes the program PID 1
of its own PID namespace, so, as on a node, a shell that has no SIGTERM handler ignores SIGTERM
and is SIGKILLed after the grace period (exit 137); when PID 1 exits the kernel kills the rest
of the namespace. `--die-with-parent` ties the sandbox to the node. The network is shared: pods
own distinct loopback IPs (127.244.x.y).

Plain mode: each container is a process group whose first process dies with the node
(PR_SET_PDEATHSIG), and a reaper process SIGKILLs the groups if the node is SIGKILLed.
Volumes are reached through symlinks in a per-container directory, not at their mountPath.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import secrets
import shutil
import signal
import subprocess
import sys
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from podlab.images import ImageProgram, resolve
from podlab.images.busybox import applet_dir, is_static
from podlab.runtime import sandbox
from podlab.runtime.logsource import container_log_dir
from podlab.runtime.logwriter import LogWriter, write_exit_marker
from podlab.runtime.lookup import look_path
from podlab.runtime.podip import release_pod_ip
from podlab.runtime.process import child_setup, exit_code_of, kill_group, kill_pid, wait_exit
from podlab.runtime.types import (
    ContainerLaunch,
    ExecResult,
    ExitInfo,
    Obj,
    StartError,
    exit_reason,
    start_error_message,
)
from podlab.runtime.volumes import Lookup, materialise, resolve_mounts, volume_kinds

log = logging.getLogger("podlab.runtime")

# `kubectl exec` output kept in memory; probes read at most 10 KiB of it.
MAX_EXEC_OUTPUT = 1 << 20
# After PID 1 is gone, how long the log pumps may take to drain the pipes.
DRAIN_SECONDS = 2.0


class ContainerNotRunning(Exception):
    """exec into a container that has exited."""


@dataclass(frozen=True)
class _Layout:
    """Where one container instance lives, inside and on the host."""

    mounts: list[sandbox.Mount]
    workdir: str  # inside the container
    host_workdir: Path  # plain mode: the directory the process runs in
    env: dict[str, str]
    hostname: str


class Runtime:
    def __init__(
        self,
        home: Path,
        *,
        sandbox: str = "auto",
        user_images: Mapping[str, str] | None = None,
    ) -> None:
        if sandbox not in ("auto", "bwrap", "plain"):
            raise ValueError(f'sandbox must be "auto", "bwrap" or "plain", not {sandbox!r}')
        self.home = home
        self.user_images = dict(user_images or {})
        self._bwrap = shutil.which("bwrap")
        if sandbox == "bwrap" and not _bwrap_works(self._bwrap):
            raise RuntimeError("sandbox 'bwrap' requested but bubblewrap is not installed or cannot run here")
        use_bwrap = sandbox == "bwrap" or (sandbox == "auto" and _bwrap_works(self._bwrap))
        self.isolation = "bwrap" if use_bwrap else "plain"
        if not use_bwrap:
            log.warning(
                "container isolation is off (bubblewrap %s): containers run as plain processes, "
                "share the host's /tmp, and see volumes only through their working directory",
                "not requested" if sandbox == "plain" else "is not available",
            )
        self._busybox: Path | None = None
        self._busybox_checked = False
        self._reaper: subprocess.Popen[bytes] | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    # -- volumes and pods -------------------------------------------------------------------

    def materialise_volumes(self, pod: Obj, lookup: Lookup) -> dict[str, Path]:
        """Write the pod's volumes to host directories. lookup(kind, name): kind "ConfigMap"/"Secret".

        Raises VolumeError with the kubelet's FailedMount message when a source is missing.
        """
        return materialise(pod, lookup, self._pod_dir(pod) / "volumes")

    def release_pod(self, pod_uid: str) -> None:
        """Remove the pod's scratch directories and give its IP back (logs are kept)."""
        shutil.rmtree(self.home / "sandbox" / pod_uid, ignore_errors=True)
        release_pod_ip(pod_uid)

    def _pod_dir(self, pod: Obj) -> Path:
        return self.home / "sandbox" / str(pod["metadata"]["uid"])

    # -- start ------------------------------------------------------------------------------

    async def start(self, launch: ContainerLaunch) -> RunningContainer:
        """Start one container instance. Raises ImagePullError, VolumeError or StartError."""
        pod, container = launch.pod, launch.container
        meta = pod["metadata"]
        name = str(container["name"])
        annotations = meta.get("annotations") or {}
        program = resolve(
            str(container.get("image", "")),
            container,
            self.user_images,
            pod_ip=launch.pod_ip,
            annotations=annotations,
        )
        layout = self._prepare(launch, program)
        argv0 = program.argv[0]
        error = look_path(
            argv0,
            layout.env.get("PATH", ""),
            layout.workdir,
            lambda p, cwd: sandbox.host_path(layout.mounts, p, cwd),
        )
        if error is not None:
            raise StartError(start_error_message(error))

        log_path = container_log_dir(self.home, meta["namespace"], meta["name"], meta["uid"], name) / (
            f"{launch.restart_count}.log"
        )
        writer = LogWriter(log_path)
        try:
            if self.isolation == "bwrap":
                proc, pid = await self._spawn_bwrap(program, layout)
            else:
                proc, pid = await self._spawn_plain(program, layout)
        except BaseException:
            writer.close()
            raise
        running = RunningContainer(
            runtime=self,
            proc=proc,
            pid=pid,
            log_path=log_path,
            writer=writer,
            layout=layout,
        )
        self._own(running._monitor())
        return running

    def _prepare(self, launch: ContainerLaunch, program: ImageProgram) -> _Layout:
        pod, container = launch.pod, launch.container
        meta = pod["metadata"]
        name = str(container["name"])
        pod_dir = self._pod_dir(pod)
        hostname = str(pod.get("spec", {}).get("hostname") or meta["name"])[:63]
        instance = pod_dir / "containers" / f"{name}-{launch.restart_count}"
        # A restarted container gets a fresh filesystem, as a new container does on a node.
        for old in (pod_dir / "containers").glob(f"{name}-*"):
            if old != instance and old.name.rsplit("-", 1)[0] == name:
                shutil.rmtree(old, ignore_errors=True)
        shutil.rmtree(instance, ignore_errors=True)
        root = instance / "root"
        root.mkdir(parents=True)
        (root / "tmp").mkdir(mode=0o1777)
        os.chmod(root / "tmp", 0o1777)

        vols = resolve_mounts(container, launch.volumes, volume_kinds(pod))
        busybox = self._busybox_dir() if program.rootfs == "busybox" else None
        env = {"HOSTNAME": hostname, **program.env, **launch.env}
        env.setdefault("HOME", "/root")
        workdir = program.workdir
        if self.isolation == "bwrap":
            etc = pod_dir / "etc"
            etc.mkdir(parents=True, exist_ok=True)
            (etc / "hosts").write_text(_hosts_file(launch.pod_ip, hostname))
            (etc / "hostname").write_text(hostname + "\n")
            spec = sandbox.SandboxSpec(
                root=root,
                rootfs="busybox" if busybox is not None else "host",
                busybox_bin=busybox,
                host_extra=_python_paths(),
                etc_files={"/etc/hosts": etc / "hosts", "/etc/hostname": etc / "hostname"},
                volumes=vols,
            )
            mounts = sandbox.plan(spec)
            host_workdir = Path(sandbox.host_path(mounts, workdir))
            host_workdir.mkdir(parents=True, exist_ok=True)
        else:
            # No mount namespace: volumes appear as symlinks under the per-container root and
            # the program runs in root/<workdir>, so relative paths (WireMock's ./mappings) work.
            mounts = [sandbox.Mount("bind", vm.dest, str(vm.source)) for vm in vols]
            if busybox is not None:
                mounts += [
                    sandbox.Mount("ro-bind", "/bin", str(busybox)),
                    sandbox.Mount("ro-bind", "/sbin", str(busybox)),
                ]
                env["PATH"] = f"{busybox}:{env.get('PATH', '')}"
            for vm in vols:
                link = root / vm.dest.lstrip("/")
                link.parent.mkdir(parents=True, exist_ok=True)
                if not link.exists():
                    link.symlink_to(vm.source)
            host_workdir = root / workdir.lstrip("/")
            host_workdir.mkdir(parents=True, exist_ok=True)
            env.setdefault("TMPDIR", str(root / "tmp"))
        return _Layout(mounts=mounts, workdir=workdir, host_workdir=host_workdir, env=env, hostname=hostname)

    def _busybox_dir(self) -> Path | None:
        if not self._busybox_checked:
            self._busybox_checked = True
            found = applet_dir(self.home)
            # A dynamically linked busybox would need the host's /lib in a busybox-only root.
            self._busybox = found if found is not None and is_static(found / "busybox") else None
        return self._busybox

    def bwrap_command(self, layout: _Layout, argv: list[str], *, as_pid_1: bool) -> list[str]:
        assert self._bwrap is not None
        cmd = [self._bwrap, "--die-with-parent", "--unshare-pid", "--unshare-ipc", "--unshare-uts"]
        cmd += ["--hostname", layout.hostname]
        if as_pid_1:
            cmd.append("--as-pid-1")
        cmd += sandbox.bwrap_args(layout.mounts)
        cmd += ["--chdir", layout.workdir, "--", *argv]
        return cmd

    async def _spawn_bwrap(
        self, program: ImageProgram, layout: _Layout
    ) -> tuple[asyncio.subprocess.Process, int]:
        info_r, info_w = os.pipe()
        cmd = self.bwrap_command(layout, program.argv, as_pid_1=True)
        cmd[1:1] = ["--info-fd", str(info_w)]
        try:
            proc = await asyncio.create_subprocess_exec(
                *cmd,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=layout.env,
                pass_fds=(info_w,),
                start_new_session=True,
                preexec_fn=child_setup(os.getpid()),
            )
        finally:
            os.close(info_w)
        loop = asyncio.get_running_loop()
        raw = await loop.run_in_executor(None, _read_all, info_r)
        if not raw.strip():
            # bwrap failed before starting the program (e.g. a mount it could not make).
            _, err = await proc.communicate()
            raise StartError(start_error_message(err.decode(errors="replace").strip() or "bwrap failed"))
        return proc, int(json.loads(raw)["child-pid"])

    async def _spawn_plain(
        self, program: ImageProgram, layout: _Layout
    ) -> tuple[asyncio.subprocess.Process, int]:
        argv = list(program.argv)
        if "/" in argv[0]:
            argv[0] = sandbox.host_path(layout.mounts, argv[0], layout.workdir)
        proc = await asyncio.create_subprocess_exec(
            *argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=_plain_env(layout.env),
            cwd=layout.host_workdir,
            start_new_session=True,
            preexec_fn=child_setup(os.getpid()),
        )
        self._reaper_send(f"add {proc.pid}")
        return proc, proc.pid

    # -- plain-mode reaper ------------------------------------------------------------------

    def _reaper_send(self, line: str) -> None:
        if self._reaper is None or self._reaper.poll() is not None:
            self._reaper = subprocess.Popen(
                [sys.executable, "-m", "podlab.runtime.reaper"],
                stdin=subprocess.PIPE,
                start_new_session=True,
            )
        assert self._reaper.stdin is not None
        try:
            self._reaper.stdin.write(line.encode() + b"\n")
            self._reaper.stdin.flush()
        except BrokenPipeError:
            self._reaper = None

    def close(self) -> None:
        """Stop the reaper (after the node stopped its containers)."""
        if self._reaper is not None and self._reaper.stdin is not None:
            self._reaper.stdin.close()
            try:
                self._reaper.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._reaper.kill()
            self._reaper = None

    def _own(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


class RunningContainer:
    """One started container instance."""

    def __init__(
        self,
        *,
        runtime: Runtime,
        proc: asyncio.subprocess.Process,
        pid: int,
        log_path: Path,
        writer: LogWriter,
        layout: _Layout,
    ) -> None:
        self.container_id = "containerd://" + secrets.token_hex(32)
        self.pid = pid  # the program's host PID (PID 1 of its namespace under bubblewrap)
        self.started_at = datetime.now(UTC)
        self.log_path = log_path
        self._runtime = runtime
        self._proc = proc
        self._writer = writer
        self._layout = layout
        self._sent_signal: int | None = None
        self._exit: asyncio.Future[ExitInfo] = asyncio.get_running_loop().create_future()

    @property
    def running(self) -> bool:
        return not self._exit.done()

    async def _monitor(self) -> None:
        assert self._proc.stdout is not None and self._proc.stderr is not None
        pumps = [
            asyncio.ensure_future(self._writer.pump(self._proc.stdout, "stdout")),
            asyncio.ensure_future(self._writer.pump(self._proc.stderr, "stderr")),
        ]
        try:
            returncode = await wait_exit(self._proc)
            if self._runtime.isolation == "plain":
                # PID 1 gone means the container is gone: take its children with it.
                kill_group(self._proc.pid)
                self._runtime._reaper_send(f"del {self._proc.pid}")
            _, pending = await asyncio.wait(pumps, timeout=DRAIN_SECONDS)
            for p in pending:
                p.cancel()
        finally:
            self._writer.close()
        code = exit_code_of(returncode)
        sig: int | None = self._sent_signal if self._sent_signal and code == 128 + self._sent_signal else None
        if returncode < 0:
            sig = int(-returncode)
        info = ExitInfo(exit_code=code, signal=sig, reason=exit_reason(code), finished_at=datetime.now(UTC))
        write_exit_marker(self.log_path, code)
        if not self._exit.done():
            self._exit.set_result(info)

    async def wait(self) -> ExitInfo:
        return await asyncio.shield(self._exit)

    async def stop(self, grace_seconds: float) -> ExitInfo:
        """SIGTERM to the container's PID 1, SIGKILL after the grace period. Idempotent."""
        if self._exit.done():
            return self._exit.result()
        self._signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(asyncio.shield(self._exit), timeout=max(grace_seconds, 0.0))
        except TimeoutError:
            pass
        self._signal(signal.SIGKILL)
        return await asyncio.shield(self._exit)

    def _signal(self, sig: int) -> None:
        self._sent_signal = int(sig)
        if sig == signal.SIGKILL and self._runtime.isolation == "plain":
            kill_group(self._proc.pid)
        else:
            kill_pid(self.pid, sig)

    async def exec(self, argv: list[str], timeout: float) -> ExecResult:
        """Run `argv` in the container's filesystem view; the whole tree is killed on timeout."""
        if self._exit.done():
            raise ContainerNotRunning("container not running")
        if not argv:
            raise ValueError("exec needs a command")
        layout = self._layout
        error = look_path(
            argv[0],
            layout.env.get("PATH", ""),
            layout.workdir,
            lambda p, cwd: sandbox.host_path(layout.mounts, p, cwd),
        )
        if error is not None:
            # containerd's answer for an exec that cannot start, seen as a probe failure.
            msg = f"OCI runtime exec failed: exec failed: unable to start container process: {error}: unknown\r\n"
            return ExecResult(exit_code=126, output=msg.encode(), timed_out=False)
        if self._runtime.isolation == "bwrap":
            cmd = self._runtime.bwrap_command(layout, argv, as_pid_1=False)
            env, cwd = layout.env, None
        else:
            cmd = list(argv)
            if "/" in cmd[0]:
                cmd[0] = sandbox.host_path(layout.mounts, cmd[0], layout.workdir)
            env, cwd = _plain_env(layout.env), layout.host_workdir
        proc = await asyncio.create_subprocess_exec(
            *cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=cwd,
            start_new_session=True,
            preexec_fn=child_setup(os.getpid()),
        )
        if self._runtime.isolation == "plain":
            self._runtime._reaper_send(f"add {proc.pid}")
        try:
            return await asyncio.wait_for(_collect(proc), timeout=timeout)
        except TimeoutError:
            # The process group holds bwrap (whose death takes the PID namespace with it) or,
            # in plain mode, the command and everything it spawned.
            kill_group(proc.pid)
            code = await wait_exit(proc)
            return ExecResult(exit_code=exit_code_of(code), output=b"", timed_out=True)
        finally:
            kill_group(proc.pid)
            if self._runtime.isolation == "plain":
                self._runtime._reaper_send(f"del {proc.pid}")


async def _collect(proc: asyncio.subprocess.Process) -> ExecResult:
    assert proc.stdout is not None
    chunks: list[bytes] = []
    size = 0

    async def read() -> None:
        nonlocal size
        assert proc.stdout is not None
        while True:
            data = await proc.stdout.read(65536)
            if not data:
                return
            if size < MAX_EXEC_OUTPUT:
                chunks.append(data[: MAX_EXEC_OUTPUT - size])
                size += len(chunks[-1])

    reader = asyncio.ensure_future(read())
    returncode = await wait_exit(proc)
    # The command has exited; whatever it left running must not hold the output open.
    kill_group(proc.pid)
    await reader
    return ExecResult(exit_code=exit_code_of(returncode), output=b"".join(chunks), timed_out=False)


def _read_all(fd: int) -> bytes:
    out = b""
    try:
        while True:
            chunk = os.read(fd, 4096)
            if not chunk:
                return out
            out += chunk
    finally:
        os.close(fd)


def _plain_env(env: dict[str, str]) -> dict[str, str]:
    return dict(env)


def _python_paths() -> list[str]:
    """Host directories the built-in Python programs need inside the sandbox."""
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(os.path.realpath(sys.executable))}
    paths.update(p for p in sys.path if p and os.path.isdir(p))
    import podlab

    paths.add(str(Path(podlab.__file__).resolve().parent.parent))
    return sorted(paths)


def _hosts_file(pod_ip: str, hostname: str) -> str:
    # The kubelet's managed /etc/hosts (pkg/kubelet/kubelet_pods.go, managedHostsHeader).
    return (
        "# Kubernetes-managed hosts file.\n"
        "127.0.0.1\tlocalhost\n"
        "::1\tlocalhost ip6-localhost ip6-loopback\n"
        "fe00::0\tip6-localnet\n"
        "fe00::0\tip6-mcastprefix\n"
        "fe00::1\tip6-allnodes\n"
        "fe00::2\tip6-allrouters\n"
        f"{pod_ip}\t{hostname}\n"
    )


_bwrap_ok: dict[str, bool] = {}


def _bwrap_works(bwrap: str | None) -> bool:
    """bubblewrap is installed and can make the namespaces we use (not every host allows it)."""
    if bwrap is None:
        return False
    if bwrap not in _bwrap_ok:
        try:
            res = subprocess.run(
                [
                    bwrap,
                    "--unshare-pid",
                    "--unshare-ipc",
                    "--unshare-uts",
                    "--as-pid-1",
                    "--ro-bind",
                    "/",
                    "/",
                    "--dev",
                    "/dev",
                    "--proc",
                    "/proc",
                    "--",
                    "true",
                ],
                capture_output=True,
                timeout=10,
            )
            _bwrap_ok[bwrap] = res.returncode == 0
        except (OSError, subprocess.TimeoutExpired):
            _bwrap_ok[bwrap] = False
    return _bwrap_ok[bwrap]
