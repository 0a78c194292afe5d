"""Sampling a WireMock `delayDistribution` (responses' and webhooks' `delay` share the shapes)."""

from __future__ import annotations

import math
import random
from typing import Any


def sample_delay_ms(distribution: Any, rng: random.Random) -> float:
    """Milliseconds from a delayDistribution (lognormal, uniform, fixed); 0 when absent."""
    if not isinstance(distribution, dict):
        return 0.0
    kind = distribution.get("type")
    if kind == "lognormal":
        median = float(distribution.get("median", 0))
        sigma = float(distribution.get("sigma", 0))
        value = median * math.exp(sigma * rng.gauss(0.0, 1.0)) if median > 0 else 0.0
        cap = distribution.get("maxValue")
        return min(value, float(cap)) if cap is not None else value
    if kind == "uniform":
        return rng.uniform(float(distribution.get("lower", 0)), float(distribution.get("upper", 0)))
    if kind == "fixed":
        return float(distribution.get("milliseconds", 0))
    return 0.0
