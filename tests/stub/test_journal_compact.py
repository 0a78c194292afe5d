"""The journal keeps unmatched entries compact without changing what the admin API shows."""

from __future__ import annotations

import copy
import http.client
import json
import random
from datetime import UTC, datetime, timedelta, timezone

import pytest

from podlab.stub.store import journal as journal_module
from podlab.stub.store.journal import Journal, ServeEvent, unmatched_stub_placeholder

from .recorded import logged_request


def unmatched(report: str) -> ServeEvent:
    request = logged_request(
        "POST",
        "/a/b?x=1&y=2",
        [("Cookie", "c=1"), ("Content-Type", "application/x-www-form-urlencoded")],
        b"f=1",
        base="http://127.0.0.1:8080",
        request_id="r",
        logged_at=datetime(2026, 12, 7, 12, 0, tzinfo=UTC),
    )
    # what near-miss scoring leaves cached on the request
    assert request.path and request.query_params and request.cookies and request.form_params
    return ServeEvent(
        request=request,
        response_definition={"status": 404, "fromConfiguredStub": False},
        status=404,
        response_headers=[],
        response_body=b"",
        was_matched=False,
        stub_mapping=unmatched_stub_placeholder(),
        stub_id=None,
        timing={"addedDelay": 0, "processTime": 1, "responseSendTime": 0, "serveTime": 1, "totalTime": 1},
        sub_events=[{"type": "REQUEST_NOT_MATCHED", "data": {"report": report}}],
    )


def test_unmatched_entries_drop_parse_caches_and_read_the_same() -> None:
    journal = Journal()
    event = unmatched("report")
    before = event.to_json()
    journal.add(event)
    fields = type(event.request).__dataclass_fields__
    assert set(event.request.__dict__) <= set(fields)
    assert event.to_json() == before  # recomputed on demand, equal


def test_equal_reports_share_one_string() -> None:
    journal = Journal()
    first = journal.shared_report("".join(["Request was not matched", "\n"]))
    second = journal.shared_report("".join(["Request was not ", "matched\n"]))
    assert first == second and first is second
    for i in range(Journal.REMEMBERED_REPORTS + 10):  # bounded
        journal.shared_report(f"r{i}")
    assert len(journal._reports) <= Journal.REMEMBERED_REPORTS


def test_placeholders_differ_by_id_only() -> None:
    a, b = unmatched_stub_placeholder(), unmatched_stub_placeholder()
    assert a["id"] != b["id"] and a["id"] == a["uuid"]
    assert a["request"] == {"method": "ANY"}
    assert a["response"] == {"status": 404, "fromConfiguredStub": False}


# --- spilling: older entries as compressed blocks, rebuilt on read -------------------------------


def served(i: int, rng: random.Random) -> ServeEvent:
    """A varied event: matched or not, several stubs, headers, bodies, compat 2 and 3."""
    method = rng.choice(["GET", "POST", "PUT", "get"])
    url = f"/item/{i}?q={rng.randint(0, 3)}&q=x" if i % 3 else f"/item/{i}"
    headers = [("Host", "127.0.0.1:8080"), ("X-Many", "a"), ("x-many", str(i))]
    if i % 4 == 0:
        headers.append(("Content-Type", "application/x-www-form-urlencoded; charset=ISO-8859-1"))
    body = rng.choice([b"", b"f=1&g=\xe9", bytes(range(256)), "ünï".encode()])
    request = logged_request(
        method,
        url,
        headers,
        body,
        request_id=f"req-{i}",
        logged_at=datetime(2026, 12, 7, 12, 0, tzinfo=UTC) + timedelta(milliseconds=i * 7, microseconds=i),
    )
    request.compat = 2 if i % 5 == 0 else 3
    if i % 3 == 0:
        event = unmatched(f"report {i % 4}")
        event.request = request
        return event
    stub = rng.choice(STUBS)
    return ServeEvent(
        request=request,
        response_definition=stub["response"],
        status=200,
        response_headers=[("Matched-Stub-Id", stub["id"]), ("X-Seq", str(i))],
        response_body=f"served {i}".encode(),
        was_matched=True,
        stub_mapping=stub,
        stub_id=stub["id"],
        timing={"addedDelay": i % 2, "processTime": 1, "responseSendTime": 0, "serveTime": 1, "totalTime": 1},
    )


STUBS = [
    {
        "id": f"00000000-0000-0000-0000-00000000000{n}",
        "request": {"method": "ANY"},
        "response": {"status": 200},
    }
    for n in range(3)
]


def shown(events: list[ServeEvent]) -> list[dict[str, object]]:
    return [event.to_json() for event in events]


