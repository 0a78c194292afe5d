"""The stub's rooms import downwards only: a room may use the rooms listed before it, never after."""

from __future__ import annotations

import ast
from pathlib import Path

import podlab.stub

# Bottom to top. `options` (the parsed command line) is read by every layer that needs settings.
LAYERS = [
    {"jvm", "options", "outbound"},
    {"matchers"},
    {"model"},
    {"matching"},
    {"report"},
    {"store"},
    {"templating"},
    {"webhooks"},
    # proxying and recording serve requests too: they and the pipeline use each other lazily.
    {"serve", "proxy", "recording"},
    {"admin"},
    {"banner", "tls", "watcher", "server", "cli", "early_exit", "__main__", "__init__"},
]
STUB = Path(podlab.stub.__file__).parent


def _room(module: str) -> str:
    return module.split(".")[2] if module.count(".") >= 2 else "__init__"


def _level(room: str) -> int:
    return next(i for i, layer in enumerate(LAYERS) if room in layer)


def _stub_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("podlab.stub."):
            found.append(node.module)
        elif isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.startswith("podlab.stub.")]
    return found


def test_every_module_sits_in_a_known_room() -> None:
    rooms = {p.relative_to(STUB).parts[0].removesuffix(".py") for p in STUB.rglob("*.py")}
    assert rooms <= set().union(*LAYERS)


def test_no_room_imports_a_room_above_it() -> None:
    upward = []
    for path in STUB.rglob("*.py"):
        room = path.relative_to(STUB).parts[0].removesuffix(".py")
        for module in _stub_imports(path):
            if _level(_room(module)) > _level(room):
                upward.append(f"{path.relative_to(STUB)} imports {module}")
    assert upward == []
