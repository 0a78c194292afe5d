"""equalToJson, matchesJsonPath (and the Jayway-dialect evaluator), matchesJsonSchema."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from podlab.stub.jvm.errors import InvalidInputError
from podlab.stub.matchers import (
    ContentPattern,
    JsonPathError,
    PathNotFound,
    compile_path,
    parse_content_pattern,
    read,
)
from podlab.stub.matchers.java_text import jackson_pretty, java_double
from podlab.stub.matchers.lenient_json import parse_json


def body(spec: object) -> ContentPattern:
    return parse_content_pattern(spec, "/request/bodyPatterns/0")


def dist(spec: object, text: str) -> float:
    return body(spec).match(text.encode()).distance


class TestEqualToJson:
    def test_numbers_compare_by_value_not_type_of_literal(self) -> None:
        assert dist({"equalToJson": {"a": 1}}, '{"a": 1.0}') == 0.0
        assert dist({"equalToJson": {"a": 1.5}}, '{"a": 1.5000}') == 0.0
        assert dist({"equalToJson": '{"a": 0.1}'}, '{"a": 1e-1}') == 0.0
        assert dist({"equalToJson": {"a": 1}}, '{"a": "1"}') > 0
        assert dist({"equalToJson": {"a": 1}}, '{"a": true}') > 0
        assert dist({"equalToJson": {"a": 0}}, '{"a": false}') > 0

    def test_distance_counts_differing_nodes(self) -> None:
        spec = {"equalToJson": {"a": 1, "b": 2, "c": 3}}
        one_off = dist(spec, '{"a": 1, "b": 2, "c": 4}')
        all_off = dist(spec, '{"a": 9, "b": 9, "c": 9}')
        assert 0 < one_off < all_off <= 1.0
        assert one_off == pytest.approx(1 / 4)

    def test_extra_members_and_items(self) -> None:
        assert dist({"equalToJson": {"a": 1}}, '{"a": 1, "b": 2}') > 0
        loose = {"equalToJson": {"a": [1, 2], "o": {"b": 1}}, "ignoreExtraElements": True}
        assert dist(loose, '{"a": [1, 2, 3], "o": {"b": 1, "c": 2}, "z": 0}') == 0.0
        assert dist(loose, '{"a": [2, 1]}') > 0

    def test_array_order(self) -> None:
        assert dist({"equalToJson": "[1,2]"}, "[2,1]") > 0
        assert dist({"equalToJson": "[1,2]", "ignoreArrayOrder": True}, "[2,1]") == 0.0
        assert dist({"equalToJson": [1, 1, 2], "ignoreArrayOrder": True}, "[1,2,2]") > 0
        objects = {"equalToJson": [{"a": [1, 2]}, {"b": 2}], "ignoreArrayOrder": True}
        assert dist(objects, '[{"b": 2}, {"a": [2, 1]}]') == 0.0

    @pytest.mark.parametrize(
        ("placeholder", "good", "bad"),
        [
            ("${json-unit.any-string}", '"x"', "5"),
            ("${json-unit.any-string}", '""', "null"),
            ("${json-unit.any-number}", "3.5", '"3"'),
            ("${json-unit.any-boolean}", "false", '"true"'),
            ("${json-unit.ignore}", '{"deep": [1]}', None),
            ("#{json-unit.ignore}", "null", None),
            ("${json-unit.ignore-element}", "5", None),
            ("${json-unit.regex}[A-Z]{3}", '"ABC"', '"AB1"'),
            ("${json-unit.regex}[0-9]+", '"12"', "12"),
        ],
    )
    def test_placeholders(self, placeholder: str, good: str, bad: str | None) -> None:
        spec = {"equalToJson": {"v": placeholder}}
        assert dist(spec, f'{{"v": {good}}}') == 0.0
        if bad is not None:
            assert dist(spec, f'{{"v": {bad}}}') > 0
        assert dist(spec, "{}") > 0  # even ignore needs the member to be there

    def test_lenient_body_parsing(self) -> None:
        assert dist({"equalToJson": {"a": 1}}, '{"a":1} trailing') == 0.0
        assert dist({"equalToJson": {"a": 1}}, "{'a':1}") == 0.0
        assert dist({"equalToJson": {"a": 1}}, '{"a":1') == 1.0
        assert dist({"equalToJson": {}}, "") == 1.0
        # observed on 3.13.2: comments are fine, the rest of Jackson's leniencies are off
        assert dist({"equalToJson": {"a": 1}}, '{"a":1 /* c */}') == 0.0
        assert dist({"equalToJson": {"a": "/* kept */"}}, '{"a": "/* kept */"}') == 0.0
        for not_json in ("{a:1}", '{"a":01}', '{"a":1,}', '{"a":NaN}'):
            assert dist({"equalToJson": {"a": 1}}, not_json) == 1.0, not_json

    def test_string_operand_is_kept_as_written(self) -> None:
        pattern = body({"equalToJson": '{"a": 1}'})
        assert pattern.to_json() == {"equalToJson": '{"a": 1}'}
        assert pattern.expected == '{"a": 1}'
        assert body({"equalToJson": {"a": [1]}}).expected == '{"a":[1]}'

    def test_bad_expected_json_is_rejected(self) -> None:
        with pytest.raises(InvalidInputError):
            body({"equalToJson": "{bad json"})


DOC = parse_json(
    """{"store": {"book": [
        {"category": "ref", "author": "Rees", "title": "Sayings", "price": 8.95},
        {"category": "fiction", "author": "Waugh", "title": "Sword", "price": 12.99, "isbn": "0-553"},
        {"category": "fiction", "author": "Tolkien", "title": "Rings", "price": 22.99, "isbn": "0-395"}],
      "bicycle": {"color": "red", "price": 19.95}}, "tags": ["a", "b"], "empty": [], "n": null}"""
)


class TestJsonPathEvaluator:
    @pytest.mark.parametrize(
        ("expression", "expected"),
        [
            ("$.store.bicycle.color", "red"),
            ("$.tags[1]", "b"),
            ("$.tags[-1]", "b"),
            ("$['store']['bicycle']['color']", "red"),
            ("$.store.book[*].author", ["Rees", "Waugh", "Tolkien"]),
            ("$..author", ["Rees", "Waugh", "Tolkien"]),
            ("$.store.book[?(@.isbn)].title", ["Sword", "Rings"]),
            ("$.store.book[?(!@.isbn)].title", ["Sayings"]),
            ("$.store.book[?(@.price < 10)].title", ["Sayings"]),
            ("$.store.book[?(@.category == 'fiction' && @.price > 20)].title", ["Rings"]),
            ("$.store.book[?(@.category == 'ref' || @.price > 20)].title", ["Sayings", "Rings"]),
            ("$.store.book[?(@.author =~ /t.*/i)].title", ["Rings"]),
            ("$.store.book[?(@.author in ['Rees', 'Nobody'])].title", ["Sayings"]),
            ("$.store.book[?(@.author nin ['Rees'])].title", ["Sword", "Rings"]),
            ("$.store.book[?(@.price > $.store.bicycle.price)].title", ["Rings"]),
            ("$.store.book[0,2].title", ["Sayings", "Rings"]),
            ("$.store.book[1:].title", ["Sword", "Rings"]),
            ("$.store.book[:1].title", ["Sayings"]),
            ("$.store.book.length()", 3),
            ("$.tags.size()", 2),
            ("$.store.bicycle.keys()", ["color", "price"]),
            ("$.empty[*]", []),
            ("$.n", None),
            ("store.bicycle.color", "red"),
        ],
    )
    def test_read(self, expression: str, expected: Any) -> None:
        assert read(compile_path(expression), DOC) == expected

    def test_aggregates(self) -> None:
        assert read(compile_path("$.store.book[*].price"), DOC) == [
            Decimal("8.95"),
            Decimal("12.99"),
            Decimal("22.99"),
        ]
        assert read(compile_path("$.nums.max()"), {"nums": [1, 3]}) == 3.0
        assert read(compile_path("$.nums.avg()"), {"nums": [1, 3]}) == 2.0
        assert read(compile_path("$.nums.sum()"), {"nums": [1, 3]}) == 4.0

    @pytest.mark.parametrize(
        "expression", ["$.nope", "$.tags[5]", "$.store.bicycle.color.x", "$.tags.keys()"]
    )
    def test_definite_paths_can_be_missing(self, expression: str) -> None:
        with pytest.raises(PathNotFound):
            read(compile_path(expression), DOC)

    @pytest.mark.parametrize("expression", ["", "$.", "$.a[", "$.a[?(", "$.a[?(@.b == )]", "$.a.nofunc()"])
    def test_invalid_expressions(self, expression: str) -> None:
        with pytest.raises(JsonPathError):
            compile_path(expression)


class TestMatchesJsonPath:
    def test_plain_expression_needs_a_non_empty_result(self) -> None:
        spec = {"matchesJsonPath": "$.a"}
        assert dist(spec, '{"a": false}') == 0.0
        assert dist(spec, '{"a": ""}') == 0.0
        for text in ('{"a": null}', '{"a": []}', '{"a": {}}', "{}", "not json"):
            assert dist(spec, text) == 1.0, text

    def test_sub_matcher_on_scalars_renders_like_java(self) -> None:
        def sub(op: dict[str, Any], doc: str) -> bool:
            return dist({"matchesJsonPath": {"expression": "$.a", **op}}, doc) == 0.0

        assert sub({"equalTo": "5"}, '{"a": 5}')
        assert sub({"equalTo": "1.0"}, '{"a": 1.0}')
        assert not sub({"equalTo": "1"}, '{"a": 1.0}')
        assert sub({"equalTo": "1.0E20"}, '{"a": 1e20}')
        assert sub({"equalTo": "true"}, '{"a": true}')
        assert sub({"contains": '"b" : 1'}, '{"a": {"b": 1}}')  # objects as pretty JSON
        assert sub({"equalToJson": '{"b": 1.0}'}, '{"a": {"b": 1}}')
        assert sub({"contains": "x"}, '{"a": ["y", "x"]}')  # best element of a list
        assert sub({"absent": True}, '{"a": []}')
        assert not sub({"doesNotContain": "x"}, "{}")
        # a date match still scores its distance in time, as WireMock's does: match, not distance 0
        from podlab.stub.matchers import parse_string_pattern

        dated = parse_string_pattern(
            {"matchesJsonPath": {"expression": "$.a", "before": "2030-01-01T00:00:00Z"}}, "/p"
        )
        assert dated.match('{"a": "2020-01-01T00:00:00Z"}').is_exact_match

    def test_sub_matcher_distance_comes_from_the_sub_matcher(self) -> None:
        spec = {"matchesJsonPath": {"expression": "$.code", "equalTo": "ABCD"}}
        assert dist(spec, '{"code": "ABCX"}') == pytest.approx(0.25)

    def test_string_matcher_form_for_headers_and_metadata(self) -> None:
        from podlab.stub.matchers import parse_string_pattern
        from podlab.stub.matchers.json_path_pattern import MatchesJsonPath

        pattern = parse_string_pattern({"matchesJsonPath": {"expression": "$.tag", "equalTo": "t1"}}, "/p")
        assert pattern.match('{"tag": "t1"}').is_exact_match
        assert isinstance(pattern, MatchesJsonPath)
        assert pattern.match_document({"tag": "t1"}).is_exact_match
        assert not pattern.match_document({"tag": "t2"}).is_exact_match

    def test_bad_forms(self) -> None:
        for spec in (
            {"matchesJsonPath": "$.a[?("},
            {"matchesJsonPath": {"equalTo": "x"}},
            {"matchesJsonPath": 5},
        ):
            with pytest.raises(InvalidInputError):
                body(spec)


class TestMatchesJsonSchema:
    schema = '{"type": "object", "properties": {"id": {"type": "integer"}}, "required": ["id"]}'

    def test_validates(self) -> None:
        spec = {"matchesJsonSchema": self.schema}
        assert dist(spec, '{"id": 1}') == 0.0
        assert dist(spec, '{"id": "1"}') > 0
        assert dist(spec, '{"name": "x"}') > 0
        assert dist(spec, "not json") == 1.0

    def test_versions(self) -> None:
        # draft 4 has no notion of 1.0 being an integer; 2020-12 does
        assert dist({"matchesJsonSchema": {"type": "integer"}, "schemaVersion": "V4"}, "1.0") > 0
        assert dist({"matchesJsonSchema": {"type": "integer"}}, "1.0") == 0.0

    def test_to_json_always_names_the_version(self) -> None:
        assert body({"matchesJsonSchema": {"type": "object"}}).to_json() == {
            "matchesJsonSchema": '{\n  "type" : "object"\n}',
            "schemaVersion": "V202012",
        }

    @pytest.mark.parametrize(
        "spec",
        [
            {"matchesJsonSchema": "{}", "schemaVersion": "V5"},
            {"matchesJsonSchema": "not json"},
            {"matchesJsonSchema": {"type": 12}},
        ],
    )
    def test_rejects(self, spec: object) -> None:
        with pytest.raises(InvalidInputError):
            body(spec)


class TestJavaText:
    @pytest.mark.parametrize(
        ("value", "text"),
        [
            (1.0, "1.0"),
            (1000.0, "1000.0"),
            (1e20, "1.0E20"),
            (1.5e-5, "1.5E-5"),
            (12345678.0, "1.2345678E7"),
            (-2.25, "-2.25"),
        ],
    )
    def test_java_double(self, value: float, text: str) -> None:
        assert java_double(value) == text

    def test_jackson_pretty(self) -> None:
        assert jackson_pretty({"b": 1, "c": [1, {"d": Decimal("1.50")}], "e": {}}) == (
            '{\n  "b" : 1,\n  "c" : [ 1, {\n    "d" : 1.5\n  } ],\n  "e" : { }\n}'
        )
        assert json.loads(jackson_pretty({"x": ["y"]})) == {"x": ["y"]}
