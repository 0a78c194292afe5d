"""Admin API behaviour beyond the corpus: bad input changes nothing, auth, journal limits, lifecycle."""

from __future__ import annotations

import base64
import json
import time

import pytest

from .conftest import StubProcess

GOOD = {"request": {"url": "/good"}, "response": {"body": "g"}}


def listing(stub: StubProcess) -> dict:
    status, _, body = stub.call("GET", "/__admin/mappings")
    assert status == 200
    return json.loads(body)


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ('{"request":{"method":"GET","url":"/bad"', "/request"),
        ({"request": {"url": "/bad", "foo": 1}, "response": {}}, "/request/foo"),
        ({"request": {"url": "/bad"}, "response": {"fault": "NOPE"}}, "/response/fault"),
        ({"request": {"urlPattern": "/bad/(unclosed"}, "response": {}}, "/request"),  # as 3.13.2 answers
        ({"request": {"url": "/bad"}, "response": {"status": "abc"}}, "/response/status"),
        (
            {"request": {"url": "/bad", "headers": {"X": {"equalsTo": "x"}}}, "response": {}},
            "/request/headers/X",
        ),
        ("[1, 2]", "/"),
        (" ", "/"),
    ],
    ids=[
        "truncated-json",
        "unknown-field",
        "bad-enum",
        "bad-regex",
        "bad-type",
        "bad-matcher",
        "array",
        "empty",
    ],
)
def test_bad_mappings_answer_422_and_change_nothing(
    stub_server: StubProcess, body: object, pointer: str
) -> None:
    stub_server.call("POST", "/__admin/mappings", GOOD)
    before = listing(stub_server)
    status, headers, answer = stub_server.call("POST", "/__admin/mappings", body)
    assert status == 422, answer
    assert headers["content-type"] == "application/json"
    error = json.loads(answer)["errors"][0]
    assert error["code"] == 10 and error["title"] == "Error parsing JSON"
    assert error["source"]["pointer"] == pointer
    assert error["detail"]
    first_id = before["mappings"][0]["id"]
    assert stub_server.call("PUT", f"/__admin/mappings/{first_id}", body)[0] == 422
    assert stub_server.call("POST", "/__admin/mappings/import", {"mappings": [GOOD, body]})[0] == 422
    assert listing(stub_server) == before
    assert list((stub_server.root / "mappings").iterdir()) == []


def test_settings_validation_and_replacement(stub_server: StubProcess) -> None:
    assert stub_server.call("POST", "/__admin/settings", {"fixedDelay": "soon"})[0] == 422
    assert stub_server.call("POST", "/__admin/settings", {"bogus": 1})[0] == 422
    assert json.loads(stub_server.call("GET", "/__admin/settings")[2]) == {
        "settings": {"proxyPassThrough": True}
    }
    assert stub_server.call("PATCH", "/__admin/settings/extended", {"k": "v"})[0] == 422  # as 3.13.2
    assert stub_server.call("PATCH", "/__admin/settings/extended", {"extended": {"k": "v"}})[0] == 200
    assert json.loads(stub_server.call("GET", "/__admin/settings")[2])["settings"]["extended"] == {"k": "v"}


def test_admin_basic_auth(start_stub) -> None:
    stub = start_stub("--admin-api-basic-auth", "admin:s3cret")
    assert stub.call("GET", "/__admin/mappings")[0] == 401
    wrong = {"Authorization": "Basic " + base64.b64encode(b"admin:nope").decode()}
    assert stub.call("GET", "/__admin/mappings", headers=wrong)[0] == 401
    right = {"Authorization": "Basic " + base64.b64encode(b"admin:s3cret").decode()}
    assert stub.call("POST", "/__admin/mappings", GOOD, headers=right)[0] == 201
    assert stub.call("GET", "/good")[2] == b"g"  # stubs stay open
    assert "admin-api-basic-auth:         enabled" in stub.stdout()


def test_admin_require_https_refuses_plain_http(start_stub) -> None:
    stub = start_stub("--admin-api-require-https")
    status, headers, body = stub.call("GET", "/__admin/mappings")
    assert status == 403 and headers["content-type"] == "application/json"
    # WireMock 3.13.2 and 2.35.1, byte for byte.
    assert body == (
        b'{\n  "errors" : [ {\n    "code" : 40,\n    "title" : "HTTPS is required for accessing the admin API"\n  } ]\n}'
    )


def test_journal_disabled_and_bounded(start_stub) -> None:
    off = start_stub("--no-request-journal")
    off.call("GET", "/anything")
    journal = json.loads(off.call("GET", "/__admin/requests")[2])
    assert journal["requests"] == [] and journal["requestJournalDisabled"] is True
    count = json.loads(off.call("POST", "/__admin/requests/count", {"method": "ANY"})[2])
    assert count == {"count": -1, "requestJournalDisabled": True}

    bounded = start_stub("--max-request-journal-entries", "3")
    for i in range(6):
        bounded.call("GET", f"/r/{i}")
    journal = json.loads(bounded.call("GET", "/__admin/requests")[2])
    assert [e["request"]["url"] for e in journal["requests"]] == ["/r/5", "/r/4", "/r/3"]


