"""Webhooks: WireMock's `webhook` serve-event listener, sent after a stub is served.

`plan` decides (sans-IO: which webhooks a served stub fires, templated, with their delays, or the
error WireMock logs instead); `client` sends one HTTP request; `sender` is the driver that waits
the delays, sends and logs, never blocking serving.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from podlab.stub.webhooks.plan import (
        NoListener,
        WebhookCall,
        WebhookDecision,
        WebhookRefused,
        plan_webhooks,
    )
    from podlab.stub.webhooks.sender import WebhookSender

_HOMES = {
    name: "plan"
    for name in ("NoListener", "WebhookCall", "WebhookDecision", "WebhookRefused", "plan_webhooks")
}
_HOMES["WebhookSender"] = "sender"


def __getattr__(name: str) -> Any:
    # Resolved on first use: plan.py imports the templating engine, client.py h11 (start-up time).
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)


__all__ = ["NoListener", "WebhookCall", "WebhookDecision", "WebhookRefused", "WebhookSender", "plan_webhooks"]
