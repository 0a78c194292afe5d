"""Matcher verdicts recorded from real WireMock 3.13.2.

Each row was replayed against the standalone 3.13.2 jar: a stub with the matcher on header `X`
(a one-value or repeated header; `None` = header not sent) or as the only `bodyPatterns` entry,
then one request; `True` means the stub answered 200, `False` 404. Our matchers must agree.
Deliberately left out: `equalToXml` on mixed content (`<a>1<b/>2</a>` does not equal itself in
WireMock; we treat equal documents as equal).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from podlab.stub.matchers import parse_content_pattern, parse_multi_value_pattern
from podlab.stub.matchers.distance import normalised_levenshtein

from .recorded import recorded_data

# (where, matcher JSON, header value(s) or body text, WireMock matched?)
RECORDED: list[tuple[str, str, str | list[str] | None, bool]] = [
    tuple(row) for row in recorded_data("matcher_verdicts.json")
]


def _fixed_clock() -> datetime:
    # the recording ran on 2026-11-28; "now" expressions in the table hold for decades either way
    return datetime(2026, 11, 28, 5, 40, tzinfo=UTC)


@pytest.mark.parametrize(("where", "matcher", "value", "matched"), RECORDED)
def test_agrees_with_wiremock(where: str, matcher: str, value: str | list[str] | None, matched: bool) -> None:
    spec = json.loads(matcher)
    if where == "body":
        assert isinstance(value, str)
        result = parse_content_pattern(spec, "/request/bodyPatterns/0", clock=_fixed_clock).match(
            value.encode("utf-8")
        )
    else:
        values = None if value is None else value if isinstance(value, list) else [value]
        result = parse_multi_value_pattern(spec, "/request/headers/X", clock=_fixed_clock).match(values)
    assert result.is_exact_match is matched
    # A miss never scores 0; a match does, except equalTo with caseInsensitive, which WireMock
    # scores on the raw strings even when it matches (3.13.2 near misses, measured), and the date
    # matchers, which score a match by its distance in time (fuzz_cases.json, near_miss_date_distance).
    dates = any(f'"{name}"' in matcher for name in ("before", "after", "equalToDateTime"))
    assert (
        (result.distance == 0.0) is (matched and "caseInsensitive" not in matcher)
        or (matched and dates)
        or (matched and result.distance == normalised_levenshtein(json.loads(matcher)["equalTo"], str(value)))
    )
    assert 0.0 <= result.distance <= 1.0
