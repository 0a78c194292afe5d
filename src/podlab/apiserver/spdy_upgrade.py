"""The SPDY/3.1 upgrade shared by pods/exec, pods/attach and pods/portforward: the request's
checks in the API server's words (httpstream.Handshake), then the 101 naming the protocol."""

from __future__ import annotations

from podlab.httpcore import Connection, RawStream, Request, Response

from .negotiation import status_response


def refusal(request: Request, protocol: str) -> Response | None:
    """Why `request` cannot become a SPDY connection speaking `protocol`, or None."""
    if (request.header("Upgrade") or "").lower() != "spdy/3.1":
        return status_response(400, "BadRequest", "Upgrade request required")
    offered = [p.strip() for v in request.header_values("X-Stream-Protocol-Version") for p in v.split(",")]
    if protocol not in offered:
        return status_response(
            403,
            "Forbidden",
            f"unable to upgrade: unable to negotiate protocol: client supports {offered}, "
            f"server accepts [{protocol}]",
        )
    return None


async def upgrade(connection: Connection, protocol: str) -> RawStream:
    headers = [("Connection", "Upgrade"), ("Upgrade", "SPDY/3.1"), ("X-Stream-Protocol-Version", protocol)]
    return await connection.upgrade(101, headers)
