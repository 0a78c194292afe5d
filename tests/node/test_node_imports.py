"""The node process must not load grpcio: its event-engine threads do not survive the fork()s
the node makes to start containers (the node segfaulted in cygrpc after a "pre fork" message).
Only the agnhost grpc-health-checking server, a process of its own, may use it."""

from __future__ import annotations

import json
import subprocess
import sys

# Runs as its own process (python -m podlab.images.agnhost grpc-health-checking).
OWN_PROCESS = {"podlab.images.agnhost.grpc_health"}

_CHECK = """
import importlib, json, pkgutil, sys
import podlab
own = set(json.loads(sys.argv[1]))
names = [m.name for m in pkgutil.walk_packages(podlab.__path__, "podlab.")]
for name in names:
    if name not in own and name.rsplit(".", 1)[-1] != "__main__":
        importlib.import_module(name)
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("grpc", "grpc_health") or "cygrpc" in m)
print(json.dumps({"modules": len(names), "grpc": loaded}))
"""


def test_no_podlab_module_but_the_agnhost_grpc_server_loads_grpcio() -> None:
    # A fresh interpreter: this test process itself may have imported grpc for other tests.
    result = subprocess.run(
        [sys.executable, "-c", _CHECK, json.dumps(sorted(OWN_PROCESS))],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["modules"] > 100  # the walk really imported the package
    assert found["grpc"] == []


def test_the_agnhost_grpc_server_still_loads_it() -> None:
    """The check above can fail: the module it leaves out does load grpc."""
    code = "import sys, podlab.images.agnhost.grpc_health; print('grpc._cython.cygrpc' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == "True"
