"""Templating behaviour that a recorded golden output cannot pin: random values, the clock,
the environment, `apply_templating`'s contract, and the value rules underneath.

Expected strings are WireMock 3.13.2's where they are deterministic (observed on the real server
the same way as tests/stub/test_templating_golden.py); random helpers are checked for their
shape and bounds over many draws.
"""

from __future__ import annotations

import copy
import re
import socket
from datetime import UTC, datetime
from typing import Any

import pytest

from podlab.stub.model.request import LoggedRequest
from podlab.stub.templating import (
    TemplateError,
    TemplateModel,
    apply_templating,
    compile_template,
    render_response_template,
)
from podlab.stub.templating.jsonpath import JsonPathError, PathNotFound, compile_path
from podlab.stub.templating.values import ListOrSingle, java_double_str, java_hash_order

FIXED = datetime(2024, 3, 5, 10, 20, 30, 123000, tzinfo=UTC)


def model(
    url: str = "/p?x=1",
    *,
    body: str = "",
    headers: dict[str, str] | None = None,
    parameters: dict[str, Any] | None = None,
    **kwargs: Any,
) -> TemplateModel:
    request = LoggedRequest.from_json(
        {
            "url": url,
            "method": "POST" if body else "GET",
            "headers": headers or {},
            "body": body,
            "absoluteUrl": "http://localhost:8080" + url,
            "clientIp": "10.1.2.3",
        }
    )
    kwargs.setdefault("now", lambda: FIXED)
    return TemplateModel.from_request(request, parameters=parameters, **kwargs)


def render(template: str, m: TemplateModel | None = None) -> str:
    return render_response_template(template, m or model())


# --- random values ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "pattern"),
    [
        ("{{randomValue}}", r"[a-z0-9]{36}"),  # lower case unless uppercase=true (observed)
        ("{{randomValue length=12 type='ALPHABETIC'}}", r"[a-z]{12}"),
        ("{{randomValue length=5 type='NUMERIC'}}", r"[0-9]{5}"),
        ("{{randomValue length=8 type='HEXADECIMAL' uppercase=true}}", r"[0-9A-F]{8}"),
        ("{{randomValue length=7 type='ALPHANUMERIC_AND_SYMBOLS'}}", r"[!-~]{7}"),
        (
            "{{randomValue type='UUID'}}",
            r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
        ),
    ],
)
def test_random_value_shapes(template: str, pattern: str) -> None:
    outputs = {render(template) for _ in range(20)}
    assert all(re.fullmatch(pattern, out) for out in outputs), outputs
    assert len(outputs) > 1, "twenty draws should not all be equal"


def test_random_value_of_an_unknown_type_is_any_printable_ascii() -> None:
    # WireMock falls back to randomAscii (space to '~'), lower-cased like the other types.
    drawn = "".join(render("{{randomValue length=50 type='NOPE'}}") for _ in range(10))
    assert len(drawn) == 500 and all(" " <= ch <= "~" and not ch.isupper() for ch in drawn)
    assert any(not ch.isalnum() for ch in drawn)


def test_pick_random_from_nothing_fails_like_wiremock() -> None:
    with pytest.raises(TemplateError, match="bound must be positive"):
        render("{{pickRandom (array)}}")


def test_random_int_stays_in_lower_inclusive_upper_exclusive() -> None:
    draws = {int(render("{{randomInt lower=3 upper=6}}")) for _ in range(200)}
    assert draws == {3, 4, 5}


def test_random_decimal_stays_in_bounds() -> None:
    draws = [float(render("{{randomDecimal lower=1.5 upper=1.6}}")) for _ in range(100)]
    assert all(1.5 <= d <= 1.6 for d in draws)


def test_pick_random_picks_members() -> None:
    draws = {render("{{pickRandom 'a' 'b' 'c'}}") for _ in range(100)}
    assert draws == {"a", "b", "c"}
    picked = render("{{pickRandom (array 1 2 3 4) count=2}}")
    items = picked.strip("[]").split(", ")
    assert len(items) == 2 and len(set(items)) == 2 and set(items) <= {"1", "2", "3", "4"}


