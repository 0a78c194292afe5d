"""Stub selection and 404 reports for body matchers and edge cases, recorded from real
WireMock 3.13.2 on this machine (JSONPath/XPath results, JSON schema, XML, dates, logical
matchers, priorities, scenarios, wrapping of long values, form encodings, cookies, method
case, multipart). The request is built from the HTTP core's `Request`, as the server does.

Each case was posted to the real jar and one request sent with exactly the listed headers; the
answer was either a match (`matched` is the Matched-Stub-Id) or a 404 whose body is `diff`.
"""

from __future__ import annotations

from typing import Any

import pytest

from .recorded import assert_reproduced, recorded_data

RECORDED: dict[str, Any] = recorded_data("not_matched_body_reports.json")


@pytest.mark.parametrize("case", RECORDED["cases"], ids=[c["name"] for c in RECORDED["cases"]])
def test_recorded_answer_is_reproduced(case: dict[str, Any]) -> None:
    assert_reproduced(case, RECORDED["port"])
