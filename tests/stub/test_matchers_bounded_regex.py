"""Which engine runs a Java regex, and that RE2 answers as Python's re does where it is chosen."""

from __future__ import annotations

import re
import time

import pytest

from podlab.stub.matchers import ContentPattern, compile_java_regex, parse_content_pattern
from podlab.stub.matchers.bounded_regex import linear_subset


@pytest.mark.parametrize(
    ("pattern", "engine"),
    [
        ("/(a+)+$", "re2"),
        ("/api/[0-9]+/items?", "re2"),
        (r"\d{3}-\w*", "re2"),
        (r"a.*?b|c{2,}", "re2"),
        (r"\Qa.b\E", "re2"),  # re.escape output: escaped punctuation
        (r"a\sb", "regex"),  # RE2's \s has no \v
        (r"\bword\b", "regex"),
        ("(?i)abc", "regex"),
        ("a(?=b)", "regex"),
        ("(a)\\1", "regex"),
        ("a++b", "regex"),  # possessive
        ("a$b", "regex"),  # $ before the end
        (r"\p{L}+", "regex"),
        ("[a-z&&[^b]]+", "regex"),
        ("a{1001}", "regex"),  # over RE2's repeat limit: compile fails, falls back
    ],
)
def test_engine_choice(pattern: str, engine: str) -> None:
    assert compile_java_regex(pattern).engine == engine


VALUES = ["", "a", "ab", "abc", "a\nb", "a\n", "/api/12/items", "/api/12/item", "123-abc", "aab", "é", "a b"]


@pytest.mark.parametrize(
    "pattern",
    ["/(a+)+$", "/api/[0-9]+/items?", r"\d{3}-\w*", "a.*?b|c{2,}", "a.b", "[^b]+", "a+$", "^a|b$", ".*"],
)
def test_re2_answers_as_re(pattern: str) -> None:
    compiled = compile_java_regex(pattern)
    assert compiled.engine == "re2"
    reference = re.compile(compiled.translated, compiled.flags)
    for value in VALUES:
        assert (compiled.fullmatch(value) is not None) == (reference.fullmatch(value) is not None), value


def test_translated_text_outside_the_subset() -> None:
    assert linear_subset("[abc]x") and not linear_subset("[[:alpha:]]") and not linear_subset("[]a]")


def body(spec: object) -> ContentPattern:
    return parse_content_pattern(spec, "/request/bodyPatterns/0")


@pytest.mark.parametrize(
    ("pattern", "bound_s"),
    [
        # Loose bounds (CI cores are shared); without the engines these take hours.
        ("(a+)+$", 0.5),  # RE2: linear, microseconds
        ("(?:a|a)+(?!a)c", 2.0),  # a look-ahead: `regex` with its 20 ms budget
    ],
)
def test_catastrophic_body_pattern_is_a_quick_miss(pattern: str, bound_s: float) -> None:
    # The `matches` matcher in bodyPatterns; a backtracking engine takes hours on this value.
    matcher = body({"matches": pattern})
    started = time.monotonic()
    assert not matcher.match(b"a" * 40 + b"!").is_exact_match
    assert time.monotonic() - started < bound_s
    assert matcher.match(b"aaac" if "c" in pattern else b"aaa").is_exact_match


@pytest.mark.parametrize("pattern", ["/many/re9/[a-z]+/\\d+", "(a+)+$", "x.*y", "(?i)abc", "a(?=b)b", "é+"])
def test_matches_answers_as_fullmatch(pattern: str) -> None:
    """`matches` (RE2's match call straight, for whole-value matching while serving) agrees
    with `fullmatch` on either engine, lone surrogates and non-ASCII text included."""
    compiled = compile_java_regex(pattern)
    texts = ["/many/re9/abc/42", "/many/re9/abc/4x", "/many/re9/abc/42\n", "aaaa", "aaa!", "x\ny", "ABC"]
    texts += ["ab", "éé", "é\ud800", "", "xy"]
    for text in texts:
        assert compiled.matches(text) == (compiled.fullmatch(text) is not None), (pattern, text)
    if compiled.engine == "re2":
        assert compiled.linear_match is not None  # the fast call is found on this binding
