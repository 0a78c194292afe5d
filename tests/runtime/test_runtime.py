"""Runtime: real containers in both modes (bubblewrap sandbox and plain processes)."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from podlab.runtime import (
    ContainerLaunch,
    ImagePullError,
    LogNotFound,
    LogSource,
    Runtime,
    StartError,
    VolumeError,
)


def pid_alive(pid: int) -> bool:
    """True while `pid` exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return False
    state = stat.rsplit(b")", 1)[-1].split()[0]
    return state not in (b"Z", b"X")


BUSYBOX = "registry.k8s.io/busybox:1.27.2"


def launch(
    pod: dict[str, Any],
    container: dict[str, Any],
    pod_ip: str,
    vols: dict[str, Path] | None = None,
    restart: int = 0,
    env: dict[str, str] | None = None,
) -> ContainerLaunch:
    return ContainerLaunch(
        pod=pod, container=container, pod_ip=pod_ip, restart_count=restart, volumes=vols or {}, env=env or {}
    )


def run(home: Path, mode: str, body: Callable[[Runtime], Awaitable[None]]) -> None:
    """Run `body` with a fresh Runtime; whatever happens, no container outlives the test."""

    async def main() -> None:
        rt = Runtime(home, sandbox=mode)
        try:
            await body(rt)
        finally:
            await rt.stop_all(0)

    asyncio.run(main())


def shell(script: str, name: str = "c", image: str = BUSYBOX, **extra: Any) -> dict[str, Any]:
    return {"name": name, "image": image, "command": ["/bin/sh", "-c", script], **extra}


def test_runs_to_completion_with_logs_and_exit_code(
    mode: str, home: Path, make_pod: Callable[..., Any], pod_ip: str
) -> None:
    async def main(rt: Runtime) -> None:
        assert rt.isolation == mode
        pod = make_pod()
        rc = await rt.start(launch(pod, shell("echo out; echo err >&2; printf partial; exit 3"), pod_ip))
        assert (
            rc.container_id.startswith("containerd://") and len(rc.container_id) == len("containerd://") + 64
        )
        info = await rc.wait()
        assert (info.exit_code, info.reason, info.signal) == (3, "Error", None)
        logs = LogSource(home)
        out = logs.read("default", pod["metadata"]["name"], "c")
        assert sorted(out.splitlines()) == sorted([b"out", b"err", b"partial"])
        raw = rc.log_path.read_bytes().decode()
        assert " stdout F out\n" in raw and " stderr F err\n" in raw
        assert (
            rc.log_path
            == home / "pods" / f"default_{pod['metadata']['name']}_{pod['metadata']['uid']}" / "c" / "0.log"
        )
        stamped = logs.read("default", pod["metadata"]["name"], "c", timestamps=True, tail_lines=1)
        assert stamped.count(b"\n") == 1 and stamped[:4].isdigit() and b"Z " in stamped

        # While restart 1 runs, `kubectl logs -p` shows restart 0.
        again = await rt.start(launch(pod, shell("echo second; exec sleep 600"), pod_ip, restart=1))
        assert b"out" in logs.read("default", pod["metadata"]["name"], "c", previous=True)
        deadline = time.monotonic() + 5
        while logs.read("default", pod["metadata"]["name"], "c") != b"second\n":
            assert time.monotonic() < deadline
            await asyncio.sleep(0.02)
        assert (await again.stop(0)).exit_code == 137
        # Once it has exited too (CrashLoopBackOff), lastState is restart 1 itself.
        assert logs.read("default", pod["metadata"]["name"], "c", previous=True) == b"second\n"
        ok = await rt.start(launch(pod, shell("exit 0"), pod_ip, restart=2))
        assert (await ok.wait()).reason == "Completed"
        assert logs.read("default", pod["metadata"]["name"], "c") == b""

    run(home, mode, main)


