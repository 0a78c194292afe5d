"""A compiled copy of podlab's package for the built-in images (the stub, agnhost) to run.

Pods run Python with PYTHONDONTWRITEBYTECODE on a read-only bind of podlab's package
(pyruntime.py). A checkout whose modules have no bytecode (the developer's environment sets
PYTHONDONTWRITEBYTECODE and nobody ran `make`) is then compiled by every pod at every start: a
stub's start-up to its first answer costs ~0.43 s of CPU with bytecode and ~0.59 s without
(docs/PERFORMANCE.md). So a node whose package lacks fresh bytecode builds, once, a copy of the
package with every module compiled under $PODLAB_HOME/python/, and the built-in images bind that
copy instead, read-only as before: what a pod can see and do is unchanged, only which directory
is bound. The copy is made off the event loop (a thread that copies, and a separate interpreter
that compiles); pods started before it is ready bind the package itself, as before.

The copy keeps the files' modification times, so the bytecode (timestamp-validated, PEP 552)
stays valid for the copy's sources. It is named by a digest of the package's file list, sizes
and times and the interpreter's version, so a home reuses a copy that is still current and
drops older ones.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

log = logging.getLogger(__name__)

DIRECTORY = "python"  # under $PODLAB_HOME
_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc")


def has_fresh_bytecode(package: Path) -> bool:
    """Every module has bytecode next to it at least as new as its source (an installed podlab,
    or a checkout after `make`): nothing to gain from a copy."""
    for source in package.rglob("*.py"):
        cached = Path(importlib.util.cache_from_source(str(source)))
        try:
            if cached.stat().st_mtime < source.stat().st_mtime:
                return False
        except OSError:
            return False
    return True


def digest(package: Path) -> str:
    """What the copy is built from: every file's path, size and time, and the interpreter."""
    h = hashlib.sha256(sys.version.encode())
    for path in sorted(package.rglob("*")):
        if "__pycache__" in path.parts or not path.is_file():
            continue
        st = path.stat()
        h.update(f"{path.relative_to(package)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:16]


def build(package: Path, root: Path) -> Path:
    """The compiled copy of `package` under `root` (made if missing); its package directory."""
    name = package.name
    target = root / f"{name}-{digest(package)}"
    if (target / name).is_dir():
        return target / name
    root.mkdir(mode=0o755, parents=True, exist_ok=True)
    staging = root / f".staging-{os.getpid()}-{threading.get_ident()}"
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(package, staging / name, ignore=_IGNORE)  # copy2: times kept
    # Its own interpreter, so the node's loop keeps the GIL; compileall writes bytecode
    # whatever PYTHONDONTWRITEBYTECODE says. -I: no site, no user directories, no environment.
    subprocess.run(
        [sys.executable, "-I", "-m", "compileall", "-q", str(staging / name)],
        check=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        timeout=300,
    )
    os.chmod(staging, 0o755)
    staging.rename(target)
    for old in root.iterdir():  # copies of earlier versions, a build a crash left half-done
        if old != target and (old.name.startswith(f"{name}-") or old.name.startswith(".staging-")):
            shutil.rmtree(old, ignore_errors=True)
    return target / name


class CompiledPackage:
    """One node's compiled copy: `path` is its package directory once built, None before."""

    def __init__(self) -> None:
        self.path: str | None = None

    def start(self, package: Path, home: Path) -> threading.Thread | None:
        """Build the copy in a background thread, unless the package has fresh bytecode."""
        if has_fresh_bytecode(package):
            return None
        thread = threading.Thread(target=self._build, args=(package, home), name="pycache", daemon=True)
        thread.start()
        return thread

    def _build(self, package: Path, home: Path) -> None:
        try:
            self.path = str(build(package, home / DIRECTORY))
        except (OSError, subprocess.SubprocessError) as exc:
            # Pods go on binding the package itself: slower to start, otherwise the same.
            log.warning("compiling podlab for the built-in images failed: %s", exc)
