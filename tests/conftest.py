"""Fixtures shared by every test package."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest


@pytest.fixture(params=["asyncio", "uvloop"])
def event_loop_kind(request: pytest.FixtureRequest) -> Iterator[str]:
    """Run the test on both loops: `podlab up` runs on uvloop, whose transports differ from
    asyncio's in small ways (uvloop raises on a write to a closed transport, asyncio only logs)."""
    if request.param == "uvloop":
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    yield request.param
    asyncio.set_event_loop_policy(None)
