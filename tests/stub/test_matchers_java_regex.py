"""Java regex dialect on Python's re: each rewrite, and errors in Java's wording."""

from __future__ import annotations

import pytest

from podlab.stub.matchers import JavaRegexError, compile_java_regex


def full(pattern: str, value: str) -> bool:
    return compile_java_regex(pattern).fullmatch(value) is not None


@pytest.mark.parametrize(
    ("pattern", "value", "matches"),
    [
        ("a++b", "aab", True),  # possessive quantifier
        ("a++a", "aaa", False),  # possessive: never gives back
        ("(?>a|ab)c", "abc", False),  # atomic group
        (r"\p{Lu}+", "ABC", True),
        (r"\p{Lu}+", "ABc", False),
        (r"\p{L}+", "日本", True),
        (r"\p{IsAlphabetic}+", "abç", True),
        (r"\p{Alpha}+", "abc", True),
        (r"\p{Alpha}+", "abç", False),  # POSIX classes are ASCII in Java
        (r"\P{Digit}+", "abc", True),
        (r"[^\p{L}]+", "12", True),
        (r"[^\p{L}]+", "1a", False),
        ("[a-z&&[^b]]+", "ac", True),  # intersection
        ("[a-z&&[^b]]+", "abc", False),
        (r"[\w&&[^_]]+", "a_", False),
        ("[a-c[x-z]]+", "axbz", True),  # union
        ("[^a-c[x-z]]+", "m", True),
        ("[^a-c[x-z]]+", "x", False),
        (r"\Qa.b\E", "a.b", True),  # quoting
        (r"\Qa.b\E", "axb", False),
        (r"\Q(unclosed", "(unclosed", True),
        (r"(?<n>a)\k<n>", "aa", True),  # named groups
        (r"a\z", "a", True),
        (r"\w+", "é", False),  # \w is ASCII unless (?U)
        (r"(?U)\w+", "é", True),
        (r"\d+", "٣", False),
        ("(?i)é", "É", False),  # (?i) is ASCII-only unless (?u)
        ("a(?i)B(?-i)c", "abc", True),  # flags in the middle of a pattern
        ("a(?i)B(?-i)c", "abC", False),
        ("(?x) a b c # comment", "abc", True),
        (r"\x{41}", "A", True),
        (r"\0101", "A", True),
        (r"\cA", "\x01", True),
        (r"\e", "\x1b", True),
        (r"\h+", "\t \xa0", True),
        (r"\R", "\r\n", True),
        ("(?s).*needle.*", "one\nneedle\nthree", True),
        (".*needle.*", "one\nneedle\nthree", True),  # WireMock compiles with DOTALL
    ],
)
def test_java_semantics(pattern: str, value: str, matches: bool) -> None:
    assert full(pattern, value) is matches


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("[a", "Unclosed character class near index 1\n[a\n ^"),
        ("(a", "Unclosed group near index 2\n(a"),
        ("a)", "Unmatched closing ')' near index 0\na)\n^"),
        ("*a", "Dangling meta character near index 0\n*a\n^"),
        (r"\p{Bogus}", "Unknown character property name {Bogus} near index 0\n\\p{Bogus}\n^"),
    ],
)
def test_invalid_patterns_use_java_wording(pattern: str, message: str) -> None:
    with pytest.raises(JavaRegexError) as caught:
        compile_java_regex(pattern)
    assert str(caught.value) == message


@pytest.mark.parametrize("pattern", [r"\G", r"\X", "a{2,1}", r"\q"])
def test_unsupported_or_invalid_constructs_are_rejected(pattern: str) -> None:
    with pytest.raises(JavaRegexError):
        compile_java_regex(pattern)
