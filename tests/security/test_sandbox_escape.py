"""The bwrap sandbox is a boundary: what a hostile pod tried, and the kernel's answer to it.

Real runtime, real bubblewrap, real busybox and debian-image pods; the node runs as root here
(as in CI) and, in the last test, as the ordinary user nobody.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import textwrap
import uuid
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import podlab
from podlab.network.podnet import start_pod_network
from podlab.runtime import ContainerLaunch, LogSource, Runtime
from podlab.runtime.confinement import DEFAULT_CAPABILITY_MASK
from podlab.runtime.launchers import bwrap_works

pytestmark = pytest.mark.skipif(
    not bwrap_works(shutil.which("bwrap")), reason="bubblewrap is not usable here"
)

BUSYBOX = "busybox:1.36"
CHECKOUT = Path(podlab.__file__).resolve().parents[2]  # src/podlab/__init__.py -> the checkout
CAP_EFF = f"{DEFAULT_CAPABILITY_MASK:016x}"

# Each line: `tag=<exit status>` after the attempt's own output, so a refusal is shown in the
# tool's words and its status proves it failed.
ATTACKS = """
mknod /tmp/sda b 8 0; echo mknod=$?
mount -t ext4 /tmp/sda /mnt; echo mount-disk=$?
mount -t tmpfs none /mnt; echo mount-tmpfs=$?
mount -o remount,bind,rw /host-ro; echo remount-volume=$?
echo changed > /host-ro/file; echo write-volume=$?
mount -o remount,bind,rw /etc; echo remount-etc=$?
echo changed >> /etc/hosts; echo write-etc=$?
cat /etc/shadow; echo shadow=$?
dmesg; echo dmesg=$?
unshare -U true; echo unshare=$?
echo 3 > /proc/sys/vm/drop_caches; echo drop-caches=$?
test -e {home} || echo home-hidden
test -e {checkout} || echo checkout-hidden
echo "root=[$(ls -A /root)]"
grep -E '^(CapEff|NoNewPrivs|Seccomp):' /proc/self/status
echo "keys=[$(cat /proc/keys)]"
"""

# The syscalls themselves, so the errors are the kernel's, not a tool's paraphrase.
SYSCALLS = """
import ctypes, json, os, stat
libc = ctypes.CDLL(None, use_errno=True)
def call(name, *args):
    return "ok" if getattr(libc, name)(*args) == 0 else os.strerror(ctypes.get_errno())
try:
    os.mknod("/tmp/sda", 0o600 | stat.S_IFBLK, os.makedev(8, 0))
    print("mknod: ok")
except OSError as e:
    print("mknod:", e.strerror)
