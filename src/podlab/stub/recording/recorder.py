"""The recording state and what starting, stopping and snapshotting do to the stubs
(WireMock 3.13.2's Recorder, read on the tag and checked on the jar):

- start: nothing when already recording (answered 200 all the same); with `targetBaseUrl`, a
  stub proxying every request there (no priority: the default 5) is added;
- stop: 400 "Not currently recording." unless recording; the proxy stub goes; the entries
  journalled since start become stubs;
- snapshot: every entry in the journal becomes a stub, recording or not.
Recorded stubs are added to the server (persisted to mappings/ with `persist`, the default);
extracted bodies are written to __files whether or not the stubs are persisted (as the jar does).
"""

from __future__ import annotations

from typing import Any

from podlab.stub.model import StubMapping
from podlab.stub.model.ids import random_uuid
from podlab.stub.recording.snapshot import take_snapshot
from podlab.stub.recording.spec import RecordSpec
from podlab.stub.store.journal import ServeEvent
from podlab.stub.store.state import StubState


class NotRecording(Exception):
    """Stop was asked while not recording (WireMock's NotRecordingException, code 30)."""


class Recorder:
    def __init__(self, state: StubState) -> None:
        self.state = state
        self.status = "NeverStarted"
        self._spec = RecordSpec()
        self._proxy_stub_id: str | None = None
        self._newest_at_start: ServeEvent | None = None

    def start(self, spec: RecordSpec) -> None:
        if self.status == "Recording":
            return
        self._proxy_stub_id = None
        if spec.target_base_url:
            proxy = StubMapping.from_json(
                {"request": {"method": "ANY"}, "response": {"proxyBaseUrl": spec.target_base_url}},
                compat=self.state.options.compat,
            )
            self.state.add(proxy)
            self._proxy_stub_id = proxy.id_text()
        events = self.state.journal.events()
        self._newest_at_start = events[0] if events else None
        self._spec = spec
        self.status = "Recording"

    def stop(self) -> dict[str, Any]:
        if self.status != "Recording":
            raise NotRecording
        self.status = "Stopped"
        if self._proxy_stub_id is not None:
            self.state.remove(self._proxy_stub_id)
            self._proxy_stub_id = None
        since: list[ServeEvent] = []
        for event in self.state.journal.events():
            if event is self._newest_at_start:
                break
            since.append(event)
        return self.snapshot(self._spec, since)

    def snapshot(self, spec: RecordSpec, events: list[ServeEvent] | None = None) -> dict[str, Any]:
        """Make stubs of `events` (default: the whole journal, newest first); WireMock's
        SnapshotRecordResult JSON."""
        if events is None:
            events = self.state.journal.events()
        taken = take_snapshot(events, spec, random_uuid)
        for name, data in taken.files:
            self.state.files.write_body_file(name, data)
        compat = self.state.options.compat
        stubs = []
        for stub_json in taken.stubs:
            stub = StubMapping.from_json(stub_json, compat=compat)
            if spec.persist:
                stub.persistent = True
            self.state.add(stub)
            stubs.append(stub)
        if spec.output_ids:
            return {"ids": [stub.id_text() for stub in stubs]}
        return {"mappings": [stub.to_json() for stub in stubs]}
