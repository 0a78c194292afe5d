"""String operators, logical combinators and their distances (WireMock 3.13 semantics)."""

from __future__ import annotations

import random

import pytest

from podlab.stub.jvm.errors import InvalidInputError
from podlab.stub.matchers import MatchResult, StringValuePattern, parse_string_pattern
from podlab.stub.matchers.distance import levenshtein, normalised_levenshtein


def p(spec: object) -> StringValuePattern:
    return parse_string_pattern(spec, "/request/headers/X")


def distance(spec: object, value: str | None) -> float:
    return parse_string_pattern(spec, "/p").match(value).distance


class TestMatchResult:
    def test_exact_and_miss(self) -> None:
        assert MatchResult.exact().is_exact_match
        assert not MatchResult.no_match().is_exact_match
        assert MatchResult.of(True).distance == 0.0
        assert MatchResult.of(False).distance == 1.0

    def test_partial_never_reads_as_exact(self) -> None:
        assert MatchResult.partial(0.0).distance > 0
        assert MatchResult.partial(3.0).distance == 1.0

    def test_aggregate_is_the_mean(self) -> None:
        result = MatchResult.aggregate(
            [MatchResult.exact(), MatchResult.no_match(), MatchResult.partial(0.5)]
        )
        assert result.distance == pytest.approx(0.5)
        assert MatchResult.aggregate([MatchResult.exact(), MatchResult.exact()]).is_exact_match
        assert MatchResult.aggregate([]).is_exact_match

    def test_aggregate_weighted(self) -> None:
        result = MatchResult.aggregate_weighted([(MatchResult.no_match(), 10.0), (MatchResult.exact(), 1.0)])
        assert result.distance == pytest.approx(10 / 11)


class TestLevenshtein:
    @pytest.mark.parametrize(
        ("a", "b", "d"),
        [("", "", 0), ("abc", "", 3), ("kitten", "sitting", 3), ("flaw", "lawn", 2), ("a", "a", 0)],
    )
    def test_edit_distance(self, a: str, b: str, d: int) -> None:
        assert levenshtein(a, b) == d
        assert levenshtein(b, a) == d

    def test_agrees_with_the_textbook_table(self) -> None:
        def textbook(a: str, b: str) -> int:
            rows = [list(range(len(b) + 1))]
            for i, ca in enumerate(a, 1):
                row = [i]
                for j, cb in enumerate(b, 1):
                    row.append(min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (ca != cb)))
                rows.append(row)
            return rows[-1][-1]

        rng = random.Random(7)
        for _ in range(3000):
            a = "".join(rng.choice("abc") for _ in range(rng.randrange(9)))
            b = "".join(rng.choice("abc") for _ in range(rng.randrange(9)))
            assert levenshtein(a, b) == textbook(a, b), (a, b)

    def test_normalised_by_longer_string(self) -> None:
        assert normalised_levenshtein("kitten", "sitting") == pytest.approx(3 / 7)
        assert normalised_levenshtein("x", None) == 1.0
        assert normalised_levenshtein("", "") == 0.0

    def test_long_inputs_stay_fast_and_ranked(self) -> None:
        base = "a" * 20_000
        near = normalised_levenshtein(base, base[:-1] + "b")
        far = normalised_levenshtein(base, "z" * 20_000)
        assert 0 <= near < far <= 1.0


class TestEqualTo:
    def test_exact_and_case(self) -> None:
        assert distance({"equalTo": "abc"}, "abc") == 0.0
        assert distance({"equalTo": "abc"}, "ABC") > 0
        assert distance({"equalTo": "ABC", "caseInsensitive": True}, "ABC") == 0.0
        # A case-insensitive match is exact but, as in WireMock 3.13.2 (EqualToPattern.getDistance),
        # still scored on the raw strings, so near misses holding it rank as WireMock's do.
        assert p({"equalTo": "ABC", "caseInsensitive": True}).match("aBc").is_exact_match
        assert distance({"equalTo": "ABC", "caseInsensitive": True}, "aBc") == pytest.approx(2 / 3)
        assert p({"equalTo": "é", "caseInsensitive": True}).match("É").is_exact_match
        assert distance({"equalTo": "é", "caseInsensitive": True}, "É") == 1.0

    def test_distance_is_normalised_levenshtein(self) -> None:
        assert distance({"equalTo": "/my/url"}, "/my/uri") == pytest.approx(1 / 7)
        assert distance({"equalTo": "abc"}, None) == 1.0
        # nearer strings score lower: this is what ranks near misses
        assert distance({"equalTo": "hello"}, "hellp") < distance({"equalTo": "hello"}, "world")

    def test_name_expected_and_json(self) -> None:
        m = p({"equalTo": "v", "caseInsensitive": "true"})
        assert (m.name, m.expected) == ("equalTo", "v")
        assert m.to_json() == {"equalTo": "v", "caseInsensitive": True}


