"""Lease validation (k8s pkg/apis/coordination/validation/validation.go ValidateLeaseSpec)."""

from __future__ import annotations

from podlab.k8s import errors as fe
from podlab.k8s.errors import FieldError, Obj

# coordination.OldestEmulationVersion, the one CoordinatedLeaseStrategy.
LEASE_STRATEGIES = ["OldestEmulationVersion"]


def validate_lease(obj: Obj) -> list[FieldError]:
    spec = obj.get("spec") or {}
    if not isinstance(spec, dict):
        return []
    errs: list[FieldError] = []
    duration = spec.get("leaseDurationSeconds")
    if isinstance(duration, int) and duration <= 0:
        errs.append(fe.invalid("spec.leaseDurationSeconds", duration, "must be greater than 0"))
    transitions = spec.get("leaseTransitions")
    if isinstance(transitions, int) and transitions < 0:
        errs.append(fe.invalid("spec.leaseTransitions", transitions, "must be greater than or equal to 0"))
    strategy = spec.get("strategy")
    if strategy is not None and strategy not in LEASE_STRATEGIES:
        errs.append(fe.not_supported("spec.strategy", strategy, LEASE_STRATEGIES))
    if spec.get("preferredHolder") and not strategy:
        errs.append(fe.forbidden("spec.preferredHolder", "may only be specified if `strategy` is defined"))
    return errs
