"""Which stubs came nearest to a request none matched (WireMock's NearMissCalculator).

Every stub is scored by distance, nearest first; ties keep serving order; at most three.

`NearMissIndex` gives the same answer without scoring every stub: WireMock scores all of them on
a worker thread, but podlab scores on the one event loop, and 10,000 stubs cost 0.28 s per
unmatched request. A stub whose URL is a literal (`url`, `urlPath`) is at least
`10 * urlDistance / 39` away (compat 2: `/ 41`): the URL weighs 10 of 39 and every other part adds
a distance >= 0. Stubs are scored in order of that bound and scoring stops once no unscored stub
can beat or tie the nearest found, so the result is WireMock's. It is an approximation only past
`EXACT_URLS` literal URLs (then only URLs near the request's in sorted order are ranked) or when
more than `MAX_SCORED` stubs would need scoring (e.g. thousands of regex URLs that may all match;
regex URLs the serving index rules out are bounded, see `NearMissIndex`):
docs/STUB-LIMITS.md.
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from podlab.stub.matchers import MatchResult
from podlab.stub.matchers.base import java_order
from podlab.stub.matchers.distance import MAX_EXACT_CELLS
from podlab.stub.matchers.string import Matches
from podlab.stub.matching.order import ServingOrder, in_serving_order
from podlab.stub.matching.scenarios import Scenarios
from podlab.stub.model import RequestPattern, StubMapping
from podlab.stub.report.body_warnings import body_warnings

if TYPE_CHECKING:
    from podlab.stub.model.request import LoggedRequest

NEAR_MISS_COUNT = 3
# Full scorings per unmatched request before the index settles for the nearest it has seen: one
# costs 5-20 us, so 200 keep an unmatched request near 2 ms whatever the stub count.
MAX_SCORED = 200
_REMEMBERED_TARGETS = 1024
# Literal URLs ranked first per group and request: enough for the nearest and its ties in most
# misses; the loop asks for up to MAX_SCORED only when these run out.
_FIRST_RANKED = 16
# Up to this many literal URLs in a group, all are ranked for each request (one C pass, ~1 ms at
# 5,000 on a loaded core) and the answer is WireMock's; above it, only the _NEIGHBOURS on each
# side of the request's URL in sorted order are (docs/STUB-LIMITS.md).
EXACT_URLS = 2_000
_NEIGHBOURS = 500
# RequestPattern.match's weight sum before the URL counts alone (compat 3: 3+10+10+3+10+3; 2.x
# scores every part at once: 3+10+10+10+3 and five parts of 1).
_URL_WEIGHT = 10.0
_WEIGHT_SUM = {3: 39.0, 2: 41.0}


def distance_json(distance: float) -> float | str:
    """A distance as Jackson writes it: NaN quoted ("NaN"), as 2.35.1's near misses show it."""
    return "NaN" if distance != distance else distance


@dataclass(frozen=True)
class NearMiss:
    """A stub that did not serve a request, how far off it was, and its scenario's state."""

    request: LoggedRequest
    stub: StubMapping
    match_result: MatchResult
    scenario_state: str | None = None

    @property
    def distance(self) -> float:
        return self.match_result.distance

    def to_json(self) -> dict[str, Any]:
        return {
            "request": self.request.to_json(),
            "stubMapping": self.stub.to_json(),
            "matchResult": match_result_json(
                self.match_result, 3, body_warnings(self.stub.request, self.request)
            ),
        }


