"""Normalised Levenshtein distance, as WireMock's EqualToPattern scores near misses."""

from __future__ import annotations

import difflib

# Above this many DP cells the exact distance costs too much per request (a 64 KiB body against
# a 64 KiB expectation is 4e9 cells); difflib's ratio is a cheap stand-in that still ranks
# near misses sensibly. Commons' getLevenshteinDistance has no such limit, but runs in the JVM.
_MAX_EXACT_CELLS = 250_000


def levenshtein(a: str, b: str) -> int:
    """Edit distance (insert, delete, substitute), two-row dynamic programme."""
    if a == b:
        return 0
    # a shared prefix or suffix never costs an edit; near misses (URLs, header values) share most
    start = 0
    while start < len(a) and start < len(b) and a[start] == b[start]:
        start += 1
    end = 0
    while end < len(a) - start and end < len(b) - start and a[-1 - end] == b[-1 - end]:
        end += 1
    a, b = a[start : len(a) - end], b[start : len(b) - end]
    if len(a) < len(b):
        a, b = b, a
    if not b:
        return len(a)
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def normalised_levenshtein(expected: str | None, actual: str | None) -> float:
    """Distance / length of the longer string, in [0, 1]; 1.0 when either side is absent."""
    if expected is None or actual is None:
        return 1.0
    longest = max(len(expected), len(actual))
    if longest == 0:
        return 0.0
    if len(expected) * len(actual) > _MAX_EXACT_CELLS:
        return 1.0 - difflib.SequenceMatcher(None, expected, actual, autojunk=False).quick_ratio()
    return levenshtein(expected, actual) / longest
