"""Record tests/stub/data/fuzz_cases.json: the differences bench/stub_fuzz.py found, answered by
real WireMock 3.13.2 (the standalone jar, started here on a free loopback port).

    .venv/bin/python tools/record_stub_fuzz_cases.py [--jar PATH]

Each case is replayed without a JVM by tests/stub/test_fuzz_recorded.py: the stubs, the request
as sent, and what WireMock answered to the mapping POSTs and to the request.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from stub_fuzz import DROPPED_HEADERS, JAR2, JAR3, Server, free_port, masked, normalised_body, strip_volatile

OUT = Path(__file__).resolve().parent.parent / "tests" / "stub" / "data" / "fuzz_cases.json"


def stub(number: int, request: dict[str, Any], response: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "id": f"00000000-0000-4000-8000-{number:012d}",
        "request": request,
        "response": response or {"body": "ok"},
    }


def templated(body: str) -> dict[str, Any]:
    return stub(1, {"method": "ANY", "urlPath": "/t"}, {"body": body, "transformers": ["response-template"]})


def templated_with_header(body: str) -> dict[str, Any]:
    response = {"body": body, "headers": {"X-T": "v"}, "transformers": ["response-template"]}
    return stub(1, {"method": "ANY", "urlPath": "/t"}, response)


BOTH = ("3", "2")


CASES: dict[str, dict[str, Any]] = {
    # WireMock reads a date value it cannot parse as a date-time with Year.parse last: "1" is
    # the year 1, "2026-02" a YearMonth
    "date_value_is_a_year": {
        "stubs": [
            stub(
                1,
                {
                    "method": "GET",
                    "urlPath": "/d",
                    "queryParameters": {"q": {"before": "2020-06-01T12:00:00Z"}},
                },
            )
        ],
        "request": ["GET", "/d?q=1", [], None],
        "versions": BOTH,
    },
    "date_value_is_a_year_month": {
        "stubs": [
            stub(1, {"method": "GET", "urlPath": "/d", "headers": {"X-A": {"after": "2026-01-01T00:00:00Z"}}})
        ],
        "request": ["GET", "/d", [["X-A", "2026-02"]], None],
        "versions": BOTH,
    },
    "template_date_format_hash": {
        "stubs": [templated("{{dateFormat (parseDate '2026-01-02T03:04:05Z') format='yyyy/MM/dd'}}")],
        "request": ["GET", "/t", [], None],
        "versions": BOTH,
    },
    "template_parse_json_blank_body": {
        "stubs": [
            templated("{{#with (parseJson request.body)}}{{a}}{{/with}}|{{size (parseJson request.body)}}")
        ],
        "request": ["GET", "/t", [], None],
        "versions": BOTH,
    },
    "template_parse_json_empty_object": {
        "stubs": [templated("{{size (parseJson ' { } ')}}|{{#parseJson 'v'}}{{/parseJson}}{{size v}}")],
        "request": ["GET", "/t", [], None],
        "versions": ("3",),  # 2.35.1 fails on the empty block (NullPointerException)
    },
    "template_parse_json_error_first_line": {
        "stubs": [templated("{{parseJson 'not json {'}}")],
        "request": ["GET", "/t", [], None],
        "versions": ("3",),
    },
    "template_join_separator_not_a_string": {
        "stubs": [templated("{{join ',' (array 1 2 3)}}")],
        "request": ["GET", "/t", [], None],
        "versions": ("3",),
    },
    "template_parse_json_not_a_map": {
        "stubs": [templated("{{#with (parseJson request.body)}}{{a}}{{/with}}")],
        "request": ["POST", "/t", [["Content-Type", "text/plain"]], "22"],
        "versions": ("3",),
    },
    "v2_report_query_logical_and_json_numbers": {
        "stubs": [
            stub(
                1,
                {
                    "method": "POST",
                    "url": "/v",
                    "queryParameters": {
                        "q": {"or": [{"doesNotMatch": "^$"}, {"equalTo": "x"}]},
                        "r": {"and": [{"equalTo": "a b"}]},
                    },
                    "bodyPatterns": [{"equalToJson": '{"a":"1","n":2.0}'}],
                },
            )
        ],
        "request": ["POST", "/v?q=1", [["Content-Type", "application/json"]], '{"n":3.0,"m":2.5}'],
        "versions": ("2",),
    },
    "report_xml_attributes_sorted": {
        "stubs": [
            stub(
                1,
                {
                    "method": "POST",
                    "url": "/x",
                    "bodyPatterns": [{"equalToXml": '<a x="1" b="2"><b>1</b></a>'}],
                },
            )
        ],
        "request": ["POST", "/x", [["Content-Type", "application/xml"]], '<a z="1" c="2"><b>2</b></a>'],
        "versions": BOTH,
    },
    "json_path_absent_without_a_body": {
        "stubs": [
            stub(
                1,
                {
                    "method": "POST",
                    "url": "/j",
                    "bodyPatterns": [{"matchesJsonPath": {"expression": "$..b", "absent": True}}],
                },
            ),
        ],
        "request": ["POST", "/j", [], None],
        "versions": ("3",),  # 2.35.1 answers both with an empty 404
    },
    "json_path_absent_on_xml_body": {
        "stubs": [
            stub(
                1,
                {
                    "method": "POST",
                    "url": "/j",
                    "bodyPatterns": [{"matchesJsonPath": {"expression": "$.a", "absent": True}}],
                },
            ),
        ],
        "request": ["POST", "/j", [["Content-Type", "application/xml"]], "<a/>"],
        "versions": ("3",),  # 2.35.1 answers both with an empty 404
    },
    "json_path_absent_on_json_body": {
        "stubs": [
            stub(
                1,
                {
                    "method": "POST",
                    "url": "/j",
                    "bodyPatterns": [{"matchesJsonPath": {"expression": "$.a", "absent": True}}],
                },
            ),
        ],
        "request": ["POST", "/j", [["Content-Type", "application/json"]], '{"b":1}'],
        "versions": BOTH,
    },
    "mapping_not_an_object": {
        "stubs": [[], 5, "x"],
        "versions": BOTH,
    },
    "v2_logical_operands": {
        "stubs": [
            stub(1, {"method": "GET", "url": "/l", "headers": {"X-A": {"and": [{"equalTo": "1"}]}}}),
            stub(
                2,
                {
                    "method": "GET",
                    "url": "/l",
                    "headers": {"X-A": {"and": [{"absent": True}, {"equalTo": "1"}]}},
                },
            ),
            stub(3, {"method": "GET", "url": "/l", "cookies": {"s": {"or": []}}}),
            stub(4, {"method": "GET", "url": "/l", "queryParameters": {"q": {"not": {"equalTo": "1"}}}}),
            stub(5, {"method": "GET", "url": "/l", "bodyPatterns": [{"or": [{"contains": "a"}]}]}),
        ],
        "request": ["GET", "/l", [["X-A", "1"]], None],
        "versions": ("2",),
    },
    "errors_in_document_order": {
        "stubs": [
            {"request": {"headers": {"X-A": {"equalsTo": "x"}}, "bogus": 1}},
            {"request": {"bogus": 1, "headers": {"X-A": {"equalsTo": "x"}}}},
            {
                "request": {
                    "method": "GET",
                    "headers": {"X-A": {"includes": [{"equalTo": "x"}]}},
                    "formParameters": {},
                }
            },
            {
                "request": {
                    "cookies": {"t": {"hasExactly": [{"equalTo": "x"}]}},
                    "headers": {"X-A": {"equalsTo": "x"}},
                }
            },
            {
                "request": {
                    "headers": {"X-A": {"equalsTo": "x"}},
                    "cookies": {"t": {"hasExactly": [{"equalTo": "x"}]}},
                }
            },
        ],
        "versions": BOTH,
    },
    "near_miss_json": {
        "stubs": [stub(1, {"method": "POST", "url": "/n", "formParameters": {"f": {"equalTo": "2"}}})],
        "request": ["POST", "/n", [["Content-Type", "application/x-www-form-urlencoded"]], "f=1"],
        "near_misses": True,
        "versions": ("3",),
    },
    "near_miss_date_distance": {
        "stubs": [
            stub(
                1,
                {
                    "method": "GET",
                    "url": "/d",
                    "headers": {"X-A": {"before": "2026-01-01T00:00:00Z"}},
                    "queryParameters": {"q": {"includes": [{"after": "2020-01-01T00:00:00Z"}]}},
                },
            )
        ],
        "request": ["GET", "/d2?q=2021-06-01T00:00:00Z", [["X-A", "22"]], None],
        "near_misses": True,
        "versions": ("3",),
    },
    "near_miss_json_v2": {
        "stubs": [stub(1, {"method": "POST", "url": "/n", "bodyPatterns": [{"contains": "f=2"}]})],
        "request": ["POST", "/n", [["Content-Type", "application/x-www-form-urlencoded"]], "f=1"],
        "near_misses": True,
        "versions": ("2",),
    },
    "binary_row_differs": {
        "stubs": [stub(1, {"method": "POST", "url": "/b", "bodyPatterns": [{"binaryEqualTo": "MjI="}]})],
        "request": ["POST", "/b", [["Content-Type", "text/plain"]], "abc"],
    },
    "binary_row_empty_operand_hidden": {
        "stubs": [
            stub(
                1,
                {
                    "method": "POST",
                    "url": "/b",
                    "headers": {"X-A": {"equalTo": "1"}},
                    "bodyPatterns": [{"binaryEqualTo": ""}],
                },
            )
        ],
        "request": ["POST", "/b", [], None],
    },
    "binary_row_empty_body_does_not_match": {
        "stubs": [stub(1, {"method": "POST", "url": "/b", "bodyPatterns": [{"binaryEqualTo": "eDE="}]})],
        "request": ["POST", "/b", [], None],
    },
    "cookie_or_and_show_first_operand": {
        "stubs": [
            stub(
                1,
                {
                    "method": "GET",
                    "url": "/c",
                    "cookies": {
                        "s": {"or": [{"matches": ".*c"}, {"equalTo": "ABC"}]},
                        "t": {"and": [{"equalTo": "a b"}, {"contains": "ABC"}]},
                    },
                },
            )
        ],
        "request": ["GET", "/c", [["Cookie", "s=zz"]], None],
    },
    "path_parameter_or_shows_first_operand": {
        "stubs": [
            stub(
                1,
                {
                    "method": "GET",
                    "urlPathTemplate": "/users/{id}",
                    "pathParameters": {"id": {"or": [{"equalTo": "1"}, {"contains": "2"}]}},
                },
            )
        ],
        "request": ["GET", "/users/3", [], None],
    },
    "regex_brace_refused": {
        "stubs": [
            stub(1, {"method": "POST", "url": "/r", "bodyPatterns": [{"matches": '{"a":1}'}]}),
            stub(2, {"method": "GET", "url": "/r", "headers": {"X-A": {"matches": "a{1"}}}),
            stub(3, {"method": "GET", "url": "/r", "queryParameters": {"q": {"doesNotMatch": "x{2,1}"}}}),
            stub(4, {"method": "GET", "urlPattern": "/r{x}"}),
            stub(5, {"method": "GET", "url": "/r", "headers": {"X-A": {"matches": "a{1,3}b{2}"}}}),
        ],
        "request": ["GET", "/r", [["X-A", "abbb"]], None],
    },
    # A template WireMock cannot compile reaches Jetty's ErrorHandler: a 500 page without the
    # stub's headers, its body chosen by Accept (none for a type it cannot write)
    "template_uncompilable_error_page": {
        "stubs": [templated_with_header("{{split 'a,b' ','}}")],
        "request": ["PUT", "/t", [], None],
        "versions": BOTH,
        "headers": True,
    },
    "template_uncompilable_unacceptable": {
        "stubs": [templated_with_header("{{math 1e21 '+' 0}}")],
        "request": ["GET", "/t", [["Accept", "abc"]], None],
        "versions": BOTH,
        "headers": True,
    },
    "template_uncompilable_accept_gzip_html": {
        "stubs": [templated_with_header("{{#if a}}")],
        "request": [
            "GET",
            "/t",
            [["Accept", "text/plain;q=0.5, text/html"], ["Accept-Encoding", "gzip"]],
            None,
        ],
        "versions": BOTH,
        "headers": True,
    },
    # 3.x answers a helper failing while rendering itself (text/plain, Matched-Stub-Id); 2.35.1
    # leaves that to Jetty too, with the tag's position as the template stack
    "template_helper_fails_while_rendering": {
        "stubs": [templated_with_header("{{join ',' (array 1 2 3)}}")],
        "request": ["GET", "/t", [], None],
        "versions": BOTH,
        "headers": True,
    },
    # 2.35.1: every `{{…}}` value is HTML-escaped (helpers' too), not `{{{…}}}` or `{{&…}}`
    "template_html_escaping_in_2": {
        "stubs": [
            templated(
                "{{request.query.x}}|{{{request.query.x}}}|{{&request.query.x}}|{{upper request.query.x}}"
                "|{{#if true}}{{request.url}}{{/if}}"
            )
        ],
        "request": ["GET", "/t?x=%3C%3E%22%27%60%26%3D/ab&y=1", [], None],
        "versions": BOTH,
    },
    # helpers WireMock 3 added are unknown to 2.35.1
    "template_array_add_unknown_in_2": {
        "stubs": [templated_with_header("{{arrayAdd (array 1 2) 3}} {{val 'x'}}")],
        "request": ["GET", "/t", [], None],
        "versions": BOTH,
        "headers": True,
    },
    # 2.35.1's jsonPath hands an empty body to JsonPath.parse, which refuses it
    "template_json_path_empty_body_in_2": {
        "stubs": [templated_with_header("{{jsonPath request.body '$.a'}}")],
        "request": ["GET", "/t", [], None],
        "versions": BOTH,
        "headers": True,
    },
    # 3.x near misses carry the body matchers' WARNING sub-events for a request without a body,
    # only when every part checked before the body fits (here: the cookie stub's does not)
    "near_miss_body_warnings_without_body": {
        "stubs": [
            stub(1, {"method": "GET", "url": "/w", "bodyPatterns": [{"matchesXPath": "/a/b/text()"}]}),
            stub(2, {"method": "ANY", "bodyPatterns": [{"equalToJson": "{}"}, {"matchesJsonPath": "$.c"}]}),
            stub(
                3,
                {
                    "method": "GET",
                    "urlPath": "/w",
                    "cookies": {"s": {"equalTo": "x"}},
                    "bodyPatterns": [{"equalToJson": "{}"}],
                },
            ),
        ],
        "request": ["GET", "/w", [], None],
        "versions": BOTH,
        "near_misses": True,
    },
    # 2.35.1 cannot print the 404 report for a matchesJsonPath sub-matcher against an XML body
    # (JsonPath refuses to parse it): a bare 404
    "json_path_sub_matcher_against_xml_body": {
        "stubs": [
            stub(
                1,
                {
                    "method": "POST",
                    "url": "/j",
                    "bodyPatterns": [{"matchesJsonPath": {"expression": "$.a.b", "doesNotMatch": "(?i)abc"}}],
                },
            )
        ],
        "request": ["POST", "/j", [["Content-Type", "application/xml"]], "<a><b>1</b></a>"],
        "versions": BOTH,
    },
    # 2.35.1 serves a jsonBody number such as 2.0 as 2
    "json_body_integral_float": {
        "stubs": [stub(1, {"method": "GET", "url": "/n"}, {"jsonBody": [3, 2.0, {"a": 1.5, "b": -4.0}]})],
        "request": ["GET", "/n", [], None],
        "versions": BOTH,
    },
    # Jackson binds in document order: an unknown field inside `request` is reported before an
    # unknown top-level field that comes after it
    "unknown_field_in_request_before_top_level_one": {
        "stubs": [
            {
                "request": {"method": "GET", "urlPath": "/u", "formParameters": {"f": {"equalTo": "1"}}},
                "response": {"status": 200},
                "unknownField": 1,
            },
            {
                "request": {"method": "GET", "urlPath": "/u", "bogus": 1},
                "response": {"status": 200},
                "unknownField": 1,
            },
        ],
        "versions": BOTH,
    },
    # 2.35.1 scores a date matcher by whole years apart / 100 (3.x: t / (t + 2 years))
    "date_distance_whole_years_in_2": {
        "stubs": [
            stub(1, {"method": "ANY", "url": "/d2", "headers": {"x-b": {"after": "2030-01-01T00:00:00Z"}}}),
            stub(2, {"method": "ANY", "url": "/d2", "headers": {"x-c": {"before": "2020-06-01T12:00:00Z"}}}),
            # a miss scored 0: the same instant is not `after` it
            stub(
                3,
                {
                    "method": "ANY",
                    "url": "/d2",
                    "headers": {"x-b": {"after": "2026-01-01T00:00:00Z"}, "x-e": {"equalTo": "1"}},
                },
            ),
        ],
        "request": ["GET", "/d2", [["x-b", "2026-01-01T00:00:00Z"], ["x-c", "2026-01-01T00:00:00Z"]], None],
        "versions": BOTH,
        "near_misses": True,
    },
    # equalToJson text Jackson cannot read: its message, with the source and position
    "equal_to_json_syntax_errors_in_jacksons_words": {
        "stubs": [
            stub(n, {"method": "POST", "url": "/j", "bodyPatterns": [{"equalToJson": text}]})
            for n, text in enumerate(["{bad", "not json {", "<a/>", "[1,]", '{"a":1,}', "{\n bad}", "{,}"], 1)
        ],
        "versions": BOTH,
    },
    # parseJson of text Jackson cannot read, or of a bare number: 3.x shows the JsonException's
    # first line, 2.35.1's error page the whole error document
    "template_parse_json_errors_whole_document_in_2": {
        "stubs": [templated_with_header("{{#with (parseJson request.body)}}{{a}}{{/with}}")],
        "request": ["PUT", "/t", [["Content-Type", "text/plain"]], "not json {"],
        "versions": BOTH,
        "headers": True,
    },
    "template_parse_json_number_whole_document_in_2": {
        "stubs": [templated_with_header("{{#with (parseJson request.body)}}{{a}}{{/with}}")],
        "request": ["PUT", "/t", [["Content-Type", "text/plain"]], "22"],
        "versions": BOTH,
        "headers": True,
    },
    # Jetty's error page as JSON or plain text when Accept asks for it (the causes listed)
    "template_uncompilable_error_page_json": {
        "stubs": [templated_with_header("{{arrayAdd (array 1 2) 3}} {{split 'a' ','}}")],
        "request": ["GET", "/t", [["Accept", "application/json"]], None],
        "versions": BOTH,
        "headers": True,
    },
    # 3.x binds hasExactly/includes with Jackson: a value that is no list is refused in its words
    "has_exactly_not_a_list": {
        "stubs": [
            stub(1, {"method": "GET", "url": "/h", "headers": {"X-A": {"hasExactly": "x"}}}),
            stub(2, {"method": "GET", "url": "/h", "queryParameters": {"q": {"includes": 5}}}),
            stub(3, {"method": "GET", "url": "/h", "headers": {"X-A": {"hasExactly": {"equalTo": "1"}}}}),
        ],
        "versions": BOTH,
    },
    # an empty bodyPatterns entry is printed as is (a header's empty matcher as null)
    "empty_body_pattern": {
        "stubs": [stub(1, {"method": "POST", "url": "/e", "bodyPatterns": [{}]})],
        "versions": BOTH,
    },
}


def record(version: str, jar: Path, tmp: Path) -> dict[str, Any]:
    root = tmp / f"root{version}"
    (root / "mappings").mkdir(parents=True)
    port = free_port()
    cmd = [
        "java",
        "-jar",
        str(jar),
        "--port",
        str(port),
        "--root-dir",
        str(root),
        "--bind-address",
        "127.0.0.1",
    ]
    cmd += ["--disable-banner", *(["--local-response-templating"] if version == "2" else [])]
    server = Server(f"WireMock {version}", cmd, port, tmp)
    answers: dict[str, Any] = {}
    try:
        server.wait_ready()
        for name, case in CASES.items():
            if version not in case.get("versions", ("3",)):
                continue
            server.call("POST", "/__admin/reset", None, [])
            admin = []
            for body in case["stubs"]:
                status, _, text = server.call("POST", "/__admin/mappings", json.dumps(body), [])
                admin.append([status, text.decode() if status >= 300 else ""])
            answer: dict[str, Any] = {"admin": admin}
            if "request" in case:
                method, path, headers, body = case["request"]
                sent = [*headers, ["Host", f"127.0.0.1:{port}"]]
                status, got_headers, text = server.call(method, path, body, [(k, v) for k, v in sent])
                answer.update(status=status, body=text.decode())
                if case.get("headers"):  # Jetty's error pages: headers too, the page as its message
                    answer["body"] = normalised_body(text.decode("latin-1"), [])
                    answer["headers"] = sorted(
                        [k.lower(), v] for k, v in got_headers if k.lower() not in DROPPED_HEADERS
                    )
            if case.get("near_misses"):
                _, _, text = server.call("GET", "/__admin/requests/unmatched/near-misses", None, [])
                answer["near_misses"] = strip_volatile(json.loads(masked(text.decode(), port)))
            answers[name] = answer
    finally:
        server.stop()
    return answers


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jar3", type=Path, default=JAR3)
    parser.add_argument("--jar2", type=Path, default=JAR2)
    args = parser.parse_args()
    out: dict[str, Any] = {
        "_recorded": "WireMock 3.13.2 and 2.35.1 standalone jars, Java 17, by tools/record_stub_fuzz_cases.py"
    }
    with tempfile.TemporaryDirectory() as tmp:
        recorded = {"3": record("3", args.jar3, Path(tmp)), "2": record("2", args.jar2, Path(tmp))}
    for name, case in CASES.items():
        out[name] = {**case, "answers": {v: recorded[v][name] for v in recorded if name in recorded[v]}}
    OUT.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
