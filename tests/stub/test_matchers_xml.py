"""equalToXml and matchesXPath."""

from __future__ import annotations

from pathlib import Path

import pytest

from podlab.stub.jvm.errors import InvalidInputError
from podlab.stub.matchers import ContentPattern, parse_content_pattern, parse_string_pattern


def body(spec: object) -> ContentPattern:
    return parse_content_pattern(spec, "/request/bodyPatterns/0")


def dist(spec: object, text: str) -> float:
    return body(spec).match(text.encode()).distance


class TestEqualToXml:
    @pytest.mark.parametrize(
        ("expected", "actual"),
        [
            ("<a><b>x</b><c>y</c></a>", "<a>\n  <b>x</b>\n  <c>y</c>\n</a>"),
            ('<a x="1" y="2"/>', '<a y="2" x="1"/>'),
            ("<a><!-- c --><b/></a>", "<a><b/></a>"),
            ('<p:a xmlns:p="urn:x"/>', '<q:a xmlns:q="urn:x"/>'),
            ("<a>x</a>", "<a> x </a>"),
            ("<a/>", '<?xml version="1.0"?><a></a>'),
            ("<a><b>1</b><c>2</c></a>", "<a><c>2</c><b>1</b></a>"),
        ],
    )
    def test_equal(self, expected: str, actual: str) -> None:
        assert dist({"equalToXml": expected}, actual) == 0.0

    @pytest.mark.parametrize(
        ("expected", "actual"),
        [
            ("<a><b>1</b><b>2</b></a>", "<a><b>2</b><b>1</b></a>"),
            ('<a x="1"/>', '<a x="1" z="3"/>'),
            ('<p:a xmlns:p="urn:x"/>', '<q:a xmlns:q="urn:y"/>'),
            ("<a>x y</a>", "<a>x  y</a>"),
            ("<a><b/></a>", "<a><b/><b/></a>"),
            ("<a/>", "not xml"),
            ("<a/>", ""),
        ],
    )
    def test_different(self, expected: str, actual: str) -> None:
        assert dist({"equalToXml": expected}, actual) > 0

    def test_distance_grows_with_differences(self) -> None:
        spec = {"equalToXml": "<a><b>1</b><c>2</c><d>3</d></a>"}
        one = dist(spec, "<a><b>1</b><c>2</c><d>x</d></a>")
        three = dist(spec, "<a><b>x</b><c>x</c><d>x</d></a>")
        assert 0 < one < three <= 1

    def test_placeholders_need_enabling(self) -> None:
        text = "<a><id>${xmlunit.ignore}</id><n>1</n></a>"
        assert dist({"equalToXml": text}, "<a><id>q</id><n>1</n></a>") > 0
        on = {"equalToXml": text, "enablePlaceholders": True}
        assert dist(on, "<a><id>anything</id><n>1</n></a>") == 0.0
        assert dist(on, "<a><id>q</id><n>2</n></a>") > 0

    @pytest.mark.parametrize(
        ("placeholder", "good", "bad"),
        [
            ("${xmlunit.isNumber}", "12", "x"),
            ("${xmlunit.matchesRegex(^\\d+$)}", "12", "1a"),
            ("${xmlunit.isDateTime}", "2021-01-01T00:00:00", "yesterday"),
        ],
    )
    def test_placeholder_kinds(self, placeholder: str, good: str, bad: str) -> None:
        spec = {"equalToXml": f"<a>{placeholder}</a>", "enablePlaceholders": True}
        assert dist(spec, f"<a>{good}</a>") == 0.0
        assert dist(spec, f"<a>{bad}</a>") > 0

    def test_placeholder_in_attribute_and_custom_delimiters(self) -> None:
        assert (
            dist({"equalToXml": '<a x="${xmlunit.ignore}"/>', "enablePlaceholders": True}, '<a x="5"/>')
            == 0.0
        )
        custom = {
            "equalToXml": "<a>[xmlunit.ignore]</a>",
            "enablePlaceholders": True,
            "placeholderOpeningDelimiterRegex": "\\[",
            "placeholderClosingDelimiterRegex": "\\]",
        }
        assert dist(custom, "<a>x</a>") == 0.0

    def test_exempted_comparisons(self) -> None:
        assert dist({"equalToXml": "<a>1</a>", "exemptedComparisons": ["TEXT_VALUE"]}, "<a>2</a>") == 0.0
        assert dist({"equalToXml": "<a/>", "exemptedComparisons": ["ELEMENT_TAG_NAME"]}, "<b/>") == 0.0
        assert dist({"equalToXml": '<a x="1"/>', "exemptedComparisons": ["ATTR_VALUE"]}, '<a x="2"/>') == 0.0

    def test_ignore_order_of_same_node(self) -> None:
        spec = {"equalToXml": "<a><b>1</b><b>2</b></a>", "ignoreOrderOfSameNode": True}
        assert dist(spec, "<a><b>2</b><b>1</b></a>") == 0.0

    def test_no_external_entities(self, tmp_path: Path) -> None:
        secret = tmp_path / "secret.txt"
        secret.write_text("s3cret")
        xxe = f'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e SYSTEM "{secret.as_uri()}">]><a>&e;</a>'
        assert dist({"equalToXml": "<a>s3cret</a>"}, xxe) > 0
        assert dist({"matchesXPath": {"expression": "/a/text()", "contains": "s3cret"}}, xxe) > 0

    @pytest.mark.parametrize(
        "spec",
        [
            {"equalToXml": "<a>"},
            {"equalToXml": 1},
            {"equalToXml": "<a/>", "exemptedComparisons": ["BOGUS"]},
            {"equalToXml": "<a/>", "namespaceAwareness": "SOMETIMES"},
            {"equalToXml": "<a/>", "enablePlaceholders": True, "placeholderOpeningDelimiterRegex": "[("},
        ],
    )
    def test_rejects(self, spec: object) -> None:
        with pytest.raises(InvalidInputError):
            body(spec)


