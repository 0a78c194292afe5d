"""NearMissIndex against scoring every stub: the same nearest stubs, in the same order."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime

import pytest

from podlab.stub.matching.order import ServingOrder
from podlab.stub.model import StubMapping
from podlab.stub.model.request import LoggedRequest
from podlab.stub.report.near_misses import (
    _FIRST_RANKED,
    EXACT_URLS,
    MAX_SCORED,
    NearMissIndex,
    near_misses,
)

WORDS = ["api", "items", "item", "users", "user", "orders", "v1", "v2", "health", "x"]


def request(method: str, url: str) -> LoggedRequest:
    return LoggedRequest(
        id="r",
        method=method,
        url=url,
        absolute_url=f"http://localhost{url}",
        client_ip="127.0.0.1",
        protocol="HTTP/1.1",
        headers=[("Accept", "text/plain")],
        body=b"",
        logged_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


def random_stubs(rng: random.Random, count: int) -> list[StubMapping]:
    stubs = []
    for i in range(count):
        path = "/" + "/".join(rng.choice(WORDS) for _ in range(rng.randint(1, 3)))
        key = rng.choice(["url", "url", "urlPath", "urlPattern", "urlPathPattern"])
        value = path if "Pattern" not in key else path + "/[0-9]+"
        body: dict = {"request": {key: value, "method": rng.choice(["GET", "POST", "ANY"])}}
        if rng.random() < 0.3:
            body["request"]["headers"] = {"Accept": {"equalTo": rng.choice(["text/plain", "a/b"])}}
        if rng.random() < 0.2:
            body["priority"] = rng.randint(1, 3)
        body["response"] = {"status": 200}
        stub = StubMapping.from_json(body)
        stub.insertion_index = i
        stubs.append(stub)
    return stubs


def answers(misses: list) -> list[tuple[str, float]]:
    return [(str(m.stub.id), m.distance) for m in misses]


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("compat", [3, 2])
def test_index_picks_what_scoring_every_stub_picks(seed: int, compat: int) -> None:
    rng = random.Random(seed)
    stubs = random_stubs(rng, rng.choice([1, 5, 40, 150]))
    order = ServingOrder(stubs)
    index = NearMissIndex(order.stubs)
    with_regex_bounds = NearMissIndex(order.stubs, order)
    for _ in range(20):
        path = "/" + "/".join(rng.choice(WORDS) for _ in range(rng.randint(1, 4)))
        req = request(rng.choice(["GET", "POST", "PUT"]), path + rng.choice(["", "?a=1", "/7"]))
        expected = answers(near_misses(stubs, req, compat=compat))
        assert answers(index.nearest(req, compat=compat)) == expected
        assert answers(with_regex_bounds.nearest(req, compat=compat)) == expected


def test_regex_stubs_past_max_scored_are_bounded_by_the_serving_index() -> None:
    """1,000 regex stubs none of which can match: the answer is WireMock's, not the nearest of
    the first MAX_SCORED."""
    stubs = []
    for i in range(1000):
        key, value = ("url", f"/many/exact/{i}") if i % 2 == 0 else ("urlPattern", f"/many/re{i}/[a-z]+/\\d+")
        stub = StubMapping.from_json({"request": {key: value, "method": "GET"}, "response": {}})
        stub.insertion_index = i
        stubs.append(stub)
    order = ServingOrder(stubs)
    index = NearMissIndex(order.stubs, order)
    for url in ("/many/none/xyz", "/many/re999/abc/x", "/many/re1/ABC/1", "/nothing"):
        req = request("GET", url)
        assert answers(index.nearest(req)) == answers(near_misses(stubs, req))


def literal_stubs(count: int) -> list[StubMapping]:
    stubs = [
        StubMapping.from_json({"request": {"url": f"/api/item/{i}", "method": "GET"}, "response": {}})
        for i in range(count)
    ]
    for i, stub in enumerate(stubs):
        stub.insertion_index = i
    return stubs


def test_up_to_exact_urls_literal_stubs_the_answer_is_exact() -> None:
    stubs = literal_stubs(EXACT_URLS)
    index = NearMissIndex(ServingOrder(stubs).stubs)
    for url in ("/api/item/12345x", "/api/itme/77x", "/nothing/like/it", "/api/item/"):
        req = request("GET", url)
        assert answers(index.nearest(req)) == answers(near_misses(stubs, req))


def test_ten_thousand_literal_stubs_answer_as_near_in_bounded_time() -> None:
    """Past EXACT_URLS the nearest found is as near as WireMock's (ties may pick another stub)."""
    stubs = literal_stubs(10_000)
    index = NearMissIndex(ServingOrder(stubs).stubs)
    for url in ("/api/item/12345x", "/api/item/77", "/api/item/9999/x"):
        req = request("GET", url)
        started = time.monotonic()
        found = index.nearest(req)
        elapsed = time.monotonic() - started
        exact = near_misses(stubs, req)
        assert [m.distance for m in found] == [m.distance for m in exact]
        assert elapsed < 0.05, elapsed  # scoring all 10,000 took 0.28 s