# --- clock ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{now}}", "2024-03-05T10:20:30Z"),
        ("{{now timezone='Europe/Berlin'}}", "2024-03-05T11:20:30+01:00"),
        ("{{now format='epoch'}}", "1709634030123"),
        ("{{now format='unix'}}", "1709634030"),
        ("{{now offset='3 days' format='yyyy-MM-dd'}}", "2024-03-08"),
        ("{{now offset='now -1 years' format='yyyy'}}", "2023"),
        ("{{now format='EEE, d MMM yyyy HH:mm:ss z' timezone='GMT'}}", "Tue, 5 Mar 2024 10:20:30 GMT"),
        (
            "{{now format=\"yyyy-MM-dd'T'HH:mm:ss.SSSXXX\" timezone='Asia/Kolkata'}}",
            "2024-03-05T15:50:30.123+05:30",
        ),
        ("{{truncateDate (now) 'first day of next month'}}", "2024-04-01T00:00:00Z"),
        ("{{date (now offset='2 hours') format='HH:mm'}}", "12:20"),
    ],
)
def test_now_uses_the_model_clock(template: str, expected: str) -> None:
    assert render(template) == expected


def test_bad_offset_fails_like_wiremock() -> None:
    with pytest.raises(TemplateError, match=r"^1:2: java.lang.IllegalArgumentException: Offset can be"):
        render("{{now offset='soon'}}")


def test_now_without_a_clock_reads_the_system_clock() -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    stamp = render("{{now}}", model(now=None))
    after = datetime.now(UTC)
    moment = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert before <= moment <= after


# --- environment ----------------------------------------------------------------------------------


def test_hostname_is_this_machine() -> None:
    assert render("{{hostname}}") == socket.gethostname()


def test_system_value_is_restricted_to_permitted_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MY_WIREMOCK_VALUE", "allowed")
    monkeypatch.setenv("SECRET_TOKEN", "hidden")
    assert render("{{systemValue key='MY_WIREMOCK_VALUE'}}") == "allowed"
    assert render("{{systemValue key='SECRET_TOKEN'}}") == "[ERROR: Access to SECRET_TOKEN is denied]"
    assert render("{{systemValue key=''}}") == "[ERROR: The key cannot be empty]"
    opened = model(permitted_system_keys=("SECRET_.*",))
    assert render("{{systemValue key='SECRET_TOKEN'}}", opened) == "hidden"
    assert render("{{systemValue key='SECRET_MISSING' default='d'}}", opened) == "d"


# --- the model ------------------------------------------------------------------------------------


def test_request_model_fields() -> None:
    m = model(
        "/users/a%20b/x?q=1&q=2",
        body="payload",
        headers={"X-Trace": "t1", "Cookie": "s=abc"},
        parameters={"p": {"deep": [1, 2]}},
        path_params={"id": "a%20b"},
    )
    assert (
        render("{{request.path}}|{{request.path.[1]}}|{{request.path.id}}", m) == "/users/a%20b/x|a%20b|a%20b"
    )
    assert render("{{request.query.q}}|{{request.query.q.[1]}}|{{request.query.q.last}}", m) == "1|2|2"
    assert (
        render("{{request.headers.x-trace}}|{{request.cookies.s}}|{{request.clientIp}}", m)
        == "t1|abc|10.1.2.3"
    )
    assert (
        render("{{request.baseUrl}}|{{request.port}}|{{request.method}}", m)
        == "http://localhost:8080|8080|POST"
    )
    assert render("{{request.bodyAsBase64}}|{{parameters.p.deep.[1]}}", m) == "cGF5bG9hZA==|2"
    assert re.fullmatch(r"[0-9a-f-]{36}", render("{{request.id}}", m))


def test_no_html_escaping() -> None:
    # WireMock 3.13.2 writes {{...}} output verbatim (observed with x=<&"'`=>).
    m = model("/p?x=%3C%26%22%27%60%3D%3E")
    assert render("{{request.query.x}}|{{{request.query.x}}}", m) == "<&\"'`=>|<&\"'`=>"


