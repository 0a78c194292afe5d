"""The kubelet's ServiceAccount token manager (k8s `pkg/kubelet/token/token_manager.go`), sans-IO:
the TokenRequest call and the clock are passed in.

A projected serviceAccountToken volume holds a token bound to its pod. The kubelet asks for one
per (pod, account, audience, lifetime) and reuses it until 80% of its lifetime has passed or it
is 24 hours old (`requiresRefresh`); the volume's refresh then writes the new one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

Obj = dict[str, Any]
# (namespace, account, TokenRequest spec) -> (token, expirationTimestamp); raises TokenUnavailable.
TokenSource = Callable[[str, str, Obj], tuple[str, datetime]]
MAX_TTL = timedelta(hours=24)
# How often the kubelet looks again at the pods' projected tokens (its pod resync, about a minute).
TOKEN_RESYNC_SECONDS = 60.0


class TokenUnavailable(Exception):
    """The TokenRequest failed; str() is the API server's message."""


@dataclass(frozen=True, slots=True)
class _Issued:
    token: str
    issued: datetime
    expires: datetime


def _utcnow() -> datetime:
    return datetime.now(UTC)


class TokenManager:
    def __init__(self, source: TokenSource, now: Callable[[], datetime] = _utcnow) -> None:
        self._source = source
        self._now = now
        self._cache: dict[tuple[str, str, int, str], _Issued] = {}

    def token(self, pod: Obj, expiration_seconds: int, audience: str) -> str:
        """The pod's token (TokenUnavailable when the API server refuses one)."""
        meta, spec = pod.get("metadata") or {}, pod.get("spec") or {}
        account = str(spec.get("serviceAccountName") or "default")
        uid = str(meta.get("uid", ""))
        key = (uid, account, expiration_seconds, audience)
        now = self._now()
        cached = self._cache.get(key)
        if cached is not None and not _requires_refresh(cached, now):
            return cached.token
        request: Obj = {
            "expirationSeconds": expiration_seconds,
            "boundObjectRef": {
                "apiVersion": "v1",
                "kind": "Pod",
                "name": str(meta.get("name", "")),
                "uid": uid,
            },
        }
        if audience:
            request["audiences"] = [audience]
        token, expires = self._source(str(meta.get("namespace") or "default"), account, request)
        self._cache[key] = _Issued(token, now, expires)
        return token

    def forget(self, pod_uid: str) -> None:
        """Drop a gone pod's tokens."""
        for key in [k for k in self._cache if k[0] == pod_uid]:
            del self._cache[key]


def _requires_refresh(issued: _Issued, now: datetime) -> bool:
    if now >= issued.expires:
        return True
    ttl = issued.expires - issued.issued
    return now - issued.issued > min(ttl * 0.8, MAX_TTL)


def has_token_volume(pod: Obj) -> bool:
    """Whether a projected volume of the pod holds a ServiceAccount token."""
    return any(
        "serviceAccountToken" in source
        for vol in (pod.get("spec") or {}).get("volumes") or []
        for source in (vol.get("projected") or {}).get("sources") or []
        if isinstance(source, dict)
    )
