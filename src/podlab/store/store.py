"""The object store: Kubernetes object semantics over an in-memory map.

What it owns (so no caller has to): the global resourceVersion counter, uid,
creationTimestamp, generation (bumped when .spec changes), generateName, optimistic
concurrency, graceful deletion, finalizers, the change history that serves
`watch&resourceVersion=N`, and fan-out to watchers.

Per-kind behaviour (scope, /status, generation, graceful deletion) comes from the kind
registry, `podlab.k8s.resources`; a key the registry does not know is a namespaced kind with
none of those.

All methods are synchronous and meant to run on the node's event loop; they never await.
Stored objects are never mutated in place: every change stores a fresh dict, so history
entries and queued watch events can share them safely; callers always get deep copies.
"""

from __future__ import annotations

import builtins
import uuid
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from podlab.k8s.clone import clone
from podlab.k8s.names import generate_name
from podlab.k8s.resources import resource_for_key
from podlab.k8s.timestamps import format_time

from .errors import AlreadyExists, BadRequest, Conflict, Gone, Invalid, NotFound, StoreError
from .paging import Page, PageInfo, decode_continue, encode_continue, expired
from .persist import SqliteMirror, StateError
from .selectors import Selector
from .watch import DEFAULT_QUEUE_LIMIT, Watch, WatchEvent

Obj = dict[str, Any]
ResourceKey = tuple[str, str]

INITIAL_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
DEFAULT_HISTORY = 10_000
_NAMESPACES: ResourceKey = ("", "namespaces")
_SERVICE_ACCOUNTS: ResourceKey = ("", "serviceaccounts")
# pkg/registry/core/namespace/storage/storage.go, a second DELETE of a terminating namespace
# (two spaces after the first sentence, as there).
_NAMESPACE_BEING_EMPTIED = (
    "The system is ensuring all content is removed from this namespace.  "
    "Upon completion, this namespace will automatically be purged by the system."
)


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _namespaced(key: ResourceKey) -> bool:
    info = resource_for_key(key)
    return info is None or info.namespaced


def _generation(key: ResourceKey) -> bool:
    info = resource_for_key(key)
    return info is not None and info.generation


def _status_subresource(key: ResourceKey) -> bool:
    info = resource_for_key(key)
    return info is not None and info.has_status


def _graceful(key: ResourceKey) -> bool:
    info = resource_for_key(key)
    return info is not None and info.graceful_delete


def _namespace(name: str) -> Obj:
    """A namespace as the apiserver's defaulting and create strategy leave it."""
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": name, "labels": {"kubernetes.io/metadata.name": name}},
        "spec": {"finalizers": ["kubernetes"]},
        "status": {"phase": "Active"},
    }


def _namespace_finalizers(obj: Obj) -> bool:
    """Whether anything still holds a namespace: spec.finalizers (`kubernetes`) or metadata's."""
    return bool((obj.get("spec") or {}).get("finalizers") or obj["metadata"].get("finalizers"))


def _namespace_finalized(obj: Obj) -> bool:
    return bool(obj["metadata"].get("deletionTimestamp")) and not _namespace_finalizers(obj)


def _fill_type(key: ResourceKey, obj: Obj) -> None:
    """Every stored object carries apiVersion and kind, as the apiserver serves them."""
    info = resource_for_key(key)
    if info is not None:
        obj.setdefault("apiVersion", info.api_version)
        obj.setdefault("kind", info.kind)


def _spec_changed(key: ResourceKey, old: Obj, new: Obj) -> bool:
    """Whether an update changes the spec, for metadata.generation.

    A pod's spec.nodeName is set by binding (the pods/binding subresource in Kubernetes),
    which does not bump the generation; podlab's scheduler binds with a plain update.
    """
    old_spec, new_spec = old.get("spec"), new.get("spec")
    info = resource_for_key(key)
    ignored = info.generation_ignores if info is not None else ()
    if ignored and isinstance(old_spec, dict) and isinstance(new_spec, dict):
        old_spec = {k: v for k, v in old_spec.items() if k not in ignored}
        new_spec = {k: v for k, v in new_spec.items() if k not in ignored}
    return bool(old_spec != new_spec)