def assert_same(spilling: Journal, plain: Journal) -> None:
    assert len(spilling) == len(plain)
    assert shown(spilling.events()) == shown(plain.events())
    for kwargs in (
        {"unmatched_only": True},
        {"matching_stub": STUBS[1]["id"]},
        {"since": datetime(2026, 12, 7, 12, 0, 1, tzinfo=UTC)},
    ):
        assert shown(spilling.select(**kwargs)) == shown(plain.select(**kwargs))  # type: ignore[arg-type]

    def posts(request: object) -> bool:
        return getattr(request, "method", "") == "POST"

    assert shown(spilling.requests_matching(posts)) == shown(plain.requests_matching(posts))


@pytest.mark.parametrize("max_entries", [None, 0, 1, 9, 40, 250])
def test_spilled_journal_answers_as_one_kept_in_memory(max_entries: int | None) -> None:
    """The same events and admin operations, on a journal that spills after 5 entries in blocks
    of 4 and on one that keeps everything as objects: every answer equal, ids stable."""
    spilling = Journal(max_entries=max_entries, memory_entries=5)
    spilling.SPILL_BATCH = 4
    plain = Journal(max_entries=max_entries, memory_entries=10**9)
    rng = random.Random(12)
    for i in range(300):
        event = served(i, random.Random(i))
        event.id  # noqa: B018 (drawn now, so both journals show the same one)
        twin = copy.deepcopy(event)
        spilling.add(event)
        plain.add(twin)
        op = rng.random()
        if op < 0.05 and len(plain):
            victim = rng.choice(plain.events())
            assert spilling.get(victim.id) is not None
            assert spilling.get(victim.id).to_json() == victim.to_json()  # type: ignore[union-attr]
            assert spilling.remove(victim.id) is True and plain.remove(victim.id) is True
        elif op < 0.07:
            stub_id = rng.choice(STUBS)["id"]

            def pick(e: ServeEvent, stub_id: str = stub_id) -> bool:
                return e.stub_id == stub_id and e.request.method != "PUT"

            assert shown(spilling.remove_where(pick)) == shown(plain.remove_where(pick))
        if i % 100 == 0:
            assert_same(spilling, plain)
    assert_same(spilling, plain)
    assert spilling.events() == [] or spilling.get(spilling.events()[-1].id) is not None
    assert spilling.remove("no-such-id") is False
    spilling.clear()
    plain.clear()
    assert_same(spilling, plain)


def test_spilled_ids_stay_the_same_across_reads() -> None:
    journal = Journal(memory_entries=0)
    journal.SPILL_BATCH = 8
    for i in range(40):
        journal.add(served(i, random.Random(i)))  # ids never read before spilling
    first = [event.id for event in journal.events()]
    assert len(set(first)) == 40
    assert [event.id for event in journal.events()] == first
    assert len(journal._events) < 8  # the rest spilled


def test_iterating_lists_the_journal_as_of_the_call_decoding_blocks_as_it_goes() -> None:
    journal = Journal(memory_entries=4, max_entries=40)
    journal.SPILL_BATCH = 8
    for i in range(40):
        journal.add(served(i, random.Random(i)))
    whole = [event.id for event in journal.events()]
    assert [event.id for event in journal.iter_events()] == whole
    listing = journal.iter_events()
    head = [next(listing).id for _ in range(10)]  # in memory, then the newest block
    # Meanwhile: new entries push the oldest out of the bounded journal (whole blocks dropped).
    for i in range(40, 56):
        journal.add(served(i, random.Random(i)))
    rest = [event.id for event in listing]
    listed = head + rest
    assert listed == [i for i in whole if i in set(listed)]  # same order, nothing new
    assert set(whole) - set(listed) <= set(whole[-16:])  # only the dropped oldest are missing
    assert len(listed) >= 40 - 16


def test_spilled_journal_holds_little_memory() -> None:
    """10,000 entries: a few in memory, the rest compressed in a temporary file."""
    journal = Journal()
    events = [served(i, random.Random(i)) for i in range(100)]
    for i in range(10_000):
        journal.add(copy.copy(events[i % 100]))
    assert len(journal) == 10_000
    assert len(journal._events) < Journal.MEMORY_ENTRIES + Journal.SPILL_BATCH
    assert journal._store.size < 10_000 * 400  # compressed: a few hundred bytes an entry at most
    journal.clear()
    assert len(journal) == 0 and journal._store.size == 0


