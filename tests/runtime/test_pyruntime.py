"""What the built-in Python images get bound: the directories podlab's dependencies come from."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httptools
import pytest

import podlab

PRINT_BINDS = (
    "import json; from podlab.runtime.pyruntime import python_runtime as r; "
    "print(json.dumps([list(b) for b in r().binds]))"
)


def test_dependencies_on_pythonpath_are_bound_but_never_the_working_directory(tmp_path: Path) -> None:
    """The node run with its dependencies given by PYTHONPATH (as `pip install --target` leaves
    them), from inside that very directory: the directory is bound because the dependencies are
    there, the working directory is not bound for being the working directory."""
    python = "/usr/bin/python3"  # its own site-packages are elsewhere: only PYTHONPATH has podlab's
    version = subprocess.run(
        [python, "-c", "import sys; print(sys.version_info[:2])"], capture_output=True, text=True
    )
    if version.returncode != 0 or version.stdout.strip() != str(sys.version_info[:2]):
        pytest.skip(f"{python} is not Python {sys.version_info[0]}.{sys.version_info[1]} like the venv")
    deps = str(Path(httptools.__file__).resolve().parent.parent)
    src = str(Path(podlab.__file__).resolve().parent.parent)
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": f"{src}:{deps}"}
    run = [python, "-c", PRINT_BINDS]
    elsewhere = subprocess.run(run, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert elsewhere.returncode == 0, elsewhere.stderr
    binds = dict(json.loads(elsewhere.stdout))
    assert os.path.realpath(deps) in binds.values()
    assert str(tmp_path) not in binds.values()
    assert binds["/podlab/lib/podlab"] == str(Path(podlab.__file__).resolve().parent)

    inside = subprocess.run(run, cwd=deps, env=env, capture_output=True, text=True, timeout=60)
    assert inside.returncode == 0, inside.stderr
    assert os.path.realpath(deps) not in dict(json.loads(inside.stdout)).values()


def test_a_venv_of_copies_runs_the_interpreter_it_copies(tmp_path: Path) -> None:
    """A venv made with `--copies` holds a copy of the interpreter that finds its prefix only
    through the venv's pyvenv.cfg, which the sandbox does not show ("No module named
    'encodings'" at every start): the built-in images run the base interpreter instead."""
    base = os.path.realpath(getattr(sys, "_base_executable", sys.executable))
    venv = tmp_path / "venv"
    subprocess.run([base, "-m", "venv", "--copies", "--without-pip", str(venv)], check=True, timeout=60)
    deps = str(Path(httptools.__file__).resolve().parent.parent)
    src = str(Path(podlab.__file__).resolve().parent.parent)
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": f"{src}:{deps}"}
    script = "from podlab.runtime.pyruntime import python_runtime as r, ROOT; print(r().interpreter)"
    done = subprocess.run(
        [str(venv / "bin" / "python"), "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    prefix = os.path.realpath(sys.base_prefix)
    assert done.stdout.strip() == "/podlab/python/" + os.path.relpath(base, prefix)
