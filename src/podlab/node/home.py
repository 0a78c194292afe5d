"""Where a node keeps its state: $PODLAB_HOME (default ~/.podlab)."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from podlab.apiserver.kubeconfig import write_private_file


def podlab_home() -> Path:
    return Path(os.environ.get("PODLAB_HOME") or Path.home() / ".podlab")


@dataclass
class NodeState:
    """What a running node publishes for its clients (`podlab down`, `apply`, `logs`, ...)."""

    pid: int
    server: str  # https://127.0.0.1:PORT, loopback only, the URL the kubeconfig names
    token: str
    ca_pem: str = ""  # the server's certificate (PEM), to verify it

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
        )

    def alive(self) -> bool:
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True


def kubeconfig_path(home: Path) -> Path:
    return home / "kubeconfig"
