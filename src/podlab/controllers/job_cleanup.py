"""After a Job: the ttlafterfinished controller (k8s pkg/controller/ttlafterfinished) and the
release of pods whose Job is gone (job_controller.go cleanupPodFinalizers), sans-IO."""

from __future__ import annotations

from datetime import datetime, timedelta

from podlab.controllers.actions import JOBS, DeleteObject, PatchObject
from podlab.controllers.job import has_tracking_finalizer, is_job_finished, remove_tracking_finalizer
from podlab.controllers.util import Obj, controller_ref, meta, name_of, namespace_of, uid_of
from podlab.k8s.timestamps import parse_time

# ---- orphans and TTL ----------------------------------------------------------------------------


def orphan_finalizers(pods: list[Obj], jobs: list[Obj]) -> list[PatchObject]:
    """Pods still holding the tracking finalizer whose Job is gone (deleted with background
    propagation): the job controller releases them (cleanupPodFinalizers)."""
    uids = {uid_of(j) for j in jobs}
    out: list[PatchObject] = []
    for pod in pods:
        if not has_tracking_finalizer(pod):
            continue
        ref = controller_ref(pod)
        if ref is None or ref.get("kind") != "Job" or ref.get("uid") not in uids:
            out.append(remove_tracking_finalizer(pod))
    return out


def ttl_expired(job: Obj, now: datetime) -> DeleteObject | None:
    """The ttlafterfinished controller: a finished Job is deleted ttlSecondsAfterFinished after
    its Complete/Failed condition's lastTransitionTime."""
    ttl = (job.get("spec") or {}).get("ttlSecondsAfterFinished")
    if ttl is None or meta(job).get("deletionTimestamp") or not is_job_finished(job):
        return None
    finished = [
        parse_time(c.get("lastTransitionTime"))
        for c in (job.get("status") or {}).get("conditions") or []
        if c.get("type") in ("Complete", "Failed") and c.get("status") == "True"
    ]
    at = max((t for t in finished if t is not None), default=None)
    if at is None or now < at + timedelta(seconds=int(ttl)):
        return None
    return DeleteObject(JOBS, namespace_of(job), name_of(job), uid=uid_of(job))
