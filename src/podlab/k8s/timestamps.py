"""metav1.Time on the wire: the one formatter and parser of Kubernetes timestamps.

metav1.Time marshals with Go's layout `2006-01-02T15:04:05Z07:00` after `.UTC()`, so second
precision and a literal `Z`. metav1.MicroTime (Lease renewTime, events.k8s.io eventTime) adds
six fraction digits: `2006-01-02T15:04:05.000000Z07:00`. Core Events leave `eventTime` null, as
client-go's legacy recorder does.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

RFC3339 = "%Y-%m-%dT%H:%M:%SZ"


def format_time(when: datetime) -> str:
    """metav1.Time: seconds precision, UTC, `Z`."""
    return when.astimezone(UTC).strftime(RFC3339)


def format_micro_time(when: datetime) -> str:
    """metav1.MicroTime: microseconds, UTC, `Z`."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(value: Any) -> datetime | None:
    """An RFC 3339 timestamp as the API serves it (`2026-11-28T05:32:07Z`, or with fraction)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
