"""What podlab says about Ingresses, sans-IO: it runs no ingress controller, so each Ingress
gets one Warning event saying nothing routes it (a real cluster without a controller is
silent; podlab tells). The ADDRESS column stays empty, as it does until a controller writes
status.loadBalancer."""

from __future__ import annotations

from podlab.controllers.actions import RecordEvent
from podlab.controllers.util import Obj

INGRESSES = ("networking.k8s.io", "ingresses")
COMPONENT = "podlab"
REASON = "NoIngressController"


def unrouted_event(ingress: Obj) -> RecordEvent:
    name = (ingress.get("spec") or {}).get("ingressClassName") or "<none>"
    message = f"podlab runs no ingress controller (ingressClassName {name}): nothing routes this Ingress"
    return RecordEvent(ingress, "Warning", REASON, message, COMPONENT)
