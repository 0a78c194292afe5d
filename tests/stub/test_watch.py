"""--watch: the diff without I/O, one poll step driven by hand, then a real server reloading."""

from __future__ import annotations

import asyncio
import io
import json
import os
from pathlib import Path
from typing import Any

from podlab.stub.model import StubMapping
from podlab.stub.options import HELP, StubOptions, parse_args
from podlab.stub.server import StubServer
from podlab.stub.store.state import StubState
from podlab.stub.store.watch import Changes, diff
from podlab.stub.watcher import Watcher


def test_diff_names_added_changed_removed() -> None:
    before = {"mappings/a.json": (1, 10, 5), "mappings/b.json": (1, 10, 6), "__files/c.txt": (1, 3, 7)}
    after = {"mappings/a.json": (1, 10, 5), "mappings/b.json": (1, 10, 9), "__files/d.txt": (2, 3, 8)}
    changes = diff(before, after)
    assert changes == Changes(
        added=("__files/d.txt",), changed=("mappings/b.json",), removed=("__files/c.txt",)
    )
    assert changes.touches_mappings
    assert changes.describe() == "added __files/d.txt, changed mappings/b.json, removed __files/c.txt"
    assert not diff(before, before)
    assert not Changes(added=("__files/x.json",), changed=("mappings/notes.txt",)).touches_mappings


def mapping(url: str, body: str, **extra: Any) -> str:
    return json.dumps({"request": {"url": url}, "response": {"body": body}, **extra})


def write(path: Path, text: str) -> None:
    # Write beside and rename, as editors do: a new inode, so the change is seen in any mtime tick.
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".new")
    tmp.write_text(text)
    os.replace(tmp, path)


def served(state: StubState) -> dict[str, str]:
    return {s.request.to_json()["url"]: s.response.to_json().get("body") for s in state.ordered()}


def test_one_poll_replaces_file_stubs_keeps_admin_stubs_and_survives_a_bad_file(tmp_path: Path) -> None:
    write(tmp_path / "mappings" / "a.json", mapping("/a", "one"))
    write(tmp_path / "mappings" / "gone.json", mapping("/gone", "x"))
    state = StubState(StubOptions(root_dir=tmp_path))
    state.load_files()
    state.add(StubMapping.from_json(json.loads(mapping("/api", "made"))))
    out, err = io.StringIO(), io.StringIO()
    watcher = Watcher(state, out, err, interval=1)
    watcher.prime()

    write(tmp_path / "mappings" / "a.json", mapping("/a", "two!"))
    write(tmp_path / "mappings" / "sub" / "new.json", mapping("/new", "fresh"))
    (tmp_path / "mappings" / "gone.json").unlink()
    asyncio.run(watcher.poll())
    assert served(state) == {"/api": "made", "/a": "two!", "/new": "fresh"}
    assert (
        "Mappings reloaded (added mappings/sub/new.json, changed mappings/a.json, removed mappings/gone.json): "
        "2 stubs from files, 1 made through the admin API kept\n" in out.getvalue()
    )

    write(tmp_path / "mappings" / "a.json", '{"request": {"url": "/a"}, "response": ')
    asyncio.run(watcher.poll())
    assert served(state) == {"/api": "made", "/a": "two!", "/new": "fresh"}  # the previous stubs
    bad = tmp_path / "mappings" / "a.json"
    assert f"Error loading file {bad}:\ninvalid JSON at line 1, column" in err.getvalue()
    assert (
        "Mappings not reloaded (changed mappings/a.json); still serving the previous 3 stubs\n"
        in err.getvalue()
    )

    write(tmp_path / "mappings" / "a.json", mapping("/a", "three", unknownField=1))
    asyncio.run(watcher.poll())
    assert 'Unrecognized field \\"unknownField\\"' in json.dumps(err.getvalue())
    write(tmp_path / "mappings" / "a.json", mapping("/a", "fixed"))
    asyncio.run(watcher.poll())
    assert served(state)["/a"] == "fixed"

    write(tmp_path / "__files" / "body.txt", "hello")
    assert asyncio.run(watcher.poll()).added == ("__files/body.txt",)
    assert "Files changed: added __files/body.txt\n" in out.getvalue()
    assert not asyncio.run(watcher.poll())


def test_watch_option_and_help() -> None:
    options = parse_args(["--watch", "--watch-interval", "0.2"])
    assert (options.watch, options.watch_interval) == (True, 0.2)
    assert parse_args([]).watch is False
    assert "  --watch  " in HELP and "--watch-interval <seconds>" in HELP


def test_running_server_reloads_on_change(tmp_path: Path) -> None:
    write(tmp_path / "mappings" / "a.json", mapping("/a", "before"))

    async def get(port: int, path: str) -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        data = await asyncio.wait_for(reader.read(), timeout=5)
        writer.close()
        return data

    async def until(port: int, path: str, wanted: bytes, deadline: float = 5.0) -> None:
        async with asyncio.timeout(deadline):
            while wanted not in await get(port, path):
                await asyncio.sleep(0.02)

    async def scenario() -> str:
        out = io.StringIO()
        options = StubOptions(port=0, bind_address="127.0.0.1", root_dir=tmp_path, disable_banner=True)
        options.watch, options.watch_interval = True, 0.05
        server = StubServer(options, out=out, err=io.StringIO())
        await server.start()
        try:
            assert b"before" in await get(server.port, "/a")
            write(tmp_path / "mappings" / "a.json", mapping("/a", "after"))
            await until(server.port, "/a", b"after")
            (tmp_path / "mappings" / "a.json").unlink()
            await until(server.port, "/a", b"404 Not Found")
        finally:
            await server.stop()
            await server.stop()  # idempotent
        return out.getvalue()

    out = asyncio.run(scenario())
    assert "Mappings reloaded (changed mappings/a.json)" in out
    assert "Mappings reloaded (removed mappings/a.json)" in out