print("mount-tmpfs:", call("mount", b"none", b"/mnt", b"tmpfs", 0, None))
print("remount-etc:", call("mount", b"none", b"/etc", None, 32 | 4096 | 1 << 5, None))
print("unshare:", call("unshare", 0x10000000))
print("etc:", json.dumps(sorted(os.listdir("/etc"))))
print("top:", json.dumps(sorted(os.listdir("/"))))
"""


@pytest.fixture
def pod_ip() -> str:
    return f"127.244.{random.randint(128, 254)}.{random.randint(1, 254)}"


def make_pod(volumes: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    meta = {"name": f"hostile-{uuid.uuid4().hex[:6]}", "namespace": "default", "uid": str(uuid.uuid4())}
    return {"metadata": meta, "spec": {"volumes": volumes or []}}


def run(home: Path, body: Callable[[Runtime], Awaitable[None]]) -> None:
    async def main() -> None:
        rt = Runtime(home, sandbox="bwrap")
        try:
            await body(rt)
        finally:
            await rt.stop_all(0)

    asyncio.run(main())


def results(output: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in output.splitlines() if "=" in line and " " not in line)


@pytest.fixture
def host_ro(tmp_path: Path) -> Iterator[Path]:
    d = tmp_path / "host-ro"
    d.mkdir()
    (d / "file").write_text("host\n")
    yield d


def test_hostile_busybox_pod_is_refused(tmp_path: Path, host_ro: Path, pod_ip: str) -> None:
    home = tmp_path / "home"

    async def main(rt: Runtime) -> None:
        pod = make_pod([{"name": "h", "hostPath": {"path": str(host_ro)}}])
        vols = rt.materialise_volumes(pod, lambda kind, name: None)
        script = ATTACKS.format(home=home, checkout=CHECKOUT) + "sleep 600\n"
        container = {
            "name": "c",
            "image": BUSYBOX,
            "command": ["sh", "-c", script],
            "volumeMounts": [{"name": "h", "mountPath": "/host-ro", "readOnly": True}],
        }
        rc = await rt.start(ContainerLaunch(pod, container, pod_ip, 0, vols, {}))
        logs = LogSource(home)
        name = pod["metadata"]["name"]
        async with asyncio.timeout(20):
            while "keys=" not in (out := logs.read("default", name, "c").decode()):
                assert rc.running, out
                await asyncio.sleep(0.05)
        got = results(out)
        for attempt in ("mknod", "mount-disk", "mount-tmpfs", "remount-volume", "write-volume"):
            assert got[attempt] != "0", (attempt, out)
        for attempt in ("remount-etc", "write-etc", "shadow", "dmesg", "unshare", "drop-caches"):
            assert got[attempt] != "0", (attempt, out)
        # busybox's words for EPERM from mount(2); the kernel's own are checked below.
        assert "mknod: /tmp/sda: Operation not permitted" in out
        assert out.count("mount: permission denied (are you root?)") == 4
        assert "cat: can't open '/etc/shadow': No such file or directory" in out
        assert "dmesg: klogctl: Operation not permitted" in out
        assert "unshare: unshare(0x10000000): Operation not permitted" in out
        assert "can't create /proc/sys/vm/drop_caches: Read-only file system" in out
        assert "can't create /host-ro/file: Read-only file system" in out
        assert "home-hidden" in out and "checkout-hidden" in out and "root=[]" in out
        assert got["keys"] == "[]"  # masked: reads empty
        assert f"CapEff:\t{CAP_EFF}" in out and "NoNewPrivs:\t1" in out and "Seccomp:\t2" in out
        assert (host_ro / "file").read_text() == "host\n"

        # An exec (what exec probes run) is held to the same rules.
        res = await rc.exec(["sh", "-c", "grep CapEff /proc/self/status; mount -t tmpfs none /mnt"], 5.0)
        assert res.exit_code != 0
        assert res.output.decode().splitlines() == [
            f"CapEff:\t{CAP_EFF}",
            "mount: permission denied (are you root?)",
        ]
        await rc.stop(0)

    run(home, main)


@pytest.mark.skipif(not os.access("/usr/bin/python3", os.X_OK), reason="no /usr/bin/python3 on the host")
def test_host_userland_image_gets_the_kernels_refusals_and_no_host_files(tmp_path: Path, pod_ip: str) -> None:
    home = tmp_path / "home"

    async def main(rt: Runtime) -> None:
        pod = make_pod()
        container = {"name": "c", "image": "debian:12", "command": ["/usr/bin/python3", "-c", SYSCALLS]}
        rc = await rt.start(ContainerLaunch(pod, container, pod_ip, 0, {}, {}))
        info = await rc.wait()
        out = LogSource(home).read("default", pod["metadata"]["name"], "c").decode()
        assert info.exit_code == 0, out
        lines = dict(line.split(": ", 1) for line in out.splitlines())
        assert lines["mknod"] == "Operation not permitted"
        assert lines["mount-tmpfs"] == "Operation not permitted"
        assert lines["remount-etc"] == "Operation not permitted"
        assert lines["unshare"] == "Operation not permitted"
        etc = json.loads(lines["etc"])
        assert "shadow" not in etc and "passwd" in etc and "resolv.conf" in etc
        # The root holds the image skeleton, the host userland, /etc, /proc, /dev, /sys: no /opt,
        # /srv, /work, /boot, nor wherever the checkout lives.
        allowed = {"bin", "sbin", "lib", "lib32", "lib64", "libx32", "usr", "etc", "tmp", "var"}
        allowed |= {"root", "home", "run", "mnt", "dev", "proc", "sys"}
        assert set(json.loads(lines["top"])) <= allowed

    run(home, main)


def test_builtin_image_sees_only_its_runtime(tmp_path: Path, pod_ip: str) -> None:
    home = tmp_path / "home"

    async def main(rt: Runtime) -> None:
        pod = make_pod()
        container = {"name": "agnhost", "image": "registry.k8s.io/e2e-test-images/agnhost:2.52"}
        rc = await rt.start(ContainerLaunch(pod, container, pod_ip, 0, {}, {}))
        script = (
            f"ls /podlab/lib; test -e {CHECKOUT} || echo checkout-hidden; test -e {home} || echo home-hidden; "
            f"test -e {sys.base_prefix} && echo prefix-at-host-path; ls -A /root; ls /var; "
            "grep CapEff /proc/self/status"
        )
        res = await rc.exec(["/bin/sh", "-c", script], 5.0)
        assert res.output.decode().splitlines() == [
            "podlab",
            "checkout-hidden",
            "home-hidden",
            "tmp",
            f"CapEff:\t{CAP_EFF}",
        ]
        assert rc.running
        await rc.stop(0)

    run(home, main)


def test_port_80_binds_in_the_pod_netns_with_the_default_capabilities(tmp_path: Path) -> None:
    """No host-user-namespace exception any more: the pod's netns lets the container's own user
    namespace bind port 80, and the container keeps exactly the default capabilities."""
    home = tmp_path / "home"

    async def main(rt: Runtime) -> None:
        network = await start_pod_network(rt.isolation)
        if network.mode != "namespaces":
            pytest.skip(f"no pod network namespaces here: {network.describe()}")
        try:
            pod = make_pod()
            attached = await network.attach(pod["metadata"]["uid"])
            serve = ["httpd", "-f", "-p", "80", "-h", "/tmp"]
            web = {"name": "web", "image": BUSYBOX, "command": serve, "ports": [{"containerPort": 80}]}
            launch = ContainerLaunch(pod, web, attached.ip, 0, {}, {}, netns=attached.netns)
            rc = await rt.start(launch)
            async with asyncio.timeout(10):
                while True:
                    try:
                        (await network.sockets.connect_tcp(attached.ip, 80, 1.0)).close()
                        break
                    except OSError:
                        assert rc.running, rc.log_path.read_bytes()
                        await asyncio.sleep(0.05)
            script = "grep CapEff /proc/self/status; mknod /tmp/sda b 8 0; mount -t tmpfs none /mnt; unshare -U true"
            res = await rc.exec(["sh", "-c", script], 5.0)
            assert res.output.decode().splitlines() == [
                f"CapEff:\t{DEFAULT_CAPABILITY_MASK:016x}",
                "mknod: /tmp/sda: Operation not permitted",
                "mount: permission denied (are you root?)",
                "unshare: unshare(0x10000000): Operation not permitted",
            ]
            await rc.stop(0)
        finally:
            network.close()

    run(home, main)


# Runs as nobody: the node's own process, with the system interpreter (the venv's links into
# /root, which nobody cannot enter) and the checkout's sources and site-packages.
NOBODY_DRIVER = textwrap.dedent(
    """
    import asyncio, json, sys
    from pathlib import Path
    from podlab.runtime import ContainerLaunch, Runtime

    async def main() -> None:
        rt = Runtime(Path(sys.argv[1]), sandbox="bwrap")
        pod = {"metadata": {"name": "p", "namespace": "default", "uid": "u-nobody"}, "spec": {}}
        c = {"name": "c", "image": "busybox", "command": ["sleep", "600"]}
        rc = await rt.start(ContainerLaunch(pod, c, sys.argv[2], 0, {}, {}))
        try:
            res = await rc.exec(["sh", "-c", sys.argv[3]], 10.0)
            print(json.dumps({"code": res.exit_code, "output": res.output.decode()}))
        finally:
            await rt.stop_all(0)

    asyncio.run(main())
    """
)


def _as_nobody(argv: list[str], **kw: Any) -> subprocess.CompletedProcess[str]:
    setpriv = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all"]
    return subprocess.run([*setpriv, *argv], capture_output=True, text=True, timeout=60, **kw)


def _nobody_python() -> tuple[str, list[str]]:
    """An interpreter nobody can run the checkout with, and its PYTHONPATH (or skip)."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to become nobody")
    if _as_nobody(["unshare", "-U", "true"]).returncode != 0:
        pytest.skip("unprivileged user namespaces are disabled on this host")
    site = [p for p in sys.path if p.endswith("site-packages") and os.path.isdir(p)]
    pythonpath = [str(CHECKOUT / "src"), *site]
    python = "/usr/bin/python3"
    version = subprocess.run(
        [python, "-c", "import sys; print(sys.version_info[:2])"], capture_output=True, text=True
    )
    if version.stdout.strip() != str(sys.version_info[:2]):
        pytest.skip(f"{python} is not Python {sys.version_info[0]}.{sys.version_info[1]} like the venv")
    if any(_as_nobody(["test", "-r", p]).returncode != 0 for p in pythonpath):
        pytest.skip(f"nobody cannot read the checkout's sources or site-packages ({pythonpath})")
    return python, pythonpath