def test_env_workdir_and_pod_hostname(
    mode: str, home: Path, make_pod: Callable[..., Any], pod_ip: str
) -> None:
    async def main(rt: Runtime) -> None:
        pod = make_pod()
        c = shell('echo "$POD_IP|$GREETING|$HOSTNAME"; pwd', workingDir="/tmp")
        rc = await rt.start(launch(pod, c, pod_ip, env={"POD_IP": pod_ip, "GREETING": "hi"}))
        await rc.wait()
        lines = LogSource(home).read("default", pod["metadata"]["name"], "c").decode().splitlines()
        assert lines[0] == f"{pod_ip}|hi|{pod['metadata']['name']}"
        if mode == "bwrap":
            assert lines[1] == "/tmp"

    run(home, mode, main)


def test_missing_executable_is_a_start_error(
    mode: str, home: Path, make_pod: Callable[..., Any], pod_ip: str
) -> None:
    async def main(rt: Runtime) -> None:
        with pytest.raises(StartError) as err:
            await rt.start(launch(make_pod(), {"name": "c", "image": BUSYBOX, "command": ["nope"]}, pod_ip))
        assert err.value.message == (
            "failed to create containerd task: failed to create shim task: OCI runtime create failed: "
            'runc create failed: unable to start container process: exec: "nope": '
            "executable file not found in $PATH: unknown"
        )
        with pytest.raises(StartError) as err2:
            await rt.start(
                launch(make_pod(), {"name": "c", "image": BUSYBOX, "command": ["/bin/bash"]}, pod_ip)
            )
        # The busybox image has no bash.
        assert 'exec: "/bin/bash": stat /bin/bash: no such file or directory: unknown' in err2.value.message

    run(home, mode, main)


def test_unknown_image_is_an_image_pull_error(home: Path, make_pod: Callable[..., Any], pod_ip: str) -> None:
    async def main(rt: Runtime) -> None:
        with pytest.raises(ImagePullError) as err:
            await rt.start(launch(make_pod(), {"name": "web", "image": "nginx:1.25"}, pod_ip))
        assert err.value.reason == "ErrImagePull"
        assert "podlab.dev/image-web" in err.value.message and "images:" in err.value.message
        # The annotation maps it to a local command.
        pod = make_pod(**{"podlab.dev/image-web": "/bin/sh -c 'echo mapped'"})
        rc = await rt.start(launch(pod, {"name": "web", "image": "nginx:1.25"}, pod_ip))
        assert (await rc.wait()).exit_code == 0
        assert LogSource(home).read("default", pod["metadata"]["name"], "web") == b"mapped\n"

    run(home, "plain", main)


def test_sigterm_ignoring_shell_is_killed_after_grace(
    mode: str, home: Path, make_pod: Callable[..., Any], pod_ip: str
) -> None:
    # Under bubblewrap the shell is PID 1 and ignores SIGTERM without any trap, as on a node;
    # as a plain process it needs the trap to behave the same.
    # The docs' exec-liveness container: the shell runs a script, so it stays PID 1.
    script = (
        "touch /tmp/healthy; sleep 600; rm -f /tmp/healthy"
        if mode == "bwrap"
        else "trap '' TERM; sleep 600 & wait; sleep 600"
    )

    async def main(rt: Runtime) -> None:
        rc = await rt.start(launch(make_pod(), shell(script), pod_ip))
        await asyncio.sleep(0.2)
        t0 = time.monotonic()
        info = await rc.stop(1.0)
        elapsed = time.monotonic() - t0
        assert (info.exit_code, info.reason, info.signal) == (137, "Error", 9)
        assert 0.9 <= elapsed < 3.0
        assert not pid_alive(rc.pid)
        assert (await rc.stop(1.0)).exit_code == 137  # idempotent

    run(home, mode, main)


def test_sigterm_handled_exits_quickly(
    mode: str, home: Path, make_pod: Callable[..., Any], pod_ip: str
) -> None:
    async def main(rt: Runtime) -> None:
        rc = await rt.start(
            launch(make_pod(), shell("trap 'echo bye; exit 0' TERM; while true; do sleep 0.05; done"), pod_ip)
        )
        await asyncio.sleep(0.3)
        t0 = time.monotonic()
        info = await rc.stop(10.0)
        assert info.exit_code == 0 and time.monotonic() - t0 < 2.0

    run(home, mode, main)


