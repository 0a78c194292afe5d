"""equalToJson: structural JSON equality with WireMock's (JsonUnit's) options and placeholders.

Semantics, each observed on WireMock 3.13.2:
- numbers compare by value (1 == 1.0 == 1e0; 1.5 == 1.5000), never equal to strings;
- `ignoreExtraElements`: extra object members and extra array items are ignored;
- `ignoreArrayOrder`: arrays compare as multisets ([1,1,2] does not equal [1,2,2]);
- placeholders in expected strings: `${json-unit.any-string}`, `${json-unit.any-number}`,
  `${json-unit.any-boolean}`, `${json-unit.ignore}` / `#{json-unit.ignore}` /
  `${json-unit.ignore-element}` (any value, but the member must be present),
  `${json-unit.regex}RE` (strings only, whole match). `${json-unit.matches:name}` names a
  custom matcher, of which WireMock registers none, so it never matches.
Distance = differences / the larger tree size (WireMock's EqualToJsonPattern), so a body
with one wrong leaf is nearer than one with nothing in common.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from podlab.stub.matchers.base import MatchResult
from podlab.stub.matchers.java_regex import JavaRegexError, compile_java_regex
from podlab.stub.matchers.java_text import jackson_compact
from podlab.stub.matchers.lenient_json import parse_json_cached

_IGNORE = {
    "${json-unit.ignore}",
    "#{json-unit.ignore}",
    "${json-unit.ignore-element}",
    "#{json-unit.ignore-element}",
}
_REGEX_PREFIX = "${json-unit.regex}"


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float | Decimal) and not isinstance(v, bool)


def _placeholder_matches(expected: str, actual: Any) -> bool | None:
    """True/False if `expected` is a placeholder, None if it is a plain string."""
    if expected in _IGNORE:
        return True
    if expected == "${json-unit.any-string}":
        return isinstance(actual, str)
    if expected == "${json-unit.any-number}":
        return _is_number(actual)
    if expected == "${json-unit.any-boolean}":
        return isinstance(actual, bool)
    if expected.startswith(_REGEX_PREFIX):
        if not isinstance(actual, str):
            return False
        try:
            return compile_java_regex(expected[len(_REGEX_PREFIX) :]).fullmatch(actual) is not None
        except JavaRegexError:
            return False
    if expected.startswith("${json-unit.matches:"):
        return False
    return None


@dataclass(frozen=True)
class _Options:
    ignore_array_order: bool
    ignore_extra: bool
    # 2.35.1 (JsonUnit 2.36): a missing or extra member counts the size of its value without
    # null members (`mismatch_size`), where 3.x counts its deep size. Measured on the 2.35.1
    # jar's near misses: {"a":1} against {"a":2,"b":[1,2]} is 4 differences of 6 nodes,
    # {"a":{"b":"x"},"c":null} against [] 4 of 5.
    sized_members: bool = False


def differences(expected: Any, actual: Any, opts: _Options) -> int:
    """How many differences JsonUnit would report (0 = equal under the options).

    Counted as WireMock's distances show (3.13.2 near misses, distance = differences / the
    larger deep size): a differing scalar is one; a missing or extra member or array item counts
    its value's deep size; a value of the wrong kind counts the larger `mismatch_size` of the
    two, a deep size without object members that are null. Seen on the jar: {"a":{"b":"x"},
    "c":null} against [] 0.8 (4 of 5), against {} 0.6 (3); {"x":1} against {"x":1,"a":{"b":[1,2]}}
    0.625 (5 of 8); {"c":null,"d":1} against [] 0.667 (2 of 3); [1,2,3] against [1] 0.5 (2 of 4),
    against [1,5] 0.5; [1,{"a":1}] against [1] 0.4 (2 of 5).
    """
    if isinstance(expected, str):
        verdict = _placeholder_matches(expected, actual)
        if verdict is not None:
            return 0 if verdict else 1
    if isinstance(expected, dict) != isinstance(actual, dict) or isinstance(expected, list) != isinstance(
        actual, list
    ):
        return max(mismatch_size(expected), mismatch_size(actual))
    if isinstance(expected, dict):
        # A missing or extra member: 3.13.2 counts its deep size, 2.35.1 the size without null
        # members (it sizes JsonUnit's difference through the NON_NULL object mapper).
        member_size = mismatch_size if opts.sized_members else deep_size
        count = 0
        for key, value in expected.items():
            if key not in actual:
                count += member_size(value)
            else:
                count += differences(value, actual[key], opts)
        if not opts.ignore_extra:
            count += sum(member_size(value) for key, value in actual.items() if key not in expected)
        return count
    if isinstance(expected, list):
        if opts.ignore_array_order:
            return _unordered_differences(expected, actual, opts)
        count = sum(differences(e, a, opts) for e, a in zip(expected, actual, strict=False))
        count += sum(deep_size(item) for item in expected[len(actual) :])
        if not opts.ignore_extra:
            count += sum(deep_size(item) for item in actual[len(expected) :])
        return count
    if _is_number(expected):
        return 0 if _is_number(actual) and Decimal(str(expected)) == Decimal(str(actual)) else 1
    if isinstance(expected, bool) or expected is None:
        return 0 if type(actual) is type(expected) and actual == expected else 1
    return 0 if expected == actual else 1


def _unordered_differences(expected: list[Any], actual: list[Any], opts: _Options) -> int:
    """Multiset comparison: a maximum matching of equal elements.

    Greedy first (same position, then the first free equal element), which settles the usual
    case in one pass; only if that leaves elements unpaired does Kuhn's augmenting-path search
    look for a better pairing.
    """
    cache: dict[tuple[int, int], bool] = {}

    def equal(i: int, j: int) -> bool:
        key = (i, j)
        if key not in cache:
            cache[key] = differences(expected[i], actual[j], opts) == 0
        return cache[key]

    owner: dict[int, int] = {}
    unplaced: list[int] = []
    for i in range(len(expected)):
        if i < len(actual) and i not in owner and equal(i, i):
            owner[i] = i
            continue
        j = next((j for j in range(len(actual)) if j not in owner and equal(i, j)), None)
        if j is None:
            unplaced.append(i)
        else:
            owner[j] = i

    def place(i: int, seen: set[int]) -> bool:
        for j in range(len(actual)):
            if j in seen or not equal(i, j):
                continue
            seen.add(j)
            if j not in owner or place(owner[j], seen):
                owner[j] = i
                return True
        return False

    missing = sum(1 for i in unplaced if not place(i, set()))
    matched = len(expected) - missing
    extra = 0 if opts.ignore_extra else len(actual) - matched
    # an unpaired expected item and an unpaired actual one read as one differing item
    return max(missing, extra)


def mismatch_size(node: Any) -> int:
    """What a value of the wrong kind counts: its deep size, leaving out object members that
    are null ({"a":{"b":"x"},"c":null} is 4, [null,1,2] still 4)."""
    if not isinstance(node, dict | list):
        return 1
    children = [c for c in node.values() if c is not None] if isinstance(node, dict) else node
    return 1 + sum(1 + (mismatch_size(c) if isinstance(c, dict | list) else 0) for c in children)


def deep_size(node: Any) -> int:
    """WireMock's EqualToJsonPattern.deepSize: a container counts 1, each child 1 more, and a
    container child its own deep size on top (so {"a": [1, 2, 3]} is 6)."""
    if not isinstance(node, dict | list):
        return 1
    children = node.values() if isinstance(node, dict) else node
    return 1 + sum(1 + (deep_size(c) if isinstance(c, dict | list) else 0) for c in children)


@dataclass(frozen=True)
class EqualToJson:
    expected_json: Any  # the parsed expected value (numbers as int/Decimal)
    raw: Any  # the operand as written: a JSON string or a JSON value
    ignore_array_order: bool | None = None
    ignore_extra_elements: bool | None = None
    sized_members: bool = field(default=False, compare=False, repr=False)  # 2.35.1's counting (_Options)
    name: str = field(default="equalToJson", init=False)

    @property
    def expected(self) -> str:
        # Jackson's Json.write of the operand: compact, non-ASCII kept, decimals as Java doubles
        return self.raw if isinstance(self.raw, str) else jackson_compact(self.raw)

    def match(self, value: str | None) -> MatchResult:
        if value is None:
            return MatchResult.no_match()
        try:
            actual = parse_json_cached(value)
        except ValueError:
            return MatchResult.no_match()
        return self.match_parsed(actual)

    def match_parsed(self, actual: Any) -> MatchResult:
        opts = _Options(bool(self.ignore_array_order), bool(self.ignore_extra_elements), self.sized_members)
        diffs = differences(self.expected_json, actual, opts)
        if diffs == 0:
            return MatchResult.exact()
        return MatchResult.partial(diffs / max(deep_size(self.expected_json), deep_size(actual)))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"equalToJson": self.raw}
        if self.ignore_array_order is not None:
            out["ignoreArrayOrder"] = self.ignore_array_order
        if self.ignore_extra_elements is not None:
            out["ignoreExtraElements"] = self.ignore_extra_elements
        return out
