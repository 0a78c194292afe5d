"""The conformance corpus' matching cases, replayed against the leaf matchers alone.

For every 3.x case about headers, query, cookies, form, logical or body matching, the stub's
matchers are built with our parsers and applied to each recorded request's values; WireMock's
200 / 404 must be our all-match / some-miss. (URL and method always agree in these cases; the
server-level replay of the same corpus lives in test_conformance.py.)
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from podlab.stub.matchers import (
    MatchResult,
    parse_content_pattern,
    parse_multi_value_pattern,
    parse_string_pattern,
)

CORPUS = Path(__file__).resolve().parents[1] / "conformance" / "wiremock-cases.jsonl"
TAGS = {
    "headers",
    "query",
    "cookies",
    "logical",
    "body",
    "body-json",
    "jsonpath",
    "json-schema",
    "xml",
    "binary",
    "form",
}


def _cases() -> list[tuple[str, dict[str, Any], dict[str, Any], int]]:
    out = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        if case.get("version") != "3" or not TAGS & set(case["tags"]):
            continue
        stubs = [s["json"] for s in case.get("setup", []) if s["path"] == "/__admin/mappings"]
        if len(stubs) != 1:
            continue
        requests = case.get("requests") or [case["request"]]
        expects = case.get("expects") or [case["expect"]]
        for n, (req, exp) in enumerate(zip(requests, expects, strict=True)):
            if exp.get("status") in (200, 404):
                out.append((f"{case['id']}#{n}", stubs[0]["request"], req, exp["status"]))
    return out


def _header_values(req: dict[str, Any], name: str) -> list[str] | None:
    for key, value in req.get("headers", {}).items():
        if key.lower() == name.lower():
            return value if isinstance(value, list) else [value]
    return None


def _body(req: dict[str, Any]) -> bytes:
    if "body_b64" in req:
        return base64.b64decode(req["body_b64"])
    if "json" in req:
        return json.dumps(req["json"], separators=(",", ":")).encode()
    return str(req.get("body", "")).encode()


def _grouped(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in pairs:
        out.setdefault(key, []).append(value)
    return out


def _verdict(pattern: dict[str, Any], req: dict[str, Any]) -> bool:
    results: list[MatchResult] = []
    for name, spec in pattern.get("headers", {}).items():
        results.append(
            parse_multi_value_pattern(spec, f"/request/headers/{name}").match(_header_values(req, name))
        )
    query = _grouped(parse_qsl(urlsplit(req["path"]).query, keep_blank_values=True))
    for name, spec in pattern.get("queryParameters", {}).items():
        results.append(
            parse_multi_value_pattern(spec, f"/request/queryParameters/{name}").match(query.get(name))
        )
    cookie_header = (_header_values(req, "Cookie") or [""])[0]
    cookies = dict(part.strip().split("=", 1) for part in cookie_header.split(";") if "=" in part)
    for name, spec in pattern.get("cookies", {}).items():
        results.append(parse_string_pattern(spec, f"/request/cookies/{name}").match(cookies.get(name)))
    content_type = (_header_values(req, "Content-Type") or [""])[0]
    form = (
        _grouped(parse_qsl(_body(req).decode(), keep_blank_values=True))
        if content_type.startswith("application/x-www-form-urlencoded")
        else {}
    )
    for name, spec in pattern.get("formParameters", {}).items():
        results.append(
            parse_multi_value_pattern(spec, f"/request/formParameters/{name}").match(form.get(name))
        )
    for n, spec in enumerate(pattern.get("bodyPatterns", [])):
        results.append(parse_content_pattern(spec, f"/request/bodyPatterns/{n}").match(_body(req)))
    return MatchResult.aggregate(results).is_exact_match


CASES = _cases()


def test_corpus_has_matching_cases() -> None:
    assert len(CASES) >= 60


@pytest.mark.parametrize(("case_id", "pattern", "request_", "status"), CASES, ids=[c[0] for c in CASES])
def test_matchers_agree_with_recorded_status(
    case_id: str, pattern: dict[str, Any], request_: dict[str, Any], status: int
) -> None:
    assert _verdict(pattern, request_) is (status == 200)