def test_exec_sees_container_files_and_kills_tree_on_timeout(
    mode: str, home: Path, make_pod: Callable[..., Any], pod_ip: str
) -> None:
    marker = str(900 + os.getpid() % 1000 + time.monotonic_ns() % 97)

    def sleepers() -> list[int]:
        found = []
        for pid in os.listdir("/proc"):
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    if f.read().split(b"\0")[:2] == [b"sleep", marker.encode()]:
                        found.append(int(pid))
            except OSError:
                pass
        return found

    # Plain mode shares the host's /tmp: a file of this run's own, not another test's.
    health = f"/tmp/podlab-health-{marker}-{os.getpid()}-{time.monotonic_ns()}"

    async def main(rt: Runtime) -> None:
        rc = await rt.start(launch(make_pod(), shell(f"echo ready > {health}; sleep 600"), pod_ip))
        deadline = time.monotonic() + 5
        while True:
            res = await rc.exec(["cat", health], 5.0)
            # `echo ready > FILE` creates the file before it writes: a cat in between reads it empty.
            if (res.exit_code == 0 and res.output) or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.05)
        assert (res.exit_code, res.output, res.timed_out) == (0, b"ready\n", False)

        missing = await rc.exec(["cat", "/tmp/nothing"], 5.0)
        assert missing.exit_code == 1
        assert missing.output == b"cat: can't open '/tmp/nothing': No such file or directory\n"

        t0 = time.monotonic()
        slow = await rc.exec(["sh", "-c", f"sleep {marker} & sleep {marker}"], 0.5)
        assert slow.timed_out and time.monotonic() - t0 < 3.0
        await asyncio.to_thread(_wait_for, lambda: not sleepers(), 5.0)

        # A background child holding the output open does not keep the exec alive.
        t0 = time.monotonic()
        bg = await rc.exec(["sh", "-c", f"sleep {marker} & exit 1"], 5.0)
        assert (bg.exit_code, bg.timed_out) == (1, False) and time.monotonic() - t0 < 3.0
        await asyncio.to_thread(_wait_for, lambda: not sleepers(), 5.0)

        nope = await rc.exec(["nope"], 1.0)
        assert nope.exit_code == 126 and b'exec: "nope": executable file not found in $PATH' in nope.output
        await rc.stop(0)

    run(home, mode, main)


def _wait_for(pred: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not pred():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.02)


