"""Recording (POST /__admin/recordings/start|stop|snapshot, GET .../status, --record-mappings)
as WireMock 3.13.2 does it: a podlab stub on 127.0.0.1 is the target, podlab records from it,
and one case records the same exchanges with the real jar and compares the stubs it made."""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from podlab.stub.recording.names import name_uuid, stub_name, unique_file_name
from podlab.stub.recording.spec import parse_record_spec

from .inprocess import Running

JAR = Path("/tmp/node_modules/wiremock/build/wiremock-standalone-3.13.2.jar")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


TARGET_STUBS = [
    {
        "request": {"urlPath": "/api/items"},
        "response": {
            "status": 200,
            "headers": {"Content-Type": "application/json"},
            "jsonBody": {"items": [1, 2]},
        },
    },
    {
        "request": {"url": "/api/echo", "method": "POST"},
        "response": {"status": 201, "headers": {"Content-Type": "text/plain"}, "body": "made"},
    },
    {
        "request": {"url": "/api/big"},
        "response": {"status": 200, "headers": {"Content-Type": "text/plain"}, "body": "x" * 2000},
    },
    {
        "request": {"url": "/api/bin"},
        "response": {
            "status": 200,
            "headers": {"Content-Type": "application/octet-stream"},
            "base64Body": "AAEC",
        },
    },
]


@pytest.fixture
def target(start: Any) -> Running:
    server = start()
    for stub in TARGET_STUBS:
        server.json("POST", "/__admin/mappings", stub)
    return server


