"""The controllers' thin async driver: watch the store, reconcile, perform the decided writes.

Everything that decides lives in deployment.py, replicaset.py and gc.py; this file only lists,
applies actions, and sleeps until a watch event or the resync tick (which also notices time-based
changes: minReadySeconds availability, the progress deadline).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
import os
import shutil
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, Protocol

from podlab.controllers import cronjob as cronjob_controller
from podlab.controllers import daemonset as daemonset_controller
from podlab.controllers import deployment as deployment_controller
from podlab.controllers import disruption as disruption_controller
from podlab.controllers import endpoints as endpoints_controller
from podlab.controllers import endpointslice as endpointslice_controller
from podlab.controllers import hpa as hpa_controller
from podlab.controllers import ingress as ingress_controller
from podlab.controllers import job as job_controller
from podlab.controllers import job_cleanup
from podlab.controllers import namespace as namespace_controller
from podlab.controllers import replicaset as replicaset_controller
from podlab.controllers import statefulset as statefulset_controller
from podlab.controllers import volumes as volume_controller
from podlab.controllers.actions import (
    DEPLOYMENTS,
    EVENTS,
    JOBS,
    PODS,
    REPLICASETS,
    Action,
    CreateObject,
    DeleteObject,
    PatchObject,
    RecordEvent,
    SetStatus,
)
from podlab.controllers.gc import orphaned_dependents
from podlab.controllers.listing import Listings
from podlab.controllers.service_pods import wants_endpoints
from podlab.controllers.util import Obj, name_of, namespace_of, uid_of
from podlab.k8s import events as k8s_events
from podlab.k8s.admission import Refusal, admit_pod
from podlab.k8s.defaults import apply_defaults
from podlab.k8s.errors import invalid_message
from podlab.k8s.events import object_reference
from podlab.k8s.namespace_lifecycle import admit_create
from podlab.k8s.patch import json_merge_patch
from podlab.k8s.resources import RESOURCES
from podlab.k8s.storage_classes import STORAGECLASSES, add_protection, admit_claim
from podlab.k8s.strategy import prepare_for_create
from podlab.k8s.validation import validate
from podlab.store import Store, StoreError
from podlab.store.wake import wake_on_changes

log = logging.getLogger(__name__)

SERVICES = ("", "services")
_WATCHED = (
    DEPLOYMENTS,
    REPLICASETS,
    PODS,
    SERVICES,
    endpointslice_controller.ENDPOINTSLICES,
    endpoints_controller.ENDPOINTS,
    JOBS,
    cronjob_controller.CRONJOBS,
    daemonset_controller.DAEMONSETS,
    namespace_controller.NAMESPACES,
    statefulset_controller.STATEFULSETS,
    statefulset_controller.CONTROLLERREVISIONS,
    volume_controller.PVCS,
    volume_controller.PVS,
    disruption_controller.PDBS,
    ingress_controller.INGRESSES,
    hpa_controller.HPAS,
)
NODES = ("", "nodes")
# EndpointSlices go with their Service by garbage collection, as in Kubernetes.
# A claim owned by a pod is a StatefulSet's under `whenScaled: Delete`.
_OWNER_KINDS = {"Deployment", "ReplicaSet", "Service", "Job", "CronJob", "DaemonSet", "StatefulSet", "Pod"}
# Passes per wake-up: a new Deployment needs create RS -> create pods -> statuses.
_MAX_PASSES = 5
# The rest between passes (run()): a multiple of the last pass's duration, bounded.
_REST_FACTOR = 2.0
_MAX_REST_SECONDS = 0.25


def _utcnow() -> datetime:
    return datetime.now(UTC)


class ContainerUsageSource(Protocol):
    def container_usage(self) -> list[Any]: ...


HPA_SYNC_ENV = "PODLAB_HPA_SYNC_SECONDS"


def hpa_controller_sync_seconds(environ: Mapping[str, str]) -> float:
    """--horizontal-pod-autoscaler-sync-period (15 s); tests shorten it with PODLAB_HPA_SYNC_SECONDS."""
    try:
        return max(0.5, float(environ.get(HPA_SYNC_ENV, "15")))
    except ValueError:
        return 15.0


CRONJOB_CLOCK_SPEED_ENV = "PODLAB_CRONJOB_CLOCK_SPEED"


def cronjob_clock_from_env(
    environ: Mapping[str, str], base: Callable[[], datetime] = _utcnow
) -> Callable[[], datetime] | None:
    """For tests only: `PODLAB_CRONJOB_CLOCK_SPEED=60` makes the cronjob controller's clock run
    sixty times as fast as the node's from the moment the node starts, so a `* * * * *` CronJob
    fires about once a second. Unset, unparsable or <= 1: None (the node's clock). Only the
    cronjob controller reads it; Jobs, pods and timestamps keep real time (so `LAST SCHEDULE`
    may print `<invalid>`, a time in the future)."""
    try:
        speed = float(environ.get(CRONJOB_CLOCK_SPEED_ENV, "1"))
    except ValueError:
        return None
    if speed <= 1:
        return None
    start = base()

    def clock() -> datetime:
        return start + (base() - start) * speed

    return clock


def make_event(involved: Obj, type_: str, reason: str, message: str, component: str, now: datetime) -> Obj:
    """An Event about a stored object; named by the wall clock's nanoseconds, not `now`, because
    one reconcile pass records several events about the same object at the same `now`."""
    return k8s_events.make_event(
        object_reference(involved),
        type_,
        reason,
        message,
        now,
        component=component,
        name_nanos=time.time_ns(),
    )


class Controllers:
    """Deployment, ReplicaSet and garbage-collector loops over one Store."""

    def __init__(
        self,
        store: Store,
        *,
        clock: Callable[[], datetime] = _utcnow,
        resync_seconds: float = 1.0,
        cronjob_clock: Callable[[], datetime] | None = None,
        local_path: Path | None = None,
        metrics: ContainerUsageSource | None = None,
        hpa_sync_seconds: float | None = None,
    ) -> None:
        self.store = store
        # The node's container usage (the metrics API's source), for the autoscaler.
        self._metrics = metrics
        seconds = (
            hpa_sync_seconds if hpa_sync_seconds is not None else hpa_controller_sync_seconds(os.environ)
        )
        self._hpa_sync = timedelta(seconds=seconds)
        self._hpa_history: dict[str, hpa_controller.Recommendations] = {}
        self._hpa_synced: dict[str, datetime] = {}
        # Where the local-path provisioner makes volumes ($PODLAB_HOME/local-path-provisioner).
        self._local_path = local_path
        # Events the volume controllers said already (uid, reason, message): said once, not
        # every pass (the real controllers' resync interval is 15 s).
        self._said: set[tuple[str, str, str]] = set()
        self._clock = clock
        # The cronjob controller's own clock: the node's, unless a test speeds it up
        # (PODLAB_CRONJOB_CLOCK_SPEED, node/node.py).
        self._cron_clock = cronjob_clock or clock
        # Per CronJob uid: the scheduled time whose skipped run was already reported, and the
        # Jobs already reported as unexpected (cronjob.py's docstring says why).
        self._cron_reported: dict[str, datetime] = {}
        self._cron_unexpected: dict[str, frozenset[str]] = {}
        self._resync = resync_seconds
        self._wake = asyncio.Event()
        self._stopped = False
        # Copies of listed objects kept across listings and passes (listing.py).
        self._listings = Listings(store)

    # -- one pass (synchronous: the store never awaits) ------------------------------------
    def _list(self, key: tuple[str, str]) -> list[Obj]:
        return self._listings.list(key)

    def sync_once(self) -> int:
        """Reconcile everything until nothing changes (or _MAX_PASSES); returns writes made."""
        total = 0
        for _ in range(_MAX_PASSES):
            done = self._pass()
            total += done
            if done == 0:
                break
        return total

    def _pass(self) -> int:
        now = self._clock()
        writes = 0
        pods = self._list(PODS)
        replicasets = self._list(REPLICASETS)
        for d in self._list(DEPLOYMENTS):
            # Each Deployment touches only its own ReplicaSets, so one listing serves them all.
            rss = [rs for rs in replicasets if namespace_of(rs) == namespace_of(d)]
            writes += self._guarded(d, partial(deployment_controller.sync_deployment, d, rss, pods, now), now)
        pods = self._list(PODS)
        for rs in self._list(REPLICASETS):
            ns_pods = [p for p in pods if namespace_of(p) == namespace_of(rs)]
            writes += self._guarded(rs, partial(replicaset_controller.sync_replicaset, rs, ns_pods, now), now)
        writes += self._sync_cronjobs()
        writes += self._sync_jobs(now)
        writes += self._sync_daemonsets(now)
        writes += self._sync_statefulsets(now)
        writes += self._sync_volumes(now)
        writes += self._sync_disruption_budgets(now)
        writes += self._sync_autoscalers(now)
        # Said once per Ingress (the volume path's once-only events).
        writes += self._apply_volume(
            [ingress_controller.unrouted_event(i) for i in self._list(ingress_controller.INGRESSES)], now
        )
        # The pods as the ReplicaSets saw them: a pod they created or deleted just now wrote,
        # so the next pass (sync_once loops until no writes) brings the endpoints up to date.
        writes += self._sync_service_endpoints(pods, now)
        # The garbage collector only reads (uids and owner references): the stored objects
        # themselves, not copies (and no comparison of kept copies, listing.py).
        objects = {key: self.store.stored(key) for key in _WATCHED if key != namespace_controller.NAMESPACES}
        writes += self.apply(list(orphaned_dependents(objects, _OWNER_KINDS)), now)
        writes += self._sync_namespaces(now)
        return writes

    def _sync_namespaces(self, now: datetime) -> int:
        """The namespace controller over namespaces being deleted (each kind listed only then),
        and the system-namespaces controller."""
        namespaces = self._list(namespace_controller.NAMESPACES)
        writes = self.apply(namespace_controller.missing_system_namespaces(namespaces), now)
        for ns in namespaces:
            if not namespace_controller.is_terminating(ns):
                continue
            name = name_of(ns)
            contents = {r.key: self.store.list(r.key, name)[0] for r in RESOURCES if r.namespaced}
            writes += self._guarded(ns, partial(namespace_controller.sync_namespace, ns, contents, now), now)
        return writes

    def _sync_jobs(self, now: datetime) -> int:
        """The job and ttl-after-finished controllers, and the release of orphaned pods'
        tracking finalizers (a Job deleted with background propagation)."""
        jobs = self._list(JOBS)
        pods = self._list(PODS) if jobs else []
        writes = 0
        for job in jobs:
            ns_pods = [p for p in pods if namespace_of(p) == namespace_of(job)]
            writes += self._guarded(job, partial(job_controller.sync_job, job, ns_pods, now), now)
            expired = job_cleanup.ttl_expired(job, now)
            if expired is not None:
                writes += self.apply([expired], now)
        # Only reads each pod's finalizers and owner: the stored pods, not copies.
        writes += self.apply(list(job_cleanup.orphan_finalizers(self.store.stored(PODS), jobs)), now)
        return writes

    def _sync_cronjobs(self) -> int:
        """The cronjob controller, on its own clock; Jobs it creates are synced in this pass."""
        cronjobs = self._list(cronjob_controller.CRONJOBS)
        if not cronjobs:
            self._cron_reported.clear()
            self._cron_unexpected.clear()
            return 0
        now = self._cron_clock()
        jobs = self._list(JOBS)
        writes = 0
        for cj in cronjobs:
            uid = uid_of(cj)
            ns_jobs = [j for j in jobs if namespace_of(j) == namespace_of(cj)]
            try:
                result = cronjob_controller.sync_cronjob(
                    cj,
                    ns_jobs,
                    now,
                    self._cron_reported.get(uid),
                    self._cron_unexpected.get(uid, frozenset()),
                )
            except Exception:
                log.exception("reconcile of CronJob %s/%s failed", namespace_of(cj), name_of(cj))
                continue
            if result.reported is not None:
                self._cron_reported[uid] = result.reported
            self._cron_unexpected[uid] = result.unexpected
            writes += self.apply(result.actions, self._clock())  # events on the node's clock
        live = {uid_of(cj) for cj in cronjobs}
        for uid in [u for u in self._cron_reported if u not in live]:
            del self._cron_reported[uid]
        for uid in [u for u in self._cron_unexpected if u not in live]:
            del self._cron_unexpected[uid]
        return writes

    def _sync_daemonsets(self, now: datetime) -> int:
        """The daemonset controller against podlab's one node."""
        daemonsets = self._list(daemonset_controller.DAEMONSETS)
        if not daemonsets:
            return 0
        nodes = self._list(NODES)
        node = nodes[0] if nodes else None
        pods = self._list(PODS)
        revisions = self._list(statefulset_controller.CONTROLLERREVISIONS)
        writes = 0
        for ds in daemonsets:
            ns = namespace_of(ds)
            ns_pods = [p for p in pods if namespace_of(p) == ns]
            ns_revisions = [r for r in revisions if namespace_of(r) == ns]
            writes += self._guarded(
                ds, partial(daemonset_controller.sync_daemonset, ds, ns_pods, node, now, ns_revisions), now
            )
        return writes

    def _sync_statefulsets(self, now: datetime) -> int:
        """The statefulset controller; pods, revisions and claims listed only while a set exists."""
        sets = self._list(statefulset_controller.STATEFULSETS)
        if not sets:
            return 0
        pods = self._list(PODS)
        revisions = self._list(statefulset_controller.CONTROLLERREVISIONS)
        claims = self._claims()
        writes = 0
        for sts in sets:
            ns = namespace_of(sts)
            decide = partial(
                statefulset_controller.sync_statefulset,
                sts,
                [p for p in pods if namespace_of(p) == ns],
                [r for r in revisions if namespace_of(r) == ns],
                [c for c in claims if namespace_of(c) == ns],
                now,
            )
            writes += self._guarded(sts, decide, now)
        return writes

    def _sync_autoscalers(self, now: datetime) -> int:
        """The horizontal pod autoscaler, each HPA once per sync period (15 s, as upstream)."""
        hpas = self._list(hpa_controller.HPAS)
        live = {uid_of(h) for h in hpas}
        for gone in [u for u in self._hpa_history if u not in live]:
            del self._hpa_history[gone]
            self._hpa_synced.pop(gone, None)
        due = [
            h
            for h in hpas
            if now - self._hpa_synced.get(uid_of(h), datetime.min.replace(tzinfo=UTC)) >= self._hpa_sync
        ]
        if not due:
            return 0
        usage = hpa_controller.pod_usage(self._metrics.container_usage() if self._metrics else [])
        pods = self._list(PODS)
        writes = 0
        for hpa in due:
            self._hpa_synced[uid_of(hpa)] = now
            ref = (hpa.get("spec") or {}).get("scaleTargetRef") or {}
            key = hpa_controller.TARGETS.get(str(ref.get("kind")))
            target = None
            if key is not None:
                with contextlib.suppress(StoreError):
                    target = self.store.get(key, namespace_of(hpa), str(ref.get("name")))
            history = self._hpa_history.setdefault(uid_of(hpa), hpa_controller.Recommendations())
            ns_pods = [p for p in pods if namespace_of(p) == namespace_of(hpa)]
            writes += self._guarded(
                hpa, partial(hpa_controller.sync_hpa, hpa, target, ns_pods, usage, history, now), now
            )
        return writes

    def _sync_disruption_budgets(self, now: datetime) -> int:
        """The disruption controller; pods and controllers listed only while a budget exists."""
        budgets = self._list(disruption_controller.PDBS)
        if not budgets:
            return 0
        pods = self._list(PODS)
        owners = [
            *self._list(DEPLOYMENTS),
            *self._list(REPLICASETS),
            *self._list(statefulset_controller.STATEFULSETS),
        ]
        writes = 0
        for pdb in budgets:
            ns = namespace_of(pdb)
            controllers = {(str(o.get("kind")), name_of(o)): o for o in owners if namespace_of(o) == ns}
            ns_pods = [p for p in pods if namespace_of(p) == ns]
            try:
                actions = disruption_controller.sync_pdb(pdb, ns_pods, controllers, now)
            except Exception:
                log.exception("reconcile of PodDisruptionBudget %s/%s failed", ns, name_of(pdb))
                continue
            writes += self._apply_volume(list(actions), now)  # its events said once, not every pass
        return writes

    def _sync_volumes(self, now: datetime) -> int:
        """The persistent-volume controller and the local-path provisioner."""
        claims = self._claims()
        volumes = self._list(volume_controller.PVS) if claims or self._local_path else []
        if not claims and not volumes:
            return 0
        classes = {name_of(c): c for c in self._list(STORAGECLASSES)}
        base = str(self._local_path or "/var/local-path-provisioner")
        writes = 0
        for pvc in claims:
            if (pvc.get("status") or {}).get("phase", "Pending") == "Pending":
                decided = volume_controller.sync_claim(pvc, classes, volumes, base, now)
                writes += self._apply_volume(decided, now)
        by_uid = {uid_of(c): c for c in claims}
        for pv in volumes:
            writes += self._apply_volume(volume_controller.sync_volume(pv, by_uid, now), now)
        deleting = [c for c in claims if (c.get("metadata") or {}).get("deletionTimestamp")]
        pods = self._list(PODS) if deleting else []
        for pvc in deleting:
            writes += self.apply(volume_controller.release_claim(pvc, pods), now)
        for pv in volumes:
            writes += self.apply(volume_controller.release_volume(pv), now)
        return writes

    def _apply_volume(self, actions: list[volume_controller.VolumeAction], now: datetime) -> int:
        writes = 0
        for action in actions:
            match action:
                case volume_controller.MakeDirectory(path=path):
                    if self._local_path is None:
                        continue
                    try:
                        os.makedirs(path, mode=0o777, exist_ok=True)
                        os.chmod(path, 0o777)
                    except OSError as exc:
                        log.warning("local-path: mkdir %s failed: %s", path, exc)
                        return writes
                case volume_controller.RemoveDirectory(path=path):
                    # Only what the provisioner made: never a path outside its base.
                    if self._local_path is not None and Path(path).parent == self._local_path:
                        shutil.rmtree(path, ignore_errors=True)
                case RecordEvent(involved=involved, reason=reason, message=message):
                    said = (uid_of(involved), reason, message)
                    if said not in self._said:
                        self._said.add(said)
                        writes += self.apply([action], now)
                case _:
                    writes += self.apply([action], now)
        return writes

    def _claims(self) -> list[Obj]:
        try:
            return self._list(statefulset_controller.PVCS)
        except StoreError:
            return []  # claims not served

    def _sync_service_endpoints(self, pods: list[Obj], now: datetime) -> int:
        """The endpointslice and endpoints controllers: every Service with a selector against
        the pods of its namespace; no listing of slices at all while no Service selects pods."""
        services = self._list(SERVICES)
        endpoints = {(namespace_of(e), name_of(e)): e for e in self._list(endpoints_controller.ENDPOINTS)}
        writes = self.apply(endpoints_controller.stale_endpoints(services, list(endpoints.values())), now)
        selecting = [svc for svc in services if wants_endpoints(svc)]
        if not selecting:
            return writes
        slices = self._list(endpointslice_controller.ENDPOINTSLICES)
        for svc in selecting:
            ns = namespace_of(svc)
            ns_pods = [p for p in pods if namespace_of(p) == ns]
            ns_slices = [s for s in slices if namespace_of(s) == ns]
            current = endpoints.get((ns, name_of(svc)))
            writes += self._guarded(
                svc,
                partial(endpointslice_controller.sync_endpointslices, svc, ns_pods, ns_slices, now),
                now,
            )
            writes += self._guarded(
                svc, partial(endpoints_controller.sync_endpoints, svc, ns_pods, current, now), now
            )
        return writes

    def _guarded(self, obj: Obj, decide: Callable[[], list[Action]], now: datetime) -> int:
        """One object's reconcile; a bug on one object is logged and must not stop the others
        (nor kill the controllers' task for the life of the node)."""
        try:
            actions = decide()
        except Exception:
            log.exception("reconcile of %s %s/%s failed", obj.get("kind"), namespace_of(obj), name_of(obj))
            return 0
        return self.apply(actions, now)

    def apply(self, actions: list[Action], now: datetime) -> int:
        """Perform actions in order; a failed write is logged and retried by the next sync."""
        writes = 0
        for action in actions:
            try:
                writes += self._apply_one(action, now)
            except StoreError as exc:
                log.debug("controller write %r failed: %s", action, exc)
                self._wake.set()
        return writes

    def _terminating(self, key: tuple[str, str], obj: Obj) -> StoreError | None:
        """The NamespaceLifecycle refusal of a create, as the controllers' API calls meet it."""
        ns = namespace_of(obj)
        if not ns or key == namespace_controller.NAMESPACES:
            return None
        try:
            namespace = self.store.get(namespace_controller.NAMESPACES, None, ns)
        except StoreError:
            return None
        return admit_create(key[0], key[1], obj, namespace)

    def _service_account(self, namespace: str, name: str) -> Obj | None:
        try:
            return self.store.get(("", "serviceaccounts"), namespace, name)
        except StoreError:
            return None

    def _apply_one(self, action: Action, now: datetime) -> int:
        match action:
            case CreateObject(
                key=key, obj=obj, event=event, owner=owner, component=component, failure=failure
            ):
                obj = apply_defaults(obj)
                if key == volume_controller.PVCS:
                    admit_claim(obj, self._list(STORAGECLASSES))  # DefaultStorageClass admission
                add_protection(obj)  # StorageObjectInUseProtection admission
                if self._terminating(key, obj) is not None:
                    return 0  # NamespaceLifecycle refuses it; the namespace controller empties it
                refusal = admit_pod(obj, self._service_account) if key == PODS else None
                if refusal is None and key == PODS and component == statefulset_controller.COMPONENT:
                    # A set's template is not validated as a pod spec (its claim templates add
                    # volumes), so the API server's validation of the pod is where it fails.
                    errors = validate(obj)
                    if errors:
                        refusal = Refusal(name_of(obj), invalid_message(obj, errors))
                if refusal is not None:
                    # The ReplicaSet controller's create goes through admission like any client's.
                    if owner is not None:
                        message = failure.replace("{error}", refusal.message)
                        self._record(owner, "Warning", "FailedCreate", message, component, now)
                    return 0
                # A Job's selector names its uid (the API server's create strategy).
                uid = prepare_for_create(obj, keep_uid=True) if key == JOBS else None
                created = self.store.create(key, obj, uid=uid)
                if event is not None and owner is not None:
                    reason, message = event
                    self._record(
                        owner,
                        "Normal",
                        reason,
                        message.format(name=name_of(created)),
                        component,
                        now,
                    )
                return 1
            case PatchObject(key=key, namespace=ns, name=name, merge=merge):
                current = self.store.get(key, ns, name)
                updated = json_merge_patch(current, merge)
                if updated == current:
                    return 0
                self.store.update(key, updated)
                return 1
            case SetStatus(key=key, namespace=ns, name=name, status=status):
                current = self.store.get(key, ns, name)
                if current.get("status") == status:
                    return 0
                new = copy.deepcopy(current)
                new["status"] = status
                self.store.update(key, new, subresource="status")
                return 1
            case DeleteObject(
                key=key, namespace=ns, name=name, uid=uid, event=event, owner=owner, component=component
            ):
                current = self.store.get(key, ns, name)
                if uid and uid_of(current) != uid:
                    return 0
                if (current.get("metadata") or {}).get("deletionTimestamp"):
                    return 0
                self.store.delete(key, ns, name)
                if event is not None and owner is not None:
                    self._record(owner, "Normal", event[0], event[1], component, now)
                return 1
            case RecordEvent(
                involved=involved, type=type_, reason=reason, message=message, component=component
            ):
                self._record(involved, type_, reason, message, component, now)
                return 0
        return 0

    def _record(
        self, involved: Obj, type_: str, reason: str, message: str, component: str, now: datetime
    ) -> None:
        self.store.create(EVENTS, make_event(involved, type_, reason, message, component, now))

    # -- the loop ------------------------------------------------------------------------
    async def run(self) -> None:
        """Reconcile until cancelled (or stop())."""
        async with asyncio.TaskGroup() as group:
            watchers = [
                group.create_task(
                    wake_on_changes(self.store, key, self._wake, lambda: self._stopped, self._resync)
                )
                for key in _WATCHED
            ]
            try:
                while not self._stopped:
                    self._wake.clear()
                    started = time.monotonic()
                    try:
                        self.sync_once()
                    except StoreError as exc:  # the next wake-up retries
                        log.warning("controller sync failed: %s", exc)
                    spent = time.monotonic() - started
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), self._resync)
                    # A pass reads the whole state (level-triggered), so one pass covers every
                    # change since the last: rest twice as long as the last pass took, and
                    # changes that come in a burst (50 pods' status writes) are taken together.
                    # The controllers then use at most a third of the loop; with a few objects a
                    # pass takes about a millisecond, and so does the rest.
                    await asyncio.sleep(min(_MAX_REST_SECONDS, _REST_FACTOR * spent))
            finally:
                for task in watchers:
                    task.cancel()

    def stop(self) -> None:
        self._stopped = True
        self._wake.set()