@contextlib.contextmanager
def _nobody_workspace(prefix: str, driver_text: str) -> Iterator[tuple[Path, Path, Path]]:
    """A directory nobody can enter (removed after), with a home nobody owns and the driver
    script: (base, home, driver)."""
    base = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    try:
        os.chmod(base, 0o755)
        home = base / "home"
        home.mkdir()
        os.chown(home, 65534, 65534)
        driver = base / "driver.py"
        driver.write_text(driver_text)
        yield base, home, driver
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_node_run_by_an_ordinary_user(pod_ip: str) -> None:
    python, pythonpath = _nobody_python()
    with _nobody_workspace("podlab-nobody-", NOBODY_DRIVER) as (_, home, driver):
        script = (
            "id -u; cat /proc/self/uid_map; grep -E '^(CapEff|Seccomp):' /proc/self/status; "
            "mknod /tmp/sda b 8 0; mount -t tmpfs none /mnt; "
            f"test -e {home} || echo home-hidden; echo > /tmp/mine && echo tmp-writable"
        )
        env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": ":".join(pythonpath), "HOME": str(home)}
        done = _as_nobody([python, str(driver), str(home), pod_ip, script], env=env)
        assert done.returncode == 0, done.stderr
        res = json.loads(done.stdout)
        lines = [" ".join(line.split()) for line in res["output"].splitlines()]
        assert lines == [
            "0",  # root inside the container...
            "0 0 1",  # ...mapped (through bwrap's outer namespace) to nobody on the host
            f"CapEff: {CAP_EFF}",
            "Seccomp: 2",
            "mknod: /tmp/sda: Operation not permitted",
            "mount: permission denied (are you root?)",
            "home-hidden",
            "tmp-writable",
        ]
        # What the container wrote belongs to nobody on the host.
        written = list((home / "sandbox").rglob("mine"))
        assert len(written) == 1 and written[0].stat().st_uid == 65534


