"""What one server lets a client send: sizes and deadlines, checked by the protocol."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Per-server wire limits. The defaults follow common servers, so clients never notice them.

    - max_header_bytes: 64 KiB for the request line plus headers, about Envoy's default
      (max_request_headers_kb 60). Jetty, Apache and nginx stop at 8 KiB a line, Node.js at
      16 KiB, Go at 1 MiB: 64 KiB is far above any real client (kubectl's heads are a few KiB)
      and small enough that a flood costs nothing.
    - max_header_count: 100, Envoy's max_headers_count and Apache's LimitRequestFields default.
    - header_timeout: 60 s to send a complete request head, Node.js's headersTimeout and
      nginx's client_header_timeout default.
    - idle_timeout: how long a keep-alive connection may wait between requests (distinct from
      header_timeout: that one runs once the first byte of a request has arrived).
    """

    max_body_bytes: int = 64 << 20
    max_header_bytes: int = 64 << 10
    max_header_count: int = 100
    header_timeout: float = 60.0
    idle_timeout: float = 300.0

    def __post_init__(self) -> None:
        for name in ("max_body_bytes", "max_header_bytes", "max_header_count"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        for name in ("header_timeout", "idle_timeout"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be a positive number of seconds, got {getattr(self, name)}")