def match_result_json(
    result: MatchResult, compat: int = 3, warnings: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """A MatchResult as the near-miss admin API prints it (2.35.1 printed only the distance)."""
    if compat == 2:
        return {"distance": distance_json(result.distance)}
    return {"subEvents": warnings or [], "diffDescriptions": [], "distance": result.distance}


def near_misses(
    mappings: Sequence[StubMapping],
    req: LoggedRequest,
    limit: int = NEAR_MISS_COUNT,
    scenarios: Scenarios | None = None,
    compat: int = 3,
) -> list[NearMiss]:
    """The stubs nearest to `req`, nearest first (WireMock's NearMissCalculator); `compat`
    is the WireMock major version whose distances to use."""
    misses = []
    for stub in in_serving_order(mappings):
        state = None
        if scenarios is not None and stub.scenario_name is not None:
            state = scenarios.state(stub.scenario_name)
        misses.append(NearMiss(req, stub, stub.request.match(req, compat=compat), state))
    misses.sort(key=lambda m: java_order(m.distance))  # stable: ties keep serving order
    return misses[:limit]


def near_misses_for_pattern(
    pattern: RequestPattern,
    requests: Sequence[LoggedRequest],
    limit: int = NEAR_MISS_COUNT,
    compat: int = 3,
) -> list[tuple[LoggedRequest, MatchResult]]:
    """Journalled requests nearest to a request pattern (POST /near-misses/request-pattern);
    `requests` in journal order, newest first; `compat` as for `near_misses`."""
    scored = [(req, pattern.match(req, compat=compat)) for req in requests]
    scored.sort(key=lambda pair: java_order(pair[1].distance))
    return scored[:limit]


@dataclass
class _LiteralUrls:
    """The stubs whose URL is one literal string compared with the same request text."""

    positions: list[int] = field(default_factory=list)  # in serving order
    texts: list[str] = field(default_factory=list)
    longest: int = 0
    sorted_order: list[int] = field(default_factory=list)  # indexes into texts, by text
    sorted_texts: list[str] = field(default_factory=list)

    def finish(self) -> None:
        self.sorted_order = sorted(range(len(self.texts)), key=self.texts.__getitem__)
        self.sorted_texts = [self.texts[i] for i in self.sorted_order]


class NearMissIndex:
    """The stubs in serving order, their literal URLs grouped for one C pass per request.

    Given the `ServingOrder` of the same stubs, regex URLs (`urlPattern`, `urlPathPattern`)
    get a bound too: a regex URL that misses scores exactly 1 (`Matches` has no partial
    distance), and one the serving index does not offer for the request cannot match, so it is
    at least `10 / 39` away (compat 2: `/ 41`)."""

    def __init__(self, ordered: Sequence[StubMapping], serving: ServingOrder | None = None) -> None:
        self.stubs = list(ordered)
        if serving is not None and (
            len(serving.stubs) != len(self.stubs)
            or any(a is not b for a, b in zip(serving.stubs, self.stubs, strict=True))
        ):
            serving = None  # positions would not agree
        self._serving = serving
        self._regex_urls: set[int] = set()  # positions of `others` whose URL is a Matches regex
        self._regex_list: list[int] = []  # the same, ascending
        self._plain_others: list[tuple[float, int]] = []  # (0.0, position) of the other `others`
        self._all_ruled_out: dict[float, list[tuple[float, int]]] = {}  # by bound: (bound, position)
        self.by_url = _LiteralUrls()  # `url`: compared with path and query
        self.by_path = _LiteralUrls()  # `urlPath`: compared with the path
        self.others: list[int] = []  # any other URL matcher: bound 0, scored in serving order
        # (group, request text, weights) -> that group's candidates; valid while the stubs are
        # (a new stub set builds a new index)
        self._bounds: dict[tuple[str, str, float], list[tuple[float, int]]] = {}
        for position, stub in enumerate(self.stubs):
            url = stub.request.url
            group = {"url": self.by_url, "urlPath": self.by_path}.get(url.key or "")
            if group is None:
                self.others.append(position)
                if serving is not None and url.is_regex and isinstance(url.pattern, Matches):
                    self._regex_urls.add(position)
                    self._regex_list.append(position)
                else:
                    self._plain_others.append((0.0, position))
                continue
            group.positions.append(position)
            group.texts.append(url.value)
            group.longest = max(group.longest, len(url.value))
        self.by_url.finish()
        self.by_path.finish()

    def _ranked_cached(
        self, name: str, group: _LiteralUrls, target: str, weight_sum: float
    ) -> Iterator[tuple[float, int]]:
        """`group`'s (bound, position) pairs, ascending, ranked as they are consumed: most
        unmatched requests need the first few only (one near miss and its ties), so the first
        _FIRST_RANKED are made, then (rarely) the rest up to MAX_SCORED. What was made is
        remembered per request text: a client that misses once tends to miss with the same URL
        again (the unmatched memo catches only the same whole request)."""
        key = (name, target, weight_sum)
        found = self._bounds.get(key)
        if found is None:
            found = _bounded(group, target, weight_sum, _FIRST_RANKED)
            self._remember_bounds(key, found)
        yield from found
        if len(found) < _FIRST_RANKED or len(found) >= MAX_SCORED or len(found) == len(group.texts):
            return  # all there is (or all that is ever ranked)
        more = _bounded(group, target, weight_sum, MAX_SCORED)
        self._remember_bounds(key, more)
        yield from more[len(found) :]

    def _remember_bounds(self, key: tuple[str, str, float], bounds: list[tuple[float, int]]) -> None:
        if key not in self._bounds and len(self._bounds) >= _REMEMBERED_TARGETS:
            self._bounds.pop(next(iter(self._bounds)))  # oldest first
        self._bounds[key] = bounds

    def nearest(
        self,
        req: LoggedRequest,
        limit: int = NEAR_MISS_COUNT,
        scenarios: Scenarios | None = None,
        compat: int = 3,
    ) -> list[NearMiss]:
        """`near_misses(stubs, req, ...)`, scoring at most MAX_SCORED stubs."""
        weight_sum = _WEIGHT_SUM.get(compat, 39.0)
        # Ascending (bound, position) streams, merged lazily below: only the bounds the scoring
        # loop reaches are made (a few for most misses), not one per stub.
        streams: list[Iterator[tuple[float, int]]]
        if self._serving is not None and self._regex_urls:
            # Regex URLs the serving index rules out miss on the URL: bound 10 / 39 (class doc);
            # the few it offers, and every other URL matcher, have bound 0.
            regex_urls = self._regex_urls
            offered = [position for position in self._serving.candidates(req) if position in regex_urls]
            bound = _URL_WEIGHT / weight_sum
            ruled_out: Iterator[tuple[float, int]]
            if offered:
                ruled_out = _ruled_out(self._regex_list, set(offered), bound)
            else:  # the usual miss: every regex URL ruled out, a list made once per weight sum
                ruled_out = iter(
                    self._all_ruled_out.get(bound)
                    or self._all_ruled_out.setdefault(
                        bound, [(bound, position) for position in self._regex_list]
                    )
                )
            streams = [iter(self._plain_others), iter([(0.0, position) for position in offered]), ruled_out]
        else:
            streams = [iter([(0.0, position) for position in self.others[:MAX_SCORED]])]
        for name, group, target in (("url", self.by_url, req.url), ("path", self.by_path, req.path)):
            if group.texts:
                streams.append(self._ranked_cached(name, group, target, weight_sum))
        # The heap holds each stream's next (bound, position, stream): positions are unique
        # across streams, so the stream's number is never compared.
        heap: list[tuple[float, int, int]] = []
        for number, stream in enumerate(streams):
            first = next(stream, None)
            if first is not None:
                heap.append((first[0], first[1], number))
        heapq.heapify(heap)
        # (distance as java_order, position), nearest first
        best: list[tuple[tuple[bool, float], int, MatchResult]] = []
        scored = 0
        while heap and scored < MAX_SCORED:
            bound, position, number = heap[0]
            if len(best) >= limit and (java_order(bound), position) > best[limit - 1][:2]:
                break  # nothing left can beat or tie the `limit` nearest
            following = next(streams[number], None)
            if following is None:
                heapq.heappop(heap)
            else:
                heapq.heapreplace(heap, (following[0], following[1], number))
            scored += 1
            result = self.stubs[position].request.match(req, compat=compat)
            best.append((java_order(result.distance), position, result))
            if len(best) > limit:
                best = heapq.nsmallest(limit, best, key=lambda entry: entry[:2])
            else:
                best.sort(key=lambda entry: entry[:2])
        return [_near_miss(req, self.stubs[position], result, scenarios) for _, position, result in best]


def _ruled_out(positions: list[int], offered: set[int], bound: float) -> Iterator[tuple[float, int]]:
    """(bound, position) for the regex-URL stubs not `offered`, ascending, made as consumed."""
    for position in positions:
        if position not in offered:
            yield bound, position


def _bounded(group: _LiteralUrls, target: str, weight_sum: float, count: int) -> list[tuple[float, int]]:
    """The `count` (at most MAX_SCORED) stubs of `group` with the smallest distance bound, as
    (bound, position), ascending; the first `count` of the same ranking for any larger count."""
    from rapidfuzz import process  # on the first near miss: start-up time
    from rapidfuzz.distance import Levenshtein

    if group.longest * len(target) > MAX_EXACT_CELLS:
        # Some pairs are scored by difflib, not Levenshtein: no bound holds; serving order.
        return [(0.0, position) for position in group.positions[:count]]
    texts: list[str] = group.texts
    indexes: Sequence[int] = range(len(group.texts))
    if len(texts) > EXACT_URLS:
        # Approximate: only the URLs beside the request's in sorted order (the longest shared
        # prefixes) are ranked, so a request costs the same whatever the stub count. These are
        # ranked MAX_SCORED at a time: a window's ties are not in serving order (see below).
        at = bisect.bisect_left(group.sorted_texts, target)
        window = group.sorted_order[max(0, at - _NEIGHBOURS) : at + _NEIGHBOURS]
        texts, indexes, count = [group.texts[i] for i in window], window, MAX_SCORED
    # rapidfuzz ranks by score, ties by index (serving order within a group, the window aside),
    # so the first `count` are the first `count` of any longer ranking.
    ranked = process.extract(target, texts, scorer=Levenshtein.normalized_distance, limit=count)
    positions = group.positions
    # The score is the URL part's distance in exactly RequestPattern.match's float arithmetic
    # (distance / max(len), one correctly rounded division; two empty texts score 0 either way):
    # tests/stub/test_near_miss_index.py holds it to that.
    return sorted(
        [(score * _URL_WEIGHT / weight_sum, positions[indexes[index]]) for _, score, index in ranked]
    )


def _near_miss(
    req: LoggedRequest, stub: StubMapping, result: MatchResult, scenarios: Scenarios | None
) -> NearMiss:
    state = None
    if scenarios is not None and stub.scenario_name is not None:
        state = scenarios.state(stub.scenario_name)
    return NearMiss(req, stub, result, state)
