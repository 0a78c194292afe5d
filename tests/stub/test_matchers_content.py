"""Body (content) patterns: string matchers on the decoded body, binaryEqualTo on bytes."""

from __future__ import annotations

import pytest

from podlab.stub.jvm.errors import InvalidInputError
from podlab.stub.matchers import ContentPattern, parse_content_pattern


def body(spec: object) -> ContentPattern:
    return parse_content_pattern(spec, "/request/bodyPatterns/2")


def test_string_matchers_see_the_body_as_utf8_text() -> None:
    assert body({"equalTo": "héllo"}).match("héllo".encode()).is_exact_match
    assert not body({"equalTo": "hello"}).match(b"hello ").is_exact_match
    assert body({"equalTo": "Hello", "caseInsensitive": True}).match(b"hELLO").is_exact_match
    assert body({"contains": "needle"}).match(b"hay needle hay").is_exact_match
    assert body({"matches": "[a-z]+[0-9]+"}).match(b"abc123").is_exact_match
    assert not body({"matches": "[a-z]+[0-9]+"}).match(b"abc123!").is_exact_match
    assert (
        body({"and": [{"contains": "alpha"}, {"contains": "beta"}]}).match(b"alpha and beta").is_exact_match
    )


def test_empty_body_is_empty_not_absent() -> None:
    assert not body({"absent": True}).match(b"").is_exact_match
    assert body({"equalTo": ""}).match(b"").is_exact_match


def test_body_distance_ranks_near_misses() -> None:
    pattern = body({"equalTo": "hello world"})
    assert 0 < pattern.match(b"hello worle").distance < pattern.match(b"something else").distance


def test_binary_equal_to() -> None:
    pattern = body({"binaryEqualTo": "AAEC//4="})
    assert pattern.match(bytes([0, 1, 2, 255, 254])).is_exact_match
    assert not pattern.match(bytes([0, 1, 2])).is_exact_match
    assert (pattern.name, pattern.expected, pattern.to_json()) == (
        "binaryEqualTo",
        "AAEC//4=",
        {"binaryEqualTo": "AAEC//4="},
    )
    assert body({"binaryEqualTo": "aGk"}).match(b"hi").is_exact_match  # padding is optional


def test_content_pattern_shape_delegates() -> None:
    pattern = body({"equalToJson": {"a": 1}, "ignoreExtraElements": True})
    assert pattern.name == "equalToJson"
    assert pattern.expected == '{"a":1}'
    assert pattern.to_json() == {"equalToJson": {"a": 1}, "ignoreExtraElements": True}


@pytest.mark.parametrize(
    ("spec", "detail"),
    [
        ({"binaryEqualTo": "not base64!!"}, "Illegal base64 character 20"),
        (
            {"hasExactly": [{"equalTo": "1"}]},
            '{"hasExactly":[{"equalTo":"1"}]} is not a valid match operation',
        ),
        ({"equalTo": None}, "equalTo operand must be a non-null string"),
    ],
)
def test_rejects_with_pointer(spec: object, detail: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        body(spec)
    assert caught.value.to_json() == {
        "errors": [
            {
                "code": 10,
                "source": {"pointer": "/request/bodyPatterns/2"},
                "title": "Error parsing JSON",
                "detail": detail,
            }
        ]
    }
