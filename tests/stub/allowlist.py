"""Conformance cases podlab stub is allowed to fail, each with the reason.

Keep this list short: every entry is a known difference from real WireMock. test_conformance
fails when an allow-listed case passes, so entries are removed as soon as they are fixed.
"""

from __future__ import annotations

# case id -> why it fails
ALLOWED_FAILURES_V3: dict[str, str] = {}

ALLOWED_FAILURES_V2: dict[str, str] = {
    # 2.35 lists possibleStates as ["Two", "Started"] (its own set order); podlab.stub.scenarios
    # orders them as 3.13 does and has no --compat 2 switch yet.
    "v2-scenarios-10": "possibleStates order of 2.35.1 not reproduced",
    # 2.35's diff prints a body pattern's expected JSON without the "[equalToJson]" label that
    # 3.13 adds; podlab.stub.diff renders the 3.13 layout only.
    "v2-404-post-diff-11": "2.35.1 body-pattern label in the 404 diff not reproduced",
}
