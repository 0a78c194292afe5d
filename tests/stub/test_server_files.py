"""The root directory: mapping files in and out, __files, reset and delete semantics (docs/reference/wiremock.md §6, §8)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .conftest import StubProcess, launch

SINGLE = {"request": {"method": "GET", "url": "/single"}, "response": {"body": "from single file"}}
MULTI = {
    "mappings": [
        {"request": {"url": "/multi/1"}, "response": {"body": "m1"}},
        {"request": {"url": "/multi/2"}, "response": {"bodyFileName": "sub/two.txt"}},
    ]
}


def write(path: Path, value: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(value if isinstance(value, str) else json.dumps(value))
    return path


def mappings_total(stub: StubProcess) -> int:
    return int(json.loads(stub.call("GET", "/__admin/mappings")[2])["meta"]["total"])


def test_missing_dirs_are_created(tmp_path: Path) -> None:
    root = tmp_path / "fresh" / "root"
    stub = launch(root)
    try:
        assert (root / "mappings").is_dir() and (root / "__files").is_dir()
    finally:
        stub.stop()


def test_mapping_files_load_recursively_single_and_multi(tmp_path: Path) -> None:
    root = tmp_path / "root"
    write(root / "mappings" / "single.json", SINGLE)
    write(root / "mappings" / "deep" / "er" / "multi.json", MULTI)
    write(root / "mappings" / "readme.txt", "not a mapping {")
    write(root / "__files" / "sub" / "two.txt", "file body")
    stub = launch(root)
    try:
        assert stub.call("GET", "/single")[2] == b"from single file"
        assert stub.call("GET", "/multi/1")[2] == b"m1"
        assert stub.call("GET", "/multi/2")[2] == b"file body"
        assert mappings_total(stub) == 3
        # Multi-mapping files are read-only, as in WireMock.
        assert stub.call("POST", "/__admin/mappings/save")[0] == 500
        assert stub.call("DELETE", "/__admin/mappings")[0] == 500
        assert mappings_total(stub) == 3
    finally:
        stub.stop()


def start_expecting_failure(root: Path) -> subprocess.CompletedProcess[str]:
    """Start the server on `root` and expect it to refuse to start (exit code 1)."""
    result = subprocess.run(
        [sys.executable, "-m", "podlab.stub", "--port", "0", "--root-dir", str(root)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 1
    return result


def test_malformed_mapping_file_stops_startup_naming_it(tmp_path: Path) -> None:
    root = tmp_path / "root"
    write(root / "mappings" / "good.json", SINGLE)
    bad = write(root / "mappings" / "sub" / "broken.json", '{\n  "request": {"url": "/x",\n}')
    result = start_expecting_failure(root)
    assert str(bad) in result.stderr
    assert "line 3" in result.stderr


def test_unknown_field_in_mapping_file_names_file_and_field(tmp_path: Path) -> None:
    root = tmp_path / "root"
    bad = write(
        root / "mappings" / "multi.json", {"mappings": [SINGLE, {"request": {"url": "/y", "foo": 1}}]}
    )
    result = start_expecting_failure(root)
    assert str(bad) in result.stderr
    assert "/mappings/1/request/foo" in result.stderr


def test_save_and_persistent_file_names(stub_server: StubProcess) -> None:
    mappings = stub_server.root / "mappings"
    named = json.loads(
        stub_server.call(
            "POST",
            "/__admin/mappings",
            {"name": "saved one", "request": {"url": "/s1"}, "response": {"body": "1"}},
        )[2]
    )
    unnamed = json.loads(
        stub_server.call(
            "POST",
            "/__admin/mappings",
            {"request": {"method": "GET", "url": "/unsaved/y?z=1"}, "response": {}},
        )[2]
    )
    persistent = json.loads(
        stub_server.call(
            "POST",
            "/__admin/mappings",
            {"persistent": True, "request": {"method": "PUT", "url": "/pers"}, "response": {}},
        )[2]
    )
    assert sorted(p.name for p in mappings.iterdir()) == [f"put-pers-{persistent['id']}.json"]
    assert stub_server.call("POST", "/__admin/mappings/save")[:1] == (200,)
    names = sorted(p.name for p in mappings.iterdir())
    assert names == sorted(
        [
            f"put-pers-{persistent['id']}.json",
            f"saved-one-{named['id']}.json",
            f"get-unsavedyz1-{unnamed['id']}.json",
        ]
    )
    saved = json.loads((mappings / f"saved-one-{named['id']}.json").read_text())
    assert saved["persistent"] is True and "insertionIndex" in saved


def test_delete_all_removes_files_and_reset_reloads_them(tmp_path: Path) -> None:
    root = tmp_path / "root"
    single = write(root / "mappings" / "single.json", SINGLE)
    stub = launch(root)
    try:
        stub.call("POST", "/__admin/mappings", {"request": {"url": "/mem"}, "response": {"body": "m"}})
        assert mappings_total(stub) == 2
        assert stub.call("POST", "/__admin/reset")[0] == 200
        assert mappings_total(stub) == 1  # the in-memory stub went, the file came back
        assert stub.call("GET", "/single")[2] == b"from single file"

        write(
            root / "mappings" / "added-later.json", {"request": {"url": "/later"}, "response": {"body": "l"}}
        )
        stub.call("POST", "/__admin/mappings/reset")
        assert stub.call("GET", "/later")[2] == b"l"

        assert stub.call("DELETE", "/__admin/mappings")[0] == 200
        assert not single.exists()
        assert mappings_total(stub) == 0
    finally:
        stub.stop()


def test_files_api_and_static_gets(stub_server: StubProcess) -> None:
    assert stub_server.call("PUT", "/__admin/files/dir/page.html", "<p>hi</p>")[0] == 200
    assert (stub_server.root / "__files" / "dir" / "page.html").read_text() == "<p>hi</p>"
    assert json.loads(stub_server.call("GET", "/__admin/files")[2]) == ["dir/page.html"]
    status, headers, body = stub_server.call("GET", "/dir/page.html")
    assert (status, headers["content-type"], body) == (200, "text/html", b"<p>hi</p>")
    assert stub_server.call("DELETE", "/__admin/files/dir/page.html")[0] == 200
    assert stub_server.call("GET", "/__admin/files/dir/page.html")[0] == 404


def test_paths_escaping_files_are_refused(stub_server: StubProcess, tmp_path: Path) -> None:
    secret = stub_server.root / "secret.txt"
    secret.write_text("do not serve me")
    for path in ("/__admin/files/..%2Fsecret.txt", "/__admin/files/%2E%2E/%2E%2E/escape.txt"):
        status, _, _ = stub_server.call("PUT", path, "overwritten")
        assert status == 422, path
    assert secret.read_text() == "do not serve me"
    assert not (tmp_path / "escape.txt").exists()
    assert stub_server.call("GET", "/__admin/files/..%2Fsecret.txt")[0] == 404

    stub_server.call(
        "POST",
        "/__admin/mappings",
        {"request": {"url": "/leak"}, "response": {"bodyFileName": "../secret.txt"}},
    )
    status, _, body = stub_server.call("GET", "/leak")
    assert status == 500 and b"do not serve me" not in body
    assert b"outside __files" in body
    status, _, body = stub_server.call("GET", "/..%2Fsecret.txt")
    assert status == 404 and b"do not serve me" not in body
