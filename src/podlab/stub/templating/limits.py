"""How much one render may produce and loop, so a template cannot hold the event loop.

WireMock renders on a Jetty worker thread and has no such limits: `{{#each (range 1 10000000)}}`
there costs one thread and some heap. podlab renders on the one event loop that serves every
request, so a render stops with a `TemplateError` (answered as WireMock answers any helper
exception: 500, `line:column: class: message`) once it passes either limit. The numbers keep a
worst-case render near 100 ms on a slow core (measured in bench/stub_hostile_bench.py) while
staying far above what response templates need.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_OUTPUT_CHARS = 10 * 1024 * 1024  # 10 MiB of response text
# Block-body renders (each, sections, any block helper's fn) in one render, and the longest list
# `range` may build. A turn of `{{#each}}{{this}},{{/each}}` costs 5-12 us (2 shared cores), so
# 10,000 turns stay near the ~100 ms a render may hold the loop.
MAX_ITERATIONS = 10_000
LIMIT_CLASS = "java.lang.IllegalStateException"


@dataclass
class RenderBudget:
    """What one render has left. `spend_*` return an error message once a limit is passed."""

    output_left: int = MAX_OUTPUT_CHARS
    iterations_left: int = MAX_ITERATIONS

    def spend_output(self, chars: int) -> str | None:
        self.output_left -= chars
        if self.output_left < 0:
            return f"Template output exceeds podlab's limit of {MAX_OUTPUT_CHARS} characters"
        return None

    def allows_items(self, count: int) -> str | None:
        """A list of `count` items (range) is within the limit; items are paid for when looped."""
        if count > MAX_ITERATIONS:
            return f"Template iterations exceed podlab's limit of {MAX_ITERATIONS}"
        return None

    def spend_iterations(self, count: int) -> str | None:
        self.iterations_left -= count
        if self.iterations_left < 0:
            return f"Template iterations exceed podlab's limit of {MAX_ITERATIONS}"
        return None
