"""Webhooks: WireMock's `webhook` serve-event listener, sent after a stub is served.

`plan` decides (sans-IO: which webhooks a served stub fires, templated, with their delays, or the
error WireMock logs instead); `client` sends one HTTP request; `sender` is the driver that waits
the delays, sends and logs, never blocking serving.
"""

from podlab.stub.webhooks.plan import NoListener, WebhookCall, WebhookDecision, WebhookRefused, plan_webhooks
from podlab.stub.webhooks.sender import WebhookSender

__all__ = ["NoListener", "WebhookCall", "WebhookDecision", "WebhookRefused", "WebhookSender", "plan_webhooks"]
