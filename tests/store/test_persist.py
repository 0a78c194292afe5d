"""store.db, the write-through SQLite mirror (store/persist.py): what a restarted node loads, the
file's mode, a file that is not a store (named, never wiped) and a write the disk refuses
(nothing changes, in memory either)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from podlab.store import Store, StoreError
from podlab.store.persist import StateError

CMS = ("", "configmaps")
PODS = ("", "pods")


def test_every_kind_of_write_is_on_disk_when_the_call_returns(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    store = Store(path)
    store.create(CMS, {"metadata": {"name": "c"}, "data": {"k": "v"}})
    pod = {"metadata": {"name": "p"}, "spec": {"nodeName": "podlab", "containers": [{"name": "a"}]}}
    store.create(PODS, pod)
    store.update(PODS, {"metadata": {"name": "p"}, "status": {"phase": "Running"}}, subresource="status")
    store.delete(PODS, "default", "p", grace_period_seconds=30)  # graceful: marked, not gone
    rv = store.resource_version
    # Another connection sees it all while the store is still open (WAL: committed, not closed).
    db = sqlite3.connect(path)
    assert db.execute("SELECT max(resource_version) FROM objects").fetchone() == (int(rv),)
    rows = db.execute("SELECT count(*) FROM objects").fetchone()[0]
    db.close()
    store.close()
    again = Store(path)
    assert again.restored == rows
    kept = again.get(PODS, "default", "p")
    assert kept["status"] == {"phase": "Running"} and kept["metadata"]["deletionTimestamp"]
    assert kept["metadata"]["resourceVersion"] == rv
    assert again.get(CMS, "default", "c")["data"] == {"k": "v"}
    assert int(again.create(CMS, {"metadata": {"name": "d"}})["metadata"]["resourceVersion"]) == int(rv) + 1


def test_the_file_is_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    Store(path).close()
    assert oct(path.stat().st_mode & 0o777) == "0o600"


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"\x00garbage" * 600, "file is not a database"), (None, "does not hold that object")],
)
def test_a_file_that_is_not_a_store_is_named_and_left_alone(
    tmp_path: Path, content: bytes | None, reason: str
) -> None:
    path = tmp_path / "store.db"
    if content is None:  # a database whose row does not hold the object it names
        Store(path).close()
        with sqlite3.connect(path) as db:
            db.execute(
                'UPDATE objects SET body = \'{"metadata": {"name": "other"}}\' WHERE name = \'default\''
            )
    else:
        path.write_bytes(content)
    before = path.read_bytes()
    with pytest.raises(StateError) as caught:
        Store(path)
    assert caught.value.path == path and reason in str(caught.value)
    assert path.read_bytes() == before


def test_a_write_the_disk_refuses_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    store = Store(path)
    rv = store.resource_version
    # A real SQLite refusal ("database or disk full"): no page may be added to the file.
    pages = sqlite3.connect(path).execute("PRAGMA page_count").fetchone()[0]
    store._mirror._db.execute(f"PRAGMA max_page_count = {pages}")  # type: ignore[union-attr]
    with pytest.raises(StoreError) as caught:
        store.create(CMS, {"metadata": {"name": "big"}, "data": {"k": "x" * 100_000}})
    assert caught.value.status()["code"] == 500
    assert "storing the change failed" in caught.value.message and str(path) in caught.value.message
    assert store.resource_version == rv
    assert store.list(CMS)[0] == []
    store.close()
    again = Store(path)
    assert again.resource_version == rv and again.list(CMS)[0] == []


def test_a_store_of_another_schema_version_is_refused_not_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    Store(path).close()
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 7")  # as another podlab would write it
    before = path.read_bytes()
    with pytest.raises(StateError, match="its schema is version 7, this podlab reads version 1"):
        Store(path)
    assert path.read_bytes() == before


def test_the_wal_is_checkpointed_off_the_writing_thread(tmp_path: Path) -> None:
    """Writes never checkpoint (its fsync would hold the node's loop); a thread of the mirror's
    does, every CHECKPOINT_EVERY writes, so store.db grows while the WAL is reused."""
    import threading
    import time

    from podlab.store import persist

    path = tmp_path / "store.db"
    store = Store(path=path)
    try:
        before = path.stat().st_size
        for i in range(persist.CHECKPOINT_EVERY + 10):
            store.create(
                ("", "configmaps"),
                {"metadata": {"name": f"c{i}", "namespace": "default"}, "data": {"k": "v" * 200}},
            )
        assert any(t.name == "store.db checkpoint" for t in threading.enumerate())
        deadline = time.monotonic() + 10
        while path.stat().st_size <= before and time.monotonic() < deadline:
            time.sleep(0.05)  # polling the file: what the thread did is only visible there
        assert path.stat().st_size > before, "no checkpoint copied the WAL into store.db"
    finally:
        store.close()
    assert not any(t.name == "store.db checkpoint" for t in threading.enumerate())
    reopened = Store(path=path)
    try:
        assert len(reopened.list(("", "configmaps"), "default")[0]) == persist.CHECKPOINT_EVERY + 10
    finally:
        reopened.close()
