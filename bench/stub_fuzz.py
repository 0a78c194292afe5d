#!/usr/bin/env python3
"""Seeded differential fuzzer: podlab stub and real WireMock side by side (issue 11).

Generates realistic cases from a seed: one to three stubs (every URL kind, header, query,
cookie, form, path-parameter and body matcher, `and`/`or`/`not`, `hasExactly`/`includes`,
response templates with common helpers, plain/JSON/base64 bodies, response headers) plus one
or two requests that hit, nearly hit or miss them; and invalid mappings. Each case is played
on both servers (admin reset, the stubs POSTed with fixed ids, the requests sent over fresh
loopback connections, then `GET /__admin/requests/unmatched/near-misses`), and every answer is
compared strictly:

- admin: the status and body of each mapping POST (invalid mappings: WireMock's error JSON);
- status, headers (minus Date, Server and framing), body of each stub response, split into
  `match` (WireMock served a stub), `report` (WireMock's 404 "Request was not matched" text)
  and `template` (a templated stub served);
- near_miss: the near-miss JSON (request ids and logged dates removed, ports masked).

Prints agreement % strict overall and per category, and again leaving out the differences kept
on purpose (`ON_PURPOSE`: WireMock plainly wrong, each named in docs/STUB-LIMITS.md), and writes
the differing cases (with both answers; on-purpose ones marked) as JSON lines to --out. Bounded
by --count and --time.

  .venv/bin/python bench/stub_fuzz.py [--seed 1] [--count 300] [--time 120] [--compat 3|2|both]
      [--jar3 PATH] [--jar2 PATH] [--out /tmp/stub_fuzz_diffs.jsonl] [--java-client]
      [--npm-clients NODE_MODULES]

`--java-client` also runs bench/stub_java_client/Drive.java, the official Java client from the
jar, and `--npm-clients` bench/stub_npm_clients/drive.js (wiremock-captain and
wiremock-rest-client, installed under NODE_MODULES), against both servers and compares what
they print.

`--compat 2` plays the cases against the 2.35.1 jar and `podlab stub --compat 2`.
"""

from __future__ import annotations

import argparse
import base64
import html
import http.client
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
JAR3 = Path("/tmp/node_modules/wiremock/build/wiremock-standalone-3.13.2.jar")
JAR2 = ROOT / ".venv/lib/python3.11/site-packages/wiremock/server/wiremock-standalone-2.35.1.jar"
DROPPED_HEADERS = {"date", "server", "content-length", "transfer-encoding", "connection", "keep-alive"}
PORT_LINE = re.compile(r"^port:\s+(\d+)$", re.MULTILINE)
CATEGORIES = ("admin", "invalid", "match", "report", "template", "headers", "near_miss")

# ---------------------------------------------------------------- generation (pure, seeded)

