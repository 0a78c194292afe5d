"""The webhook driver: waits each delay, sends, logs; the only webhook code that awaits.

Log lines are WireMock 3.13.2's (Webhooks.java, seen on the jar): on success, at info level
(stdout, printed only with --verbose) "Webhook POST request to <url> returned status 200", an
empty line and the target's body; a failure to send, at error level (stderr, always)
"Failed to fire webhook POST <url>" and the exception; a webhook that cannot be built
"Exception thrown while configuring webhook" and the exception; a target the proxy target rules
refuse "The target webhook address <url> specified by stub <name or id> is denied in WireMock's
configuration." (Webhooks.java). WireMock then prints the stack
trace, which has no Python equivalent worth copying.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TextIO

from podlab.stub.report.verbose_log import notifier_line

if TYPE_CHECKING:
    from podlab.stub.outbound.route import Route
    from podlab.stub.webhooks.plan import WebhookCall, WebhookDecision

# Apache HttpClient in WireMock gives up on a silent target eventually; a webhook task should too.
DEFAULT_TIMEOUT = 30.0


class WebhookSender:
    """Owns the webhook tasks (a strong reference each, dropped when done) so they are never
    garbage-collected mid-flight and `aclose()` can cancel what is left."""

    def __init__(
        self,
        out: TextIO,
        err: TextIO,
        *,
        verbose: bool,
        timeout: float = DEFAULT_TIMEOUT,
        route: Route | None = None,
    ) -> None:
        self.out, self.err, self.verbose, self.timeout = out, err, verbose, timeout
        self.route = route  # --proxy-via and the proxy target rules apply to webhooks too
        self._tasks: set[asyncio.Task[None]] = set()

    def dispatch(self, decisions: Iterable[WebhookDecision]) -> None:
        """Act on what plan_webhooks decided; returns at once (never blocks serving)."""
        for decision in decisions:
            # Imported here: plan.py pulls in the templating engine, which start-up does not need.
            from podlab.stub.webhooks.plan import NoListener, WebhookCall, WebhookRefused

            match decision:
                case NoListener(message):
                    self._log(self.err, message)
                case WebhookRefused(error):
                    self._log(self.err, f"Exception thrown while configuring webhook\n{error}")
                case WebhookCall():
                    task = asyncio.get_running_loop().create_task(self._fire(decision))
                    self._tasks.add(task)
                    task.add_done_callback(self._tasks.discard)

    @property
    def pending(self) -> int:
        return len(self._tasks)

    async def aclose(self) -> None:
        """Cancel webhooks still waiting or in flight; safe to call twice."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _fire(self, call: WebhookCall) -> None:
        # Yield once even without a delay, so the response is handed to the connection first,
        # as WireMock fires from its scheduled executor after the serve event completes.
        await asyncio.sleep(call.delay_ms / 1000.0 if call.delay_ms > 0 else 0)
        from podlab.stub.webhooks.client import (  # h11: on first webhook
            WebhookDenied,
            WebhookError,
            send_request,
        )

        try:
            reply = await send_request(
                call.method, call.url, call.headers, call.body, timeout=self.timeout, route=self.route
            )
        except WebhookDenied:
            self._log(
                self.err,
                f"The target webhook address {call.url} specified by stub {call.stub} is denied in "
                "WireMock's configuration.",
            )
            return
        except WebhookError as exc:
            self._log(self.err, f"Failed to fire webhook {call.method} {call.url}\n{exc}")
            return
        if self.verbose:
            text = reply.body.decode("utf-8", errors="replace")
            self._log(
                self.out,
                f"Webhook {call.method} request to {call.url} returned status {reply.status}\n\n{text}",
            )

    @staticmethod
    def _log(stream: TextIO, message: str) -> None:
        stream.write(notifier_line(datetime.now(UTC), message))
        stream.flush()
