"""A node that dies (SIGKILL, or an exit without stopping anything) leaves no container behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

DRIVER = textwrap.dedent(
    """
    import asyncio, json, os, sys
    from pathlib import Path
    from podlab.runtime import ContainerLaunch, Runtime

    async def main() -> None:
        rt = Runtime(Path(sys.argv[1]), sandbox=sys.argv[2])
        pod = {"metadata": {"name": "p", "namespace": "default", "uid": "u-death"}, "spec": {}}
        c = {"name": "c", "image": "busybox", "command": ["sh", "-c", f"sleep {sys.argv[3]} & sleep {sys.argv[3]}"]}
        rc = await rt.start(ContainerLaunch(pod, c, "127.244.250.1", 0, {}, {}))
        print(json.dumps({"pid": rc.pid}), flush=True)
        # "exit" on stdin: leave without stopping anything, as a crashing node would.
        line = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        if line.strip() == "exit":
            os._exit(0)
        await asyncio.sleep(600)

    asyncio.run(main())
    """
)


def _sleepers(marker: str) -> list[int]:
    found = []
    for pid in os.listdir("/proc"):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if f.read().split(b"\0")[:2] == [b"sleep", marker.encode()]:
                    found.append(int(pid))
        except OSError:
            pass
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[-1].split()[0] not in (b"Z", b"X")
    except OSError:
        return False


@pytest.mark.parametrize("death", ["SIGKILL", "exit"])
def test_dead_node_leaves_no_container(mode: str, death: str, tmp_path: Path) -> None:
    marker = str(7000 + os.getpid() % 1000 + hash(mode + death) % 500)
    script = tmp_path / "driver.py"
    script.write_text(DRIVER)
    node = subprocess.Popen(
        [sys.executable, str(script), str(tmp_path / "home"), mode, marker],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert node.stdout is not None
        line = node.stdout.readline()
        pid = json.loads(line)["pid"]
        deadline = time.monotonic() + 5
        while len(_sleepers(marker)) < 2:
            assert time.monotonic() < deadline, "container's sleeps never started"
            time.sleep(0.02)
        if death == "SIGKILL":
            node.send_signal(signal.SIGKILL)
        else:
            assert node.stdin is not None
            node.stdin.write("exit\n")
            node.stdin.flush()
        node.wait(5)
        deadline = time.monotonic() + 5
        while _alive(pid) or _sleepers(marker):
            assert time.monotonic() < deadline, (
                f"left behind: pid {pid} alive={_alive(pid)}, sleeps {_sleepers(marker)}"
            )
            time.sleep(0.02)
    finally:
        if node.poll() is None:
            node.kill()
            node.wait()