PATHS = ["/a", "/a/b", "/ab", "/users/22/posts", "/users/1", "/items/7", "/q", "/x%20y"]
QUERIES = ["", "q=1", "q=abc", "q=1&q=22", "r=x&q=1", "q=", "q=a%20b"]
HEADER_NAMES = ["X-A", "x-b", "Accept"]
VALUES = ["1", "22", "abc", "ABC", "x1", "application/json", "", "2026-01-01T00:00:00Z", "a b"]
REGEXES = ["[0-9]+", ".*c", "a.*", "x[0-9]", "[a-z]+", "(?i)abc", "\\d{2}", "^$", ".+"]
DATES = ["2026-01-01T00:00:00Z", "2020-06-01T12:00:00Z", "2030-01-01T00:00:00Z"]
JSON_BODIES = ['{"a":1}', '{"a":2,"b":[1,2]}', "[]", '{"a":{"b":"x"},"c":null}', '{"a":"1","n":2.0}', "{}"]
XML_BODIES = [
    "<a><b>1</b></a>",
    '<a x="1" b="2"><b>1</b></a>',
    '<ns:a xmlns:ns="urn:x"><ns:b>1</ns:b></ns:a>',
    "<a><b><![CDATA[1]]></b></a>",
    "<a/>",
]
OTHER_BODIES = ["", "x1", "f=1&g=2", "f=abc", "not json {", "22"]
JSONPATHS = ["$.a", "$.b", "$.a.b", "$.b[0]", "$[0]", "$..b", "$.c", "$.n", "$[?(@.a == 1)]"]
XPATHS = ["/a/b", "//b", "/a/@x", "count(//b)", "/a/b/text()", "boolean(//c)", "//ns:b"]
TEMPLATES = [
    "{{request.path}}",
    "{{request.url}}",
    "{{request.method}}",
    "{{request.query.q}}",
    "{{request.query.q.[1]}}",
    "{{request.headers.X-A}}",
    "{{request.pathSegments.[1]}}",
    "{{request.body}}",
    "{{jsonPath request.body '$.a'}}",
    "{{jsonPath request.body '$.b'}}",
    "{{jsonPath request.body '$.zz'}}",
    "{{#with (parseJson request.body)}}{{a}}{{/with}}",
    "{{formatJson request.body}}",
    "{{toJson (parseJson request.body)}}",
    "{{size (parseJson request.body)}}",
    "{{upper request.path}}-{{lower 'ABC'}}",
    "{{capitalize 'hello world'}}",
    "{{trim '  x  '}}|{{abbreviate 'abcdefghij' 6}}",
    "{{replace request.path '/' '_'}}",
    "{{base64 'hello'}}|{{base64 'aGVsbG8=' decode=true}}",
    "{{urlEncode 'a b&c'}}|{{urlEncode 'a%20b' decode=true}}",
    "{{math 1 '+' 2}}|{{math 10 '/' 4}}|{{math 2.0 '*' 3}}",
    "{{math 1e21 '+' 0}}",
    "{{#if (eq request.method 'GET')}}get{{else}}other{{/if}}",
    "{{#unless request.query.q}}noq{{/unless}}",
    "{{#each request.query.q}}[{{this}}]{{/each}}",
    "{{join ',' (array 1 2 3)}}",
    "{{join ',' 'a' 'b'}}",
    "{{#each (array 1 2 3)}}{{@index}}:{{this}} {{/each}}",
    "{{regexExtract request.path '[0-9]+'}}",
    "{{contains request.path 'a'}}|{{matches request.path '.*[0-9]'}}",
    "{{xPath request.body '/a/b/text()'}}",
    "{{dateFormat (parseDate '2026-01-02T03:04:05Z') format='yyyy/MM/dd'}}",
    "{{truncateDate (parseDate '2026-01-02T03:04:05Z') 'first day of month'}}",
    "{{substring 'abcdef' 1 3}}|{{split 'a,b' ','}}",
    "{{numberFormat 1234.5 'integer'}}|{{numberFormat 0.5 'percent'}}",
    "{{val request.query.zz or='dflt'}}|{{val 5 default=1}}",
    "{{#assign 'v'}}x{{/assign}}{{v}}",
    "{{arrayAdd (array 1 2) 3}}",
    "{{pickRandom 'only'}}",
    "{{size 'abcd'}}|{{size (array 1 2)}}",
    "{{stripes}}",
    "{{request.headers.[x-b]}}",
    "{{#each (parseJson request.body)}}{{@key}}={{this}};{{/each}}",
    "}}}}",
    "{{len}}",
    "{{{request.body}}}",
    "{{request.cookies.s}}",
    "{{math 7 '%' 3}}|{{math 1 '-' 3.5}}",
    "{{and true false}}|{{or false 1}}|{{not false}}",
    "{{gt 2 1}}|{{lt 'a' 'b'}}|{{neq 1 2}}",
    "{{formatJson '{\"a\":1}'}}",
    "{{jsonPath '{\"a\":[1,null]}' '$.a'}}",
]


@dataclass
class Sent:
    method: str
    path: str
    headers: list[tuple[str, str]]
    body: str | None

    def to_json(self) -> dict[str, Any]:
        return {"method": self.method, "path": self.path, "headers": self.headers, "body": self.body}