def exchanges(base: str) -> None:
    """The same client traffic for every recorder."""

    def send(
        method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> None:
        req = urllib.request.Request(base + path, data=body, method=method, headers=headers or {})
        with urllib.request.urlopen(req, timeout=10) as resp:
            resp.read()

    send("GET", "/api/items?page=2&tag=a&tag=b", headers={"Accept": "application/json"})
    send("POST", "/api/echo", b'{"name":"x"}', {"Content-Type": "application/json"})
    send("GET", "/api/items?page=2&tag=a&tag=b", headers={"Accept": "application/json"})
    send("GET", "/api/big")


def normalised(mappings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Mapping JSON with ids, the target's stub ids and body file names made comparable."""
    text = json.dumps(mappings, sort_keys=True)
    return json.loads(UUID.sub("<id>", text))


def test_names_as_wiremock_makes_them() -> None:
    assert stub_name("/t/foo/Bar.json?x=1") == "t_foo_bar.json"
    assert stub_name("/") == ""
    assert unique_file_name("/t/rec?x=1", "mapping", "Ajt6x") == "mapping-t-rec-Ajt6x.json"
    assert unique_file_name("/", "body", "lhpr1", "txt") == "body-(root)-lhpr1.txt"
    assert name_uuid("Ajt6x") == "511acd3b-5791-38f0-b31a-6f2e987860d6"  # seen on the jar


def test_start_stop_records_proxied_exchanges(start: Any, target: Running) -> None:
    recorder = start()
    assert recorder.json("GET", "/__admin/recordings/status") == {"status": "NeverStarted"}
    assert recorder.call("POST", "/__admin/recordings/start", {"targetBaseUrl": target.base})[2] == b"{}"
    assert recorder.json("GET", "/__admin/recordings/status") == {"status": "Recording"}
    (proxy,) = recorder.json("GET", "/__admin/mappings")["mappings"]
    assert proxy["request"] == {"method": "ANY"} and proxy["response"]["proxyBaseUrl"] == target.base
    exchanges(recorder.base)
    result = recorder.json("POST", "/__admin/recordings/stop")
    assert recorder.json("GET", "/__admin/recordings/status") == {"status": "Stopped"}
    big, second, echo, first = result["mappings"]  # newest first, as WireMock lists them
    assert first["name"] == "api_items" and first["persistent"] is True
    assert first["request"] == {
        "urlPath": "/api/items",
        "method": "GET",
        "queryParameters": {
            "page": {"hasExactly": [{"equalTo": "2"}]},
            "tag": {"hasExactly": [{"equalTo": "a"}, {"equalTo": "b"}]},
        },
    }
    assert first["response"]["body"] == '{"items":[1,2]}'
    assert "Content-Length" not in first["response"]["headers"]
    scenario = "scenario-1-api-items"
    assert (first["scenarioName"], first["requiredScenarioState"], first["newScenarioState"]) == (
        scenario,
        "Started",
        f"{scenario}-2",
    )
    assert (second["scenarioName"], second["requiredScenarioState"]) == (scenario, f"{scenario}-2")
    assert echo["request"]["bodyPatterns"] == [
        {"equalToJson": '{"name":"x"}', "ignoreArrayOrder": True, "ignoreExtraElements": True}
    ]
    assert big["response"]["body"] == "x" * 2000  # no extractBodyCriteria: kept inline
    # The proxy stub is gone, the recorded ones are served and saved under WireMock's names.
    listed = recorder.json("GET", "/__admin/mappings")["mappings"]
    assert {m["id"] for m in listed} == {m["id"] for m in result["mappings"]}
    saved = sorted(p.name for p in (recorder.root / "mappings").iterdir())
    assert saved == sorted(f"{m['name']}-{m['id']}.json" for m in result["mappings"])
    status, _, body = recorder.call(
        "POST", "/api/echo", b'{"name":"x"}', {"Content-Type": "application/json"}
    )
    assert (status, body) == (201, b"made")
    error = recorder.call("POST", "/__admin/recordings/stop")
    assert error[0] == 400 and json.loads(error[2]) == {
        "errors": [{"code": 30, "title": "Not currently recording."}]
    }


def test_snapshot_options(start: Any, target: Running) -> None:
    recorder = start("--proxy-all", target.base)
    exchanges(recorder.base)
    urllib.request.urlopen(recorder.base + "/api/bin", timeout=10).read()
    ids = recorder.json("POST", "/__admin/recordings/snapshot", {"persist": False, "outputFormat": "ids"})
    assert len(ids["ids"]) == 5 and not any((recorder.root / "mappings").iterdir())
    recorder.json("DELETE", "/__admin/mappings")
    result = recorder.json(
        "POST",
        "/__admin/recordings/snapshot",
        {
            "filters": {"urlPathPattern": "/api/(items|big|bin)", "method": "GET"},
            "captureHeaders": {"Accept": {"caseInsensitive": True}},
            "extractBodyCriteria": {"textSizeThreshold": "1 kb", "binarySizeThreshold": 0},
            "repeatsAsScenarios": False,
            "persist": False,
        },
    )
    binary, big, items = result["mappings"]  # the repeat of /api/items dropped, not a scenario
    assert "scenarioName" not in items and "persistent" not in items
    assert items["request"]["headers"] == {"Accept": {"equalTo": "application/json", "caseInsensitive": True}}
    assert "body" in items["response"]  # under 1 KB
    assert big["response"]["bodyFileName"] == f"api_big-{big['id']}.txt"
    assert (recorder.root / "__files" / big["response"]["bodyFileName"]).read_text() == "x" * 2000
    # octet-stream names no extension and the URL has none: the body is not JSON or XML, so "txt"
    assert binary["response"]["bodyFileName"] == f"api_bin-{binary['id']}.txt"
    assert (recorder.root / "__files" / binary["response"]["bodyFileName"]).read_bytes() == b"\x00\x01\x02"
    body_eq = recorder.json(
        "POST",
        "/__admin/recordings/snapshot",
        {
            "filters": {"url": "/api/echo"},
            "requestBodyPattern": {"matcher": "equalTo", "caseInsensitive": True},
        },
    )["mappings"][0]
    assert body_eq["request"]["bodyPatterns"] == [{"equalTo": '{"name":"x"}', "caseInsensitive": True}]


@pytest.mark.parametrize(
    ("body", "pointer", "detail"),
    [
        ({"outputFormat": "bad"}, "/outputFormat", "Invalid output format"),
        (
            {"unknownField": 1},
            "/unknownField",
            'Unrecognized field "unknownField" (class com.github.tomakehurst.wiremock.recording.RecordSpec), '
            "not marked as ignorable",
        ),
        (
            {"persist": "x"},
            "/persist",
            'Cannot deserialize value of type `java.lang.Boolean` from String "x": only "true" or "false" recognized',
        ),
        (
            {"extractBodyCriteria": {"textSizeThreshold": "1 zb"}},
            "/extractBodyCriteria",
            "Invalid size unit: z",
        ),
    ],
)
def test_bad_record_specs_are_wiremocks_422(
    body: dict[str, Any], pointer: str, detail: str, start: Any
) -> None:
    with pytest.raises(Exception) as raised:
        parse_record_spec(body)
    assert raised.value.errors == [  # type: ignore[attr-defined]
        {"code": 10, "source": {"pointer": pointer}, "title": "Error parsing JSON", "detail": detail}
    ]


def test_bad_record_spec_over_http_changes_nothing(start: Any) -> None:
    recorder = start()
    status, _, body = recorder.call(
        "POST", "/__admin/recordings/start", {"targetBaseUrl": 1, "outputFormat": "x"}
    )
    assert status == 422 and json.loads(body)["errors"][0]["source"] == {"pointer": "/targetBaseUrl"}
    status, _, body = recorder.call("POST", "/__admin/recordings/start", b"")
    assert (
        status == 422 and json.loads(body)["errors"][0]["detail"] == "No content to map due to end-of-input"
    )
    assert recorder.json("GET", "/__admin/recordings/status") == {"status": "NeverStarted"}
    assert recorder.json("GET", "/__admin/mappings")["mappings"] == []
    assert recorder.json("POST", "/__admin/recordings/snapshot") == {"mappings": []}


def test_record_mappings_writes_each_first_exchange(start: Any, target: Running) -> None:
    recorder = start("--proxy-all", target.base, "--record-mappings", "--match-headers", "Accept")
    assert (
        "record-mappings:              true\nmatch-headers:                [Accept]\n"
        in recorder.out.getvalue()
    )
    exchanges(recorder.base)
    mappings = sorted((recorder.root / "mappings").iterdir())
    files = sorted((recorder.root / "__files").iterdir())
    assert [re.sub(r"-\w{5}\.", "-ID.", p.name) for p in mappings] == [
        "mapping-api-big-ID.json",
        "mapping-api-echo-ID.json",
        "mapping-api-items-ID.json",  # once: the repeat was not recorded again
    ]
    assert [re.sub(r"-\w{5}\.", "-ID.", p.name) for p in files] == [
        "body-api-big-ID.txt",
        "body-api-echo-ID.txt",
        "body-api-items-ID.json",
    ]
    echo = json.loads(mappings[1].read_text())
    file_id = mappings[1].name[-10:-5]
    assert echo["id"] == echo["uuid"] == name_uuid(file_id)
    assert echo["request"] == {
        "url": "/api/echo",
        "method": "POST",
        "bodyPatterns": [
            {"equalToJson": '{"name":"x"}', "ignoreArrayOrder": True, "ignoreExtraElements": True}
        ],
    }
    assert echo["response"]["bodyFileName"] == f"body-api-echo-{file_id}.txt"
    assert json.loads(mappings[2].read_text())["request"]["headers"] == {
        "Accept": {"equalTo": "application/json"}
    }
    assert (recorder.root / "__files" / f"body-api-echo-{file_id}.txt").read_text() == "made"
    # Written, not served: the running server still has only its proxy stub.
    assert len(recorder.json("GET", "/__admin/mappings")["mappings"]) == 1


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.skipif(
    shutil.which("java") is None or not JAR.exists(), reason="needs java and the WireMock jar"
)
def test_recording_matches_wiremock_3_13_2(start: Any, target: Running, tmp_path: Path) -> None:
    port = _free_port()
    root = tmp_path / "jar"
    (root / "mappings").mkdir(parents=True)
    log = (tmp_path / "jar.log").open("wb")
    jar = subprocess.Popen(
        [
            "java",
            "-jar",
            str(JAR),
            "--port",
            str(port),
            "--bind-address",
            "127.0.0.1",
            "--root-dir",
            str(root),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/__admin/health", timeout=2).read()
                break
            except OSError:
                assert time.monotonic() < deadline and jar.poll() is None, "the jar did not start"
                time.sleep(0.2)
        spec = {"targetBaseUrl": target.base, "extractBodyCriteria": {"textSizeThreshold": "1 kb"}}
        results = []
        for recorder_base in (base, start().base):
            req = urllib.request.Request(
                recorder_base + "/__admin/recordings/start", data=json.dumps(spec).encode(), method="POST"
            )
            urllib.request.urlopen(req, timeout=10).read()
            exchanges(recorder_base)
            req = urllib.request.Request(recorder_base + "/__admin/recordings/stop", data=b"", method="POST")
            with urllib.request.urlopen(req, timeout=10) as resp:
                results.append(json.loads(resp.read())["mappings"])
        theirs, ours = results
        assert normalised(ours) == normalised(theirs)
    finally:
        jar.terminate()
        jar.wait(timeout=20)
        log.close()