class TestMatchesXPath:
    @pytest.mark.parametrize(
        ("expression", "doc", "matches"),
        [
            ("/a/b", "<a><b/></a>", True),
            ("/a/c", "<a><b/></a>", False),
            ("/a/b/text()", "<a><b></b></a>", False),
            ("count(/a/c)", "<a><b/></a>", True),  # any non-node result matches
            ("/a/b = 'x'", "<a><b>y</b></a>", True),
            ("/list[count(item) = 2]", "<list><item/><item/></list>", True),
            ("/list[count(item) = 2]", "<list><item/></list>", False),
            ("/a[b='x']", '<a xmlns="urn:d"><b>x</b></a>', True),  # namespace-unaware by default
            ("//a[", "<a/>", False),  # invalid XPath: accepted at load, never matches
            ("/a", "not xml", False),
        ],
    )
    def test_plain(self, expression: str, doc: str, matches: bool) -> None:
        assert (dist({"matchesXPath": expression}, doc) == 0.0) is matches

    def test_namespaces(self) -> None:
        spec = {"matchesXPath": "/s:env/s:body", "xPathNamespaces": {"s": "urn:test:env"}}
        assert dist(spec, '<e:env xmlns:e="urn:test:env"><e:body>1</e:body></e:env>') == 0.0
        assert dist(spec, "<env><body>1</body></env>") > 0

    @pytest.mark.parametrize(
        ("sub", "expression", "doc", "matches"),
        [
            ({"equalTo": "x"}, "/a/b/text()", "<a><b>x</b></a>", True),
            ({"equalTo": "x"}, "//b/text()", "<a><b>y</b><b>x</b></a>", True),  # best node wins
            ({"equalTo": "7"}, "/a/@id", '<a id="7"/>', True),
            ({"equalTo": "2"}, "count(/a/b)", "<a><b/><b/></a>", True),
            ({"equalTo": "x"}, "/a/b", "<a><b>x</b></a>", False),  # elements render as XML
            ({"equalTo": "<b>x</b>\n"}, "/a/b", "<a><b>x</b></a>", True),
            ({"equalTo": "<b>\n  <c>x</c>\n</b>\n"}, "/a/b", "<a><b><c>x</c></b></a>", True),
            ({"equalToXml": "<b>x</b>"}, "/a/b", "<a><b>y</b><b>x</b></a>", True),
            ({"absent": True}, "/a/c", "<a><b/></a>", False),  # no nodes never matches
        ],
    )
    def test_sub_matcher(self, sub: dict[str, object], expression: str, doc: str, matches: bool) -> None:
        spec = {"matchesXPath": {"expression": expression, **sub}}
        assert (dist(spec, doc) == 0.0) is matches

    def test_as_header_matcher(self) -> None:
        pattern = parse_string_pattern({"matchesXPath": "/a"}, "/request/headers/X")
        assert pattern.match("<a/>").is_exact_match
        assert not pattern.match(None).is_exact_match

    def test_rejects_missing_expression(self) -> None:
        for spec in ({"matchesXPath": 1}, {"matchesXPath": {"equalTo": "x"}}):
            with pytest.raises(InvalidInputError) as caught:
                body(spec)
            assert (
                caught.value.errors[0]["detail"] == "expression is required in the advanced matchesXPath form"
            )