# Runs as nobody: the pod network a rootless node makes, and a container serving port 80 in it.
NOBODY_NETWORK_DRIVER = textwrap.dedent(
    """
    import asyncio, json, sys
    from pathlib import Path
    from podlab.network.podnet import start_pod_network
    from podlab.runtime import ContainerLaunch, Runtime

    async def main() -> None:
        rt = Runtime(Path(sys.argv[1]), sandbox="bwrap")
        network = await start_pod_network(rt.isolation)
        out = {"network": network.describe()}
        try:
            pod = {"metadata": {"name": "p", "namespace": "default", "uid": "u-nobody"}, "spec": {}}
            attached = await network.attach("u-nobody")
            out["ip"] = attached.ip
            serve = ["sh", "-c", "echo rootless > /tmp/index.html; exec httpd -f -p 80 -h /tmp"]
            c = {"name": "c", "image": "busybox", "command": serve}
            rc = await rt.start(ContainerLaunch(pod, c, attached.ip, 0, {}, {}, netns=attached.netns))
            for _ in range(100):
                try:
                    sock = await network.sockets.connect_tcp(attached.ip, 80, 1.0)
                    break
                except OSError:
                    await asyncio.sleep(0.05)
            reader, writer = await asyncio.open_connection(sock=sock)
            writer.write(b"GET /index.html HTTP/1.0\\r\\n\\r\\n")
            out["reply"] = (await asyncio.wait_for(reader.read(), 5)).decode().split("\\r\\n\\r\\n", 1)[-1]
            writer.close()
            await rt.stop_all(0)
        finally:
            network.close()
        print(json.dumps(out))

    asyncio.run(main())
    """
)