def test_a_multi_value_is_not_equal_to_a_string() -> None:
    # Conformance case tpl-eq-non-string-quirk-28.
    assert render("{{eq request.query.x '1'}}|{{eq request.query.x.[0] '1'}}") == "false|true"


# --- apply_templating -----------------------------------------------------------------------------


def test_apply_templating_renders_every_templated_part_and_leaves_the_input_alone() -> None:
    definition: dict[str, Any] = {
        "status": 201,
        "statusMessage": "Made {{request.query.x}}",
        "body": "x={{request.query.x}}",
        "headers": {"X-One": "{{request.query.x}}", "X-Many": ["a{{request.query.x}}", "b"]},
        "proxyBaseUrl": "http://backend-{{request.query.x}}",
        "transformers": ["response-template"],
    }
    original = copy.deepcopy(definition)
    out = apply_templating(definition, model())
    assert definition == original
    assert out["body"] == "x=1"
    assert out["statusMessage"] == "Made {{request.query.x}}"  # not templated on WireMock 3.13.2
    assert out["headers"] == {"X-One": "1", "X-Many": ["a1", "b"]}
    assert out["proxyBaseUrl"] == "http://backend-1"
    assert out["status"] == 201 and out["transformers"] == ["response-template"]


def test_apply_templating_json_body() -> None:
    out = apply_templating({"jsonBody": {"id": "{{request.query.x}}", "n": 1}}, model())
    assert out["jsonBody"] == {"id": "1", "n": 1}
    # A template that breaks the JSON fails the response (WireMock: 500, JsonMappingException).
    with pytest.raises(TemplateError, match="JsonMappingException"):
        apply_templating({"jsonBody": {"k": "{{{request.query.q}}}"}}, model("/p?q=%22"))


def test_apply_templating_body_file() -> None:
    files = {"item-1.json": '{"item": "{{request.query.x}}"}'}
    out = apply_templating(
        {"bodyFileName": "item-{{request.query.x}}.json"}, model(), read_body_file=files.get
    )
    assert out == {"body": '{"item": "1"}'}
    missing = apply_templating(
        {"bodyFileName": "nope-{{request.query.x}}"}, model(), read_body_file=files.get
    )
    assert missing == {"bodyFileName": "nope-1"}


def test_apply_templating_leaves_base64_bodies_alone() -> None:
    definition = {"base64Body": "e3tyZXF1ZXN0LnVybH19"}
    assert apply_templating(definition, model()) == definition


def test_apply_templating_raises_on_a_broken_template() -> None:
    with pytest.raises(TemplateError, match="could not find helper: 'nohelper'"):
        apply_templating({"headers": {"X": "{{nohelper 1}}"}}, model())


def test_templates_compile_once() -> None:
    template = "{{upper 'cached'}} unique-8f2c"
    first = compile_template(template)
    assert compile_template(template) is first


# --- value rules and JSONPath ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [(6.0, "6.0"), (3.5, "3.5"), (1e10, "1.0E10"), (1.5e-5, "1.5E-5"), (0.001, "0.001"), (-0.0, "-0.0"),
     (12345678.9, "1.23456789E7"), (float("nan"), "NaN")],
)  # fmt: skip
def test_java_double_to_string(value: float, text: str) -> None:
    assert java_double_str(value) == text


def test_hash_map_order_matches_wiremock() -> None:
    # Observed: ?zeta=1&alpha=2&mid=3&Bb=4&aa=5&x1=6 printed {zeta=1, Bb=4, aa=5, alpha=2, mid=3, x1=6}.
    assert java_hash_order(["zeta", "alpha", "mid", "Bb", "aa", "x1"]) == [
        "zeta",
        "Bb",
        "aa",
        "alpha",
        "mid",
        "x1",
    ]
    m = model("/p?zeta=1&alpha=2&mid=3&Bb=4&aa=5&x1=6")
    assert render("{{request.query}}", m) == "{zeta=1, Bb=4, aa=5, alpha=2, mid=3, x1=6}"


