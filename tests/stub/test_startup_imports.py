"""What a plain `python -m podlab.stub` imports: only what its flags and mappings need.

Every wiremock pod on a node starts one of these, so each module imported at start costs every
pod's start CPU (issue 12: start to first 200 well under WireMock's, 100 pods Ready in 5 s).
The server runs as a real process with WireMock's reference stub; a wrapper records the process's
`sys.modules` when it exits (after POST /__admin/shutdown), so the check sees exactly what the
served requests loaded, with nothing in the product built for the test.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

# Runs `python -m MODULE ARGS...` as `-m` would, and writes the module names at exit.
WRAPPER = """
import atexit, runpy, sys
out = sys.argv.pop(1)
module = sys.argv.pop(1)
atexit.register(lambda: open(out, "w").write("\\n".join(sorted(sys.modules))))
runpy.run_module(module, run_name="__main__", alter_sys=True)
"""

# Imported on need only: TLS certificates (--https-port, browser proxying), HTTP/2 (a connection
# that speaks it), XML, JSON schema, date parsing, near-miss ranking (a first unmatched request),
# click (`podlab stub`, not `python -m`), the journal's spill file and pickle (a long journal),
# templating (a templated response), JSON and XML matchers (a stub that uses one); html (a 501
# refusal page: html.entities' tables are ~0.5 MB), mimetypes (a static file), gzip (a
# gzip-accepting client), difflib (near misses of long texts), calendar (a LAST_DAY_OF_MONTH
# truncation), and the IDNA codec (a bind address that is a name: an IP address is bound
# without getaddrinfo, httpcore._server._bind_numeric), the mappings watcher (--watch). Each was 0.05-0.5 MB of every pod.
NOT_AT_START = (
    "cryptography",
    "h2",
    "hpack",
    "hyperframe",
    "podlab.httpcore._h2",
    "podlab.stub.proxy.mitm",
    "lxml",
    "jsonschema",
    "dateutil",
    "rapidfuzz",
    "click",
    "tempfile",
    "pickle",
    "podlab.stub.templating",
    "podlab.stub.report.not_matched",
    # the document matchers (matchers/parse.py loads them with the first stub that uses one)
    "podlab.stub.matchers.json_equal",
    "podlab.stub.matchers.json_path_pattern",
    "podlab.stub.matchers.jsonpath",
    "podlab.stub.matchers.json_schema",
    "podlab.stub.matchers.xml_equal",
    "podlab.stub.matchers.xpath",
    "html",
    "mimetypes",
    "gzip",
    "difflib",
    "calendar",
    "encodings.idna",
    "stringprep",
    "podlab.stub.watcher",  # --watch
    "podlab.stub.store.watch",
)

REFERENCE_STUB = {
    "request": {"url": "/get/this", "method": "GET"},
    "response": {"status": 200, "body": "Here it is!\n"},
}
PORT_LINE = re.compile(r"^port:\s+(\d+)$", re.MULTILINE)


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=10) as resp:
        return resp.status, resp.read()


# `podlab stub` (podlab.cli.entry) goes to the stub before the node's command line is imported.
NOT_IN_PODLAB_STUB = ("podlab.cli.main", "podlab.apiserver", "podlab.node", "podlab.k8s", "podlab.kubelet")


@pytest.mark.parametrize(
    ("command", "flags"),
    [
        (["podlab.stub"], []),
        (["podlab.stub"], ["--verbose", "--compat", "2"]),
        (["podlab", "stub"], []),
    ],
    ids=["plain", "seed-args", "podlab-stub"],
)
def test_reference_stub_serves_without_optional_modules(
    tmp_path: Path, command: list[str], flags: list[str]
) -> None:
    """`seed-args`: the flags the seed Deployment's wiremock:2.35.0 pod runs with;
    `podlab-stub`: `python -m podlab stub`, the console script's path."""
    root = tmp_path / "root"
    (root / "mappings").mkdir(parents=True)
    (root / "mappings" / "reference.json").write_text(json.dumps(REFERENCE_STUB))
    modules_file = tmp_path / "modules.txt"
    stdout_path = tmp_path / "stub.out"
    argv = [
        sys.executable,
        "-c",
        WRAPPER,
        str(modules_file),
        *command,
        "--port",
        "0",
        "--bind-address",
        "127.0.0.1",
        *flags,
    ]
    with stdout_path.open("wb") as out:
        proc = subprocess.Popen([*argv, "--root-dir", str(root)], stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        found = None
        while found is None and time.monotonic() < deadline and proc.poll() is None:
            found = PORT_LINE.search(stdout_path.read_text(errors="replace"))
            time.sleep(0.02)
        assert found, f"stub did not start:\n{stdout_path.read_text(errors='replace')}"
        base = f"http://127.0.0.1:{found.group(1)}"
        assert get(base + "/get/this") == (200, b"Here it is!\n")
        assert get(base + "/__admin/mappings")[0] == 200
        # One thread: binding an IP address asks no resolver, so libuv's thread pool (four
        # threads, each with its own stack and malloc arena) never starts.
        assert len(os.listdir(f"/proc/{proc.pid}/task")) == 1
        request = urllib.request.Request(base + "/__admin/shutdown", data=b"", method="POST")
        with urllib.request.urlopen(request, timeout=10) as resp:
            assert resp.status == 200
        assert proc.wait(timeout=15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    loaded = set(modules_file.read_text().split())
    assert "podlab.stub.server" in loaded  # the wrapper did record the server's process
    unexpected = sorted(
        name
        for name in loaded
        if any(name == root or name.startswith(root + ".") for root in (*NOT_AT_START, *NOT_IN_PODLAB_STUB))
    )
    assert unexpected == []
