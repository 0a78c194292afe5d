"""Multi-value matchers: lifted single matchers, hasExactly, includes."""

from __future__ import annotations

import pytest

from podlab.stub.jvm.errors import InvalidInputError
from podlab.stub.matchers import MultiValuePattern, parse_multi_value_pattern


def m(spec: object) -> MultiValuePattern:
    return parse_multi_value_pattern(spec, "/request/queryParameters/id")


class TestSingle:
    def test_best_value_wins(self) -> None:
        assert m({"equalTo": "2"}).match(["1", "2"]).is_exact_match
        assert m({"equalTo": "2"}).match(["2", "1"]).is_exact_match
        near = m({"equalTo": "abcd"}).match(["zzzz", "abcx"]).distance
        assert near == pytest.approx(0.25)

    def test_missing_parameter_is_one_absent_value(self) -> None:
        assert m({"absent": True}).match(None).is_exact_match
        assert m({"absent": True}).match([]).is_exact_match
        assert not m({"absent": True}).match(["1"]).is_exact_match
        assert m({"doesNotContain": "x"}).match(None).is_exact_match
        assert m({"equalTo": "1"}).match(None).distance == 1.0

    def test_shape(self) -> None:
        single = m({"contains": "x"})
        assert (single.name, single.expected, single.to_json()) == ("contains", "x", {"contains": "x"})


HAS_EXACTLY = {"hasExactly": [{"equalTo": "1"}, {"equalTo": "2"}]}


class TestHasExactly:
    def test_same_values_any_order(self) -> None:
        assert m(HAS_EXACTLY).match(["2", "1"]).is_exact_match

    def test_count_must_agree(self) -> None:
        assert not m(HAS_EXACTLY).match(["1", "2", "3"]).is_exact_match
        assert not m(HAS_EXACTLY).match(["1"]).is_exact_match
        assert m(HAS_EXACTLY).match(None).distance == 1.0

    def test_distance_mixes_count_and_values(self) -> None:
        # size differs (1.0) and both matchers find a value (0.0): (1 + 0) / 2
        assert m(HAS_EXACTLY).match(["1", "2", "3"]).distance == pytest.approx(0.5)

    def test_wiremock_quirk_duplicate_matchers(self) -> None:
        # each matcher only needs *some* value: [1, 1] accepts 1 & 2 (observed on 3.13.2)
        assert m({"hasExactly": [{"equalTo": "1"}, {"equalTo": "1"}]}).match(["1", "2"]).is_exact_match

    def test_shape(self) -> None:
        pattern = m(HAS_EXACTLY)
        assert pattern.to_json() == HAS_EXACTLY
        assert pattern.name == "equalTo 1 AND equalTo 2"
        assert pattern.expected == ""


class TestIncludes:
    def test_every_matcher_finds_a_value(self) -> None:
        spec = {"includes": [{"equalTo": "a"}, {"equalTo": "b"}]}
        assert m(spec).match(["b", "c", "a"]).is_exact_match
        assert m(spec).match(["b", "c"]).distance == pytest.approx(0.5)
        assert not m({"includes": [{"absent": True}]}).match(None).is_exact_match

    def test_shape(self) -> None:
        assert m({"includes": [{"matches": "[0-9]+"}]}).to_json() == {"includes": [{"matches": "[0-9]+"}]}


@pytest.mark.parametrize(
    "spec",
    [{"hasExactly": "x"}, {"includes": [{"nope": 1}]}, {"includes": [{"matches": "(x"}]}, "plain", None],
)
def test_bad_multi_value_specs(spec: object) -> None:
    with pytest.raises(InvalidInputError) as caught:
        m(spec)
    # a hasExactly that is no list: Jackson's binding error points at the operand (3.13.2)
    suffix = "/hasExactly" if spec == {"hasExactly": "x"} else ""
    assert caught.value.errors[0]["source"]["pointer"] == "/request/queryParameters/id" + suffix
