"""Fixtures shared by every test package, and suite-wide settings.

No test may reach a registry outside this machine: an image that is not built in is pulled
(issue 8); tests name such images (nginx, example.com/...) to see pull failures, so the node is
told that only loopback registries exist: the pull fails at once, in kubelet's words, with no
DNS lookup or connection.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator

import pytest

os.environ.setdefault("PODLAB_ALLOWED_REGISTRIES", "127.0.0.1,localhost")


@pytest.fixture(params=["asyncio", "uvloop"])
def event_loop_kind(request: pytest.FixtureRequest) -> Iterator[str]:
    """Run the test on both loops: `podlab up` runs on uvloop, whose transports differ from
    asyncio's in small ways (uvloop raises on a write to a closed transport, asyncio only logs)."""
    if request.param == "uvloop":
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    yield request.param
    asyncio.set_event_loop_policy(None)
