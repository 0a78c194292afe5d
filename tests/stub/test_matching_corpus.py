"""Stub selection replayed against the conformance corpus (recorded from real WireMock).

Each case's admin calls that concern the stub core (adding, replacing, editing and deleting
stubs, listing mappings and scenarios, setting scenario states) are applied to an in-memory list
of `StubMapping`s and a `Scenarios`; each stub request goes through `ServingOrder.find`, the serving matcher. The recorded
answer says which stub WireMock chose (Matched-Stub-Id, and its body) or that none matched (404).
Cases needing other server features (files, journal, settings...) are not replayed here; the
server's own conformance run covers them end to end.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

import pytest

from podlab.stub.jvm.errors import InvalidInputError
from podlab.stub.matching.order import ServingOrder, in_serving_order
from podlab.stub.matching.scenarios import ScenarioNotFoundError, Scenarios
from podlab.stub.model import StubMapping
from podlab.stub.model.request import LoggedRequest
from podlab.stub.report.near_misses import near_misses

from .recorded import corpus_headers, logged_request

CORPUS = Path(__file__).resolve().parents[1] / "conformance" / "wiremock-cases.jsonl"


class Unsupported(Exception):
    """A step this replay does not model (it belongs to the server, not the stub core)."""


def to_request(step: dict[str, Any]) -> LoggedRequest:
    headers, body = corpus_headers(step)
    if "json" not in step and step.get("body") is None and step.get("body_b64") is not None:
        body = base64.b64decode(step["body_b64"])
    return logged_request(
        step["method"], step["path"], [("Host", "127.0.0.1:8080"), *headers], body, request_id="corpus"
    )


def normalised(value: Any, known_ids: set[str]) -> Any:
    """Generated ids become "<uuid>", as the corpus recorder wrote them."""
    if isinstance(value, dict):
        return {k: normalised(v, known_ids) for k, v in value.items()}
    if isinstance(value, list):
        return [normalised(v, known_ids) for v in value]
    if isinstance(value, str) and len(value) == 36 and value.count("-") == 4 and value not in known_ids:
        return "<uuid>"
    return value


class Replay:
    def __init__(self, case: dict[str, Any]) -> None:
        self.case = case
        self.stubs: list[StubMapping] = []
        self.scenarios = Scenarios()
        self.counter = 0
        self.fixed_ids = {s["json"]["id"] for s in self._posts() if "id" in s["json"]}

    def _posts(self) -> list[dict[str, Any]]:
        steps = [*self.case.get("setup", []), *(self.case.get("requests") or [self.case["request"]])]
        return [
            s for s in steps if s["method"] == "POST" and s["path"] == "/__admin/mappings" and "json" in s
        ]

    def add(self, stub: StubMapping) -> None:
        self.counter += 1
        stub.insertion_index = self.counter
        self.stubs = [s for s in self.stubs if s.id != stub.id] + [stub]
        self.scenarios.sync(self.stubs)

    def admin(self, step: dict[str, Any], expect: dict[str, Any]) -> None:
        method, path = step["method"], step["path"]
        parts = path.split("?")[0].rstrip("/").split("/")[2:]  # after "/__admin"
        if method == "POST" and parts == ["mappings"]:
            try:
                stub = StubMapping.from_json(step["json"])
            except InvalidInputError as error:
                assert expect["status"] == 422
                assert error.to_json()["errors"][0]["source"] == expect["json"]["errors"][0]["source"]
                return
            self.add(stub)
            assert expect["status"] == 201
            assert normalised(stub.to_json(), self.fixed_ids) == expect["json"]
        elif method == "GET" and parts == ["mappings"] and "?" not in path:
            listed = [s.to_json() for s in in_serving_order(self.stubs)]
            assert normalised(listed, self.fixed_ids) == expect["json"]["mappings"]
        elif method == "GET" and parts[:1] == ["mappings"] and len(parts) == 2:
            found = [s for s in self.stubs if str(s.id) == parts[1]]
            assert expect["status"] == (200 if found else 404)
        elif method in ("PUT", "DELETE") and parts[:1] == ["mappings"] and len(parts) == 2:
            old = [s for s in self.stubs if str(s.id) == parts[1]]
            assert expect["status"] == (200 if old else 404)
            self.stubs = [s for s in self.stubs if str(s.id) != parts[1]]
            if method == "PUT" and old:
                stub = StubMapping.from_json(step["json"])
                stub.id = old[0].id
                stub.insertion_index = old[0].insertion_index  # a replaced stub keeps its place
                self.stubs.append(stub)
            self.scenarios.sync(self.stubs)
        elif method == "POST" and parts == ["mappings", "edit"]:
            stub = StubMapping.from_json(step["json"])
            old = next(s for s in self.stubs if s.id == stub.id)
            stub.insertion_index = old.insertion_index
            self.stubs = [stub if s.id == stub.id else s for s in self.stubs]
            self.scenarios.sync(self.stubs)
        elif method == "GET" and parts == ["scenarios"]:
            listed = self.scenarios.to_json(self.stubs, compat=int(self.case["version"]))
            assert normalised(listed, self.fixed_ids) == expect["json"]["scenarios"]
        elif method == "PUT" and parts[:1] == ["scenarios"] and parts[-1:] == ["state"]:
            name = "/".join(parts[1:-1])
            try:
                if "json" in step:
                    self.scenarios.set_state(name, step["json"]["state"])
                else:
                    self.scenarios.reset(name)
            except ScenarioNotFoundError as error:
                assert (expect["status"], error.to_json()) == (404, expect["json"])
                return
            except InvalidInputError as error:
                assert (expect["status"], error.to_json()) == (422, expect["json"])
                return
            assert expect["status"] == 200
        elif method == "POST" and parts == ["near-misses", "request"]:
            misses = near_misses(self.stubs, LoggedRequest.from_json(step["json"]), scenarios=self.scenarios)
            shown = []
            for miss in misses:
                entry = miss.to_json()
                entry["request"]["port"] = "<port>"
                entry["matchResult"]["distance"] = "<distance>"
                shown.append(entry)
            assert normalised(shown, self.fixed_ids) == expect["json"]["nearMisses"]
        elif method == "POST" and parts == ["scenarios", "reset"]:
            self.scenarios.reset_all()
        else:
            raise Unsupported(f"{method} {path}")

    def serve(self, step: dict[str, Any], expect: dict[str, Any]) -> None:
        request = to_request(step)
        for candidate in self.stubs:  # the serving fast path agrees with the scored match
            assert candidate.request.is_match(request) == candidate.request.match(request).is_exact_match
        stub = ServingOrder(self.stubs).find(request, self.scenarios)
        matched_id = (expect.get("headers") or {}).get("Matched-Stub-Id")
        if "error" in expect:  # a fault: the stub matched, then the connection broke
            assert stub is not None and stub.response.fault is not None
        elif matched_id is None:
            if expect["status"] != 404:
                raise Unsupported("an answer without a stub (static file)")
            assert stub is None, f"expected no match, {stub.to_json() if stub else ''}"
        else:
            assert stub is not None, "expected a stub to match"
            if matched_id != "<uuid>":
                assert str(stub.id) == matched_id
            definition = stub.response.raw
            if "body" in expect and "body" in definition and not definition.get("transformers"):
                assert definition["body"] == expect["body"]
        if stub is not None:
            self.scenarios.apply(stub)


CORE_ADMIN_STEPS = [
    ("POST", r"/__admin/mappings"),
    ("GET", r"/__admin/mappings"),
    ("GET|PUT|DELETE", r"/__admin/mappings/[0-9a-f-]{36}"),
    ("POST", r"/__admin/mappings/edit"),
    ("GET", r"/__admin/scenarios"),
    ("PUT", r"/__admin/scenarios/[^/]+/state"),
    ("POST", r"/__admin/scenarios/reset"),
    ("POST", r"/__admin/near-misses/request"),
]


def is_core_step(step: dict[str, Any]) -> bool:
    """Stub requests, and the admin calls that only touch stubs and scenarios."""
    if not step["path"].startswith("/__admin"):
        return True
    return any(
        re.fullmatch(methods, step["method"]) and re.fullmatch(path, step["path"])
        for methods, path in CORE_ADMIN_STEPS
    )


def replayable() -> list[Any]:
    """Corpus cases made only of core steps (the rest need files, the journal, settings...)."""
    params = []
    for line in CORPUS.read_text().splitlines():
        case = json.loads(line)
        steps = [*case.get("setup", []), *(case.get("requests") or [case["request"]])]
        if all(is_core_step(step) for step in steps):
            params.append(pytest.param(case, id=case["id"]))
    return params


@pytest.mark.parametrize("case", replayable())
def test_corpus_case_selects_the_same_stub(case: dict[str, Any]) -> None:
    replay = Replay(case)
    for step in case.get("setup", []):
        stub = StubMapping.from_json(step["json"])
        replay.add(stub)
    steps = case.get("requests") or [case["request"]]
    expects = case.get("expects") or [case["expect"]]
    try:
        for step, expect in zip(steps, expects, strict=True):
            if step["path"].startswith("/__admin"):
                replay.admin(step, expect)
            else:
                replay.serve(step, expect)
    except Unsupported as why:  # is_core_step let through a step the replay cannot model
        pytest.fail(f"not a stub-core step: {why}")
