"""Running a translated Java regex without letting one request hold the event loop.

A stub's regex and a request's text both come from outside; `(a+)+$` against thirty `a`s and a
`!` backtracks for minutes in a backtracking engine. Two engines, picked per pattern:

- RE2 (`google-re2`, linear time) for whole-value matches of patterns whose translated text uses
  only constructs RE2 reads exactly as Python's `re` does (`linear_subset` below lists them; when
  unsure, the pattern is not RE2's).
- `regex` (mrab, `re`-compatible in its default VERSION0) with a time budget for everything else:
  look-arounds, backreferences, possessive quantifiers, flags, `search`. A match that runs out
  of budget counts as no match and is logged once per pattern. WireMock has no such case (the JVM
  backtracks as long as it takes); docs/STUB-LIMITS.md says what podlab does instead.

Python's `re` stays the judge of validity (`java_regex.compile_java_regex` compiles with it first),
so error texts do not change.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

# One regex evaluation may take this long before it counts as a miss. `regex` looks at its clock
# only now and then: a 50 ms budget ended after 110-150 ms on two loaded cores, 20 ms after ~60 ms.
# A request can evaluate one pattern a few times (match, near misses, the diff); a value that
# timed out is remembered, so a hostile request costs about one budget.
MATCH_BUDGET_S = 0.02
_REMEMBERED_TIMEOUTS = 64

# Escapes that mean the same in RE2 as in Python's re with re.ASCII (RE2's \s lacks \v, and its
# \b, \A, \Z and \z differ or are spelt differently: those stay with the budgeted engine).
_SAME_ESCAPES = set("dDwWtnrf")
_PUNCT = set("\\.^$|?*+()[]{}-/&~#\"' !,:;<=>@%`_")


def linear_subset(translated: str) -> bool:
    """Whether RE2 reads this translated pattern (as a whole-value match) exactly as `re` does.

    Allowed: literals, `.`, plain classes, `( )`, `(?: )`, `|`, greedy and lazy quantifiers,
    `^` anywhere, `$` only as the final character (in a whole-value match it then only asks for
    the end, which both engines agree on; elsewhere Python's `$` also matches before a final
    newline and RE2's does not), and the escapes in `_SAME_ESCAPES`, `\\xHH` and punctuation.
    """
    i, n = 0, len(translated)
    after_quantifier = False
    while i < n:
        c = translated[i]
        if c == "\\":
            if not _escape_ok(translated, i):
                return False
            i += 4 if translated[i + 1] == "x" else 2
            after_quantifier = False
            continue
        if c == "[":
            end = _class_end(translated, i)
            if end < 0:
                return False
            i, after_quantifier = end, False
            continue
        if c == "(":
            if translated.startswith("(?", i) and not translated.startswith("(?:", i):
                return False  # look-arounds, atomic groups, flags, named groups
            i += 3 if translated.startswith("(?:", i) else 1
            after_quantifier = False
            continue
        if c in "*+?}":
            if after_quantifier and c != "?":  # a possessive quantifier (a*+, a{2}+)
                return False
            after_quantifier = c != "?" or not after_quantifier
        elif c == "{":
            close = translated.find("}", i)
            if close < 0 or not re.fullmatch(r"\d+(,\d*)?", translated[i + 1 : close]):
                return False
            i, after_quantifier = close + 1, True
            continue
        elif c == "$":
            if i != n - 1:
                return False
            after_quantifier = False
        else:
            after_quantifier = False
        i += 1
    return True


def _escape_ok(text: str, i: int) -> bool:
    if i + 1 >= len(text):
        return False
    e = text[i + 1]
    if e == "x":
        return re.fullmatch(r"[0-9a-fA-F]{2}", text[i + 2 : i + 4]) is not None
    return e in _SAME_ESCAPES or e in _PUNCT


def _class_end(text: str, start: int) -> int:
    """Index after the `]` closing a plain class at `start`, or -1 when it holds anything else."""
    i = start + 1
    if text.startswith("^", i):
        i += 1
    if text.startswith("]", i):
        return -1  # a leading ']' is a literal in re; not worth trusting RE2 on
    first = True
    while i < len(text):
        c = text[i]
        if c == "]" and not first:
            return i + 1
        if c == "[":
            return -1  # RE2 reads [[:alpha:]] as a POSIX class; re as '[' and ':'
        if c == "\\":
            if not _escape_ok(text, i):
                return -1
            i += 4 if text[i + 1] == "x" else 2
        else:
            i += 1
        first = False
    return -1


# BoundedPattern.matches remembers at most this many answers per pattern, for texts up to this
# long (URLs, header values): ~10 KB per pattern at most. A timed-out evaluation is a miss for
# good already (`timed_out`), so a remembered answer is always the one evaluating again gives.
_SEEN_MAX = 64
_SEEN_LONGEST = 256


@dataclass
class BoundedPattern:
    """A compiled Java regex whose every evaluation is linear or bounded in time.

    Offers the two calls podlab makes: `fullmatch` (WireMock's `Matcher.matches()`) and `search`
    (regexExtract's `Matcher.find()`); a timed-out evaluation returns None, as a miss does.
    """

    pattern: str  # the Java text, as the stub wrote it
    translated: str
    flags: int
    linear: Any = field(default=None, repr=False)  # re2 pattern, or None
    budgeted: Any = field(default=None, repr=False)  # regex pattern
    timed_out: dict[tuple[str, str], None] = field(default_factory=dict, repr=False)
    # google-re2's Python layer builds a Match object through a generator per call (most of a
    # URL regex stub's serving cost); whether it matches is one call of the C++ RE2 object it
    # wraps, with the whole-value anchor. Private names: without them (set in `compile`),
    # `matches` goes through `fullmatch`.
    linear_match: Any = field(default=None, repr=False, compare=False)
    anchor_both: Any = field(default=None, repr=False, compare=False)
    # `matches` answers for recent short texts: a URL regex stub is asked about the same URLs
    # again and again, and a dict look-up is a fraction of a call into RE2 (through pybind11,
    # with the text encoded). The answer is a function of the text alone (see _SEEN_*).
    seen: dict[str, bool] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def compile(cls, pattern: str, compiled: re.Pattern[str]) -> BoundedPattern:
        """From the `re` pattern that judged the translated text valid."""
        # Imported at the first regex stub: ~1.5 MB of private memory in every stub process
        # (each wiremock pod), and many serve only literal URLs.
        import re2  # type: ignore[import-untyped]
        import regex  # type: ignore[import-untyped]

        translated, flags = compiled.pattern, compiled.flags
        regex_flags = regex.VERSION0 | (regex.DOTALL if flags & re.DOTALL else 0)
        regex_flags |= regex.ASCII if flags & re.ASCII else 0
        linear = None
        if flags & re.ASCII and linear_subset(translated):
            options = re2.Options()
            options.dot_nl = True
            options.log_errors = False
            try:
                linear = re2.compile(translated, options)
            except re2.error:
                linear = None  # e.g. a repeat count over RE2's 1000
        try:
            budgeted: Any = regex.compile(translated, regex_flags)
        except regex.error:
            budgeted = compiled  # not seen in the corpora; keeps re's answer, without a budget
        bound = cls(pattern, translated, flags, linear, budgeted)
        anchor = getattr(getattr(re2, "_Anchor", None), "ANCHOR_BOTH", None)
        linear_match = getattr(getattr(linear, "_regexp", None), "Match", None)
        if anchor is not None and linear_match is not None:
            bound.linear_match, bound.anchor_both = linear_match, anchor
        return bound

    @property
    def engine(self) -> str:
        return "re2" if self.linear is not None else "regex"

    def fullmatch(self, text: str) -> Any:
        if self.linear is not None:
            try:
                return self.linear.fullmatch(text)
            except UnicodeEncodeError:
                pass  # a lone surrogate: RE2 needs UTF-8, the budgeted engine does not
        return self._budgeted("fullmatch", text)

    def matches(self, text: str) -> bool:
        """Whether `fullmatch` would find a match, without building the match."""
        seen = self.seen
        known = seen.get(text)
        if known is not None:
            return known
        found = self._matches(text)
        if len(text) <= _SEEN_LONGEST:  # a body is not worth keeping: its match is rarely asked twice
            if len(seen) >= _SEEN_MAX:
                seen.clear()
            seen[text] = found
        return found

    def _matches(self, text: str) -> bool:
        if self.linear_match is not None:
            try:
                encoded = text.encode("utf-8")
            except UnicodeEncodeError:
                return self._budgeted("fullmatch", text) is not None  # a lone surrogate (see fullmatch)
            return bool(self.linear_match(self.anchor_both, encoded, 0, len(encoded))[0] != (-1, -1))
        return self.fullmatch(text) is not None

    def search(self, text: str) -> Any:
        return self._budgeted("search", text)

    def _budgeted(self, call: str, text: str) -> Any:
        key = (call, text)
        if key in self.timed_out:
            return None
        if isinstance(self.budgeted, re.Pattern):
            return getattr(self.budgeted, call)(text)
        try:
            return getattr(self.budgeted, call)(text, timeout=MATCH_BUDGET_S)
        except TimeoutError:
            if not self.timed_out:
                log.warning(
                    "regex %r took over %d ms on a %d-character value; counted as no match",
                    self.pattern,
                    int(MATCH_BUDGET_S * 1000),
                    len(text),
                )
            if len(self.timed_out) >= _REMEMBERED_TIMEOUTS:
                self.timed_out.pop(next(iter(self.timed_out)))
            self.timed_out[key] = None
            return None
