"""A few seconds of the differential fuzzer (bench/stub_fuzz.py) against the real WireMock 3.13.2
jar: both servers start on loopback, the same seeded cases go to each. Skipped where `java` or
the jar is not there. The full runs and their numbers are in docs/STUB-LIMITS.md.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from stub_fuzz import CATEGORIES, JAR3, run, summary

CASES = 15
BUDGET_S = 8.0


@pytest.mark.skipif(
    shutil.which("java") is None or not JAR3.is_file(), reason="needs java and the 3.13.2 jar"
)
def test_fuzzer_agrees_with_wiremock(tmp_path: Path) -> None:
    tally, diffs, played = run(3, JAR3, seed=7, count=CASES, budget=BUDGET_S, workdir=tmp_path)
    assert played >= 5, "the servers answered too slowly to compare anything"
    pct, per = summary(tally)
    assert set(per) <= set(CATEGORIES)
    # the full runs agree on ~98 %; a few seconds of cases must not fall far below that
    assert pct >= 90.0, [(d["category"], d["where"], d["case"]) for d in diffs]
