"""The streamed listing is byte for byte the one-string pretty form."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from podlab.stub.admin import streamed
from podlab.stub.jvm.jsonfmt import pretty


async def collect(items: list[Any], rest: dict[str, Any]) -> bytes:
    return b"".join(
        [chunk async for chunk in streamed.pretty_object_with_list("requests", items, dict, rest)]
    )


@pytest.mark.parametrize("count", [0, 1, 2, 500])
@pytest.mark.parametrize("slice_s", [0.0, 1.0])  # a slice per item; one slice
@pytest.mark.parametrize("rest", [{}, {"meta": {"total": 5}, "requestJournalDisabled": False}])
def test_streamed_equals_pretty(
    count: int, slice_s: float, rest: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(streamed, "SLICE_S", slice_s)
    items = [
        {"id": str(i), "nested": {"a": [1, {"b": "ü\n"}], "e": {}, "l": []}, "f": 1.5e-5}
        for i in range(count)
    ]
    expected = pretty({"requests": items, **rest}).encode("utf-8")
    assert asyncio.run(collect(items, rest)) == expected
