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


def test_fresh_removes_the_store_and_the_volume_data_and_says_what(tmp_path: Path) -> None:
    from podlab.node.home import remove_state, store_path

    assert remove_state(tmp_path) == []
    db = store_path(tmp_path)
    for name in ("store.db", "store.db-wal", "store.db-shm"):
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "local-path-provisioner" / "pvc-1_default_data").mkdir(parents=True)
    (tmp_path / "kubeconfig").write_text("kept")
    assert remove_state(tmp_path) == [
        db,
        tmp_path / "store.db-wal",
        tmp_path / "store.db-shm",
        tmp_path / "local-path-provisioner",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kubeconfig"]
