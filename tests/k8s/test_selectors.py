"""Label selectors: the string form and the metav1.LabelSelector object form are one implementation."""

from __future__ import annotations

import pytest

from podlab.k8s.selectors import LabelSelector, SelectorError, selector_matches, selector_string

OBJECT = {
    "matchLabels": {"app": "web"},
    "matchExpressions": [
        {"key": "tier", "operator": "In", "values": ["b", "a"]},
        {"key": "canary", "operator": "DoesNotExist"},
    ],
}


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        ({"app": "web", "tier": "a"}, True),
        ({"app": "web", "tier": "c"}, False),
        ({"app": "web", "tier": "a", "canary": "1"}, False),
        ({"tier": "a"}, False),
    ],
)
def test_object_and_its_string_form_select_alike(labels: dict[str, str], expected: bool) -> None:
    text = selector_string(OBJECT)
    assert text == "app=web,!canary,tier in (a,b)"
    assert selector_matches(OBJECT, labels) is expected
    assert LabelSelector.parse(text).matches(labels) is expected


def test_nil_empty_and_unknown_operator() -> None:
    assert selector_matches(None, {"a": "b"}) is False
    assert selector_matches({}, {"a": "b"}) is True
    assert selector_matches({"matchExpressions": [{"key": "a", "operator": "Near"}]}, {"a": "b"}) is False


def test_string_errors_use_apimachinery_words() -> None:
    with pytest.raises(SelectorError, match="unable to parse requirement"):
        LabelSelector.parse("a,,b")
    with pytest.raises(SelectorError, match="unable to parse requirement"):
        LabelSelector.parse("!a in (x)")
