"""Admin answers too big to build in one go: a JSON object whose first member is a long list.

`GET /__admin/requests` on a 200,000-entry journal took 10 s and 1.4 GB to build as one string,
and the event loop served nothing meanwhile. Here the list is written a batch at a time, yielding
to the loop between batches, as a chunked body; the text is byte for byte what
`jsonfmt.pretty` writes for the whole object (test_stub_hostile checks both).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any, TypeVar

from podlab.stub.jvm.jsonfmt import pretty, pretty_at

Item = TypeVar("Item")

# Items rendered per slice of loop time: one journal entry takes 20-60 us to turn into JSON
# text, so a batch holds the loop for a few milliseconds.
BATCH = 100


async def pretty_object_with_list(
    key: str,
    items: Sequence[Item],
    to_json: Callable[[Item], Any],
    rest: dict[str, Any],
) -> AsyncIterator[bytes]:
    """`pretty({key: [to_json(i) for i in items], **rest})`, encoded to UTF-8 in batches."""
    head = pretty({key: []})  # '{\n  "key" : [ ]\n}'
    opening = head[: head.rindex("[")]
    if not items:
        yield (opening + "[ ]").encode("utf-8")
    else:
        yield (opening + "[ ").encode("utf-8")
        for start in range(0, len(items), BATCH):
            batch = items[start : start + BATCH]
            text = ", ".join(pretty_at(to_json(item), 1) for item in batch)
            yield ((", " if start else "") + text).encode("utf-8")
            await asyncio.sleep(0)  # let the loop serve other requests between batches
        yield b" ]"
    yield ("\n}" if not rest else "," + pretty(rest)[1:]).encode("utf-8")
