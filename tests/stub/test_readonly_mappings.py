"""Mappings on a read-only mount (a Kubernetes ConfigMap volume), as in the reference scenario.

Real WireMock 2.35.1 and 3.13.2, run under `bwrap --ro-bind` here, answer DELETE /__admin/mappings
with 200 and `{}`, stop serving the stub, and leave the file in place (java.io.File.delete() fails
silently). The liveness scenario depends on this: deleting the stub must make the probe fail.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from .conftest import PORT_LINE, START_TIMEOUT, stub_command

pytestmark = pytest.mark.skipif(
    shutil.which("bwrap") is None, reason="needs bubblewrap for a read-only mount"
)

MAPPING = {
    "request": {"url": "/get/this", "method": "GET"},
    "response": {"status": 200, "body": "here it is!\n"},
}


def _status(url: str, method: str = "GET") -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.mark.parametrize("compat", ["2", "3"])
def test_delete_all_on_read_only_mount_removes_stubs_and_keeps_file(tmp_path: Path, compat: str) -> None:
    configmap = tmp_path / "configmap"
    configmap.mkdir()
    (configmap / "livness_probe_mapping.json").write_text(json.dumps(MAPPING))
    root = tmp_path / "root"
    (root / "mappings").mkdir(parents=True)
    out = tmp_path / "stdout"
    argv = [
        "bwrap",
        "--bind",
        "/",
        "/",
        "--dev",
        "/dev",
        "--proc",
        "/proc",
        "--die-with-parent",
        "--ro-bind",
        str(configmap),
        str(root / "mappings"),
        "--",
        *stub_command(
            "--port", "0", "--bind-address", "127.0.0.1", "--root-dir", str(root), "--compat", compat
        ),
    ]
    with out.open("wb") as handle:
        proc = subprocess.Popen(argv, stdout=handle, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not (found := PORT_LINE.search(out.read_text())):
            assert proc.poll() is None and time.monotonic() < deadline, out.read_text()
            time.sleep(0.02)
        base = f"http://127.0.0.1:{found.group(1)}"
        assert _status(base + "/get/this") == 200
        assert _status(base + "/__admin/mappings", "DELETE") == 200
        assert _status(base + "/get/this") == 404
        assert (configmap / "livness_probe_mapping.json").exists()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
