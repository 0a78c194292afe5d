"""Writes events through the store after client-go style correlation (events.py)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from podlab.kubelet.clock import Clock
from podlab.kubelet.events import EventCorrelator, ObjectRef, Source, make_event
from podlab.store import AlreadyExists, NotFound, Store, StoreError

log = logging.getLogger("podlab.kubelet.events")

EVENTS = ("", "events")
# (object, type, reason, message, clock time): every emission, before the spam filter and
# aggregation (podlab simulate's timeline; a cluster keeps only the aggregated events).
EventListener = Callable[[ObjectRef, str, str, str, float], None]


class EventRecorder:
    def __init__(self, store: Store, clock: Clock, source: Source) -> None:
        self.store = store
        self.clock = clock
        self.source = source
        self.correlator = EventCorrelator()
        self.listeners: list[EventListener] = []

    def emit(self, ref: ObjectRef, type_: str, reason: str, message: str) -> None:
        for listener in self.listeners:
            listener(ref, type_, reason, message, self.clock.now())
        event = make_event(ref, self.source, type_, reason, message, self.clock.wall())
        result = self.correlator.correlate(event, self.clock.now())
        if result.skip:
            return
        try:
            if result.is_update:
                try:
                    self.store.update(EVENTS, result.event)
                except NotFound:
                    self.store.create(EVENTS, result.event)
            else:
                try:
                    self.store.create(EVENTS, result.event)
                except AlreadyExists:
                    self.store.update(EVENTS, result.event)
        except StoreError as exc:  # an event is best effort, as in client-go
            log.warning("could not write event %s/%s: %s", reason, message, exc)
