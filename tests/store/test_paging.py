"""List paging in the store: limit/continue over one consistent snapshot, and the errors of
k8s storage/continue.go and etcd3/store.go for tokens that cannot be served."""

from __future__ import annotations

import base64
import json

import pytest

from podlab.store import BadRequest, Gone, Store
from podlab.store.paging import INCONSISTENT_CONTINUE, decode_continue, encode_continue

CMS = ("", "configmaps")


def _store(n: int, **kwargs: int) -> Store:
    store = Store(None, **kwargs)
    for i in range(n):
        store.create(
            CMS, {"metadata": {"name": f"cm-{i}", "namespace": "default", "labels": {"i": str(i % 2)}}}
        )
    return store


def _names(items: list[dict[str, object]]) -> list[str]:
    return [item["metadata"]["name"] for item in items]  # type: ignore[index]


def test_pages_cover_the_list_once_at_the_first_pages_resource_version() -> None:
    store = _store(5)
    first = store.list_page(CMS, "default", limit=2)
    assert _names(first.items) == ["cm-0", "cm-1"]
    assert first.info.remaining_item_count == 3
    rv = first.info.resource_version
    # Changes after the first page are not seen by the rest of this list.
    store.delete(CMS, "default", "cm-3")
    store.create(CMS, {"metadata": {"name": "cm-9", "namespace": "default"}})
    changed = store.get(CMS, "default", "cm-2")
    changed["data"] = {"new": "yes"}
    store.update(CMS, changed)
    second = store.list_page(CMS, "default", limit=2, continue_token=first.info.continue_token)
    assert _names(second.items) == ["cm-2", "cm-3"]
    assert "data" not in second.items[0]
    assert second.info.resource_version == rv
    assert second.info.remaining_item_count == 1
    last = store.list_page(CMS, "default", limit=2, continue_token=second.info.continue_token)
    assert _names(last.items) == ["cm-4"]
    assert last.info.continue_token is None and last.info.remaining_item_count is None
    assert last.info.list_meta() == {"resourceVersion": rv}


def test_selectors_page_without_a_remaining_count() -> None:
    store = _store(6)
    page = store.list_page(CMS, "default", label_selector="i=0", limit=2)
    assert _names(page.items) == ["cm-0", "cm-2"]
    assert page.info.continue_token is not None and page.info.remaining_item_count is None
    rest = store.list_page(
        CMS, "default", label_selector="i=0", limit=2, continue_token=page.info.continue_token
    )
    assert _names(rest.items) == ["cm-4"]


def test_compacted_snapshot_is_410_with_a_token_to_go_on() -> None:
    store = _store(4, history_limit=3)
    first = store.list_page(CMS, "default", limit=2)
    for i in range(5):
        store.create(CMS, {"metadata": {"name": f"late-{i}", "namespace": "default"}})
    with pytest.raises(Gone) as info:
        store.list_page(CMS, "default", limit=2, continue_token=first.info.continue_token)
    status = info.value.status()
    assert status["code"] == 410 and status["reason"] == "Expired"
    assert status["message"] == INCONSISTENT_CONTINUE
    token = status["metadata"]["continue"]
    assert decode_continue(token).rv == -1
    # The offered token goes on from the latest state, after the last item seen.
    onward = store.list_page(CMS, "default", continue_token=token)
    assert _names(onward.items) == ["cm-2", "cm-3", "late-0", "late-1", "late-2", "late-3", "late-4"]


def _token(doc: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(doc).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("abc!def", "illegal base64 data at input byte 3"),
        ("abcde", "illegal base64 data at input byte 4"),
        (
            _token({"v": "meta.k8s.io/v1", "rv": 0, "start": "default/a\x00"}),
            "incorrect encoded start resourceVersion (version meta.k8s.io/v1)",
        ),
        (
            _token({"v": "meta.k8s.io/v1", "rv": 5, "start": ""}),
            "encoded start key empty (version meta.k8s.io/v1)",
        ),
        (_token({"v": "v9", "rv": 5, "start": "a"}), "server does not recognize this encoded version v9"),
        (_token({"v": "meta.k8s.io/v1", "rv": 5, "start": "../etc"}), "../etc"),
        (
            base64.urlsafe_b64encode(b"hello").decode().rstrip("="),
            "invalid character 'h' looking for beginning of value",
        ),
    ],
)
def test_bad_tokens_are_400_in_the_apiservers_words(token: str, message: str) -> None:
    store = _store(1)
    with pytest.raises(BadRequest) as info:
        store.list_page(CMS, "default", continue_token=token)
    assert info.value.message == f"invalid continue token: continue key is not valid: {message}"
    assert info.value.status()["code"] == 400


def test_token_round_trip() -> None:
    token = encode_continue(("default", "web"), 42)
    assert json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))) == {
        "v": "meta.k8s.io/v1",
        "rv": 42,
        "start": "default/web\x00",
    }
    assert decode_continue(token).after == ("default", "web")