class Generator:
    """Cases from one seed: the same seed gives the same cases on every machine."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def pick(self, items: list[Any]) -> Any:
        return self.rng.choice(items)

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def string_matcher(self, depth: int = 0) -> dict[str, Any]:
        kind = self.pick(
            ["equalTo"] * 4
            + ["contains", "doesNotContain", "matches", "doesNotMatch", "absent", "before", "after"]
            + (["and", "or", "not"] if depth == 0 else [])
        )
        if kind == "equalTo":
            out: dict[str, Any] = {"equalTo": self.pick(VALUES)}
            if self.chance(0.3):
                out["caseInsensitive"] = True
            return out
        if kind in ("contains", "doesNotContain"):
            return {kind: self.pick(VALUES)}
        if kind in ("matches", "doesNotMatch"):
            return {kind: self.pick(REGEXES)}
        if kind == "absent":
            return {"absent": True}
        if kind in ("before", "after"):
            return {kind: self.pick(DATES)}
        if kind == "not":
            return {"not": self.string_matcher(depth + 1)}
        return {kind: [self.string_matcher(depth + 1) for _ in range(self.rng.randint(1, 2))]}

    def multi_matcher(self) -> dict[str, Any]:
        if self.chance(0.15):
            kind = self.pick(["hasExactly", "includes"])
            return {kind: [self.string_matcher(1) for _ in range(self.rng.randint(1, 2))]}
        return self.string_matcher()

    def body_pattern(self) -> dict[str, Any]:
        kind = self.pick(
            [
                *("equalToJson", "equalToJson", "matchesJsonPath", "matchesJsonPath", "equalToXml"),
                *("matchesXPath", "equalTo", "contains", "matches", "binaryEqualTo", "absent", "and", "or"),
            ]
        )
        if kind == "equalToJson":
            out: dict[str, Any] = {"equalToJson": self.pick(JSON_BODIES)}
            if self.chance(0.3):
                out["ignoreArrayOrder"] = True
            if self.chance(0.3):
                out["ignoreExtraElements"] = True
            return out
        if kind == "matchesJsonPath":
            expr = self.pick(JSONPATHS)
            if self.chance(0.5):
                return {"matchesJsonPath": expr}
            return {"matchesJsonPath": {"expression": expr, **self.string_matcher(1)}}
        if kind == "equalToXml":
            return {"equalToXml": self.pick(XML_BODIES)}
        if kind == "matchesXPath":
            expr = self.pick(XPATHS)
            out = {"matchesXPath": expr}
            if "ns:" in expr:
                out["xPathNamespaces"] = {"ns": "urn:x"}
            if self.chance(0.4) and not expr.startswith(("count", "boolean")):
                out = {"matchesXPath": {"expression": expr, **self.string_matcher(1)}}
            return out
        if kind == "binaryEqualTo":
            return {
                "binaryEqualTo": base64.b64encode(self.pick(OTHER_BODIES + JSON_BODIES).encode()).decode()
            }
        if kind == "absent":
            return {"absent": True}
        if kind in ("and", "or"):
            return {
                kind: [
                    self.pick([{"equalTo": ""}, {"contains": "a"}, {"matchesJsonPath": "$.a"}]),
                    self.string_matcher(1),
                ]
            }
        return {kind: self.pick(VALUES + JSON_BODIES)}

    def url(self, stub_path: str, request: dict[str, Any]) -> None:
        kind = self.pick(["url", "urlPath", "urlPattern", "urlPathPattern", "urlPathTemplate", None])
        query = self.pick(QUERIES)
        if kind == "url":
            request["url"] = stub_path + ("?" + query if query else "")
        elif kind == "urlPath":
            request["urlPath"] = stub_path
        elif kind == "urlPattern":
            request["urlPattern"] = self.pick(["/a.*", "/users/[0-9]+.*", "/q\\?q=.*", stub_path])
        elif kind == "urlPathPattern":
            request["urlPathPattern"] = self.pick(["/a.*", "/users/[0-9]+.*", "/items/.*", stub_path])
        elif kind == "urlPathTemplate":
            template = self.pick(["/users/{id}/posts", "/items/{n}", "/users/{id}", "/a/{x}"])
            request["urlPathTemplate"] = template
            if self.chance(0.5):
                name = template.split("{")[1].split("}")[0]
                request["pathParameters"] = {name: self.string_matcher()}

    def stub(self, number: int, templated: bool) -> dict[str, Any]:
        if templated:  # templates are what is tested: stubs that most requests hit
            return {
                "id": f"00000000-0000-4000-8000-{number:012d}",
                "request": {"method": "ANY", "urlPathPattern": self.pick(["/.*", "/a.*", "/users/.*"])},
                "response": self.response(number, templated),
            }
        request: dict[str, Any] = {"method": self.pick(["GET", "GET", "POST", "PUT", "ANY", "DELETE"])}
        self.url(self.pick(PATHS), request)
        for field_name, names, p in (
            ("headers", HEADER_NAMES, 0.5),
            ("queryParameters", ["q", "r"], 0.4),
            ("cookies", ["s", "t"], 0.2),
            ("formParameters", ["f", "g"], 0.1),
        ):
            if self.chance(p):
                chosen = self.rng.sample(names, self.rng.randint(1, 2))
                request[field_name] = {name: self.multi_matcher() for name in chosen}
        if self.chance(0.08):
            request["basicAuthCredentials"] = {"username": "u", "password": self.pick(["p", "q"])}
        if self.chance(0.4):
            request["bodyPatterns"] = [self.body_pattern() for _ in range(self.rng.randint(1, 2))]
        stub: dict[str, Any] = {
            "id": f"00000000-0000-4000-8000-{number:012d}",
            "request": request,
            "response": self.response(number, templated),
        }
        if self.chance(0.2):
            stub["priority"] = self.rng.randint(1, 5)
        if self.chance(0.2):
            stub["name"] = self.pick(["named stub", "other"])
        if self.chance(0.1):
            stub["scenarioName"] = "S"
            stub["requiredScenarioState"] = self.pick(["Started", "Two"])
            if self.chance(0.5):
                stub["newScenarioState"] = "Two"
        return stub

    def response(self, number: int, templated: bool) -> dict[str, Any]:
        response: dict[str, Any] = {"status": self.pick([200, 200, 200, 201, 204, 400, 404, 500])}
        if templated:
            response["body"] = " ".join(self.pick(TEMPLATES) for _ in range(self.rng.randint(1, 2)))
            response["transformers"] = ["response-template"]
            if self.chance(0.2):
                response["headers"] = {"X-T": "{{request.method}}"}
            return response
        shape = self.pick(["body", "body", "jsonBody", "base64Body", "none"])
        if shape == "body":
            response["body"] = f"stub {number}"
        elif shape == "jsonBody":
            response["jsonBody"] = self.pick([{"n": number}, [number, 2.0], {"x": None}])
        elif shape == "base64Body":
            response["base64Body"] = base64.b64encode(f"b{number}".encode()).decode()
        if self.chance(0.4):
            response["headers"] = self.pick(
                [{"Content-Type": "application/json"}, {"X-Multi": ["1", "2"]}, {"Set-Cookie": "s=1"}]
            )
        return response

    def request(self, stubs: list[dict[str, Any]]) -> Sent:
        # aim at a stub's method and path most of the time, so matches and near misses both occur
        target = self.pick(stubs)["request"] if stubs and self.chance(0.7) else {}
        method = target.get("method", "GET")
        if method == "ANY" or self.chance(0.15):
            method = self.pick(["GET", "POST", "PUT", "DELETE"])
        path = target.get("url") or target.get("urlPath") or self.pick(PATHS)
        if "?" not in path and self.chance(0.6):
            query = self.pick(QUERIES)
            path += ("?" + query) if query else ""
        headers: list[tuple[str, str]] = []
        for name in HEADER_NAMES:
            if self.chance(0.35):
                headers.append((name, self.pick(VALUES)))
        if self.chance(0.2):
            headers.append(("Cookie", self.pick(["s=1", "t=22", "s=abc; t=x1"])))
        if self.chance(0.08):
            headers.append(
                ("Authorization", "Basic " + base64.b64encode(b"u:" + self.pick([b"p", b"q"])).decode())
            )
        body = None
        if method in ("POST", "PUT") or self.chance(0.1):
            kind = self.pick(["json", "json", "xml", "other"])
            body = self.pick({"json": JSON_BODIES, "xml": XML_BODIES, "other": OTHER_BODIES}[kind])
            content_type = {
                "json": "application/json",
                "xml": "application/xml",
                "other": "application/x-www-form-urlencoded" if "=" in body else "text/plain",
            }[kind]
            headers.append(("Content-Type", content_type))
        return Sent(method, path, headers, body)

    def invalid_mapping(self) -> str:
        stub = self.stub(1, templated=False)
        request = stub["request"]
        broken = self.pick(
            [
                lambda: request.update(headers={"X-A": {"equalsTo": "x"}}),
                lambda: request.update(headers={"X-A": {"matches": "["}}),
                lambda: request.update(queryParameters={"q": {"matches": "(a"}}),
                lambda: request.update(bodyPatterns=[{"equalToJson": "{bad"}]),
                lambda: request.update(bodyPatterns=[{"matchesJsonPath": "$["}]),
                lambda: request.update(bodyPatterns=[{"equalToXml": "<a>"}]),
                lambda: request.update(bodyPatterns=[{"matchesXPath": "//["}]),
                lambda: request.update(bodyPatterns={"equalTo": "x"}),
                lambda: request.update(bodyPatterns=[{"equalTo": "x", "contains": "y"}]),
                lambda: request.update(bodyPatterns=[{}]),
                lambda: request.update(method=5),
                lambda: request.update(urlPath=5),
                lambda: request.update(url="/a", urlPath="/b"),
                lambda: request.update(urlPathTemplate="/a/{x}/{x}"),
                lambda: request.update(headers={"X-A": {"hasExactly": "x"}}),
                lambda: request.update(headers={"X-A": "x"}),
                lambda: request.update(headers={"X-A": {"not": "x"}}),
                lambda: request.update(headers={"X-A": {"before": "yesterday-ish"}}),
                lambda: stub.update(priority="high"),
                lambda: stub.update(unknownField=1),
                lambda: stub["response"].update(status="ok"),
                lambda: stub["response"].update(fixedDelayMilliseconds="x"),
                lambda: stub["response"].update(body=1, jsonBody=2),
                lambda: stub.update(request=[]),
                lambda: stub.update(id="not-a-uuid"),
            ]
        )
        broken()
        text = json.dumps(stub)
        if self.chance(0.1):
            text = self.pick([text[: len(text) // 2], text + " junk", "", "[]", "null"])
        return text

    def case(self, index: int) -> dict[str, Any]:
        roll = self.rng.random()
        if roll < 0.15:
            return {
                "name": f"case-{index}",
                "kind": "invalid",
                "raw": [self.invalid_mapping()],
                "requests": [],
            }
        templated = roll < 0.35
        stubs = [self.stub(n, templated) for n in range(1, (1 if templated else self.rng.randint(1, 3)) + 1)]
        requests = [self.request(stubs) for _ in range(self.rng.randint(1, 2))]
        return {
            "name": f"case-{index}",
            "kind": "template" if templated else "match",
            "raw": [json.dumps(s) for s in stubs],
            "requests": [r.to_json() for r in requests],
        }


# ---------------------------------------------------------------- running (the I/O shell)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    def __init__(self, name: str, argv: list[str], port: int | None, workdir: Path) -> None:
        self.name = name
        self.log = workdir / f"{name.replace(' ', '_')}.log"
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, cwd=workdir)
        self.port = port or 0

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"{self.name} exited:\n{self.log.read_text()}")
            if not self.port:
                found = PORT_LINE.search(self.log.read_text(errors="replace"))
                if found:
                    self.port = int(found.group(1))
            if self.port:
                try:
                    if self.call("GET", "/__admin/mappings", None, [])[0] == 200:
                        return
                except OSError:
                    pass
            time.sleep(0.1)
        raise SystemExit(f"{self.name} did not start in {timeout}s")

    def call(
        self, method: str, path: str, body: str | None, headers: list[tuple[str, str]]
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            if not any(name.lower() == "host" for name, _ in headers):
                conn.putheader("Host", f"127.0.0.1:{self.port}")
            for name, value in headers:
                conn.putheader(name, value)
            data = body.encode() if body is not None else None
            if data is not None:
                conn.putheader("Content-Length", str(len(data)))
            conn.endheaders(data)
            resp = conn.getresponse()
            return resp.status, resp.getheaders(), resp.read()
        finally:
            conn.close()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


def masked(text: str, port: int) -> str:
    return text.replace(f":{port}", ":<port>")


JETTY_TITLE = re.compile(r"<title>Error \d+ (.*?)</title>", re.DOTALL)
EXCEPTION_PREFIX = re.compile(r"^(?:[\w.$]+(?:Exception|Error): )+")
BINARY_ROW = re.compile(r"^(.{59}\| )\[B@[0-9a-f]+ *(<<<<< Body does not match)$")


def normalised_body(text: str, binaries: list[str]) -> str:
    """The documented normalisations (docs/STUB-LIMITS.md, "Differential fuzzing"):
    - a Jetty HTML error page (500 with a Java stack trace) is reduced to its message, and the
      wrapping exception class names are dropped on both sides;
    - `inline@<hash>` (Handlebars names an inline template by an identity hash), and the servlet's
      identity hash in Jetty's JSON and plain-text error pages;
    - binaryEqualTo rows of the 404 report: WireMock prints the Java byte[] (`[B@hash`), podlab
      the request body's base64; the right-hand cell is masked on both sides.
    """
    title = JETTY_TITLE.search(text)
    if text.startswith("<html>") and title:
        text = html.unescape(title.group(1)).rstrip("\n")
    text = EXCEPTION_PREFIX.sub("", text)
    text = re.sub(r"inline@[0-9a-f]+", "inline@<hash>", text)
    text = re.sub(r"DispatchingServlet-[0-9a-f]+", "DispatchingServlet-<hash>", text)  # identity hash
    if binaries and "Request was not matched" in text:
        lines, out, skipping = text.split("\n"), [], False
        for line in lines:
            left, bar, right = line[:59].strip(), line[59:61], line[61:]
            if skipping and bar == "| " and not left and right.strip() and "<<<<<" not in right:
                continue  # a wrapped base64 continuation
            skipping = False
            if BINARY_ROW.match(line):
                line = BINARY_ROW.sub(r"\1<bytes> \2", line)
            elif left in binaries and line.endswith("<<<<< Body does not match"):
                line = line[:61] + "<bytes> <<<<< Body does not match"
                skipping = True
            out.append(line)
        text = "\n".join(out)
    return text


def binary_expectations(case: dict[str, Any]) -> list[str]:
    found = re.findall(r'"binaryEqualTo": "([^"]*)"', " ".join(case["raw"]))
    return [value for value in found if value]


def strip_volatile(value: Any) -> Any:
    """Near-miss JSON without what differs run to run (request ids, logged dates)."""
    if isinstance(value, dict):
        return {
            k: "<port>" if k == "port" else strip_volatile(v)
            for k, v in value.items()
            if k not in ("loggedDate", "loggedDateString", "id", "timing", "clientIp")
        }
    if isinstance(value, list):
        return [strip_volatile(v) for v in value]
    return value


def play(server: Server, case: dict[str, Any]) -> dict[str, Any]:
    """Everything one server answers to one case, normalised for comparison."""
    port = server.port
    server.call("POST", "/__admin/reset", None, [])
    out: dict[str, Any] = {"admin": [], "responses": [], "near_miss": None}
    for raw in case["raw"]:
        status, _, body = server.call(
            "POST", "/__admin/mappings", raw, [("Content-Type", "application/json")]
        )
        text = body.decode("utf-8", "replace")
        if status < 300:  # the created stub echoed: compare only that it was taken
            text = ""
        out["admin"].append([status, text])
    for sent in case["requests"]:
        headers = [(k, v) for k, v in sent["headers"]]
        status, resp_headers, body = server.call(sent["method"], sent["path"], sent["body"], headers)
        kept = sorted(
            (k.lower(), masked(v, port)) for k, v in resp_headers if k.lower() not in DROPPED_HEADERS
        )
        text = normalised_body(masked(body.decode("utf-8", "replace"), port), binary_expectations(case))
        out["responses"].append([status, kept, text])
    if case["requests"]:
        _, _, body = server.call("GET", "/__admin/requests/unmatched/near-misses", None, [])
        try:
            out["near_miss"] = strip_volatile(json.loads(masked(body.decode("utf-8", "replace"), port)))
        except ValueError:
            out["near_miss"] = body.decode("utf-8", "replace")
    return out


# Differences kept on purpose: WireMock is plainly wrong (a Java exception, a stack trace page)
# and podlab answers sanely instead. Each entry names its docs/STUB-LIMITS.md entry ("Differential
# fuzzing against real WireMock", "Differs on purpose") and a predicate over (case, category,
# WireMock's answer, podlab's answer) that matches only that exact shape. Such items still count
# as differences in the strict number; the second number leaves them out. Keep it small.
OnPurpose = tuple[str, Any]
ON_PURPOSE: list[OnPurpose] = [
    (
        "null mapping: WireMock's NullPointerException page, podlab's 422",
        lambda case, category, want, got: (
            category == "invalid"
            and case["raw"] == ["null"]
            and want[0] == 500
            and "java.lang.NullPointerException" in want[1]
            and got[0] == 422
            and "expected a JSON object" in got[1]
        ),
    ),
]


def on_purpose(case: dict[str, Any], category: str, want: Any, got: Any) -> str | None:
    """The ON_PURPOSE entry this difference is, if any."""
    for name, predicate in ON_PURPOSE:
        if predicate(case, category, want, got):
            return name
    return None


def compare(
    case: dict[str, Any], ref: dict[str, Any], ours: dict[str, Any], tally: Counter[str], diffs: list[Any]
) -> None:
    """Count agreement per category (ref = WireMock); keep every differing item."""

    def check(category: str, where: str, want: Any, got: Any) -> None:
        tally[category + ":total"] += 1
        if want == got:
            tally[category + ":same"] += 1
        else:
            reason = on_purpose(case, category, want, got)
            if reason is not None:
                tally[category + ":on_purpose"] += 1
            diffs.append(
                {
                    "case": case["name"],
                    "category": category,
                    "where": where,
                    "wiremock": want,
                    "podlab": got,
                    **({"on_purpose": reason} if reason else {}),
                }
            )

    admin_category = "invalid" if case["kind"] == "invalid" else "admin"
    for i, (want, got) in enumerate(zip(ref["admin"], ours["admin"], strict=True)):
        check(admin_category, f"mapping {i}", want, got)
    for i, (want, got) in enumerate(zip(ref["responses"], ours["responses"], strict=True)):
        status = want[0]
        body_category = (
            "report"
            if status == 404 and "Request was not matched" in want[2]
            else "template"
            if case["kind"] == "template"
            else "match"
        )
        check(body_category, f"request {i} status+body", [want[0], want[2]], [got[0], got[2]])
        check("headers", f"request {i} headers", want[1], got[1])
    if case["requests"]:
        check("near_miss", "near-misses", ref["near_miss"], ours["near_miss"])


def start_pair(compat: int, jar: Path, workdir: Path) -> tuple[Server, Server]:
    wm_root, pl_root = workdir / f"wm{compat}", workdir / f"pl{compat}"
    for root in (wm_root, pl_root):
        (root / "mappings").mkdir(parents=True, exist_ok=True)
        (root / "__files").mkdir(exist_ok=True)
    common = ["--bind-address", "127.0.0.1", "--disable-banner"]
    templating = ["--local-response-templating"] if compat == 2 else []
    port = free_port()
    wiremock = Server(
        f"WireMock {compat}",
        ["java", "-jar", str(jar), "--port", str(port), "--root-dir", str(wm_root), *common, *templating],
        port,
        workdir,
    )
    podlab = Server(
        f"podlab {compat}",
        [
            sys.executable,
            "-m",
            "podlab.stub",
            "--port",
            "0",
            "--root-dir",
            str(pl_root),
            "--compat",
            str(compat),
            "--bind-address",
            "127.0.0.1",
            *templating,
        ],
        None,
        workdir,
    )
    wiremock.wait_ready()
    podlab.wait_ready()
    return wiremock, podlab


def run(
    compat: int, jar: Path, seed: int, count: int, budget: float, workdir: Path
) -> tuple[Counter[str], list[Any], int]:
    generator = Generator(seed)
    tally: Counter[str] = Counter()
    diffs: list[Any] = []
    wiremock, podlab = start_pair(compat, jar, workdir)
    deadline = time.monotonic() + budget
    played = 0
    try:
        for index in range(count):
            if time.monotonic() > deadline:
                break
            case = generator.case(index)
            ref, ours = play(wiremock, case), play(podlab, case)
            before = len(diffs)
            compare(case, ref, ours, tally, diffs)
            for diff in diffs[before:]:
                diff["compat"] = compat
                diff["input"] = case
            played += 1
    finally:
        wiremock.stop()
        podlab.stop()
    return tally, diffs, played


def client_check(
    compat: int, jar: Path, workdir: Path, command: list[str], env: dict[str, str] | None = None
) -> tuple[bool, str, str]:
    """Run a client program (`command` + the port) against both servers; (same output?,
    WireMock's output, podlab's output)."""
    wiremock, podlab = start_pair(compat, jar, workdir)
    try:
        outputs = []
        for server in (wiremock, podlab):
            done = subprocess.run(
                [*command, str(server.port)],
                capture_output=True,
                text=True,
                timeout=120,
                env={**os.environ, **(env or {})},
            )
            outputs.append(done.stdout + done.stderr)
    finally:
        wiremock.stop()
        podlab.stop()
    return outputs[0] == outputs[1], outputs[0], outputs[1]


def java_client_check(compat: int, jar: Path, workdir: Path) -> tuple[bool, str, str]:
    """bench/stub_java_client/Drive.java: the official Java client, compiled against `jar`."""
    classes = workdir / f"java-client-{compat}"
    classes.mkdir(parents=True, exist_ok=True)
    source = Path(__file__).resolve().parent / "stub_java_client" / "Drive.java"
    subprocess.run(["javac", "-cp", str(jar), "-d", str(classes), str(source)], check=True, timeout=120)
    command = ["java", "-cp", f"{jar}:{classes}", "Drive"]
    return client_check(compat, jar, workdir / f"java-client-servers-{compat}", command)


def npm_clients_check(compat: int, jar: Path, workdir: Path, node_modules: Path) -> tuple[bool, str, str]:
    """bench/stub_npm_clients/drive.js: wiremock-captain and wiremock-rest-client (installed
    under `node_modules`, e.g. `npm install wiremock-captain@4.1.3 wiremock-rest-client@1.11.0`)."""
    script = Path(__file__).resolve().parent / "stub_npm_clients" / "drive.js"
    env = {"NODE_PATH": str(node_modules)}
    return client_check(compat, jar, workdir / f"npm-clients-servers-{compat}", ["node", str(script)], env)


def summary(tally: Counter[str]) -> tuple[float, dict[str, tuple[int, int]]]:
    per = {c: (tally[c + ":same"], tally[c + ":total"]) for c in CATEGORIES if tally[c + ":total"]}
    same = sum(s for s, _ in per.values())
    total = sum(t for _, t in per.values())
    return (100.0 * same / total if total else 100.0), per


def summary_excluding_on_purpose(tally: Counter[str]) -> tuple[float, int, int]:
    """Strict agreement over the answers that are not documented on-purpose differences."""
    kept = sum(tally[c + ":on_purpose"] for c in CATEGORIES)
    same = sum(tally[c + ":same"] for c in CATEGORIES)
    total = sum(tally[c + ":total"] for c in CATEGORIES) - kept
    return (100.0 * same / total if total else 100.0), same, total


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--time", type=float, default=120.0, help="seconds per compat level")
    parser.add_argument("--compat", choices=["2", "3", "both"], default="both")
    parser.add_argument("--jar3", type=Path, default=Path(os.environ.get("WIREMOCK_JAR", JAR3)))
    parser.add_argument("--jar2", type=Path, default=JAR2)
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "stub_fuzz_diffs.jsonl")
    parser.add_argument("--java-client", action="store_true", help="also drive both with the Java client")
    parser.add_argument(
        "--npm-clients", type=Path, metavar="NODE_MODULES", help="also drive both with the npm clients"
    )
    args = parser.parse_args()
    levels = [3, 2] if args.compat == "both" else [int(args.compat)]
    all_diffs: list[Any] = []
    with tempfile.TemporaryDirectory(prefix="stub-fuzz-") as tmp:
        for compat in levels:
            jar = args.jar3 if compat == 3 else args.jar2
            started = time.monotonic()
            tally, diffs, played = run(compat, jar, args.seed, args.count, args.time, Path(tmp))
            pct, per = summary(tally)
            print(
                f"compat {compat}: {played} cases in {time.monotonic() - started:.0f}s, "
                f"agreement {pct:.2f}% strict ({sum(s for s, _ in per.values())}/{sum(t for _, t in per.values())})"
            )
            excl_pct, excl_same, excl_total = summary_excluding_on_purpose(tally)
            print(
                f"  excluding differences kept on purpose (docs/STUB-LIMITS.md): "
                f"{excl_pct:.2f}% strict ({excl_same}/{excl_total})"
            )
            for category, (same, total) in per.items():
                print(f"  {category:10s} {100.0 * same / total:6.2f}%  ({same}/{total})")
            all_diffs.extend(diffs)
            if args.java_client:
                same, theirs, ours = java_client_check(compat, jar, Path(tmp))
                print(f"  java client: {'same output' if same else 'DIFFERENT output'}")
                if not same:
                    print("  --- WireMock\n" + theirs + "  --- podlab\n" + ours)
            if args.npm_clients:
                same, theirs, ours = npm_clients_check(compat, jar, Path(tmp), args.npm_clients)
                print(f"  npm clients: {'same output' if same else 'DIFFERENT output'}")
                if not same:
                    print("  --- WireMock\n" + theirs + "  --- podlab\n" + ours)
    with args.out.open("w", encoding="utf-8") as out:
        for diff in all_diffs:
            out.write(json.dumps(diff, ensure_ascii=False) + "\n")
    print(f"{len(all_diffs)} differing items written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