def test_volumes_configmap_secret_emptydir(
    mode: str, home: Path, make_pod: Callable[..., Any], pod_ip: str
) -> None:
    objects = {
        ("ConfigMap", "wm"): {"data": {"m.json": '{"request": {}}', "other": "x"}},
        ("Secret", "s"): {"data": {"token": "c2VjcmV0"}},  # "secret"
    }
    volumes = [
        {"name": "maps", "configMap": {"name": "wm"}},
        {"name": "one", "configMap": {"name": "wm", "items": [{"key": "other", "path": "sub/renamed"}]}},
        {"name": "sec", "secret": {"secretName": "s"}},
        {"name": "scratch", "emptyDir": {}},
    ]

    async def main(rt: Runtime) -> None:
        pod = make_pod(volumes=volumes)
        vols = rt.materialise_volumes(pod, lambda kind, name: objects.get((kind, name)))
        assert (vols["maps"] / "m.json").read_text() == '{"request": {}}'
        assert (vols["one"] / "sub" / "renamed").read_text() == "x" and not (vols["one"] / "other").exists()
        assert (vols["sec"] / "token").read_bytes() == b"secret"
        mounts = [
            {"name": "maps", "mountPath": "/home/wiremock/mappings", "readOnly": True},
            {"name": "one", "mountPath": "/etc/podlab-test/conf"},
            {"name": "sec", "mountPath": "/var/run/secrets/app"},
            {"name": "scratch", "mountPath": "/data"},
            {"name": "maps", "mountPath": "/single.json", "subPath": "m.json"},
        ]
        if mode == "bwrap":
            script = (
                "cat /home/wiremock/mappings/m.json; echo; cat /etc/podlab-test/conf/sub/renamed; echo; "
                "cat /var/run/secrets/app/token; echo; cat /single.json; echo; echo hello > /data/f; "
                "touch /home/wiremock/mappings/new 2>&1; test -f /etc/passwd && echo etc-still-there"
            )
        else:
            # Plain mode: volumes are reachable relative to the working directory.
            script = "cat home/wiremock/mappings/m.json; echo; echo hello > data/f"
        rc = await rt.start(launch(pod, shell(script, volumeMounts=mounts, workingDir="/"), pod_ip, vols))
        await rc.wait()
        out = LogSource(home).read("default", pod["metadata"]["name"], "c").decode()
        assert (vols["scratch"] / "f").read_text() == "hello\n"
        if mode == "bwrap":
            assert out.splitlines()[:4] == ['{"request": {}}', "x", "secret", '{"request": {}}']
            assert "Read-only file system" in out and "etc-still-there" in out
        else:
            assert out.splitlines()[0] == '{"request": {}}'

        with pytest.raises(VolumeError) as err:
            rt.materialise_volumes(
                make_pod(volumes=[{"name": "v", "configMap": {"name": "absent"}}]), lambda k, n: None
            )
        assert err.value.message == 'MountVolume.SetUp failed for volume "v" : configmap "absent" not found'

    run(home, mode, main)


def test_bwrap_sandbox_isolation(
    home: Path, make_pod: Callable[..., Any], pod_ip: str, tmp_path: Path
) -> None:
    import shutil

    from podlab.runtime.launchers import bwrap_works

    if not bwrap_works(shutil.which("bwrap")):
        pytest.skip("bubblewrap is not usable here")
    host_marker = Path("/tmp") / f"podlab-host-{os.getpid()}-{time.monotonic_ns()}"
    host_marker.write_text("host")
    try:

        async def main(rt: Runtime) -> None:
            pod = make_pod()
            script = (
                f"test -e {host_marker} && echo sees-host-tmp; echo mine > /tmp/inside; "
                "touch /usr/podlab-x 2>&1; touch /etc/podlab-x 2>&1; echo home=$(ls -A /home); echo pid=$$"
            )
            c = shell(script, image="debian:12")
            rc = await rt.start(launch(pod, c, pod_ip))
            await rc.wait()
            out = LogSource(home).read("default", pod["metadata"]["name"], "c").decode()
            assert "sees-host-tmp" not in out
            assert out.count("Read-only file system") == 2
            assert "pid=1" in out  # PID 1 of its own namespace
            assert "home=\n" in out  # the host's /home does not show through
            assert not Path("/tmp/inside").exists() or Path("/tmp/inside").read_text() != "mine\n"
            assert not Path("/usr/podlab-x").exists() and not Path("/etc/podlab-x").exists()

        run(home, "bwrap", main)
    finally:
        host_marker.unlink()


def test_log_follow_ends_when_container_exits(
    mode: str, home: Path, make_pod: Callable[..., Any], pod_ip: str
) -> None:
    async def main(rt: Runtime) -> None:
        pod = make_pod()
        rc = await rt.start(
            launch(pod, shell("echo one; sleep 0.3; echo two; sleep 0.3; echo three"), pod_ip)
        )
        with pytest.raises(LogNotFound):  # one instance, still running: no lastState yet
            LogSource(home).read("default", pod["metadata"]["name"], "c", previous=True)
        got = b""
        async with asyncio.timeout(10):
            async for chunk in LogSource(home).follow("default", pod["metadata"]["name"], "c"):
                got += chunk
        assert got == b"one\ntwo\nthree\n"
        await rc.wait()

    run(home, mode, main)
