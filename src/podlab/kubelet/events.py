"""Event correlation, sans-IO (client-go tools/record/events_cache.go ``EventCorrelator``).

Three stages, in client-go's order:
1. aggregation: more than ``max_events - 1`` distinct messages for the same source, object, type
   and reason within 600 s collapse into one event whose message is
   ``(combined from similar events): <latest message>``;
2. de-duplication: an event identical in source, object (incl. fieldPath), type, reason and
   message updates the earlier object: ``count + 1``, new ``lastTimestamp``, same name and
   ``firstTimestamp``;
3. spam filter: a token bucket per source+object, burst 25, refilled at 1 event per 300 s.

``correlate`` returns what to write; the driver writes it (create, or update by name).
"""

from __future__ import annotations

import itertools
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from podlab.k8s import events as k8s_events

Obj = dict[str, Any]

MAX_EVENTS = 10
MAX_INTERVAL = 600.0
SPAM_BURST = 25
SPAM_QPS = 1.0 / 300.0
COMBINED_PREFIX = "(combined from similar events): "
LRU_ENTRIES = 4096
_V = TypeVar("_V")


@dataclass(frozen=True, slots=True)
class ObjectRef:
    """core/v1 ObjectReference as kubelet builds it for a pod or one of its containers."""

    kind: str
    namespace: str
    name: str
    uid: str
    api_version: str = "v1"
    resource_version: str = ""
    field_path: str = ""

    @classmethod
    def for_pod(cls, pod: Obj, container: str | None = None) -> ObjectRef:
        meta = pod.get("metadata", {})
        inits = {c.get("name") for c in pod.get("spec", {}).get("initContainers") or []}
        section = "initContainers" if container in inits else "containers"
        return cls(
            kind="Pod",
            namespace=meta.get("namespace", "default"),
            name=meta.get("name", ""),
            uid=meta.get("uid", ""),
            api_version="v1",
            resource_version=str(meta.get("resourceVersion", "")),
            field_path=f"spec.{section}{{{container}}}" if container else "",
        )

    def to_json(self) -> Obj:
        out: Obj = {"kind": self.kind, "namespace": self.namespace, "name": self.name, "uid": self.uid}
        out["apiVersion"] = self.api_version
        if self.resource_version:
            out["resourceVersion"] = self.resource_version
        if self.field_path:
            out["fieldPath"] = self.field_path
        return out


@dataclass(frozen=True, slots=True)
class Source:
    component: str  # "kubelet" | "default-scheduler"
    host: str = ""


# client-go names an event after time.Now().UnixNano(), unique in practice. Our instant comes
# from the kubelet's Clock: microseconds at best, and standing still under a VirtualClock, so
# several events of one instant (Pulled, Created, Started) would share a name and overwrite each
# other. The sub-microsecond digits count instead.
_NAME_SEQUENCE = itertools.count()


def make_event(ref: ObjectRef, source: Source, type_: str, reason: str, message: str, at: datetime) -> Obj:
    """A fresh core/v1 Event about a pod or one of its containers (podlab.k8s.events builds it)."""
    nanos = int(at.timestamp() * 1_000_000) * 1000 + next(_NAME_SEQUENCE) % 1000
    return k8s_events.make_event(
        ref.to_json(),
        type_,
        reason,
        message,
        at,
        component=source.component,
        host=source.host,
        name_nanos=nanos,
    )


def _object_key(event: Obj) -> tuple[str, ...]:
    src, obj = event["source"], event["involvedObject"]
    return (
        src.get("component", ""),
        src.get("host", ""),
        obj.get("kind", ""),
        obj.get("namespace", ""),
        obj.get("name", ""),
        obj.get("uid", ""),
        obj.get("apiVersion", ""),
    )


def _event_key(event: Obj) -> tuple[str, ...]:
    obj = event["involvedObject"]
    return (*_object_key(event), obj.get("fieldPath", ""), event["type"], event["reason"], event["message"])


def _aggregate_key(event: Obj) -> tuple[str, ...]:
    return (
        *_object_key(event),
        event["type"],
        event["reason"],
        event.get("reportingComponent", ""),
        event.get("reportingInstance", ""),
    )


@dataclass
class _AggregateRecord:
    messages: set[str] = field(default_factory=set)
    last: float = float("-inf")


@dataclass
class _Observation:
    count: int
    first_timestamp: str
    name: str


@dataclass
class _Bucket:
    tokens: float
    last: float


class _Lru(OrderedDict[tuple[str, ...], _V]):
    """A dict that forgets its least recently used keys beyond ``limit`` (groupcache/lru)."""

    def __init__(self, limit: int = LRU_ENTRIES) -> None:
        super().__init__()
        self.limit = limit

    def get(self, key: tuple[str, ...], default: Any = None) -> Any:
        if key in self:
            self.move_to_end(key)
            return self[key]
        return default

    def __setitem__(self, key: tuple[str, ...], value: _V) -> None:
        super().__setitem__(key, value)
        self.move_to_end(key)
        while len(self) > self.limit:
            self.popitem(last=False)


@dataclass(frozen=True, slots=True)
class Correlated:
    event: Obj
    is_update: bool  # True: write over the existing object named event.metadata.name
    skip: bool = False


class EventCorrelator:
    def __init__(
        self,
        *,
        max_events: int = MAX_EVENTS,
        max_interval: float = MAX_INTERVAL,
        burst: int = SPAM_BURST,
        qps: float = SPAM_QPS,
    ) -> None:
        self.max_events = max_events
        self.max_interval = max_interval
        self.burst = burst
        self.qps = qps
        # client-go keeps each of these in an LRU of maxLruCacheEntries (4096).
        self._aggregates: _Lru[_AggregateRecord] = _Lru()
        self._observed: _Lru[_Observation] = _Lru()
        self._buckets: _Lru[_Bucket] = _Lru()

    def correlate(self, event: Obj, now: float) -> Correlated:
        """``now`` is monotonic seconds; the event carries its wall timestamps already."""
        event, key = self._aggregate(event, now)
        event, is_update = self._observe(event, key)
        if self._spam(event, now):
            return Correlated(event, is_update, skip=True)
        return Correlated(event, is_update)

    def _aggregate(self, event: Obj, now: float) -> tuple[Obj, tuple[str, ...]]:
        agg_key = _aggregate_key(event)
        record = self._aggregates.get(agg_key)
        if record is None or now - record.last > self.max_interval:
            record = _AggregateRecord()
            self._aggregates[agg_key] = record
        record.messages.add(event["message"])
        record.last = now
        if len(record.messages) < self.max_events:
            return event, _event_key(event)
        record.messages.pop()  # keep the set from growing past the max, as client-go does
        combined = dict(event)
        combined["message"] = COMBINED_PREFIX + event["message"]
        # All further similar events land on this one object (key = the aggregate key).
        return combined, ("aggregate", *agg_key)

    def _observe(self, event: Obj, key: tuple[str, ...]) -> tuple[Obj, bool]:
        last = self._observed.get(key)
        out = dict(event)
        is_update = last is not None
        if last is not None:
            out["metadata"] = {**event["metadata"], "name": last.name}
            out["firstTimestamp"] = last.first_timestamp
            out["count"] = last.count + 1
        self._observed[key] = _Observation(out["count"], out["firstTimestamp"], out["metadata"]["name"])
        return out, is_update

    def _spam(self, event: Obj, now: float) -> bool:
        key = _object_key(event)
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = _Bucket(float(self.burst), now)
            self._buckets[key] = bucket
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.last) * self.qps)
        bucket.last = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return False
        return True
