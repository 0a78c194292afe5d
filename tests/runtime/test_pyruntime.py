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
    # No bytecode written: the system python would otherwise leave __pycache__ in the checkout.
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": f"{src}:{deps}", "PYTHONDONTWRITEBYTECODE": "1"}
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


def test_an_interpreter_outside_its_prefix_is_given_its_home(tmp_path: Path) -> None:
    """A venv made with --copies (or copied from another venv) has its own python binary, outside
    sys.base_prefix: inside the sandbox neither its pyvenv.cfg nor the prefix compiled into it is
    visible, so it needs PYTHONHOME to find the stdlib bound at /podlab/python. The copy is run
    here with that environment, its prefix seen through a symlink at a path the binary does not
    know, as the sandbox shows it (no "No module named 'encodings'")."""
    prefix = os.path.realpath(sys.base_prefix)
    copy = tmp_path / "bin" / "python"
    copy.parent.mkdir()
    copy.write_bytes(Path(os.path.realpath(sys.executable)).read_bytes())
    copy.chmod(0o755)
    show = (
        "import json; from podlab.runtime import pyruntime as p; "
        "r = p._python_runtime(p.python_runtime().binds[1][1]); print(json.dumps([r.interpreter, r.env]))"
    )
    src = str(Path(podlab.__file__).resolve().parent.parent)
    deps = str(Path(httptools.__file__).resolve().parent.parent)
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONHOME": prefix, "PYTHONPATH": f"{src}:{deps}"}
    lib = Path(prefix, "lib")
    if any(lib.glob("libpython*.so*")):
        env["LD_LIBRARY_PATH"] = str(lib)
    shown = subprocess.run([str(copy), "-c", show], env=env, capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0, shown.stderr
    interpreter, runtime_env = json.loads(shown.stdout)
    assert interpreter == "/podlab/bin/python"
    assert runtime_env["PYTHONHOME"] == "/podlab/python"

    # What the sandbox does with it: the prefix at another path, named only by PYTHONHOME.
    moved = tmp_path / "podlab-python"
    moved.symlink_to(prefix)
    env = {"PATH": env["PATH"], "PYTHONHOME": str(moved)}
    if any(lib.glob("libpython*.so*")):
        env["LD_LIBRARY_PATH"] = str(moved / "lib")
    ran = subprocess.run(
        [str(copy), "-c", "import encodings, asyncio"], env=env, capture_output=True, timeout=60
    )
    assert ran.returncode == 0, ran.stderr

    # An interpreter inside its prefix finds it from its own location: no PYTHONHOME.
    inside = os.path.join(prefix, "bin", os.path.basename(os.path.realpath(sys.executable)))
    if os.path.exists(inside):
        env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": f"{src}:{deps}"}
        shown = subprocess.run(
            [inside, "-S", "-c", show], env=env, capture_output=True, text=True, timeout=60
        )
        assert shown.returncode == 0, shown.stderr
        assert "PYTHONHOME" not in json.loads(shown.stdout)[1]


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
