"""Arbitrary matcher JSON either parses or raises InvalidInputError; a parsed matcher never
raises on any value. (A seeded generator, so a failure reproduces.)"""

from __future__ import annotations

import random
from typing import Any

from podlab.stub.jvm.errors import InvalidInputError
from podlab.stub.matchers import parse_content_pattern, parse_multi_value_pattern

OPERATORS = [
    "equalTo", "contains", "doesNotContain", "matches", "doesNotMatch", "absent", "anything",
    "and", "or", "not", "before", "after", "equalToDateTime", "equalToJson", "matchesJsonPath",
    "matchesJsonSchema", "equalToXml", "matchesXPath", "binaryEqualTo", "hasExactly", "includes",
]  # fmt: skip
EXTRAS = [
    "caseInsensitive", "ignoreArrayOrder", "ignoreExtraElements", "actualFormat", "truncateExpected",
    "truncateActual", "expectedOffset", "expectedOffsetUnit", "schemaVersion", "xPathNamespaces",
    "enablePlaceholders", "exemptedComparisons", "expression", "applyTruncationLast",
]  # fmt: skip
STRINGS = [
    "", "a", "[a", "(?i)x", "\\p{Lu}+", "$.a", "$..b[?(@.c > 1)]", "$.a[", "/a/b", "//a[", "<a><b>1</b></a>",
    "<a>", '{"a": 1}', "{bad", "now +3 days", "now", "2021-01-01T00:00:00Z", "first day of month", "V4",
    "bogus", "AAE=", "!!", "days", "${json-unit.any-string}", "yyyy-MM-dd", "unix", "\x00", "é",
]  # fmt: skip
VALUES = [
    None, "", "a", "abc", '{"a": 1}', '{"a": [1, {"b": "x"}]}', "[1,2]", "<a><b>1</b></a>", "not json",
    "2021-01-01T00:00:00Z", "Tue, 3 Jun 2025 11:05:30 GMT", "12", "\ufffd", "<a xmlns='urn:x'/>", "null",
]  # fmt: skip


def _operand(rng: random.Random, depth: int) -> Any:
    kind = rng.randrange(7 if depth < 3 else 4)
    if kind == 0:
        return rng.choice(STRINGS)
    if kind == 1:
        return rng.choice([None, True, False, 0, 3, -1, 1.5])
    if kind == 2:
        return rng.choice(STRINGS)
    if kind == 3:
        return {}
    if kind == 4:
        return [_matcher(rng, depth + 1) for _ in range(rng.randrange(4))]
    if kind == 5:
        return _matcher(rng, depth + 1)
    inner = _matcher(rng, depth + 1)
    return {"expression": rng.choice(STRINGS), **(inner if isinstance(inner, dict) else {})}


def _matcher(rng: random.Random, depth: int = 0) -> Any:
    if rng.random() < 0.03:
        return rng.choice([None, "equalTo", 5, []])
    spec: dict[str, Any] = {rng.choice(OPERATORS): _operand(rng, depth)}
    for _ in range(rng.randrange(3)):
        spec[rng.choice(EXTRAS)] = _operand(rng, depth + 1)
    return spec


def test_parse_and_match_never_crash() -> None:
    rng = random.Random(20261128)
    parsed = 0
    for _ in range(3000):
        spec = _matcher(rng)
        for parse in (parse_multi_value_pattern, parse_content_pattern):
            try:
                pattern = parse(spec, "/request/x")
            except InvalidInputError as exc:
                # at the matcher, or (Jackson binding a hasExactly/includes list) at its operand
                assert exc.errors[0]["source"]["pointer"] in (
                    "/request/x",
                    "/request/x/hasExactly",
                    "/request/x/includes",
                )
                continue
            parsed += 1
            assert isinstance(pattern.to_json(), dict)
            for value in VALUES:
                if parse is parse_content_pattern:
                    result = pattern.match((value or "").encode())  # type: ignore[arg-type]
                else:
                    result = pattern.match(None if value is None else [value])  # type: ignore[arg-type]
                assert 0.0 <= result.distance <= 1.0
    assert parsed > 500  # the generator does reach valid matchers


# Crashes the generator once found, pinned one by one.
def test_regression_schema_version_of_the_wrong_type() -> None:
    try:
        parse_content_pattern({"matchesJsonSchema": "{}", "schemaVersion": {"x": 1}}, "/p")
    except InvalidInputError as exc:
        assert "schemaVersion must be one of" in exc.errors[0]["detail"]
    else:
        raise AssertionError("accepted a non-string schemaVersion")


def test_regression_exempted_comparison_of_the_wrong_type() -> None:
    try:
        parse_content_pattern({"equalToXml": "<a/>", "exemptedComparisons": [{"x": 1}]}, "/p")
    except InvalidInputError:
        pass
    else:
        raise AssertionError("accepted a non-string comparison type")


def test_regression_actual_format_strptime_cannot_build() -> None:
    pattern = parse_multi_value_pattern({"after": "2020-01-01T00:00:00Z", "actualFormat": "a a"}, "/p")
    assert not pattern.match(["PM PM"]).is_exact_match


def test_regression_double_dash_in_a_class_is_a_range_to_dash() -> None:
    from podlab.stub.matchers import JavaRegexError, compile_java_regex

    # as in Java (checked on WireMock 3.13.2): [+--] is the range '+'..'-', [a--] is illegal
    assert compile_java_regex("[+--]+").fullmatch(",+-")
    assert not compile_java_regex("[+--]+").fullmatch("a")
    try:
        compile_java_regex("[a--]")
    except JavaRegexError:
        pass
    else:
        raise AssertionError("accepted the illegal range a..-")


def test_regression_zero_slice_step_is_a_bad_path() -> None:
    from podlab.stub.matchers import JsonPathError, compile_path

    try:
        compile_path("$[1:2:0]")
    except JsonPathError:
        pass
    else:
        raise AssertionError("accepted a zero slice step")
