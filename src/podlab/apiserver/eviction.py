"""POST pods/NAME/eviction (policy/v1 Eviction): delete the pod unless its disruption budget
forbids it (the decision is k8s/pdb_eviction.py); `kubectl drain` evicts through it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from podlab.httpcore import Request, Response
from podlab.k8s.pdb_eviction import Refuse, decide
from podlab.store import Store

from .bodies import bad_request, decode_object, dry_run
from .negotiation import json_response
from .routes import Route

PODS = ("", "pods")
PDBS = ("policy", "poddisruptionbudgets")


def evict(
    store: Store, route: Route, request: Request, params: dict[str, str], now: Callable[[], datetime]
) -> Response:
    assert route.name is not None and route.namespace is not None
    body: Any = decode_object(request).obj
    if not isinstance(body, dict):
        raise bad_request("the body of the request must be a JSON object")
    meta = body.get("metadata") or {}
    if meta.get("name") and meta["name"] != route.name:
        raise bad_request("name in URL does not match name in Eviction object")
    options = body.get("deleteOptions") or {}
    pod = store.get(PODS, route.namespace, route.name)
    budgets, _ = store.list(PDBS, route.namespace)
    is_dry_run = dry_run(params, options)
    decision = decide(pod, budgets, now(), dry_run=is_dry_run)
    if isinstance(decision, Refuse):
        return json_response(int(decision.status["code"]), decision.status)
    if decision.budget is not None and decision.budget_status is not None:
        # A conflict here (the controller wrote first) is the client's to retry, as upstream.
        budget = {**decision.budget, "status": decision.budget_status}
        store.update(PDBS, budget, subresource="status")
    if not is_dry_run:
        preconditions = options.get("preconditions") or {}
        grace = options.get("gracePeriodSeconds")
        store.delete(
            PODS,
            route.namespace,
            route.name,
            grace_period_seconds=None if grace is None else int(grace),
            preconditions_uid=preconditions.get("uid"),
            preconditions_resource_version=preconditions.get("resourceVersion"),
        )
    success = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}
    return json_response(201, success)