class TestContainsAndRegex:
    def test_contains(self) -> None:
        assert distance({"contains": "thing"}, "mythings") == 0.0
        assert distance({"contains": "thing"}, "otherstuff") == 1.0
        assert distance({"contains": "x"}, None) == 1.0

    def test_does_not_contain_matches_absent(self) -> None:
        assert distance({"doesNotContain": "secret"}, "public") == 0.0
        assert distance({"doesNotContain": "secret"}, "top secret") == 1.0
        assert distance({"doesNotContain": "secret"}, None) == 0.0

    def test_matches_is_whole_value_and_dotall(self) -> None:
        assert distance({"matches": "[0-9]+"}, "007") == 0.0
        assert distance({"matches": "[0-9]+"}, "7a") == 1.0
        assert distance({"matches": "ab"}, "abc") == 1.0
        assert distance({"matches": "a.c"}, "a\nc") == 0.0
        assert distance({"matches": ".*"}, None) == 1.0

    def test_does_not_match(self) -> None:
        assert distance({"doesNotMatch": "ab.*"}, "abc") == 1.0
        assert distance({"doesNotMatch": "ab"}, "abc") == 0.0
        assert distance({"doesNotMatch": "a.*"}, None) == 0.0

    def test_invalid_regex_is_invalid_input(self) -> None:
        with pytest.raises(InvalidInputError) as caught:
            p({"matches": "[a"})
        assert caught.value.errors[0]["source"] == {"pointer": "/request/headers/X"}
        assert caught.value.errors[0]["detail"] == "Unclosed character class near index 1\n[a\n ^"


class TestAbsentAnything:
    def test_absent(self) -> None:
        assert distance({"absent": True}, None) == 0.0
        assert distance({"absent": True}, "") == 1.0
        assert p({"absent": False}).to_json() == {"absent": True}

    def test_absent_wins_over_other_keys(self) -> None:
        assert p({"equalTo": "x", "absent": True}).to_json() == {"absent": True}

    def test_anything(self) -> None:
        assert distance({"anything": "whatever"}, None) == 0.0
        assert p({"anything": "5"}).to_json() == {"anything": "anything"}

    @pytest.mark.parametrize("operand", [True, None, 1, 5])
    def test_anything_operand_must_be_a_string(self, operand: object) -> None:
        # WireMock 3.13.2 answers 422 "anything operand must be a non-null string" (measured)
        with pytest.raises(InvalidInputError, match="anything operand must be a non-null string"):
            p({"anything": operand})


class TestLogical:
    def test_and_is_the_mean_of_its_operands(self) -> None:
        spec = {"and": [{"contains": "a"}, {"contains": "b"}]}
        assert distance(spec, "xaby") == 0.0
        assert distance(spec, "a") == pytest.approx(0.5)
        assert p(spec).expected == "contains a AND contains b"

    def test_or_takes_the_nearest(self) -> None:
        spec = {"or": [{"equalTo": "abcd"}, {"equalTo": "zzzz"}]}
        assert distance(spec, "zzzz") == 0.0
        assert distance(spec, "abcx") == pytest.approx(0.25)
        assert distance({"or": [{"matches": "[0-9]+"}, {"absent": True}]}, None) == 0.0

    def test_not_is_zero_or_one(self) -> None:
        assert distance({"not": {"equalTo": "abc"}}, "abd") == 0.0
        assert distance({"not": {"equalTo": "abc"}}, "abc") == 1.0
        assert distance({"not": {"absent": True}}, None) == 1.0
        assert p({"not": {"contains": "x"}}).expected == "x"

    def test_nested_logic_round_trips(self) -> None:
        spec = {"and": [{"not": {"contains": "q"}}, {"or": [{"matches": "a+"}, {"equalTo": "b"}]}]}
        assert p(spec).to_json() == spec
        assert distance(spec, "aaa") == 0.0
        assert distance(spec, "q") > 0

    @pytest.mark.parametrize(
        ("spec", "detail"),
        [
            ({"and": [{"contains": "a"}]}, "Must be constructed with at least two matchers"),
            ({"or": "x"}, "and field must be an array of matchers"),
            ({"not": "x"}, '"x" is not a valid match operation'),
            ({"and": [{"contains": "a"}, {"bogus": 1}]}, '{"bogus":1} is not a valid match operation'),
        ],
    )
    def test_bad_operands(self, spec: object, detail: str) -> None:
        with pytest.raises(InvalidInputError) as caught:
            p(spec)
        assert caught.value.errors[0]["detail"] == detail


@pytest.mark.parametrize(
    "spec",
    [
        {"equalTo": "a"},
        {"equalTo": "a", "caseInsensitive": False},
        {"contains": "a"},
        {"doesNotContain": "a"},
        {"matches": "a.*"},
        {"doesNotMatch": "a"},
        {"absent": True},
        {"anything": "anything"},
        {
            "before": "2021-01-01T00:00:00Z",
            "actualFormat": "yyyy-MM-dd",
            "truncateActual": "first day of month",
        },
        {"after": "now +3 days"},
        {"equalToJson": {"a": [1, 2]}, "ignoreArrayOrder": True, "ignoreExtraElements": False},
        {"matchesJsonPath": {"expression": "$.a", "equalTo": "x"}},
        {"matchesJsonSchema": '{"type":"object"}', "schemaVersion": "V7"},
        {"equalToXml": "<a/>", "enablePlaceholders": True},
        {"matchesXPath": {"expression": "/a", "contains": "x"}, "xPathNamespaces": {"s": "urn:x"}},
    ],
)
def test_to_json_parses_back_to_itself(spec: dict[str, object]) -> None:
    once = p(spec).to_json()
    assert once == spec
    assert p(once).to_json() == once
