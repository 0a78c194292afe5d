"""The node <-> network helper wire format: one JSON object per SOCK_SEQPACKET message.

SEQPACKET keeps message boundaries, so a request or reply is one send and one recv, and the
sockets a reply carries (SCM_RIGHTS) arrive with the message they belong to. Every request has
a sequence number that its reply repeats: a caller that gave up waiting (a timeout) can then
recognise and drop the late reply instead of taking it for the answer to its next request.
"""

from __future__ import annotations

import json
from typing import Any

MAX_MESSAGE = 65536
# SCM_MAX_FD is 253 in Linux; batches stay well below it.
MAX_FDS = 64

Message = dict[str, Any]


def encode(message: Message) -> bytes:
    return json.dumps(message, separators=(",", ":")).encode()


def decode(data: bytes) -> Message:
    message = json.loads(data)
    if not isinstance(message, dict):
        raise ValueError("a helper message must be a JSON object")
    return message


def error_reply(seq: int, exc: BaseException) -> Message:
    """An OSError keeps its errno, so the caller re-raises the same error (ECONNREFUSED...)."""
    if isinstance(exc, OSError) and exc.errno is not None:
        return {"seq": seq, "errno": exc.errno, "error": exc.strerror or str(exc)}
    return {"seq": seq, "error": f"{type(exc).__name__}: {exc}"}


def raise_for_error(reply: Message) -> None:
    if "error" not in reply:
        return
    if "errno" in reply:
        raise OSError(int(reply["errno"]), str(reply["error"]))
    raise RuntimeError(f"network helper: {reply['error']}")
