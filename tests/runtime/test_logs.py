"""Container logs on disk: rotation as kubelet does it, reads from the end, follow across a
rotation, and a full disk that drops output instead of blocking the container."""

from __future__ import annotations

import asyncio
import gzip
import os
import re
import time
from pathlib import Path

import pytest

from podlab.runtime import LogRotation, LogSource
from podlab.runtime.crilog import LogLine, encode
from podlab.runtime.logfiles import instance_files, rotated_files
from podlab.runtime.logwriter import LogWriter, write_exit_marker


def log_path(home: Path) -> Path:
    return home / "pods" / "ns_web_uid1" / "app" / "0.log"


async def feed(writer: LogWriter, data: bytes, stream: str = "stdout") -> None:
    reader = asyncio.StreamReader()
    reader.feed_data(data)
    reader.feed_eof()
    await writer.pump(reader, stream)


async def settle(path: Path, max_files: int) -> None:
    """Wait (bounded) until the background gzip has left at most one uncompressed rotated file."""
    deadline = time.monotonic() + 10
    while sum(p.suffix != ".gz" for p in rotated_files(path)) > 1 or len(instance_files(path)) > max_files:
        assert time.monotonic() < deadline, [p.name for p in instance_files(path)]
        await asyncio.sleep(0.02)


def test_writer_rotates_compresses_and_prunes_like_kubelet(tmp_path: Path) -> None:
    path = log_path(tmp_path)
    lines = b"".join(b"line-%06d %s\n" % (i, b"z" * 90) for i in range(20000))  # ~2 MB

    async def main() -> None:
        writer = LogWriter(path, LogRotation(max_size=200_000, max_files=4))
        await feed(writer, lines)
        writer.close()
        await settle(path, 4)

    asyncio.run(main())
    files = instance_files(path)
    names = [p.name for p in files]
    assert len(files) == 4 and names[-1] == "0.log", names
    assert all(re.fullmatch(r"0\.log\.\d{8}-\d{6}(-\d+)?(\.gz)?", n) for n in names[:-1]), names
    assert [n.endswith(".gz") for n in names[:-1]] == [True, True, False]  # the newest stays plain
    assert oct(os.stat(path).st_mode & 0o777) == oct(0o600)
    assert gzip.decompress(files[0].read_bytes()).count(b"\n") > 0
    logs = LogSource(tmp_path)
    assert logs.read("ns", "web", "app", tail_lines=1) == b"line-019999 " + b"z" * 90 + b"\n"
    # A tail longer than the live file continues, in order, into the rotated (and gzipped) ones.
    live = path.read_bytes().count(b"\n")
    rotated_plain = files[-2].read_bytes().count(b"\n")
    want = live + rotated_plain + 5
    got = logs.read("ns", "web", "app", tail_lines=want).splitlines()
    numbers = [int(x.split()[0].removeprefix(b"line-")) for x in got]
    assert numbers == list(range(20000 - want, 20000))
    everything = logs.read("ns", "web", "app").splitlines()
    assert everything[-1].startswith(b"line-019999") and len(everything) < 20000  # oldest pruned


def test_tail_and_full_read_match_the_line_by_line_answer(tmp_path: Path) -> None:
    path = log_path(tmp_path)
    path.parent.mkdir(parents=True)
    now = time.time_ns()
    lines = [LogLine(now, "stdout", i % 7 == 3, b"%d-" % i + b"q" * (i % 300)) for i in range(5000)]
    path.write_bytes(
        b"".join(encode(x) for x in lines) + b"not a cri line\n" + b"2026-11-28T05:32:07Z stdout F cut"
    )
    logs = LogSource(tmp_path)
    rendered = [x.as_output() for x in lines]
    assert logs.read("ns", "web", "app") == b"".join(rendered)
    for n in (0, 1, 2, 999, 4999, 5000, 7000):
        assert logs.read("ns", "web", "app", tail_lines=n) == b"".join(
            rendered[max(0, len(rendered) - n) :] if n else []
        )


def test_follow_crosses_a_rotation_and_tail_zero_replays_nothing(tmp_path: Path) -> None:
    path = log_path(tmp_path)

    async def main() -> list[bytes]:
        writer = LogWriter(path, LogRotation(max_size=50_000, max_files=3))
        await feed(writer, b"before\n" * 10)
        logs = LogSource(tmp_path)
        got: list[bytes] = []

        async def follow() -> None:
            async for chunk in logs.follow("ns", "web", "app", tail_lines=0):
                got.append(chunk)

        task = asyncio.create_task(follow())
        await asyncio.sleep(0.3)
        for i in range(3000):  # ~60 KB per 1000 lines: several rotations while following
            await feed(writer, b"n-%d %s\n" % (i, b"w" * 50))
            if i % 500 == 0:
                await asyncio.sleep(0.15)
        writer.close()
        write_exit_marker(path, 0)
        await asyncio.wait_for(task, 20)
        return got

    out = b"".join(asyncio.run(main())).splitlines()
    assert [int(x.split()[0][2:]) for x in out] == list(range(3000))  # nothing replayed, nothing lost
    assert rotated_files(path)


def test_full_disk_drops_output_and_warns_once() -> None:
    warnings: list[tuple[str, str]] = []

    async def main() -> LogWriter:
        # /dev/full fails every write with ENOSPC, as a full $PODLAB_HOME does.
        writer = LogWriter(Path("/dev/full"), warn=lambda reason, msg: warnings.append((reason, msg)))
        await asyncio.wait_for(feed(writer, b"x" * 100 + b"\n" * 50000), 10)
        writer.close()
        return writer

    writer = asyncio.run(main())
    assert writer.dropped_bytes > 0
    assert warnings == [
        ("FailedLogWrite", "write /dev/full: no space left on device; container output is being dropped")
    ]


def test_exit_marker_on_a_full_disk_never_raises(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root to mount a full tmpfs")
    import subprocess

    d = tmp_path / "full"
    d.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4k", "tmpfs", str(d)], check=True, timeout=10)
    try:
        (d / "filler").write_bytes(b"")
        with open(d / "filler", "wb") as f, pytest.raises(OSError):
            f.write(b"f" * 65536)
            f.flush()
        write_exit_marker(d / "0.log", 3)  # the JSON cannot be written: an empty marker instead
        assert (d / "0.exit").exists()
    finally:
        subprocess.run(["umount", "-l", str(d)], check=False, timeout=10)