def test_past_max_scored_regex_stubs_the_nearest_scored_is_reported() -> None:
    """Regex URLs have no cheap bound: only the first MAX_SCORED in serving order are scored."""
    count = MAX_SCORED + 50
    stubs = [
        StubMapping.from_json({"request": {"urlPattern": f"/r{i}/.*", "method": "GET"}, "response": {}})
        for i in range(count)
    ]
    for i, stub in enumerate(stubs):
        stub.insertion_index = i
    ordered = ServingOrder(stubs).stubs
    found = NearMissIndex(ordered).nearest(request("GET", "/nothing"))
    assert {m.stub.id for m in found} <= {s.id for s in ordered[:MAX_SCORED]}
    assert len(found) == 3


@pytest.mark.parametrize("seed", range(12))
def test_the_nearest_alone_is_the_first_of_the_three(seed: int) -> None:
    """The 404 report asks for one near miss (limit=1): the loop stops sooner, but the stub is
    the first of the three the admin API lists, ties (same distance, serving order) included."""
    rng = random.Random(100 + seed)
    stubs = random_stubs(rng, rng.choice([3, 40, 300]))
    order = ServingOrder(stubs)
    index = NearMissIndex(order.stubs, order)
    for _ in range(30):
        path = "/" + "/".join(rng.choice(WORDS) for _ in range(rng.randint(1, 4)))
        req = request(rng.choice(["GET", "POST"]), path + rng.choice(["", "?a=1", "/7"]))
        expected = answers(near_misses(stubs, req))[:1]
        assert answers(index.nearest(req, limit=1)) == expected


def test_ties_past_the_first_ranked_urls_are_ranked_further() -> None:
    """Forty literal URLs at the same distance from the request, the thirty served first (the
    newest) of which also miss on the method: the nearest are past the first ranked batch
    (_FIRST_RANKED), and the answer is still the one scoring every stub gives."""
    stubs = []
    for i in range(40):
        method = "GET" if i < 10 else "POST"
        stub = StubMapping.from_json(
            {"request": {"url": f"/api/item/{i:02d}", "method": method}, "response": {}}
        )
        stub.insertion_index = i
        stubs.append(stub)
    order = ServingOrder(stubs)
    index = NearMissIndex(order.stubs, order)
    for url in ("/api/item/xx", "/api/itemxxx", "/api/item/3", "/api/item/35"):
        req = request("GET", url)
        assert answers(index.nearest(req)) == answers(near_misses(stubs, req))
        assert answers(index.nearest(req, limit=1)) == answers(near_misses(stubs, req))[:1]
        # again, from the remembered ranking
        assert answers(index.nearest(req)) == answers(near_misses(stubs, req))
    assert any(len(ranked) > _FIRST_RANKED for ranked in index._bounds.values())


def test_rapidfuzz_ranks_ties_by_index_whatever_the_limit() -> None:
    """What ranking 16 at a time relies on: `process.extract(limit=k)` gives the first k of the
    ranking by (score, index), so a short ranking is the start of a longer one."""
    from rapidfuzz import process
    from rapidfuzz.distance import Levenshtein

    rng = random.Random(5)
    for _ in range(300):
        alphabet = rng.choice(["ab", "abc/", "abcdefgh/"])
        texts = [
            "/" + "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8)))
            for _ in range(rng.choice([5, 40, 300]))
        ]
        target = "/" + "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8)))
        full = sorted(
            (Levenshtein.normalized_distance(target, text), index) for index, text in enumerate(texts)
        )
        for limit in (2, 3, _FIRST_RANKED, MAX_SCORED):
            ranked = process.extract(target, texts, scorer=Levenshtein.normalized_distance, limit=limit)
            assert [(score, index) for _, score, index in ranked] == full[:limit]
