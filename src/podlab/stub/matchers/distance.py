"""Normalised Levenshtein distance, as WireMock's EqualToPattern scores near misses."""

from __future__ import annotations

# Above this many DP cells the exact distance costs too much per request (a 64 KiB body against
# a 64 KiB expectation is 4e9 cells); difflib's ratio is a cheap stand-in that still ranks
# near misses sensibly. Commons' getLevenshteinDistance has no such limit, but runs in the JVM.
MAX_EXACT_CELLS = 250_000


def levenshtein(a: str, b: str) -> int:
    """Edit distance (insert, delete, substitute) over code points, as commons-text counts it.

    rapidfuzz's C implementation: the near-miss report scores every stub's URL per unmatched
    request, and the pure-Python two-row programme cost ~20 us per pair."""
    from rapidfuzz.distance import Levenshtein  # on the first near miss: start-up time

    return int(Levenshtein.distance(a, b))


def normalised_levenshtein(expected: str | None, actual: str | None) -> float:
    """Distance / length of the longer string, in [0, 1]; 1.0 when either side is absent."""
    if expected is None or actual is None:
        return 1.0
    longest = max(len(expected), len(actual))
    if longest == 0:
        return 0.0
    if len(expected) * len(actual) > MAX_EXACT_CELLS:
        import difflib  # only for long texts: start-up memory

        return 1.0 - difflib.SequenceMatcher(None, expected, actual, autojunk=False).quick_ratio()
    return levenshtein(expected, actual) / longest
