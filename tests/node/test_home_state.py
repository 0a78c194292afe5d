"""NodeState.alive: what `podlab down` waits on."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from podlab.node.home import NodeState


def test_an_exited_node_not_yet_reaped_is_not_alive() -> None:
    child = subprocess.Popen(["sleep", "30"])
    state = NodeState(child.pid, "https://127.0.0.1:1", "t")
    try:
        assert state.alive()
        child.terminate()
        deadline = time.monotonic() + 10
        # A zombie until this process reaps it: signal 0 still reaches it.
        while Path(f"/proc/{child.pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z":
            assert time.monotonic() < deadline, "the child never exited"
            time.sleep(0.01)
        assert not state.alive()
    finally:
        child.kill()
        child.wait()
    assert not state.alive()