def test_list_or_single_prints_its_first_value() -> None:
    assert str(ListOrSingle(["a", "b"])) == "a" and str(ListOrSingle()) == ""


DOC = {"store": {"book": [{"t": "A", "p": 8}, {"t": "B", "p": 22, "isbn": "x"}], "name": "s"}}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$.store.name", "s"),
        ("$.store.book[1].t", "B"),
        ("$.store.book[-1].p", 22),
        ("$.store.book[*].t", ["A", "B"]),
        ("$.store.book[0,1].p", [8, 22]),
        ("$.store.book[:1].t", ["A"]),
        ("$.store.book[?(@.p > 10)].t", ["B"]),
        ("$.store.book[?(@.isbn)].t", ["B"]),
        ("$.store.book[?(@.t == 'A' || @.p >= 22)].p", [8, 22]),
        ("$.store.book[?(@.t =~ /a/i)].p", [8]),
        ("$..p", [None, None, 8, 22]),  # DEFAULT_PATH_LEAF_TO_NULL: a null per object without `p`
        ("$.store.book.length()", 2),
        ("$.store.book[*].p.max()", 22.0),
        ("$['store']['name']", "s"),
    ],
)
def test_jsonpath(path: str, expected: Any) -> None:
    assert compile_path(path).evaluate(DOC) == expected


def test_jsonpath_missing_and_invalid() -> None:
    with pytest.raises(PathNotFound):
        compile_path("$.store.nothing.deeper").evaluate(DOC)
    assert compile_path("$.store.nothing").evaluate(DOC) is None  # leaf read as null
    with pytest.raises(JsonPathError):
        compile_path("$.store[").evaluate(DOC)


# --- malformed templates --------------------------------------------------------------------------

FRAGMENTS = [
    "{{", "}}", "{{{", "}}}", "#", "/", "^", "else", "~", "(", ")", "'", '"', "=", " ", "a", "\n", "|",
    "request.query.x", "this", "..", "@index", "[", "]", "!", "--", "1", "-2.5", "true", "null", ">", "as",
    "{{{{", "}}}}", "if", "each", "with", "eq", "jsonPath", "math", "now", "regexExtract", "array",
]  # fmt: skip


def test_malformed_templates_only_ever_raise_template_error() -> None:
    import random

    rng = random.Random(20261128)
    m = model(body='{"a": 1}')
    failures = 0
    for _ in range(3000):
        template = "".join(rng.choice(FRAGMENTS) for _ in range(rng.randint(1, 12)))
        try:
            render_response_template(template, m)
        except TemplateError:
            failures += 1
    assert failures > 100, "the generator should produce plenty of broken templates"


def test_path_template_variables_stay_encoded() -> None:
    # Observed on WireMock 3.13.2: /pt/{pid}/{id}/{rest} requested as /pt/p1/a%20b/c%2Fd?q=%41.
    from podlab.stub.model import StubMapping

    stub = StubMapping.from_json(
        {"request": {"urlPathTemplate": "/pt/p1/{id}/{rest}"}, "response": {"body": "x"}}
    )
    request = LoggedRequest.from_json({"url": "/pt/p1/a%20b/c%2Fd?q=%41", "method": "GET"})
    m = TemplateModel.from_request(request, stub=stub)
    template = (
        "{{request.path.id}}|{{request.path.rest}}|{{request.pathSegments.[2]}}|{{request.path.[3]}}|"
        "{{request.path}}|{{request.url}}|{{request.query.q}}|{{request.path.[0]}}"
    )
    assert render(template, m) == "a%20b|c%2Fd|a%20b|c%2Fd|/pt/p1/a%20b/c%2Fd|/pt/p1/a%20b/c%2Fd?q=%41|A|pt"


def test_absurdly_deep_nesting_is_a_template_error_not_a_crash() -> None:
    depth = 5000
    with pytest.raises(TemplateError, match="nested too deeply"):
        render("{{#if true}}" * depth + "x" + "{{/if}}" * depth)
    assert render("{{#if true}}" * 50 + "x" + "{{/if}}" * 50) == "x"
