"""Replay the recorded WireMock conformance corpus against a real `python -m podlab.stub`.

3.13.2 cases run against the default server, 2.35.1 cases against `--compat 2`. Every case must
pass except the commented entries of allowlist.py; an allow-listed case that passes fails the
test too, so the list only shrinks.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from .allowlist import ALLOWED_FAILURES_V2, ALLOWED_FAILURES_V3
from .conftest import StubProcess

CONFORMANCE = Path(__file__).resolve().parents[1] / "conformance"
SUMMARY = re.compile(r"^(\d+) passed, (\d+) failed$", re.MULTILINE)
FAIL_LINE = re.compile(r"^FAIL (\S+?)(?::|$)", re.MULTILINE)


def replay(stub: StubProcess, version: str) -> tuple[int, int, set[str], str]:
    result = subprocess.run(
        [
            sys.executable,
            str(CONFORMANCE / "stubconf.py"),
            "replay",
            "--cases",
            str(CONFORMANCE / "wiremock-cases.jsonl"),
            "--base",
            stub.base,
            "--version",
            version,
        ],
        capture_output=True,
        text=True,
        timeout=240,
    )
    summary = SUMMARY.search(result.stdout)
    assert summary, f"no summary line from stubconf:\n{result.stdout}\n{result.stderr}"
    failed = set(FAIL_LINE.findall(result.stdout))
    return int(summary.group(1)), int(summary.group(2)), failed, result.stdout


@pytest.mark.parametrize(
    ("version", "args", "allowed"),
    [("3", (), ALLOWED_FAILURES_V3), ("2", ("--compat", "2"), ALLOWED_FAILURES_V2)],
    ids=["wiremock-3.13.2", "wiremock-2.35.1"],
)
def test_corpus_replay(start_stub, version: str, args: tuple[str, ...], allowed: dict[str, str]) -> None:
    stub = start_stub(*args)
    passed, failed_count, failed, output = replay(stub, version)
    print(f"conformance v{version}: {passed} passed, {failed_count} failed")
    assert passed > 0
    unexpected = failed - set(allowed)
    assert not unexpected, f"unexpected failures {sorted(unexpected)}:\n{output}"
    now_passing = set(allowed) - failed
    assert not now_passing, f"allow-listed cases now pass, remove them: {sorted(now_passing)}"
    assert stub.proc.poll() is None, "the server died during the replay"
