"""Where a node keeps its state: $PODLAB_HOME (default ~/.podlab)."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

from podlab.apiserver.kubeconfig import write_private_file
from podlab.runtime.cgroups import remove_node_cgroups
from podlab.runtime.tmpfs import unmount_under


def podlab_home() -> Path:
    return Path(os.environ.get("PODLAB_HOME") or Path.home() / ".podlab")


def ensure_private_home(home: Path) -> None:
    """Create $PODLAB_HOME owner-only (0700), and tighten one left 0755 by an older podlab.

    It holds secret volumes, the API token, the kubeconfig and every container's output:
    with the top directory closed, nothing under it is reachable by other users whatever
    the modes below say (file modes inside volumes follow defaultMode for the container).
    """
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(home, 0o700)


def open_private_log(path: Path) -> int:
    """An owner-only (0600) log file (node.log) opened empty for writing, as a raw fd."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # a node.log left 0644 by an older podlab
    return fd


@dataclass
class NodeState:
    """What a running node publishes for its clients (`podlab down`, `apply`, `logs`, ...)."""

    pid: int
    server: str  # https://127.0.0.1:PORT, loopback only, the URL the kubeconfig names
    token: str
    ca_pem: str = ""  # the server's certificate (PEM), to verify it
    limits: str = ""  # whether resource limits are enforced, and how or why not (podlab status)
    dns: str = ""  # where the cluster DNS listens, or why it is off (node/cluster_dns.py)
    network: str = ""  # the pod network's mode and ranges, as `podlab status` prints it
    state: str = ""  # where the node's objects persist (store.db), or why they do not

    @staticmethod
    def path(home: Path) -> Path:
        return home / "node.json"

    def write(self, home: Path) -> None:
        write_private_file(self.path(home), json.dumps(asdict(self)))  # the token is a credential

    @classmethod
    def read(cls, home: Path) -> NodeState | None:
        try:
            data = json.loads(cls.path(home).read_text())
        except (OSError, ValueError):
            return None
        return cls(
            pid=int(data["pid"]),
            server=str(data["server"]),
            token=str(data["token"]),
            ca_pem=str(data.get("ca_pem", "")),
            limits=str(data.get("limits", "")),
            dns=str(data.get("dns", "")),
            network=str(data.get("network", "")),
            state=str(data.get("state", "")),
        )

    def alive(self) -> bool:
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        # A node that exited but whose parent (a script, a test runner) has not reaped it yet is
        # a zombie: signal 0 still reaches it, but it is done (`podlab down` waited out its whole
        # timeout for such nodes, then "killed" them).
        try:
            stat = Path(f"/proc/{self.pid}/stat").read_text()
        except OSError:
            return True
        return stat.rpartition(")")[2].split()[:1] != ["Z"]


def kubeconfig_path(home: Path) -> Path:
    return home / "kubeconfig"


def store_path(home: Path) -> Path:
    """The node's objects (store/persist.py): kept across `podlab down`/`up` and a SIGKILL."""
    return home / "store.db"


# Where the local-path provisioner makes PersistentVolume directories (controllers/volumes.py).
LOCAL_PATH_DIR = "local-path-provisioner"


def remove_state(home: Path) -> list[Path]:
    """`podlab up --fresh`: remove the stored objects and the PersistentVolume directories
    (with their claims gone nothing would ever bind or delete them). Returns what was there."""
    removed: list[Path] = []
    db = store_path(home)
    for path in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        if path.exists():
            path.unlink()
            removed.append(path)
    volumes = home / LOCAL_PATH_DIR
    if volumes.exists():
        shutil.rmtree(volumes)
        removed.append(volumes)
    return removed


# What one node's run leaves in $PODLAB_HOME: containers' logs (pods/<ns>_<pod>_<uid>/) and
# sandboxes (sandbox/<uid>/). They belong to that run's containers: the pods themselves may
# persist (store.db), but the next run gives them new sandboxes, as after a node reboot.
RUN_DIRS = ("pods", "sandbox")


def remove_run_dirs(home: Path) -> None:
    """Remove pod logs and sandboxes, tmpfs volumes unmounted first (a node killed with SIGKILL
    leaves them mounted, and rmtree cannot remove a mount point), and the node's cgroups."""
    remove_node_cgroups(home)
    unmount_under(home / "sandbox")
    for name in RUN_DIRS:
        shutil.rmtree(home / name, ignore_errors=True)


def clear_run_state(home: Path) -> None:
    """Remove what a stopped node's run left: pod logs, sandboxes, the `ready` handshake and a
    node.json whose process is gone. The kubeconfig stays: an exported KUBECONFIG keeps naming
    the file the next node rewrites."""
    remove_run_dirs(home)
    (home / "ready").unlink(missing_ok=True)
    state = NodeState.read(home)
    if state is not None and not state.alive():
        NodeState.path(home).unlink(missing_ok=True)