def test_bounded_spilled_journal_reclaims_its_file() -> None:
    journal = Journal(max_entries=100, memory_entries=10)
    journal.SPILL_BATCH = 10
    journal.RECLAIM_BYTES = 10_000
    events = [served(i, random.Random(i)) for i in range(50)]
    for i in range(5_000):
        journal.add(events[i % 50])
    assert len(journal) == 100
    assert journal._store.size <= max(10_000, 2 * sum(b.length for b in journal._blocks))
    assert [event.request.url for event in journal.events()] == [
        events[i % 50].request.url for i in range(4_999, 4_899, -1)
    ]


VOLATILE = {
    "id",
    "uuid",
    "loggedDate",
    "loggedDateString",
    "absoluteUrl",
    "port",
    "timing",
    "timeOffsetNanos",
    "Host",
}


def steady(value: object) -> object:
    """A journal answer without what differs between two servers (ids, times, ports)."""
    if isinstance(value, dict):
        return {k: steady(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [steady(v) for v in value]
    return value


def test_server_that_spills_answers_as_one_that_does_not(start_stub, monkeypatch) -> None:
    """Two real servers, one spilling everything past the newest few entries: the same requests
    give the same admin answers, and a spilled entry is found, read and removed by its id."""
    plain = start_stub()
    monkeypatch.setenv("PODLAB_STUB_JOURNAL_MEMORY_ENTRIES", "0")
    spilling = start_stub()
    stub = {
        "id": "7d7f5ec5-4c4a-4b8a-9f7e-1c5f1a9e2b01",
        "request": {"method": "GET", "urlPathPattern": "/hit/.*"},
        "response": {"status": 200, "body": "{{request.path}}", "transformers": ["response-template"]},
    }
    for server in (plain, spilling):
        assert server.call("POST", "/__admin/mappings", stub)[0] == 201
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        try:
            for i in range(600):  # > 2 blocks of 256
                method, path = ("GET", f"/hit/{i}?n={i}") if i % 4 else ("POST", f"/miss/{i}")
                conn.request(method, path, body=b"x=1" if method == "POST" else None, headers={"X-I": str(i)})
                conn.getresponse().read()
        finally:
            conn.close()
    answers = []
    for server in (plain, spilling):
        calls = [
            server.call("GET", "/__admin/requests"),
            server.call("GET", "/__admin/requests?limit=7"),
            server.call("GET", "/__admin/requests?unmatched=true"),
            server.call("GET", f"/__admin/requests?matchingStub={stub['id']}"),
            server.call("POST", "/__admin/requests/count", {"method": "POST"}),
            server.call("POST", "/__admin/requests/find", {"method": "GET", "urlPath": "/hit/5"}),
            server.call("GET", "/__admin/requests/unmatched"),
        ]
        answers.append([(status, steady(json.loads(body))) for status, _, body in calls])
    assert answers[0] == answers[1]

    journal = json.loads(spilling.call("GET", "/__admin/requests")[2])["requests"]
    assert json.loads(spilling.call("GET", "/__admin/requests")[2])["requests"] == journal  # ids stable
    oldest = journal[-1]
    assert oldest["request"]["url"] == "/miss/0"
    status, _, body = spilling.call("GET", f"/__admin/requests/{oldest['id']}")
    assert status == 200 and json.loads(body) == oldest
    assert spilling.call("DELETE", f"/__admin/requests/{oldest['id']}")[0] == 200
    assert spilling.call("GET", f"/__admin/requests/{oldest['id']}")[0] == 404
    removed = json.loads(spilling.call("POST", "/__admin/requests/remove", {"url": "/miss/4"})[2])
    assert [e["request"]["url"] for e in removed["serveEvents"]] == ["/miss/4"]
    after = json.loads(spilling.call("GET", "/__admin/requests")[2])
    assert after["meta"]["total"] == 598
    assert after["requests"] == [e for e in journal[:-1] if e["request"]["url"] != "/miss/4"]


@pytest.mark.parametrize("zstd", [True, False])
def test_blocks_round_trip_what_marshal_cannot_write(zstd: bool, monkeypatch) -> None:
    """A non-UTC logged time (pickled then), and zlib where zstandard is missing: read back equal."""
    if not zstd:
        monkeypatch.setattr(journal_module, "_zstd", lambda: None)
    events = [served(i, random.Random(i)) for i in range(6)]
    events[2].request.logged_at = datetime(2026, 12, 7, 14, 0, 0, 123456, tzinfo=timezone(timedelta(hours=2)))
    for event in events:
        event.id  # noqa: B018
    before = shown(events)
    data = journal_module._encode_block(events)
    assert data[:1] == (b"s" if zstd else b"z")
    assert shown(journal_module._decode_block(data)) == before
    assert shown(journal_module._decode_block(journal_module._encode_block(events[:2]))) == before[:2]
