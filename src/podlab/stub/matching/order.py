"""Which stub answers a request: WireMock 3.13's order and the one matcher that serves.

Stubs are tried by priority (lower wins, 5 when unset), newest first among equals, skipping
stubs whose scenario is not in their required state.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from podlab.stub.matchers.string import Matches
from podlab.stub.matching.prefilter import regex_literal_prefix, template_literal_prefix
from podlab.stub.matching.scenarios import Scenarios
from podlab.stub.model import StubMapping

if TYPE_CHECKING:
    from podlab.stub.model.request import LoggedRequest


def stub_order_key(stub: StubMapping) -> tuple[int, int]:
    return (stub.effective_priority, -stub.insertion_index)


def in_serving_order(mappings: Iterable[StubMapping]) -> list[StubMapping]:
    """Priority ascending, then newest (highest insertion index) first: GET /mappings order."""
    return sorted(mappings, key=stub_order_key)


class ServingOrder:
    """Stubs in the order they are tried, indexed so a request is tried only against the stubs
    that can match its URL: built once per change of the stub set (sorting on every request
    cost a 1,000-stub server most of its time per request, and trying every regex stub the
    rest).

    Every stub sits in exactly one bucket, by what its URL matcher needs: an exact `url` or
    `urlPath` (looked up by the request's URL or path), a literal prefix of the URL or the path
    (`urlPattern`, `urlPathPattern`, `urlPathTemplate`; see `prefilter`), or nothing (no URL
    matcher, or no certain prefix: always tried). The candidates from the buckets are tried in
    serving order, so the answer is the plain scan's: the first stub in priority and insertion
    order that matches (tests/stub/test_matching_prefilter.py checks this against a scan)."""

    def __init__(self, mappings: Iterable[StubMapping]) -> None:
        self.stubs = in_serving_order(mappings)
        # Positions in `stubs`, ascending in every list.
        self._by_url: dict[str, list[int]] = {}
        self._by_path: dict[str, list[int]] = {}
        self._url_prefixes = _PrefixIndex()  # urlPattern: prefixes of the URL (path and query)
        self._path_prefixes = _PrefixIndex()  # urlPathPattern, urlPathTemplate: of the path
        self._always: list[int] = []
        for position, stub in enumerate(self.stubs):
            url = stub.request.url
            if url.key == "url":
                self._by_url.setdefault(url.value, []).append(position)
            elif url.key == "urlPath":
                self._by_path.setdefault(url.value, []).append(position)
            elif url.key == "urlPathTemplate":
                self._path_prefixes.add(template_literal_prefix(url.value), position)
            elif url.is_regex and isinstance(url.pattern, Matches):
                index = self._path_prefixes if url.is_path_only else self._url_prefixes
                index.add(regex_literal_prefix(url.value), position)
            else:
                self._always.append(position)
        self._always.extend(self._url_prefixes.pop_empty())
        self._always.extend(self._path_prefixes.pop_empty())
        self._always.sort()
        # Which buckets hold anything, known once: a request asks only those.
        self._any_url_prefix = bool(self._url_prefixes)
        self._any_path = bool(self._by_path) or bool(self._path_prefixes)

    def candidates(self, req: LoggedRequest) -> list[int]:
        """Positions of the stubs that may match `req`, ascending: every other stub cannot."""
        url = req.url
        groups = self._url_prefixes.lookup(url) if self._any_url_prefix else []
        exact = self._by_url.get(url)
        if exact:
            groups.append(exact)
        if self._any_path:  # req.path is computed (and cached) only if needed
            path = req.path
            exact = self._by_path.get(path)
            if exact:
                groups.append(exact)
            groups += self._path_prefixes.lookup(path)
        if self._always:
            groups.append(self._always)
        if len(groups) == 1:
            return groups[0]
        # Buckets never share a stub; few candidates remain, so a sort is cheap.
        return sorted(position for group in groups for position in group)

    def find(self, req: LoggedRequest, scenarios: Scenarios | None = None) -> StubMapping | None:
        """The stub that serves `req`, or None: the first in serving order that matches and
        whose scenario is in its required state. Moves no scenario: the caller applies
        `scenarios.apply(stub)` once it serves the response."""
        stubs = self.stubs
        for position in self.candidates(req):
            stub = stubs[position]
            # The request test first: both are side-effect free, and the scenario check then
            # runs only for the few that fit.
            if stub.request.is_match(req) and (
                scenarios is None or stub.scenario_name is None or scenarios.allows(stub)
            ):
                return stub
        return None


class _PrefixIndex:
    """Positions by literal prefix, found for a text by one dict look-up per distinct prefix
    length (a handful even with thousands of stubs), not by testing every prefix."""

    def __init__(self) -> None:
        self._by_prefix: dict[str, list[int]] = {}
        self._lengths: list[int] = []

    def __bool__(self) -> bool:
        return bool(self._by_prefix)

    def add(self, prefix: str, position: int) -> None:
        self._by_prefix.setdefault(prefix, []).append(position)
        if len(prefix) not in self._lengths:
            self._lengths.append(len(prefix))

    def pop_empty(self) -> list[int]:
        """Remove and return the stubs with no prefix (they go to the always-tried bucket)."""
        if 0 in self._lengths:
            self._lengths.remove(0)
        return self._by_prefix.pop("", [])

    def lookup(self, text: str) -> list[list[int]]:
        by_prefix = self._by_prefix
        found = []
        for length in self._lengths:
            group = by_prefix.get(text[:length]) if length <= len(text) else None
            if group:
                found.append(group)
        return found
