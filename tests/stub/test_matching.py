"""Request matching, stub selection, scenarios and near misses.

The LoggedRequest tests parse real requests: a raw socket client talks to the real HTTP core
(`podlab.httpcore.serve` on port 0) and the handler builds the LoggedRequest from what arrived.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest

from podlab.httpcore import Connection, Request, Response, serve
from podlab.stub.jvm.errors import InvalidInputError
from podlab.stub.matching.order import ServingOrder, in_serving_order
from podlab.stub.matching.scenarios import ScenarioNotFoundError, Scenarios
from podlab.stub.model import RequestPattern, StubMapping
from podlab.stub.model.request import LoggedRequest, parse_params
from podlab.stub.report.near_misses import near_misses, near_misses_for_pattern

from .recorded import logged_request

DEADLINE = 5.0


def req(
    method: str = "GET",
    path: str = "/",
    headers: list[tuple[str, str]] | None = None,
    body: bytes = b"",
    absolute: str = "http://127.0.0.1:8080",
) -> LoggedRequest:
    return logged_request(
        method,
        path,
        headers or [],
        body,
        base=absolute,
        request_id="r",
        logged_at=datetime(2026, 11, 28, 4, 49, 57, 545000, tzinfo=UTC),
    )


def stubs(*bodies: dict[str, Any]) -> list[StubMapping]:
    out = []
    for index, body in enumerate(bodies, start=1):
        stub = StubMapping.from_json({"response": {}, **body})
        stub.insertion_index = index
        out.append(stub)
    return out


def matches(pattern: dict[str, Any], request: LoggedRequest) -> bool:
    return RequestPattern.from_json(pattern).match(request).is_exact_match


# --- LoggedRequest from a real parsed request -------------------------------------------------


async def _capture(raw: bytes) -> LoggedRequest:
    captured: list[LoggedRequest] = []

    async def handler(request: Request, connection: Connection) -> Response:
        captured.append(LoggedRequest.from_http(request))
        return Response(200, body=b"ok")

    server = await serve(handler, "127.0.0.1", 0)
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", server.port), DEADLINE)
        writer.write(raw)
        await writer.drain()
        await asyncio.wait_for(reader.readuntil(b"ok"), DEADLINE)
        writer.close()
    finally:
        server.close()
        await server.wait_closed()
    assert len(captured) == 1
    return captured[0]


def test_logged_request_from_a_real_request_has_the_journal_shape() -> None:
    form = b"f=1&f=2&g=h%20i+j"
    raw = (
        b"POST /j/x%20y?a=1&a=2&b=%C3%A9&c&d=x+y HTTP/1.1\r\n"
        b"Host: 127.0.0.1:18080\r\nX-R: 1\r\nX-R: 2\r\nCookie: s=abc; t=1\r\nCookie: s=def\r\n"
        b"Content-Type: application/x-www-form-urlencoded; charset=ISO-8859-1\r\n"
        b"Content-Length: " + str(len(form)).encode() + b"\r\n\r\n" + form
    )
    logged = asyncio.run(_capture(raw))
    shown = logged.to_json()
    # Keys, order and values as WireMock 3.13.2 journalled the same request.
    assert list(shown) == [
        "url", "absoluteUrl", "method", "clientIp", "headers", "cookies", "browserProxyRequest",
        "loggedDate", "bodyAsBase64", "body", "protocol", "scheme", "host", "port", "loggedDateString",
        "queryParams", "formParams",
    ]  # fmt: skip
    assert shown["url"] == "/j/x%20y?a=1&a=2&b=%C3%A9&c&d=x+y"
    assert shown["absoluteUrl"] == "http://127.0.0.1:18080/j/x%20y?a=1&a=2&b=%C3%A9&c&d=x+y"
    assert shown["clientIp"] == "127.0.0.1"
    assert shown["headers"]["X-R"] == ["1", "2"]
    assert shown["headers"]["Cookie"] == ["s=abc; t=1", "s=def"]
    assert shown["cookies"] == {"s": ["abc", "def"], "t": "1"}
    assert shown["bodyAsBase64"] == "Zj0xJmY9MiZnPWglMjBpK2o="
    assert shown["body"] == "f=1&f=2&g=h%20i+j"
    assert (shown["protocol"], shown["scheme"], shown["host"], shown["port"]) == (
        "HTTP/1.1",
        "http",
        "127.0.0.1",
        18080,
    )
    assert shown["queryParams"] == {
        "a": {"key": "a", "values": ["1", "2"]},
        "b": {"key": "b", "values": ["é"]},
        "c": {"key": "c", "values": [""]},
        "d": {"key": "d", "values": ["x y"]},
    }
    assert shown["formParams"] == {
        "f": {"key": "f", "values": ["1", "2"]},
        "g": {"key": "g", "values": ["h i j"]},
    }
    assert shown["loggedDateString"].endswith("Z") and len(shown["loggedDateString"]) == 24
    assert logged.path == "/j/x%20y"


def test_logged_request_without_host_uses_the_server_address() -> None:
    logged = asyncio.run(_capture(b"GET /h HTTP/1.0\r\n\r\n"))
    assert logged.absolute_url.startswith("http://127.0.0.1:") and logged.absolute_url.endswith("/h")
    assert logged.protocol == "HTTP/1.0"


def test_body_as_string_follows_the_charset() -> None:
    latin = req("POST", "/", [("Content-Type", "text/plain; charset=ISO-8859-1")], "é".encode("latin-1"))
    assert latin.body_as_string == "é"
    assert req("POST", "/", [], "é".encode()).body_as_string == "é"
    assert req("POST", "/", [("Content-Type", "text/plain; charset=nope")], b"x").charset == "utf-8"


def test_form_params_need_the_form_content_type() -> None:
    assert req("POST", "/", [("Content-Type", "text/plain")], b"a=1").form_params == {}
    assert parse_params("a=1&&b") == {"a": ["1"], "b": [""]}


def test_logged_request_from_json_echoes_only_given_keys() -> None:
    logged = LoggedRequest.from_json({"url": "/nm?q=1", "method": "PUT", "headers": {"A": ["1", "2"]}})
    shown = logged.to_json()
    assert list(shown) == [
        "url",
        "method",
        "headers",
        "browserProxyRequest",
        "port",
        "queryParams",
        "formParams",
    ]
    assert shown["headers"] == {"A": ["1", "2"]}
    assert shown["queryParams"] == {"q": {"key": "q", "values": ["1"]}}


# --- request pattern semantics -------------------------------------------------------------


def test_url_kinds() -> None:
    request = req("GET", "/u/enc%20x?q=1")
    assert matches({"url": "/u/enc%20x?q=1"}, request)
    assert not matches({"url": "/u/enc%20x"}, request)
    assert matches({"urlPath": "/u/enc%20x"}, request)
    assert not matches({"urlPath": "/u/enc x"}, request)  # raw path, as WireMock 3.13
    assert matches({"urlPattern": "/u/.*\\?q=[0-9]"}, request)
    assert matches({"urlPathPattern": "/u/enc.*"}, request)
    assert not matches({"urlPathPattern": "/u"}, request)  # the regex must match it all
    assert matches({}, request)


def test_path_templates_and_their_parameters() -> None:
    assert matches({"urlPathTemplate": "/t/{id}"}, req("GET", "/t/x?q=1"))
    assert not matches({"urlPathTemplate": "/t/{id}"}, req("GET", "/t/a/b"))
    assert not matches({"urlPathTemplate": "/t/{id}"}, req("GET", "/t/"))
    assert not matches({"urlPathTemplate": "/t/{id}"}, req("GET", "/t/x/"))
    assert matches({"urlPathTemplate": "/t/{id}.json"}, req("GET", "/t/x.json"))
    assert matches({"urlPathTemplate": "/t/{id}-{v}"}, req("GET", "/t/x-y"))
    encoded = req("GET", "/t/a%20b")
    assert matches({"urlPathTemplate": "/t/{id}", "pathParameters": {"id": {"equalTo": "a%20b"}}}, encoded)
    assert not matches({"urlPathTemplate": "/t/{id}", "pathParameters": {"id": {"equalTo": "a b"}}}, encoded)


def test_method_any_and_exact_case() -> None:
    assert matches({"method": "ANY"}, req("DELETE"))
    assert not matches({"method": "get"}, req("GET"))
    assert matches({"method": "OPTIONS"}, req("OPTIONS"))


def test_headers_are_case_insensitive_by_name() -> None:
    request = req("GET", "/", [("x-lower", "a"), ("X-M", "1"), ("X-M", "2")])
    assert matches({"headers": {"X-LOWER": {"equalTo": "a"}}}, request)
    assert matches({"headers": {"X-M": {"equalTo": "2"}}}, request)  # any value may match
    assert matches({"headers": {"X-M": {"hasExactly": [{"equalTo": "1"}, {"equalTo": "2"}]}}}, request)
    assert not matches({"headers": {"X-M": {"absent": True}}}, request)
    assert matches({"headers": {"X-None": {"absent": True}}}, request)


def test_basic_auth_prefix_is_case_insensitive() -> None:
    pattern = {"basicAuthCredentials": {"username": "u", "password": "p"}}
    assert matches(pattern, req("GET", "/", [("Authorization", "Basic dTpw")]))
    assert matches(pattern, req("GET", "/", [("Authorization", "basic dTpw")]))
    assert not matches(pattern, req("GET", "/", [("Authorization", "Basic dTpx")]))
    assert not matches(pattern, req("GET", "/"))


def test_query_form_and_cookies() -> None:
    assert matches({"queryParameters": {"q": {"equalTo": "a b"}}}, req("GET", "/x?q=a+b"))
    assert not matches({"queryParameters": {"q": {"equalTo": "a+b"}}}, req("GET", "/x?q=a+b"))
    assert not matches({"queryParameters": {"Q": {"equalTo": "1"}}}, req("GET", "/x?q=1"))
    form = req(
        "POST", "/", [("Content-Type", "application/x-www-form-urlencoded")], b"user=ann&two=one+thing"
    )
    assert matches({"formParameters": {"user": {"equalTo": "ann"}, "two": {"contains": "one t"}}}, form)
    cookies = req("GET", "/", [("Cookie", "c=2; c=1; s=abc")])
    assert matches({"cookies": {"c": {"equalTo": "1"}, "s": {"matches": "[a-z]+"}}}, cookies)
    assert matches({"cookies": {"gone": {"absent": True}}}, cookies)
    assert not matches({"cookies": {"gone": {"equalTo": "x"}}}, cookies)


def test_host_port_scheme_and_client_ip() -> None:
    request = req("GET", "/", absolute="https://example.com:8443")
    assert matches({"host": {"equalTo": "example.com"}, "port": 8443, "scheme": "https"}, request)
    assert not matches({"port": 443}, request)
    assert not matches({"scheme": "http"}, request)
    assert matches({"clientIp": {"equalTo": "127.0.0.1"}}, request)
    assert req("GET", "/", absolute="http://h").port == 80


def test_multipart_parts() -> None:
    body = (
        b'--XyZ\r\nContent-Disposition: form-data; name="a"\r\nContent-Type: text/plain\r\n\r\nhello\r\n'
        b'--XyZ\r\nContent-Disposition: form-data; name="f"; filename="x.txt"\r\n\r\nfile body\r\n--XyZ--\r\n'
    )
    request = req("POST", "/", [("Content-Type", "multipart/form-data; boundary=XyZ")], body)
    assert matches({"multipartPatterns": [{"name": "a", "bodyPatterns": [{"equalTo": "hello"}]}]}, request)
    assert matches(
        {"multipartPatterns": [{"fileName": "x.txt", "bodyPatterns": [{"contains": "file"}]}]}, request
    )
    assert not matches(
        {"multipartPatterns": [{"fileName": "y.txt", "bodyPatterns": [{"contains": "file"}]}]}, request
    )
    # As in WireMock 3.13 the part name is printed in diffs but does not select a part.
    assert matches({"multipartPatterns": [{"name": "zz", "bodyPatterns": [{"equalTo": "hello"}]}]}, request)
    assert not matches(
        {"multipartPatterns": [{"matchingType": "ALL", "bodyPatterns": [{"equalTo": "hello"}]}]}, request
    )
    assert not matches({"multipartPatterns": [{"name": "a"}]}, req("POST", "/", [], b"a"))


def test_custom_matchers_never_match_without_an_extension() -> None:
    assert not matches({"customMatcher": {"name": "anything"}}, req())


def test_distance_counts_only_url_and_method_until_they_match() -> None:
    # url "/a" vs "/b": Levenshtein 1 of 2 = 0.5, weight 10 of 39 (scheme 3, host 10, port 10,
    # client IP 3, url 10, method 3); the header mismatch is not scored yet.
    pattern = RequestPattern.from_json({"url": "/a", "headers": {"X": {"equalTo": "1"}}})
    assert pattern.match(req("GET", "/b")).distance == pytest.approx(5 / 39)
    # Once the URL matches, one missing header of one header counts 1 with weight 1 of 46.
    assert pattern.match(req("GET", "/a")).distance == pytest.approx(1 / 46)


# --- stub selection ------------------------------------------------------------------------


def test_lower_priority_wins_and_default_is_five() -> None:
    found = stubs(
        {"priority": 6, "request": {"url": "/p"}},
        {"request": {"url": "/p"}},
        {"priority": 4, "request": {"url": "/p"}},
        {"priority": 7, "request": {"url": "/p"}},
    )
    chosen = ServingOrder(found).find(req("GET", "/p"))
    assert chosen is not None and chosen.priority == 4
    assert [s.priority for s in in_serving_order(found)] == [4, None, 6, 7]


def test_newest_wins_among_equals() -> None:
    first, second = stubs({"request": {"url": "/same"}}, {"request": {"url": "/same"}})
    assert ServingOrder([first, second]).find(req("GET", "/same")) is second
    assert ServingOrder([second, first]).find(req("GET", "/same")) is second  # by insertion, not list order


def test_the_url_index_keeps_serving_order_across_url_kinds() -> None:
    # Exact-url stubs are looked up by URL, the rest scanned: the winner must still be the first
    # in serving order, whichever side of the index it sits on.
    old_exact, pattern, new_exact, other_url, low_pattern = stubs(
        {"request": {"url": "/i"}},
        {"request": {"urlPattern": "/i.*"}},
        {"request": {"url": "/i", "method": "POST"}},
        {"request": {"url": "/elsewhere"}},
        {"priority": 9, "request": {"urlPathPattern": "/.*"}},
    )
    order = ServingOrder([old_exact, pattern, new_exact, other_url, low_pattern])
    assert order.find(req("GET", "/i")) is pattern  # newer than old_exact, same priority
    assert order.find(req("POST", "/i")) is new_exact  # newest of all
    assert order.find(req("GET", "/x")) is low_pattern
    assert ServingOrder([old_exact, low_pattern]).find(req("GET", "/i")) is old_exact  # priority 5 < 9
    assert ServingOrder([old_exact, other_url]).find(req("GET", "/i?q=1")) is None  # url includes the query


def test_a_scenario_gated_exact_stub_lets_an_older_one_serve() -> None:
    plain, in_scenario = stubs(
        {"request": {"url": "/g"}},
        {"scenarioName": "S", "requiredScenarioState": "Later", "request": {"url": "/g"}},
    )
    scenarios = Scenarios()
    scenarios.sync([plain, in_scenario])
    assert ServingOrder([plain, in_scenario]).find(req("GET", "/g"), scenarios) is plain
    scenarios.set_state("S", "Later")
    assert ServingOrder([plain, in_scenario]).find(req("GET", "/g"), scenarios) is in_scenario


def test_scenarios_gate_and_move() -> None:
    one, two, anywhere = stubs(
        {
            "scenarioName": "S",
            "requiredScenarioState": "Started",
            "newScenarioState": "Two",
            "request": {"url": "/sc"},
        },
        {"scenarioName": "S", "requiredScenarioState": "Two", "request": {"url": "/sc"}},
        {"scenarioName": "S", "request": {"url": "/any-state"}, "newScenarioState": "Gone"},
    )
    all_stubs = [one, two, anywhere]
    scenarios = Scenarios()
    scenarios.sync(all_stubs)
    assert scenarios.state("S") == "Started"
    served = ServingOrder(all_stubs).find(req("GET", "/sc"), scenarios)
    assert served is one
    scenarios.apply(served)
    assert scenarios.state("S") == "Two"
    served = ServingOrder(all_stubs).find(req("GET", "/sc"), scenarios)
    assert served is two
    scenarios.apply(served)  # no new state: stays
    assert scenarios.state("S") == "Two"
    assert ServingOrder(all_stubs).find(req("GET", "/any-state"), scenarios) is anywhere
    scenarios.apply(anywhere)
    assert scenarios.state("S") == "Gone"
    assert ServingOrder(all_stubs).find(req("GET", "/sc"), scenarios) is None
    scenarios.reset_all()
    assert scenarios.state("S") == "Started"


def test_scenario_admin_operations() -> None:
    found = stubs(
        {"scenarioName": "S1", "requiredScenarioState": "Started", "newScenarioState": "Two", "request": {}},
        {"scenarioName": "S1", "requiredScenarioState": "Two", "request": {}},
    )
    scenarios = Scenarios()
    scenarios.sync(found)
    scenarios.set_state("S1", "Two")
    assert scenarios.state("S1") == "Two"
    with pytest.raises(InvalidInputError) as invalid:
        scenarios.set_state("S1", "Elsewhere")
    assert invalid.value.to_json() == {
        "errors": [{"code": 11, "title": "Scenario S1 does not support state Elsewhere"}]
    }
    with pytest.raises(ScenarioNotFoundError) as missing:
        scenarios.set_state("Nope", "Two")
    assert missing.value.to_json() == {"errors": [{"code": 404, "title": "Scenario Nope does not exist"}]}
    scenarios.reset("S1")
    assert scenarios.state("S1") == "Started"
    listed = scenarios.to_json(found)
    assert [(s["name"], s["state"], s["possibleStates"]) for s in listed] == [
        ("S1", "Started", ["Started", "Two"])
    ]
    assert [m["id"] for m in listed[0]["mappings"]] == [str(found[0].id), str(found[1].id)]
    scenarios.set_state("S1", "Two")
    scenarios.sync(found[:1])  # still named by a stub: the state survives
    assert scenarios.state("S1") == "Two"
    scenarios.sync([])  # no stub names it any more: forgotten
    assert not scenarios.exists("S1") and scenarios.to_json([]) == []


def test_near_misses_nearest_first_at_most_three() -> None:
    found = stubs(
        {"request": {"method": "GET", "url": "/nm/alpha"}},
        {"request": {"method": "POST", "url": "/nm/alpha"}},
        {"request": {"method": "GET", "url": "/nm/other/thing"}},
        {"request": {"method": "GET", "url": "/zz/far/away/entirely"}},
    )
    misses = near_misses(found, req("PUT", "/nm/alpha"))
    # Equal distances keep serving order: the newer POST stub first.
    assert [m.stub for m in misses] == [found[1], found[0], found[2]]
    assert misses[0].distance == misses[1].distance == pytest.approx(3 / 39)
    assert misses[0].to_json()["matchResult"]["distance"] == misses[0].distance
    assert near_misses(found, req("PUT", "/nm/alpha"), limit=1) == misses[:1]
    assert near_misses([], req()) == []


def test_near_misses_for_a_pattern_search_requests() -> None:
    pattern = RequestPattern.from_json({"url": "/nm/alpha", "method": "DELETE"})
    requests = [req("GET", "/zz/far"), req("GET", "/nm/alpha"), req("GET", "/nm/other/thin")]
    ranked = near_misses_for_pattern(pattern, requests)
    assert [r.url for r, _ in ranked] == ["/nm/alpha", "/nm/other/thin", "/zz/far"]


def test_scenario_state_is_reported_with_near_misses() -> None:
    found = stubs({"scenarioName": "F", "requiredScenarioState": "Done", "request": {"url": "/d"}})
    scenarios = Scenarios()
    scenarios.sync(found)
    (miss,) = near_misses(found, req("GET", "/d"), scenarios=scenarios)
    assert miss.distance == 0 and miss.scenario_state == "Started"


# Distances WireMock 3.13.2 reported (POST /__admin/near-misses/request) for one stub each.
RECORDED_DISTANCES = [
    (
        {"url": "/a", "headers": {"X": {"equalTo": "1"}}},
        {"url": "/b", "method": "GET", "headers": {}},
        0.1282051282051282,
    ),
    (
        {"url": "/a", "headers": {"X": {"equalTo": "1"}}},
        {"url": "/a", "method": "GET", "headers": {}},
        0.021739130434782608,
    ),
    (
        {"url": "/a", "headers": {"X": {"equalTo": "1"}}},
        {"url": "/a", "method": "GET", "headers": {"X": "12"}},
        0.010869565217391304,
    ),
    ({"method": "POST", "url": "/abc"}, {"url": "/abd", "method": "GET", "headers": {}}, 0.14102564102564102),
    (
        {
            "method": "GET",
            "urlPath": "/q",
            "queryParameters": {"a": {"equalTo": "xyz"}, "b": {"absent": True}},
        },
        {"url": "/q?a=xy&b=1", "method": "GET", "headers": {}},
        0.014492753623188404,
    ),
    (
        {"method": "GET", "urlPathTemplate": "/t/{id}", "pathParameters": {"id": {"equalTo": "12"}}},
        {"url": "/t/13", "method": "GET", "headers": {}},
        0.010869565217391304,
    ),
    (
        {
            "method": "GET",
            "url": "/ba",
            "basicAuthCredentials": {"username": "u", "password": "p"},
            "headers": {"Y": {"contains": "q"}},
        },
        {"url": "/ba", "method": "GET", "headers": {"Authorization": "Basic dTpx"}},
        0.011956521739130435,
    ),
    (
        {"method": "GET", "urlPattern": "/r/[0-9]+"},
        {"url": "/r/x", "method": "GET", "headers": {}},
        0.2564102564102564,
    ),
    (
        {"method": "GET", "urlPathTemplate": "/t/{id}"},
        {"url": "/u/1", "method": "GET", "headers": {}},
        0.1282051282051282,
    ),
    (
        {"method": "GET", "url": "/h", "host": {"equalTo": "localhost"}, "port": 1},
        {"url": "/h", "method": "GET", "headers": {}, "absoluteUrl": "http://example.org:2/h"},
        0.4662004662004661,
    ),
    # urlPathTemplate misses, measured the same way
    (
        {"urlPathTemplate": "/t/{id}", "method": "GET"},
        {"url": "/completely/different/path/x", "method": "GET", "headers": {}},
        0.22893772893772896,
    ),
    (
        {"urlPathTemplate": "/t/{id}", "method": "GET"},
        {"url": "/t/1/2", "method": "GET", "headers": {}},
        0.1282051282051282,
    ),
    (
        {"urlPathTemplate": "/a/{x}/b/{y}", "method": "GET"},
        {"url": "/a/1/c/2", "method": "GET", "headers": {}},
        0.09615384615384616,
    ),
    (
        {"urlPathTemplate": "/t/{id}", "method": "GET"},
        {"url": "/x", "method": "GET", "headers": {}},
        0.19230769230769232,
    ),
]


@pytest.mark.parametrize(("pattern", "request_json", "distance"), RECORDED_DISTANCES)
def test_distances_equal_wiremocks(
    pattern: dict[str, Any], request_json: dict[str, Any], distance: float
) -> None:
    found = RequestPattern.from_json(pattern).match(LoggedRequest.from_json(request_json))
    assert found.distance == pytest.approx(distance, abs=1e-12)


@pytest.mark.parametrize(
    ("states", "wiremock_3", "wiremock_2"),
    [  # possibleStates printed by WireMock 3.13.2 and 2.35.1 for the same stubs (required, new)
        ([("Started", "Two"), ("Two", None)], ["Started", "Two"], ["Two", "Started"]),
        ([("Started", "Done"), ("Zz", "B")], ["Zz", "Started", "Done", "B"], ["Done", "B", "Started", "Zz"]),
        ([("B", None), ("A", "C")], None, ["C", "B", "A"]),
    ],
)
def test_possible_states_follow_each_versions_order(
    states: list[tuple[str | None, str | None]], wiremock_3: list[str] | None, wiremock_2: list[str]
) -> None:
    found = stubs(
        *(
            {"scenarioName": "S", "requiredScenarioState": required, "newScenarioState": new, "request": {}}
            for required, new in states
        )
    )
    scenarios = Scenarios()
    scenarios.sync(found)
    if wiremock_3 is not None:
        assert scenarios.to_json(found)[0]["possibleStates"] == wiremock_3
    assert scenarios.to_json(found, compat=2)[0]["possibleStates"] == wiremock_2