def test_rootless_node_gives_pods_network_namespaces() -> None:
    python, pythonpath = _nobody_python()
    base = Path(tempfile.mkdtemp(prefix="podlab-nobody-net-", dir="/tmp"))
    try:
        os.chmod(base, 0o755)
        home = base / "home"
        home.mkdir()
        os.chown(home, 65534, 65534)
        driver = base / "driver.py"
        driver.write_text(NOBODY_NETWORK_DRIVER)
        env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": ":".join(pythonpath), "HOME": str(home)}
        done = _as_nobody([python, str(driver), str(home)], env=env)
        assert done.returncode == 0, done.stderr
        out = json.loads(done.stdout)
        assert out == {
            "network": "namespaces, pods 10.244.0.0/16, services 10.96.0.0/12",
            "ip": "10.244.0.2",
            "reply": "rootless\n",  # port 80, bound by nobody's container in its pod netns
        }
    finally:
        shutil.rmtree(base, ignore_errors=True)


# Runs as nobody: a built-in Python image (the stub server) when the node's dependencies come
# from PYTHONPATH, not the interpreter's site-packages (was: "No module named 'httptools'").
NOBODY_WIREMOCK_DRIVER = textwrap.dedent(
    """
    import asyncio, json, sys, time, urllib.request
    from pathlib import Path
    from podlab.runtime import ContainerLaunch, Runtime

    async def main() -> None:
        rt = Runtime(Path(sys.argv[1]), sandbox="bwrap")
        pod = {"metadata": {"name": "p", "namespace": "default", "uid": "u-nobody-wm"}, "spec": {}}
        c = {"name": "c", "image": "wiremock/wiremock:3.13.2"}
        rc = await rt.start(ContainerLaunch(pod, c, sys.argv[2], 0, {}, {}))
        out = {"status": None}
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and out["status"] is None:
                try:
                    url = f"http://{sys.argv[2]}:8080/__admin/mappings"
                    reply = await asyncio.to_thread(urllib.request.urlopen, url, timeout=2)
                    out["status"] = reply.status
                except OSError:
                    await asyncio.sleep(0.1)
            out["log"] = rc.log_path.read_text(errors="replace")[-2000:]
        finally:
            await rt.stop_all(0)
        print(json.dumps(out))

    asyncio.run(main())
    """
)


def test_built_in_python_image_when_dependencies_come_from_pythonpath(pod_ip: str) -> None:
    python, pythonpath = _nobody_python()
    with _nobody_workspace("podlab-nobody-wm-", NOBODY_WIREMOCK_DRIVER) as (base, home, driver):
        env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": ":".join(pythonpath), "HOME": str(home)}
        done = _as_nobody([python, str(driver), str(home), pod_ip], env=env, cwd=base)
        assert done.returncode == 0, done.stderr
        out = json.loads(done.stdout)
        assert out["status"] == 200, out["log"]
        assert "No module named" not in out["log"]
