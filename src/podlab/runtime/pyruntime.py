"""The Python runtime that built-in images (the stub server, agnhost) need inside the sandbox.

Bound read-only at fixed paths under /podlab, so a container sees exactly the interpreter's
prefix, the site-packages holding podlab's dependencies and podlab's own package directory,
never the directories around them (a checkout under /work, a pyenv under /root's home):

    /podlab/python      <- sys.base_prefix (stdlib, lib-dynload, libpython)
    /podlab/lib/podlab  <- the podlab package
    /podlab/site/N      <- each site-packages directory outside the prefix (a venv's)

The interpreter finds its prefix from its own location; PYTHONPATH adds the rest (site-packages
given that way skip their .pth files, which only carry podlab's own editable-install hook).
A pyenv build links libpython through an absolute RUNPATH into its prefix, hence
LD_LIBRARY_PATH when the prefix ships a shared libpython.
"""

from __future__ import annotations

import functools
import os
import site
import sys
from dataclasses import dataclass, field
from pathlib import Path

import podlab

ROOT = "/podlab"


@dataclass(frozen=True)
class PythonRuntime:
    binds: tuple[tuple[str, str], ...]  # (path inside the sandbox, host source), read-only
    interpreter: str  # inside the sandbox
    env: dict[str, str] = field(default_factory=dict)


@functools.cache
def python_runtime() -> PythonRuntime:
    prefix = os.path.realpath(sys.base_prefix)
    package = str(Path(podlab.__file__).resolve().parent)
    binds: list[tuple[str, str]] = [(f"{ROOT}/python", prefix), (f"{ROOT}/lib/podlab", package)]
    executable = os.path.realpath(sys.executable)
    if _under(executable, prefix):
        interpreter = f"{ROOT}/python/" + os.path.relpath(executable, prefix)
    else:
        binds.append((f"{ROOT}/bin", os.path.dirname(executable)))
        interpreter = f"{ROOT}/bin/" + os.path.basename(executable)
    path = [f"{ROOT}/lib"]
    sites = [os.path.realpath(p) for p in site.getsitepackages() if os.path.isdir(p)]
    for i, directory in enumerate(d for d in dict.fromkeys(sites) if not _under(d, prefix)):
        binds.append((f"{ROOT}/site/{i}", directory))
        path.append(f"{ROOT}/site/{i}")
    env = {"PYTHONPATH": ":".join(path), "PYTHONDONTWRITEBYTECODE": "1"}
    if any(Path(prefix, "lib").glob("libpython*.so*")):
        env["LD_LIBRARY_PATH"] = f"{ROOT}/python/lib"
    return PythonRuntime(binds=tuple(binds), interpreter=interpreter, env=env)


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")
