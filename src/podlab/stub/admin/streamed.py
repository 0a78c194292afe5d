"""Admin answers too big to build in one go: a JSON object whose first member is a long list.

`GET /__admin/requests` on a 200,000-entry journal took 10 s and 1.4 GB to build as one string,
and the event loop served nothing meanwhile. Here the list is written a few milliseconds at a time, yielding
to the loop between slices, as a chunked body; the text is byte for byte what
`jsonfmt.pretty` writes for the whole object (test_stub_hostile checks both).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any, TypeVar

from podlab.stub.jvm.jsonfmt import pretty, pretty_at

Item = TypeVar("Item")

# How long one slice may hold the loop. A journal entry takes 30-200 us to turn into JSON text
# (an unmatched request carries its whole report), more on loaded cores, so slices are cut by the
# loop's clock rather than by a count.
SLICE_S = 0.005


async def pretty_object_with_list(
    key: str,
    items: Iterable[Item],
    to_json: Callable[[Item], Any],
    rest: dict[str, Any],
) -> AsyncIterator[bytes]:
    """`pretty({key: [to_json(i) for i in items], **rest})`, encoded to UTF-8 slice by slice."""
    clock = asyncio.get_running_loop().time
    head = pretty({key: []})  # '{\n  "key" : [ ]\n}'
    opening = head[: head.rindex("[")]
    # `items` may be lazy (Journal.iter_events decodes spilled blocks as it goes): taking the
    # next item is part of a slice's work too.
    pieces = [opening + "[ "]
    listed = 0
    slice_ends = clock() + SLICE_S
    for item in items:
        pieces.append((", " if listed else "") + pretty_at(to_json(item), 1))
        listed += 1
        if clock() >= slice_ends:
            yield "".join(pieces).encode("utf-8")
            pieces = []
            await asyncio.sleep(0)  # let the loop serve other requests between slices
            slice_ends = clock() + SLICE_S
    if listed:
        pieces.append(" ]")
        yield "".join(pieces).encode("utf-8")
    else:
        yield (opening + "[ ]").encode("utf-8")
    yield ("\n}" if not rest else "," + pretty(rest)[1:]).encode("utf-8")