def _kind_of(obj: Obj, key: ResourceKey) -> str:
    return str(obj.get("kind") or key[1])


class Store:
    def __init__(
        self,
        path: Path | None = None,
        *,
        clock: Callable[[], datetime] = _utcnow,
        history_limit: int = DEFAULT_HISTORY,
        watch_queue_limit: int = DEFAULT_QUEUE_LIMIT,
    ) -> None:
        self._clock = clock
        self._objects: dict[ResourceKey, dict[tuple[str, str], Obj]] = {}
        self._rv = 0
        # (rv, key, change, old, new); `_compacted` is the newest rv no longer in history.
        self._history: deque[tuple[int, ResourceKey, str, Obj | None, Obj]] = deque()
        self._history_limit = history_limit
        self._compacted = 0
        self._watchers: set[Watch] = set()
        self._watch_queue_limit = watch_queue_limit
        # Objects every namespace holds besides its `default` account (add_namespace_object).
        self._per_namespace: list[tuple[ResourceKey, Callable[[str], Obj]]] = []
        self._mirror = SqliteMirror(path) if path is not None else None
        self.restored = 0  # objects loaded from `path`
        if self._mirror is not None:
            rv, objects = self._mirror.load()
            # The counter goes on from the stored one, so resourceVersions stay monotonic across
            # restarts; the history did not survive, so every older one is compacted (410).
            self._rv = self._compacted = rv
            self.restored = len(objects)
            for key, obj in objects:
                meta = obj["metadata"]
                self._bucket(key)[(meta.get("namespace", ""), meta["name"])] = obj
        for name in INITIAL_NAMESPACES:
            if ("", name) not in self._bucket(_NAMESPACES):
                self.create(_NAMESPACES, _namespace(name))
        for _, name in list(self._bucket(_NAMESPACES)):
            self._ensure_default_account(name)

    # -- reads ---------------------------------------------------------------------------
    @property
    def resource_version(self) -> str:
        return str(self._rv)

    def get(self, key: ResourceKey, namespace: str | None, name: str) -> Obj:
        found = self._bucket(key).get((self._ns(key, namespace), name))
        if found is None:
            raise NotFound(key[0], key[1], name)
        return clone(found)

    def list(
        self,
        key: ResourceKey,
        namespace: str | None = None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
    ) -> tuple[list[Obj], str]:
        selector = Selector.parse(label_selector, field_selector)
        items = [
            clone(obj)
            for (ns, _), obj in sorted(self._bucket(key).items())
            if (namespace is None or ns == namespace) and selector.matches(obj)
        ]
        return items, str(self._rv)

    def stored(self, key: ResourceKey) -> builtins.list[Obj]:
        """Every object of a kind as the store holds it, in list() order, NOT copied.

        For in-process readers that keep their own copies (controllers/listing.py): the
        objects must never be changed. A committed object is never changed in place either
        (every write stores a new one), so an object's identity stands for its content.
        """
        return [obj for _, obj in sorted(self._bucket(key).items())]

    def list_page(
        self,
        key: ResourceKey,
        namespace: str | None = None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
        limit: int = 0,
        continue_token: str | None = None,
        copies: bool = True,
    ) -> Page:
        """One page of a list (paging.py): at most `limit` items (0: all), from the snapshot
        the continue token names, or from now. BadRequest for a token that does not decode,
        Gone (with a token to go on from the latest state) when its snapshot is compacted away.
        `copies=False`: the stored objects themselves, for a reader that only serializes them
        at once (as `stored`: never to be changed)."""
        selector = Selector.parse(label_selector, field_selector)
        after: tuple[str, str] | None = None
        objects: dict[tuple[str, str], Obj] = self._bucket(key)
        rv = self._rv
        if continue_token:
            token = decode_continue(continue_token)
            after = token.after
            if token.rv > 0:
                if token.rv < self._compacted:
                    raise expired(token.after)
                objects, rv = self._snapshot(key, token.rv), token.rv
        slots = sorted(
            slot
            for slot, obj in objects.items()
            if (namespace is None or slot[0] == namespace)
            and (after is None or slot > after)
            and selector.matches(obj)
        )
        page = PageInfo(str(rv))
        if 0 < limit < len(slots):
            rest = len(slots) - limit
            slots = slots[:limit]
            page = PageInfo(str(rv), encode_continue(slots[-1], rv), None)
            if not (label_selector or "").strip() and not (field_selector or "").strip():
                # etcd3 counts what remains only when nothing filters it (pred.Empty()).
                page = PageInfo(str(rv), page.continue_token, rest)
        if not copies:
            return Page([objects[slot] for slot in slots], page)
        return Page([clone(objects[slot]) for slot in slots], page)

    def _snapshot(self, key: ResourceKey, rv: int) -> dict[tuple[str, str], Obj]:
        """The bucket as it was at `rv`, undoing the retained history after it."""
        objects = dict(self._bucket(key))
        for entry_rv, entry_key, change, old, new in reversed(self._history):
            if entry_rv <= rv:
                break
            if entry_key != key:
                continue
            slot = (new["metadata"].get("namespace", ""), new["metadata"]["name"])
            if change == "ADDED" or old is None:
                objects.pop(slot, None)
            else:
                objects[slot] = old
        return objects

    # -- writes --------------------------------------------------------------------------
    def create(self, key: ResourceKey, obj: Obj, *, uid: str | None = None) -> Obj:
        """Store a new object. `uid`: the one a create strategy already gave it (a Job's
        selector names its own uid); otherwise a fresh one."""
        new = clone(obj)
        _fill_type(key, new)
        meta = new.setdefault("metadata", {})
        if not isinstance(meta, dict):
            raise BadRequest("metadata must be an object")
        if _namespaced(key):
            meta["namespace"] = meta.get("namespace") or "default"
            if ("", meta["namespace"]) not in self._bucket(_NAMESPACES):
                raise NotFound("", "namespaces", meta["namespace"])
        else:
            meta.pop("namespace", None)
        namespace = meta.get("namespace", "")
        bucket = self._bucket(key)
        if not meta.get("name"):
            prefix = meta.get("generateName")
            if not prefix:
                raise Invalid(
                    f'{_kind_of(new, key)} "" is invalid: metadata.name: Required value: '
                    "name or generateName is required"
                )
            # Kubernetes retries a taken generated name by failing; a few local retries are kinder.
            for _ in range(8):
                meta["name"] = generate_name(prefix)
                if (namespace, meta["name"]) not in bucket:
                    break
        name = meta["name"]
        if (namespace, name) in bucket:
            raise AlreadyExists(key[0], key[1], name)
        for field in ("resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds"):
            meta.pop(field, None)
        meta["uid"] = uid or str(uuid.uuid4())
        meta["creationTimestamp"] = format_time(self._clock())
        if _generation(key):
            meta["generation"] = 1
        else:
            meta.pop("generation", None)
        self._commit(key, "ADDED", None, new)
        if key == _NAMESPACES:
            self._ensure_default_account(name)
        return clone(new)

    def _ensure_default_account(self, namespace: str) -> None:
        """The `default` ServiceAccount every namespace has (kube-controller-manager's
        serviceaccounts controller makes it); here with the namespace, so a pod created right
        after its namespace is never refused for want of it."""
        if (namespace, "default") not in self._bucket(_SERVICE_ACCOUNTS):
            account = {"metadata": {"name": "default", "namespace": namespace}}
            self.create(_SERVICE_ACCOUNTS, account)
        for key, make in self._per_namespace:
            self._ensure_namespace_object(key, make, namespace)

    def add_namespace_object(self, key: ResourceKey, make: Callable[[str], Obj]) -> None:
        """An object every namespace holds (the `kube-root-ca.crt` ConfigMap the root CA
        publisher keeps): `make(namespace)` is created now in each namespace that lacks it, and
        with every new namespace."""
        self._per_namespace.append((key, make))
        for _, namespace in list(self._bucket(_NAMESPACES)):
            self._ensure_namespace_object(key, make, namespace)

    def _ensure_namespace_object(self, key: ResourceKey, make: Callable[[str], Obj], namespace: str) -> None:
        obj = make(namespace)
        current = self._bucket(key).get((namespace, obj["metadata"]["name"]))
        if current is None:
            self.create(key, obj)
        elif current.get("data") != obj.get("data"):
            # As the root-ca-cert-publisher does: a ConfigMap restored from store.db names the
            # previous run's CA (the node makes a new one at every start), so it is rewritten.
            self.update(key, {**current, "data": obj.get("data")})

    def update(
        self,
        key: ResourceKey,
        obj: Obj,
        *,
        subresource: str | None = None,
        managed_fields: builtins.list[Obj] | None = None,
    ) -> Obj:
        """`managed_fields`: for a subresource write, the managedFields the API server computed
        (the rest of the metadata stays the stored one)."""
        meta_in = obj.get("metadata") or {}
        name = meta_in.get("name")
        if not name:
            raise Invalid(
                f'{_kind_of(obj, key)} "" is invalid: metadata.name: Required value: name is required'
            )
        namespace = self._ns(key, meta_in.get("namespace"))
        old = self._bucket(key).get((namespace, name))
        if old is None:
            raise NotFound(key[0], key[1], name)
        sent_rv = meta_in.get("resourceVersion")
        if sent_rv and str(sent_rv) != old["metadata"]["resourceVersion"]:
            raise Conflict(key[0], key[1], name)
        if subresource == "status":
            new = clone(old)
            if "status" in obj:
                new["status"] = clone(obj["status"])
            else:
                new.pop("status", None)
        elif subresource is None:
            new = clone(obj)
            if _status_subresource(key):
                if "status" in old:
                    new["status"] = clone(old["status"])
                else:
                    new.pop("status", None)
        elif subresource == "finalize":
            # The namespace registry's FinalizeREST: nothing but spec.finalizers changes.
            new = clone(old)
            new.setdefault("spec", {})["finalizers"] = clone((obj.get("spec") or {}).get("finalizers") or [])
        elif subresource == "ephemeralcontainers":
            # Only the list changes (k8s/ephemeral.py decided what it holds).
            new = clone(old)
            new.setdefault("spec", {})["ephemeralContainers"] = clone(
                (obj.get("spec") or {}).get("ephemeralContainers") or []
            )
        else:
            raise BadRequest(f"unsupported subresource {subresource!r} for update")
        _fill_type(key, new)
        new_meta = new.setdefault("metadata", {})
        old_meta = old["metadata"]
        for field in (
            "uid",
            "creationTimestamp",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
            "generation",
            "namespace",
        ):
            if field in old_meta:
                new_meta[field] = old_meta[field]
            else:
                new_meta.pop(field, None)
        new_meta["resourceVersion"] = old_meta["resourceVersion"]
        if subresource is not None and managed_fields is not None:
            if managed_fields:
                new_meta["managedFields"] = clone(managed_fields)
            else:
                new_meta.pop("managedFields", None)
        if "generation" in old_meta and subresource is None and _spec_changed(key, old, new):
            new_meta["generation"] = old_meta["generation"] + 1
        if new == old:
            # etcd skips writes of identical bytes, so a no-op update keeps its resourceVersion
            # and wakes no watcher (controllers rely on this to settle).
            return clone(old)
        if key == _NAMESPACES and _namespace_finalized(new):
            # The namespace controller's finalize took the last `kubernetes` finalizer.
            self._commit(key, "DELETED", old, new)
            return clone(new)
        # The last finalizer is gone from an object being deleted with no grace left: finish it.
        last_finalizer_gone = old_meta.get("finalizers") and not new_meta.get("finalizers")
        no_grace_left = old_meta.get("deletionGracePeriodSeconds", 0) == 0 or not _graceful(key)
        if last_finalizer_gone and old_meta.get("deletionTimestamp") and no_grace_left:
            self._commit(key, "DELETED", old, new)
            return clone(new)
        self._commit(key, "MODIFIED", old, new)
        return clone(new)

    def delete(
        self,
        key: ResourceKey,
        namespace: str | None,
        name: str,
        *,
        grace_period_seconds: int | None = None,
        preconditions_uid: str | None = None,
        preconditions_resource_version: str | None = None,
    ) -> Obj:
        ns = self._ns(key, namespace)
        old = self._bucket(key).get((ns, name))
        if old is None:
            raise NotFound(key[0], key[1], name)
        old_meta = old["metadata"]
        if preconditions_uid and preconditions_uid != old_meta["uid"]:
            raise Conflict(key[0], key[1], name)
        if preconditions_resource_version and preconditions_resource_version != old_meta["resourceVersion"]:
            raise Conflict(key[0], key[1], name)
        grace = self._grace_period(key, old, grace_period_seconds)
        finalizers = old_meta.get("finalizers")
        if key == _NAMESPACES:
            return self._delete_namespace(old)
        if grace == 0 and not finalizers:
            return self._remove(key, old)
        if old_meta.get("deletionTimestamp") and grace >= old_meta.get("deletionGracePeriodSeconds", 0):
            return clone(old)
        new = clone(old)
        meta = new["metadata"]
        meta["deletionTimestamp"] = format_time(self._clock() + timedelta(seconds=grace))
        meta["deletionGracePeriodSeconds"] = grace
        if "generation" in meta and not old_meta.get("deletionTimestamp"):
            meta["generation"] += 1
        self._commit(key, "MODIFIED", old, new)
        return clone(new)

    def delete_collection(
        self,
        key: ResourceKey,
        namespace: str | None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
        grace_period_seconds: int | None = None,
    ) -> builtins.list[Obj]:
        items, _ = self.list(key, namespace, label_selector=label_selector, field_selector=field_selector)
        done: builtins.list[Obj] = []
        for item in items:
            meta = item["metadata"]
            try:
                done.append(
                    self.delete(
                        key, meta.get("namespace"), meta["name"], grace_period_seconds=grace_period_seconds
                    )
                )
            except NotFound:
                continue
        return done

    # -- watch ---------------------------------------------------------------------------
    def watch(
        self,
        key: ResourceKey,
        namespace: str | None = None,
        *,
        resource_version: str | None = None,
        label_selector: str | None = None,
        field_selector: str | None = None,
        send_initial_events: bool | None = None,
    ) -> Watch:
        """Open a watch.

        - `send_initial_events=True`: ADDED for every current match, then a BOOKMARK annotated
          `k8s.io/initial-events-end: "true"` (the watch-list protocol).
        - `resource_version` None, "" or "0" (and no send_initial_events): ADDED for every current
          match, then live events (what the apiserver does for a watch without RV).
        - `resource_version` N: every change after N from history, then live events; Gone (410)
          when N is older than the retained history.
        """
        selector = Selector.parse(label_selector, field_selector)
        watch = Watch(key, namespace, selector, self._watchers.discard, queue_limit=self._watch_queue_limit)
        rv = resource_version or ""
        if send_initial_events or (send_initial_events is None and rv in ("", "0")):
            for (ns, _), obj in sorted(self._bucket(key).items()):
                if watch.wants(ns) and selector.matches(obj):
                    watch.offer(WatchEvent("ADDED", obj))
            if send_initial_events:
                watch.offer(WatchEvent("BOOKMARK", self.bookmark_object(key, initial_events_end=True)))
        elif rv not in ("", "0"):
            try:
                since = int(rv)
            except ValueError:
                raise BadRequest(f'invalid resource version "{rv}"') from None
            if since < self._compacted:
                raise Gone(f"too old resource version: {since} ({self._compacted})")
            for entry_rv, entry_key, change, old, new in self._history:
                if (
                    entry_rv > since
                    and entry_key == key
                    and watch.wants(new["metadata"].get("namespace", ""))
                ):
                    watch.offer_change(change, old, new)
        self._watchers.add(watch)
        return watch

    def bookmark_object(self, key: ResourceKey, *, initial_events_end: bool = False) -> Obj:
        """The object of a BOOKMARK event: only kind, apiVersion and metadata.resourceVersion."""
        meta: Obj = {"resourceVersion": str(self._rv)}
        if initial_events_end:
            meta["annotations"] = {"k8s.io/initial-events-end": "true"}
        bookmark: Obj = {"metadata": meta}
        _fill_type(key, bookmark)
        return bookmark

    def close(self) -> None:
        for watch in list(self._watchers):
            watch.close()
        if self._mirror is not None:
            self._mirror.close()

    # -- internals -----------------------------------------------------------------------
    def _bucket(self, key: ResourceKey) -> dict[tuple[str, str], Obj]:
        return self._objects.setdefault(key, {})

    @staticmethod
    def _ns(key: ResourceKey, namespace: str | None) -> str:
        if not _namespaced(key):
            return ""
        return namespace or "default"

    def _grace_period(self, key: ResourceKey, obj: Obj, requested: int | None) -> int:
        if not _graceful(key):
            return 0
        spec = obj.get("spec") or {}
        phase = (obj.get("status") or {}).get("phase")
        # pod strategy CheckGracefulDelete: unscheduled and finished pods go at once.
        if not spec.get("nodeName") or phase in ("Succeeded", "Failed"):
            return 0
        if requested is not None:
            return max(0, int(requested))
        grace = spec.get("terminationGracePeriodSeconds")
        return 30 if grace is None else int(grace)

    def _delete_namespace(self, old: Obj) -> Obj:
        """The namespace registry's Delete (pkg/registry/core/namespace/storage): a namespace
        with finalizers is marked (deletionTimestamp, phase Terminating) for the namespace
        controller to empty and finalize; one without any goes at once, with its content."""
        if old["metadata"].get("deletionTimestamp") and (old.get("spec") or {}).get("finalizers"):
            raise Conflict("", "namespaces", old["metadata"]["name"], _NAMESPACE_BEING_EMPTIED)
        if old["metadata"].get("deletionTimestamp"):
            return clone(old)  # held by metadata.finalizers only: the generic delete's answer
        if not _namespace_finalizers(old):
            self._empty_namespace(old["metadata"]["name"])
            return self._remove(_NAMESPACES, old)
        new = clone(old)
        meta = new["metadata"]
        meta["deletionTimestamp"] = format_time(self._clock())
        meta["deletionGracePeriodSeconds"] = 0
        new.setdefault("status", {})["phase"] = "Terminating"
        self._commit(_NAMESPACES, "MODIFIED", old, new)
        return clone(new)

    def _empty_namespace(self, namespace: str) -> None:
        for key, bucket in list(self._objects.items()):
            if not _namespaced(key):
                continue
            for (ns, _), obj in list(bucket.items()):
                if ns == namespace:
                    self._remove(key, obj)

    def _remove(self, key: ResourceKey, old: Obj) -> Obj:
        new = clone(old)
        self._commit(key, "DELETED", old, new)
        return clone(new)

    def _commit(self, key: ResourceKey, change: str, old: Obj | None, new: Obj) -> None:
        rv = self._rv + 1
        meta = new["metadata"]
        meta["resourceVersion"] = str(rv)
        slot = (meta.get("namespace", ""), meta["name"])
        # On disk first: a write the file refuses (disk full) changes nothing, in memory either,
        # and the client gets a 500 naming the file.
        if self._mirror is not None:
            try:
                if change == "DELETED":
                    self._mirror.remove(key, slot[0], slot[1], rv)
                else:
                    self._mirror.put(key, slot[0], slot[1], new, rv)
            except StateError as exc:
                raise StoreError(f"storing the change failed: {exc}") from None
        self._rv = rv
        bucket = self._bucket(key)
        if change == "DELETED":
            bucket.pop(slot, None)
        else:
            bucket[slot] = new
        self._history.append((self._rv, key, change, old, new))
        while len(self._history) > self._history_limit:
            self._compacted = self._history.popleft()[0]
        for watch in list(self._watchers):
            if watch.key == key and watch.wants(slot[0]):
                watch.offer_change(change, old, new)


__all__ = ["Store", "StoreError"]
