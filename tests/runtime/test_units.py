"""The runtime's sans-IO parts: CRI log lines, pod IPs, mount plans, executable lookup, volumes."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from podlab.runtime import LogSource, PodIPAllocator, VolumeError
from podlab.runtime.crilog import (
    MAX_LINE,
    LineSplitter,
    LogLine,
    decode,
    encode,
    format_timestamp,
    parse_timestamp,
)
from podlab.runtime.lookup import look_path
from podlab.runtime.sandbox import Mount, SandboxSpec, bwrap_args, host_path, plan
from podlab.runtime.volumes import VolumeMount, materialise, resolve_mounts, volume_kinds


def test_cri_lines_round_trip_and_split() -> None:
    ns = 1_795_843_927_123_456_789
    assert format_timestamp(ns) == "2026-11-28T05:32:07.123456789Z"
    assert parse_timestamp("2026-11-28T05:32:07.123456789Z") == ns
    assert parse_timestamp("2026-11-28T05:32:07.1234Z") == ns - 56_789
    line = LogLine(ns, "stdout", False, b"Request received:")
    assert encode(line) == b"2026-11-28T05:32:07.123456789Z stdout F Request received:\n"
    assert decode(encode(line)[:-1]) == line
    assert decode(b"garbage") is None

    s = LineSplitter("stderr")
    assert s.feed(b"a\nb", ns) == [LogLine(ns, "stderr", False, b"a")]
    assert s.feed(b"c\n\n", ns) == [LogLine(ns, "stderr", False, b"bc"), LogLine(ns, "stderr", False, b"")]
    long = s.feed(b"x" * (MAX_LINE + 5) + b"\n", ns)
    assert [(x.partial, len(x.content)) for x in long] == [(True, MAX_LINE), (False, 5)]
    assert s.feed(b"tail", ns) == [] and s.finish(ns) == [LogLine(ns, "stderr", False, b"tail")]


def test_log_source_tail_since_limit(tmp_path: Path) -> None:
    d = tmp_path / "pods" / "ns_web_uid1" / "app"
    d.mkdir(parents=True)
    now = time.time_ns()
    old = now - 3600 * 10**9
    lines = [
        LogLine(old, "stdout", False, b"old"),
        LogLine(now, "stdout", False, b"new1"),
        LogLine(now, "stderr", True, b"part"),
        LogLine(now, "stderr", False, b"ial"),
    ]
    (d / "0.log").write_bytes(
        b"".join(encode(x) for x in lines) + b"2026-11-28T05:32:07Z stdout F unterminat"
    )
    logs = LogSource(tmp_path)
    assert logs.read("ns", "web", "app") == b"old\nnew1\npartial\n"
    assert logs.read("ns", "web", "app", tail_lines=2) == b"partial\n"
    assert logs.read("ns", "web", "app", since_seconds=60) == b"new1\npartial\n"
    assert logs.read("ns", "web", "app", limit_bytes=5) == b"old\nn"
    assert (
        logs.read("ns", "web", "app", tail_lines=1, timestamps=True)
        == format_timestamp(now).encode() + b" ial\n"
    )


def test_pod_ip_allocator(tmp_path: Path) -> None:
    alloc = PodIPAllocator(lock_dir=tmp_path)
    a, b = alloc.allocate("a"), alloc.allocate("b")
    assert a == "127.244.0.2" and b == "127.244.0.3" and alloc.allocate("a") == a
    alloc.release("a")
    assert alloc.allocate("c") == "127.244.0.4"  # a freed address is not handed straight back
    seen = {alloc.allocate(f"p{i}") for i in range(300)}
    assert not any(ip.endswith((".0", ".255")) for ip in seen) and len(seen) == 300


def test_pod_ips_are_claimed_machine_wide(tmp_path: Path) -> None:
    # Another node (here a second allocator; across processes the flock works the same way).
    first, second = PodIPAllocator(lock_dir=tmp_path), PodIPAllocator(lock_dir=tmp_path)
    ips_first = [first.allocate(f"a{i}") for i in range(3)]
    ips_second = [second.allocate(f"b{i}") for i in range(3)]
    assert not set(ips_first) & set(ips_second)
    first.release("a0")
    third = PodIPAllocator(lock_dir=tmp_path)
    assert third.allocate("c") == ips_first[0]  # released, so free again for others
    script = (
        "import sys; from pathlib import Path; from podlab.runtime.podip import PodIPAllocator; "
        f"print(PodIPAllocator(lock_dir=Path({str(tmp_path)!r})).allocate('x'))"
    )
    other = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert other.stdout.strip() not in {*ips_first, *ips_second, ips_first[0]}


def test_mount_plan_and_host_paths(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    cm = tmp_path / "cm"
    cm.mkdir()
    etc = tmp_path / "etc"
    etc.mkdir()
    empty = tmp_path / "empty"
    empty.touch()
    spec = SandboxSpec(
        root=root,
        rootfs="host",
        busybox_bin=None,
        etc_dir=etc,
        empty_file=empty,
        volumes=[
            VolumeMount("/home/wiremock/mappings", cm, True),
            VolumeMount("/etc/podlab-unit/x", cm, False),
        ],
        runtime=[("/podlab/python", sys.base_prefix)],
    )
    mounts = plan(spec)
    assert mounts[0] == Mount("bind", "/", str(root))
    assert Mount("ro-bind", "/home/wiremock/mappings", str(cm)) in mounts
    # The container's /etc is its own directory: no host account or secret shows through,
    # and a volume's mount point under it is made there in advance.
    assert Mount("ro-bind", "/etc", str(etc)) in mounts and (etc / "podlab-unit" / "x").is_dir()
    assert not any(m.source in ("/etc", "/etc/passwd", "/etc/shadow") for m in mounts)
    assert not any(
        m.dest in ("/home", "/root", "/tmp", "/opt", "/var") and m.kind.endswith("bind") for m in mounts
    )
    assert (root / "tmp").stat().st_mode & 0o7777 == 0o1777 and (root / "var" / "tmp").is_dir()
    # The runtime comes last, so no volume can hide it.
    assert mounts[-1] == Mount("ro-bind", "/podlab/python", sys.base_prefix)
    assert Mount("ro-bind", "/proc/sys", "/proc/sys") in mounts
    assert host_path(mounts, "/home/wiremock/mappings/a.json") == f"{cm}/a.json"
    assert host_path(mounts, "/tmp/x") == f"{root}/tmp/x"
    assert host_path(mounts, "/etc/hosts") == f"{etc}/hosts"
    assert host_path(mounts, "mappings", "/home/wiremock") == str(cm)
    if os.path.islink("/bin"):
        assert host_path(mounts, "/bin/sh") == os.path.join("/", os.readlink("/bin"), "sh").replace("//", "/")
    args = bwrap_args(mounts)
    assert args[:3] == ["--bind", str(root), "/"] and "--symlink" not in args
    if os.path.isdir("/proc/acpi"):
        at = args.index("/proc/acpi")
        assert args[at - 1 : at + 3] == ["--tmpfs", "/proc/acpi", "--remount-ro", "/proc/acpi"]


def test_look_path_wording(tmp_path: Path) -> None:
    (tmp_path / "bin").mkdir()
    tool = tmp_path / "bin" / "tool"
    tool.write_text("#!/bin/sh\n")
    tool.chmod(0o755)
    (tmp_path / "bin" / "data").write_text("x")

    def to_host(p: str, cwd: str) -> str:
        return str(tmp_path) + (p if p.startswith("/") else os.path.join(cwd, p))

    assert look_path("tool", "/nowhere:/bin", "/", to_host) is None
    assert look_path("nope", "/bin", "/", to_host) == 'exec: "nope": executable file not found in $PATH'
    assert (
        look_path("/bin/nope", "/bin", "/", to_host)
        == 'exec: "/bin/nope": stat /bin/nope: no such file or directory'
    )
    assert look_path("/bin/data", "/bin", "/", to_host) == 'exec: "/bin/data": permission denied'
    assert look_path("/bin", "/bin", "/", to_host) == 'exec: "/bin": is a directory'


def test_volumes_items_subpath_downward_and_update_in_place(tmp_path: Path) -> None:
    cm = {"data": {"a": "1", "b": "2"}, "binaryData": {"bin": "AAE="}}
    pod = {
        "metadata": {"name": "web", "namespace": "ns", "uid": "u", "labels": {"app": "w"}},
        "spec": {
            "volumes": [
                {"name": "cfg", "configMap": {"name": "c", "defaultMode": 0o600}},
                {
                    "name": "pick",
                    "configMap": {"name": "c", "items": [{"key": "b", "path": "x/y", "mode": 0o755}]},
                },
                {
                    "name": "info",
                    "downwardAPI": {
                        "items": [
                            {"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}},
                            {"path": "name", "fieldRef": {"fieldPath": "metadata.name"}},
                        ]
                    },
                },
                {"name": "scratch", "emptyDir": {}},
                {"name": "opt", "secret": {"secretName": "absent", "optional": True}},
            ]
        },
    }
    objs = {("ConfigMap", "c"): cm}
    vols = materialise(pod, lambda k, n: objs.get((k, n)), tmp_path / "v")
    assert (vols["cfg"] / "bin").read_bytes() == b"\x00\x01"
    assert (vols["cfg"] / "a").stat().st_mode & 0o777 == 0o600
    assert (vols["pick"] / "x" / "y").stat().st_mode & 0o777 == 0o755 and not (vols["pick"] / "a").exists()
    assert (vols["info"] / "labels").read_text() == 'app="w"' and (vols["info"] / "name").read_text() == "web"
    # An optional secret that is absent is an empty payload: only the atomic writer's entries.
    assert all(p.name.startswith("..") for p in vols["opt"].iterdir())
    assert os.readlink(vols["opt"] / "..data").startswith("..20")
    (vols["scratch"] / "keep").write_text("k")

    before = os.stat(vols["cfg"]).st_ino
    cm["data"] = {"a": "changed", "b": "2"}
    del cm["binaryData"]
    vols2 = materialise(pod, lambda k, n: objs.get((k, n)), tmp_path / "v")
    assert os.stat(vols2["cfg"]).st_ino == before  # same directory: bind mounts keep seeing it
    assert (
        sorted(p.name for p in vols2["cfg"].iterdir() if not p.name.startswith("..")) == ["a", "b"]
        and (vols2["cfg"] / "a").read_text() == "changed"
    )
    # kubelet's atomic writer: visible names link into ..data, which links to one timestamped
    # version; the replaced version is gone.
    assert os.readlink(vols2["cfg"] / "a") == "..data/a"
    versions = [p.name for p in vols2["cfg"].iterdir() if p.name.startswith("..20")]
    assert [os.readlink(vols2["cfg"] / "..data")] == versions
    assert (vols2["scratch"] / "keep").read_text() == "k"  # emptyDir survives restarts

    with pytest.raises(VolumeError) as err:
        materialise(pod, lambda k, n: None, tmp_path / "v")
    assert err.value.message == 'MountVolume.SetUp failed for volume "cfg" : configmap "c" not found'
    assert (vols2["cfg"] / "a").read_text() == "changed"  # nothing half-applied

    container = {
        "name": "app",
        "volumeMounts": [
            {"name": "scratch", "mountPath": "/data/sub", "subPath": "nested/dir"},
            {"name": "cfg", "mountPath": "/cfg"},
        ],
    }
    mounts = resolve_mounts(container, vols2, volume_kinds(pod))
    assert mounts[0] == VolumeMount("/data/sub", vols2["scratch"] / "nested" / "dir", False)
    assert (vols2["scratch"] / "nested" / "dir").is_dir()
    assert mounts[1].read_only  # configMap volumes are always read-only
    with pytest.raises(VolumeError):
        resolve_mounts({"name": "app", "volumeMounts": [{"name": "ghost", "mountPath": "/g"}]}, vols2, {})
