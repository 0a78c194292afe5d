"""The Python runtime that built-in images (the stub server, agnhost) need inside the sandbox.

Bound read-only at fixed paths under /podlab, so a container sees exactly the interpreter's
prefix, the site-packages holding podlab's dependencies and podlab's own package directory,
never the directories around them (a checkout under /work, a pyenv under /root's home):

    /podlab/python      <- sys.base_prefix (stdlib, lib-dynload, libpython)
    /podlab/lib/podlab  <- the podlab package
    /podlab/site/N      <- each directory outside the prefix that podlab's dependencies are
                           installed in: a venv's site-packages, a `pip install --target`
                           directory or another PYTHONPATH entry (never the working directory)

The interpreter finds its prefix from its own location; PYTHONPATH adds the rest (site-packages
given that way skip their .pth files, which only carry podlab's own editable-install hook).
A pyenv build links libpython through an absolute RUNPATH into its prefix, hence
LD_LIBRARY_PATH when the prefix ships a shared libpython.
"""

from __future__ import annotations

import functools
import os
import re
import site
import sys
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import podlab

ROOT = "/podlab"


@dataclass(frozen=True)
class PythonRuntime:
    binds: tuple[tuple[str, str], ...]  # (path inside the sandbox, host source), read-only
    interpreter: str  # inside the sandbox
    env: dict[str, str] = field(default_factory=dict)


def python_runtime(package: str | None = None) -> PythonRuntime:
    """The runtime, binding `package` as podlab's package directory (default: the one this
    process imported; the node passes its compiled copy once built, pycache.py)."""
    return _python_runtime(package or str(Path(podlab.__file__).resolve().parent))


@functools.cache
def _python_runtime(package: str) -> PythonRuntime:
    prefix = os.path.realpath(sys.base_prefix)
    binds: list[tuple[str, str]] = [(f"{ROOT}/python", prefix), (f"{ROOT}/lib/podlab", package)]
    executable = os.path.realpath(sys.executable)
    base = os.path.realpath(getattr(sys, "_base_executable", executable))
    if not _under(executable, prefix) and _under(base, prefix):
        # A venv made with copies (`venv --copies`, or a file system without symlinks): the copy
        # finds its prefix only through the venv's pyvenv.cfg, which the sandbox does not show,
        # and fails with "No module named 'encodings'"; the interpreter it copies finds the prefix
        # from its own place. The venv's site-packages come through PYTHONPATH either way.
        executable = base
    home: dict[str, str] = {}
    if _under(executable, prefix):
        interpreter = f"{ROOT}/python/" + os.path.relpath(executable, prefix)
    else:
        binds.append((f"{ROOT}/bin", os.path.dirname(executable)))
        interpreter = f"{ROOT}/bin/" + os.path.basename(executable)
        # An interpreter outside its prefix (copied from another venv, or a copied venv whose base
        # is not under the prefix either) finds its stdlib through pyvenv.cfg or the prefix compiled
        # into it, and neither is visible in the sandbox: without this it dies with "No module
        # named 'encodings'".
        home = {"PYTHONHOME": f"{ROOT}/python"}
    path = [f"{ROOT}/lib"]
    sites = [os.path.realpath(p) for p in [*site.getsitepackages(), *dependency_dirs()] if os.path.isdir(p)]
    cwd = os.path.realpath(os.getcwd())
    for i, directory in enumerate(d for d in dict.fromkeys(sites) if not _under(d, prefix) and d != cwd):
        binds.append((f"{ROOT}/site/{i}", directory))
        path.append(f"{ROOT}/site/{i}")
    env = {"PYTHONPATH": ":".join(path), "PYTHONDONTWRITEBYTECODE": "1", **home}
    if any(Path(prefix, "lib").glob("libpython*.so*")):
        env["LD_LIBRARY_PATH"] = f"{ROOT}/python/lib"
    return PythonRuntime(binds=tuple(binds), interpreter=interpreter, env=env)


def dependency_dirs() -> list[str]:
    """Where podlab's installed dependencies (and theirs) live: the directory holding each
    distribution's metadata, which is the import root its modules were found in. The node
    imports them from there, whichever way it was given them (site-packages, PYTHONPATH,
    `pip install --target`), so the built-in images need the same directories."""
    dirs: list[str] = []
    seen: set[str] = set()
    pending = ["podlab"]
    while pending:
        name = pending.pop()
        key = re.sub(r"[-_.]+", "-", name).lower()  # PEP 503 normalised
        if key in seen:
            continue
        seen.add(key)
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        if key != "podlab":  # podlab itself is bound on its own, without its surroundings
            dirs.append(str(dist.locate_file("")))
        for requirement in dist.requires or []:
            if "extra ==" in requirement:
                continue  # an optional extra, not installed for podlab
            found = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
            if found:
                pending.append(found.group(1))
    return dirs


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")
