"""The journal keeps unmatched entries compact without changing what the admin API shows."""

from __future__ import annotations

from datetime import UTC, datetime

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
