"""Replaying answers recorded from real WireMock: stubs in insertion order, the request as sent,
and the stub it served or the 404 report of the nearest stub."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from podlab.httpcore import Request
from podlab.stub.matching.order import ServingOrder
from podlab.stub.matching.scenarios import Scenarios
from podlab.stub.model import StubMapping
from podlab.stub.model.request import LoggedRequest
from podlab.stub.report.near_misses import NearMissIndex, near_misses
from podlab.stub.report.not_matched import render_not_matched

LOGGED_AT = datetime(2026, 11, 28, tzinfo=UTC)
DATA = Path(__file__).parent / "data"


def recorded_data(name: str) -> Any:
    """A recorded corpus kept as JSON under tests/stub/data/."""
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def load_stubs(bodies: list[dict[str, Any]]) -> tuple[list[StubMapping], Scenarios]:
    """The stubs as the admin API would hold them after POSTing `bodies` in order."""
    stubs = []
    for number, body in enumerate(bodies, start=1):
        stub = StubMapping.from_json(body)
        stub.insertion_index = number
        stubs.append(stub)
    scenarios = Scenarios()
    scenarios.sync(stubs)
    return stubs, scenarios


def sent_request(
    method: str, target: str, headers: list[tuple[str, str]], body: str | None, port: int
) -> LoggedRequest:
    """A request as the server logs it when it arrives on `port`."""
    path, _, query = target.partition("?")
    sent = Request(
        method=method,
        target=target,
        path=path,
        query=query,
        http_version="1.1",
        headers=headers,
        body=(body or "").encode(),
        client=("127.0.0.1", 40000),
        server=("127.0.0.1", port),
    )
    return LoggedRequest.from_http(sent, logged_at=LOGGED_AT)


def logged_request(
    method: str,
    url: str,
    headers: list[tuple[str, str]],
    body: bytes,
    *,
    base: str = "http://127.0.0.1:8080",
    request_id: str = "test",
    logged_at: datetime = LOGGED_AT,
) -> LoggedRequest:
    """A logged request built directly (no socket): `url` is path and query as sent."""
    return LoggedRequest(
        id=request_id,
        method=method,
        url=url,
        absolute_url=base + url,
        client_ip="127.0.0.1",
        protocol="HTTP/1.1",
        headers=headers,
        body=body,
        logged_at=logged_at,
    )


def corpus_headers(step: dict[str, Any]) -> tuple[list[tuple[str, str]], bytes]:
    """Headers and body of a conformance-corpus request step (a `json` body sets Content-Type)."""
    headers: list[tuple[str, str]] = []
    for name, value in (step.get("headers") or {}).items():
        for item in value if isinstance(value, list) else [value]:
            headers.append((name, item))
    body = b""
    if "json" in step:
        body = json.dumps(step["json"], separators=(",", ":")).encode()
        headers.append(("Content-Type", "application/json"))
    elif step.get("body") is not None:
        body = step["body"].encode()
    return headers, body


def assert_reproduced(case: dict[str, Any], port: int, compat: int = 3) -> None:
    """The recorded choice (`matched` stub id) or the recorded 404 report, byte for byte."""
    stubs, scenarios = load_stubs(case["stubs"])
    headers = [(name, value) for name, value in case["headers"]]
    req = sent_request(case["method"], case["path"], headers, case["body"], port)
    served = ServingOrder(stubs).find(req, scenarios)
    if case["matched"] is not None:
        assert served is not None and str(served.id) == case["matched"]
        return
    assert case["status"] == 404 and served is None
    everything = near_misses(stubs, req, scenarios=scenarios, compat=compat)
    # the index serving uses must pick what scoring every stub picks
    order = ServingOrder(stubs)
    for index in (NearMissIndex(order.stubs), NearMissIndex(order.stubs, order)):  # with regex bounds too
        indexed = index.nearest(req, scenarios=scenarios, compat=compat)
        assert [(m.stub.id, m.distance) for m in indexed] == [(m.stub.id, m.distance) for m in everything]
    nearest = everything[0]
    text = render_not_matched(req, nearest.stub, scenario_state=nearest.scenario_state, compat=compat)
    assert text == case["diff"]
