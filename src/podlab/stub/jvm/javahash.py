"""Java HashMap iteration order.

WireMock prints some maps and sets straight from a HashMap (request headers once basic auth is
added, scenario names, possible states, query parameters in templates), so their order is the
bucket order of Java's String.hashCode, not insertion order.
"""

from __future__ import annotations

from collections.abc import Iterable


def java_string_hash(text: str) -> int:
    h = 0
    data = text.encode("utf-16-be")
    for i in range(0, len(data), 2):
        h = (31 * h + ((data[i] << 8) | data[i + 1])) & 0xFFFFFFFF
    return h


def java_hash_order(keys: Iterable[str], initial_capacity: int = 16) -> list[str]:
    """The order a java.util.HashMap built by inserting `keys` iterates them in."""
    unique = list(dict.fromkeys(keys))
    capacity = max(1, initial_capacity)
    while len(unique) > capacity * 0.75:
        capacity *= 2

    def bucket(key: str) -> int:
        h = java_string_hash(key)
        return (h ^ (h >> 16)) & (capacity - 1)

    # sorted() is stable, so a bucket keeps insertion order (tree bins only appear past 8
    # collisions, which real keys never reach)
    return sorted(unique, key=bucket)


def java_hashmap_copy_capacity(size: int) -> int:
    """Table size of `new HashMap<>(map)` for a map of `size` entries (tableSizeFor)."""
    if size == 0:
        return 16
    wanted = int(size / 0.75 + 1.0)
    capacity = 1
    while capacity < wanted:
        capacity *= 2
    return capacity