def test_compat_2_routes_and_404_content_type(start_stub) -> None:
    stub = start_stub("--compat", "2")
    status, _, body = stub.call("POST", "/__admin/mappings/new", GOOD)
    assert (status, body) == (201, b"")
    assert stub.call("GET", "/__admin/health")[0] == 404
    assert stub.call("GET", "/__admin/version")[0] == 404
    status, headers, _ = stub.call("GET", "/nothing")
    assert status == 404 and headers["content-type"] == "text/plain"
    assert headers.get("vary") is None
    _, headers, _ = stub.call("GET", "/good")
    assert headers["vary"] == "Accept-Encoding, User-Agent"


def test_templating_defaults_per_compat(start_stub) -> None:
    mapping = {
        "request": {"urlPath": "/t"},
        "response": {"body": "u={{request.url}}", "transformers": ["response-template"]},
    }
    v3 = start_stub()
    v3.call("POST", "/__admin/mappings", mapping)
    assert v3.call("GET", "/t?a=1")[2] == b"u=/t?a=1"
    v2 = start_stub("--compat", "2")
    v2.call("POST", "/__admin/mappings", mapping)
    assert v2.call("GET", "/t?a=1")[2] == b"u={{request.url}}"
    v2_local = start_stub("--compat", "2", "--local-response-templating")
    v2_local.call("POST", "/__admin/mappings", mapping)
    assert v2_local.call("GET", "/t?a=1")[2] == b"u=/t?a&#x3D;1"  # 2.35.1 HTML-escapes {{…}}
    plain = {"request": {"urlPath": "/g"}, "response": {"body": "{{request.method}}"}}
    global_ = start_stub("--global-response-templating")
    global_.call("POST", "/__admin/mappings", plain)
    assert global_.call("GET", "/g")[2] == b"GET"
    off = start_stub("--disable-response-templating")
    off.call("POST", "/__admin/mappings", mapping)
    assert off.call("GET", "/t?a=1")[2] == b"u={{request.url}}"


def test_recording_stop_without_start(stub_server: StubProcess) -> None:
    # The rest of recording is in test_recording.py.
    assert json.loads(stub_server.call("GET", "/__admin/recordings/status")[2]) == {"status": "NeverStarted"}
    status, _, body = stub_server.call("POST", "/__admin/recordings/stop")
    assert (status, json.loads(body)) == (
        400,
        {"errors": [{"code": 30, "title": "Not currently recording."}]},
    )


def test_mapping_ids_must_be_uuids(stub_server: StubProcess) -> None:
    for method in ("GET", "DELETE"):
        status, _, body = stub_server.call(method, "/__admin/mappings/not-a-uuid")
        assert status == 400
        assert json.loads(body) == {"errors": [{"code": 10, "title": "not-a-uuid is not a valid UUID"}]}
    status, _, body = stub_server.call("DELETE", "/__admin/requests")
    assert (status, body) == (200, b"{}")


def test_unmatched_stub_listing(stub_server: StubProcess) -> None:
    hit = json.loads(stub_server.call("POST", "/__admin/mappings", GOOD)[2])["id"]
    cold = json.loads(
        stub_server.call("POST", "/__admin/mappings", {"request": {"url": "/cold"}, "response": {}})[2]
    )["id"]
    stub_server.call("GET", "/good")
    unmatched = json.loads(stub_server.call("GET", "/__admin/mappings/unmatched")[2])
    assert [m["id"] for m in unmatched["mappings"]] == [cold]
    stub_server.call("DELETE", "/__admin/mappings/unmatched")
    assert [m["id"] for m in listing(stub_server)["mappings"]] == [hit]


def test_shutdown_answers_then_exits(stub_server: StubProcess) -> None:
    status, _, body = stub_server.call("POST", "/__admin/shutdown")
    assert (status, body) == (200, b"")
    deadline = time.monotonic() + 10
    while stub_server.proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert stub_server.proc.returncode == 0


_METHOD_CLASS = "com.github.tomakehurst.wiremock.http.RequestMethod"


@pytest.mark.parametrize(
    ("method", "detail"),
    [  # observed from WireMock 2.35.1's jar on this machine (the same Jackson wording as 3.x)
        (
            ["GET"],
            f"Cannot deserialize value of type `{_METHOD_CLASS}` from Array value (token `JsonToken.START_ARRAY`)",
        ),
        (
            {"a": 1},
            f"Cannot construct instance of `{_METHOD_CLASS}` (although at least one Creator exists): "
            "cannot deserialize from Object value (no delegate- or property-based Creator)",
        ),
    ],
    ids=["array", "object"],
)
def test_a_method_that_is_not_a_string_answers_wiremocks_422(
    stub_server: StubProcess, method: object, detail: str
) -> None:
    body = {"request": {"method": method, "url": 5}, "response": {}}
    status, headers, answer = stub_server.call("POST", "/__admin/mappings", body)
    assert status == 422, answer
    assert headers["content-type"] == "application/json"
    assert json.loads(answer) == {
        "errors": [
            {
                "code": 10,
                "source": {"pointer": "/request/method"},
                "title": "Error parsing JSON",
                "detail": detail,
            }
        ]
    }
