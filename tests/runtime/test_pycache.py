"""The built-in images' compiled copy of podlab (runtime/pycache.py), on a real package tree."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

from podlab.runtime.pycache import CompiledPackage, build, has_fresh_bytecode


def _package(root: Path) -> Path:
    package = root / "src" / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("VALUE = 1\n")
    (package / "sub" / "__init__.py").write_text("")
    (package / "sub" / "mod.py").write_text("from pkg import VALUE\nANSWER = VALUE + 41\n")
    (package / "data.json").write_text("{}")
    return package


def test_the_copy_has_every_module_compiled_and_a_fresh_interpreter_uses_that_bytecode(
    tmp_path: Path,
) -> None:
    package = _package(tmp_path)
    assert not has_fresh_bytecode(package)
    copy = build(package, tmp_path / "home" / "python")
    assert copy.name == "pkg" and (copy / "data.json").read_text() == "{}"  # data files too
    assert has_fresh_bytecode(copy)
    assert not (package / "__pycache__").exists()  # the source tree is left as it was
    # A pod's interpreter: no bytecode written, so it runs from the copy's only if valid.
    # -X importtime would not say; -v logs "code object from '...pyc'" for each module used.
    run = subprocess.run(
        [
            sys.executable,
            "-I",
            "-v",
            "-c",
            "import sys; sys.path.insert(0, sys.argv[1]); import pkg.sub.mod as m; print(m.ANSWER)",
            str(copy.parent),
        ],
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "42"
    mod_pyc = importlib.util.cache_from_source(str(copy / "sub" / "mod.py"))
    assert f"code object from '{mod_pyc}'" in run.stderr


def test_a_current_copy_is_reused_and_a_changed_package_replaces_it(tmp_path: Path) -> None:
    package = _package(tmp_path)
    root = tmp_path / "home" / "python"
    first = build(package, root)
    assert build(package, root) == first
    (root / ".staging-1-2" / "pkg").mkdir(parents=True)  # a build a crash interrupted
    (package / "sub" / "mod.py").write_text("ANSWER = 43\n")
    os.utime(package / "sub" / "mod.py", ns=(0, 10**18))  # a later edit, whatever the clock says
    second = build(package, root)
    assert second != first and not first.exists()
    assert "43" in (second / "sub" / "mod.py").read_text()
    assert [p.name for p in root.iterdir()] == [second.parent.name]


def test_a_package_with_fresh_bytecode_is_bound_as_it_is(tmp_path: Path) -> None:
    package = _package(tmp_path)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True, timeout=60)
    compiled = CompiledPackage()
    assert compiled.start(package, tmp_path / "home") is None
    assert compiled.path is None and not (tmp_path / "home").exists()


def test_the_node_side_builds_in_the_background_and_names_the_copy_once_ready(tmp_path: Path) -> None:
    package = _package(tmp_path)
    compiled = CompiledPackage()
    thread = compiled.start(package, tmp_path / "home")
    assert thread is not None
    thread.join(timeout=60)
    assert compiled.path is not None
    assert Path(compiled.path).parent.parent == tmp_path / "home" / "python"
    assert has_fresh_bytecode(Path(compiled.path))
