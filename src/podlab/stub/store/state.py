"""Everything a running stub server holds: stubs (and where they came from), settings, journal.

All methods are synchronous and run on the event loop thread, so concurrent admin calls are
serialised for free; each method validates first and mutates last, so a failure changes nothing.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from podlab.stub.jvm.errors import InvalidInputError
from podlab.stub.matching.order import ServingOrder
from podlab.stub.matching.scenarios import Scenarios
from podlab.stub.model import StubMapping
from podlab.stub.model.request import LoggedRequest
from podlab.stub.options import StubOptions
from podlab.stub.report.near_misses import NEAR_MISS_COUNT, NearMissIndex
from podlab.stub.report.unmatched_memo import UnmatchedMemo
from podlab.stub.store.files import FileRoot, MappingLoadError, mapping_file_name
from podlab.stub.store.journal import Journal

log = logging.getLogger("podlab.stub")


class ReadOnlyMappingsError(Exception):
    """A change would have to rewrite a multi-mapping file, which WireMock treats as read-only."""

    def __init__(self) -> None:
        super().__init__(
            "Stubs loaded from multi-mapping files are read-only, and therefore cannot be removed or saved"
        )


@dataclass
class Source:
    path: Path
    multi: bool


def journal_memory_entries() -> int | None:
    """How many journal entries stay in memory before older ones spill (store/journal.py):
    PODLAB_STUB_JOURNAL_MEMORY_ENTRIES, for tests that want spilling early; None: the default."""
    text = os.environ.get("PODLAB_STUB_JOURNAL_MEMORY_ENTRIES", "")
    return int(text) if text.isdigit() else None


class StubState:
    def __init__(self, options: StubOptions) -> None:
        self.options = options
        self.files = FileRoot(options.root_dir)
        self.journal = Journal(
            enabled=not options.no_request_journal,
            max_entries=options.max_request_journal_entries,
            memory_entries=journal_memory_entries(),
        )
        self.scenarios = Scenarios()
        self.settings: dict[str, Any] = self.default_settings()
        self._stubs: dict[str, StubMapping] = {}  # id -> stub, in insertion order
        self._sources: dict[str, Source] = {}
        self._next_index = 0
        self._serving: ServingOrder | None = None  # built on demand, dropped on every change
        self._near_index: tuple[ServingOrder, NearMissIndex] | None = None  # for that serving order
        self._memo: tuple[ServingOrder, UnmatchedMemo] | None = None  # for that serving order
        self.served_ids: set[str] = set()  # stubs some request has hit (GET /mappings/unmatched)
        self._json_cache: dict[str, dict[str, Any]] = {}
        # Counts changes of the stubs: what was derived from them (their JSON, a remembered
        # answer: serve/pipeline.py Serving.ready) holds while it is the same.
        self.generation = 0

    # reading --------------------------------------------------------------------------------

    def default_settings(self) -> dict[str, Any]:
        return {"proxyPassThrough": True} if self.options.compat == 3 else {}

    def serving_order(self) -> ServingOrder:
        """The stubs as matching tries them (cached until the stubs change)."""
        if self._serving is None:
            self._serving = ServingOrder(self._stubs.values())
        return self._serving

    def ordered(self) -> list[StubMapping]:
        """Stubs in matching order: priority ascending, then newest first."""
        return self.serving_order().stubs

    def find(self, request: LoggedRequest) -> StubMapping | None:
        return self.serving_order().find(request, self.scenarios)

    def get(self, stub_id: str) -> StubMapping | None:
        return self._stubs.get(stub_id)

    def __len__(self) -> int:
        return len(self._stubs)

    # loading --------------------------------------------------------------------------------

    def parse_file_mappings(self) -> list[tuple[StubMapping, Source]]:
        """Read and parse every mapping file; MappingLoadError names the file and the field."""
        parsed = []
        for entry in self.files.read_mapping_files(allow_bom=self.options.compat == 3):
            try:
                stub = StubMapping.from_json(entry.json, compat=self.options.compat)
            except InvalidInputError as exc:
                where = f"/mappings/{entry.index}" if entry.multi else ""
                problems = "; ".join(
                    f"{where}{e.get('source', {}).get('pointer', '')}: {e.get('detail') or e.get('title')}"
                    for e in exc.errors
                )
                raise MappingLoadError(f"{entry.source}: {problems}", entry.source) from None
            parsed.append((stub, Source(entry.source, entry.multi)))
        return parsed

    def load_files(self) -> None:
        """Replace every stub by what the mapping files hold (start-up and /reset)."""
        parsed = self.parse_file_mappings()
        self._stubs.clear()
        self._sources.clear()
        self._next_index = 0
        for stub, source in parsed:
            self._insert(stub)
            self._sources[str(stub.id)] = source
        self._changed()

    def replace_file_stubs(self, parsed: list[tuple[StubMapping, Source]]) -> tuple[int, int]:
        """--watch, once `parse_file_mappings` has read every file without error: the stubs that came from files become `parsed`; stubs made through the admin API (and
        not saved to a file) are kept. The new order is what a restart with these files followed
        by the same admin calls would give: file stubs first (in file order), then the kept stubs
        in the order they were made, newest winning ties. A stub in a file replaces an admin-made
        stub with the same id. Returns (stubs from files, admin-made stubs kept)."""
        from_files = {str(stub.id) for stub, _ in parsed}
        kept = [s for i, s in self._stubs.items() if i not in self._sources and i not in from_files]
        self._stubs.clear()
        self._sources.clear()
        self._next_index = 0
        for stub, source in parsed:
            self._insert(stub)
            self._sources[str(stub.id)] = source
        for stub in kept:
            self._insert(stub)
        self.served_ids &= set(self._stubs)
        self._changed()
        return len(parsed), len(kept)

    # mutating -------------------------------------------------------------------------------

    def _changed(self) -> None:
        self.generation += 1
        self._serving = None
        self._json_cache.clear()
        self.scenarios.sync(list(self._stubs.values()))

    # views used while serving ---------------------------------------------------------------

    def stub_json(self, stub: StubMapping) -> dict[str, Any]:
        """The stub's normalised JSON, computed once per stub version (it is served often)."""
        key = stub.id_text()
        cached = self._json_cache.get(key)
        if cached is None or cached.get("_stub") is not stub:
            cached = {"_stub": stub, "json": stub.to_json()}
            self._json_cache[key] = cached
        result: dict[str, Any] = cached["json"]
        return result

    def response_json(self, stub: StubMapping) -> dict[str, Any]:
        response: dict[str, Any] = self.stub_json(stub)["response"]
        return response

    def near_misses(
        self, request: LoggedRequest, limit: int = NEAR_MISS_COUNT
    ) -> list[tuple[StubMapping, float]]:
        """The nearest stubs to a request (at most `limit`), nearest first, with their distances."""
        serving = self.serving_order()
        if self._near_index is None or self._near_index[0] is not serving:
            self._near_index = (serving, NearMissIndex(serving.stubs, serving))
        misses = self._near_index[1].nearest(
            request, limit=limit, scenarios=self.scenarios, compat=self.options.compat
        )
        return [(miss.stub, miss.distance) for miss in misses]

    def unmatched_memo(self) -> UnmatchedMemo:
        """Nearest stubs and reports remembered for the current stubs (report.unmatched_memo)."""
        serving = self.serving_order()
        if self._memo is None or self._memo[0] is not serving:
            self._memo = (serving, UnmatchedMemo(serving.stubs))
        return self._memo[1]

    def nearest_stub(self, request: LoggedRequest) -> StubMapping | None:
        def compute() -> StubMapping | None:
            # The report needs the nearest only: the first of the same ranking, for fewer
            # stubs scored (ties and the two runners-up are not).
            misses = self.near_misses(request, limit=1)
            return misses[0][0] if misses else None

        return self.unmatched_memo().nearest(request, compute)

    # scenarios ------------------------------------------------------------------------------

    def scenarios_json(self) -> dict[str, Any]:
        return {"scenarios": self.scenarios.to_json(list(self._stubs.values()), self.options.compat)}

    def scenarios_on_served(self, stub: StubMapping) -> None:
        self.scenarios.apply(stub)

    def _insert(self, stub: StubMapping) -> None:
        stub.insertion_index = self._next_index
        self._next_index += 1
        self._stubs[str(stub.id)] = stub

    def add(self, stub: StubMapping) -> None:
        stub_id = str(stub.id)
        old_source = self._sources.get(stub_id)
        if old_source is not None and old_source.multi:
            raise ReadOnlyMappingsError()
        if stub_id in self._stubs:
            del self._stubs[stub_id]
        self._insert(stub)
        if stub.persistent or old_source is not None:
            self._persist(stub)
        self._changed()

    def replace(self, stub: StubMapping) -> bool:
        """Swap the stub with the same id, keeping its place; False if there is none."""
        stub_id = str(stub.id)
        old = self._stubs.get(stub_id)
        if old is None:
            return False
        source = self._sources.get(stub_id)
        if source is not None and source.multi:
            raise ReadOnlyMappingsError()
        stub.insertion_index = old.insertion_index
        self._stubs[stub_id] = stub
        if source is not None or stub.persistent:
            self._persist(stub)
        self._changed()
        return True

    def remove(self, stub_id: str) -> bool:
        if stub_id not in self._stubs:
            return False
        source = self._sources.get(stub_id)
        if source is not None and source.multi:
            raise ReadOnlyMappingsError()
        del self._stubs[stub_id]
        if source is not None:
            _delete_mapping_file(source.path)
            del self._sources[stub_id]
        self.served_ids.discard(stub_id)
        self._changed()
        return True

    def remove_all(self) -> None:
        """DELETE /__admin/mappings: every stub goes, and so do single-mapping files."""
        if any(source.multi for source in self._sources.values()):
            raise ReadOnlyMappingsError()
        for source in self._sources.values():
            _delete_mapping_file(source.path)
        self._sources.clear()
        self._stubs.clear()
        self.served_ids.clear()
        self._changed()

    def reset(self) -> None:
        """POST /__admin/reset: stubs, journal and scenarios cleared, then files reloaded."""
        self.load_files()
        self.journal.clear()
        self.scenarios.reset_all()
        self.served_ids.clear()

    def save(self) -> None:
        """POST /__admin/mappings/save: write every stub that has no file yet."""
        if any(source.multi for source in self._sources.values()):
            raise ReadOnlyMappingsError()
        for stub_id, stub in self._stubs.items():
            if stub_id not in self._sources:
                stub.persistent = True
                self._persist(stub)

    def _persist(self, stub: StubMapping) -> None:
        stub_id = str(stub.id)
        body = stub.to_json(include_insertion_index=True)
        body["persistent"] = True
        source = self._sources.get(stub_id)
        if source is not None:  # rewrite the file it came from, wherever it sits under mappings/
            relative = source.path.relative_to(self.files.mappings_dir).as_posix()
        else:
            relative = mapping_file_name(body)
        path = self.files.write_mapping_file(body, relative)
        self._sources[stub_id] = Source(path, False)

    def import_stubs(self, stubs: list[StubMapping], *, overwrite: bool, delete_others: bool) -> None:
        incoming = {str(s.id) for s in stubs}
        if delete_others:
            for stub_id in [i for i in self._stubs if i not in incoming]:
                self.remove(stub_id)
        # WireMock imports back to front, so the first mapping of the import lists first.
        for stub in reversed(stubs):
            if str(stub.id) in self._stubs and not overwrite:
                continue
            self.add(stub)

    def mark_served(self, stub_id: str) -> None:
        self.served_ids.add(stub_id)


def _delete_mapping_file(path: Path) -> None:
    """Delete a stub's file, best effort: WireMock 2.35 and 3.13 use java.io.File.delete(), which
    fails silently, so on a read-only mount (a Kubernetes ConfigMap volume) the stub is removed from
    memory, the answer is still 200 and the file stays to be loaded again at the next start."""
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        log.debug("could not delete mapping file %s: %s", path, exc)
