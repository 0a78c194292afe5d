"""Random (version 4) UUID strings for request and serve-event ids, cheaply.

`str(uuid.uuid4())` costs a getrandom() syscall, a UUID object and its formatting; with two ids
per served request that was a fifth of the server's CPU time under load. The bytes here are the
same kind (os.urandom, cryptographically random), fetched 4 KiB at a time; the 256 ids they make
get their version and variant bits in two slice assignments and are laid out together from one
`hex()` by strided slice assignments, so that drawing an id is a list pop.
The pool is per process: the stub server never forks after drawing ids.
"""

from __future__ import annotations

import os

_PER_REFILL = 256
_pool: list[str] = []


# Where each of an id's 32 hex digits goes in its 36-character text (8-4-4-4-12).
_DIGIT_AT = [i + (i >= 8) + (i >= 12) + (i >= 16) + (i >= 20) for i in range(32)]
_STRIDE = 37  # an id and the newline that splits the batch


def _refill() -> list[str]:
    raw = bytearray(os.urandom(16 * _PER_REFILL))
    raw[6::16] = bytes([(b & 0x0F) | 0x40 for b in raw[6::16]])  # version 4
    raw[8::16] = bytes([(b & 0x3F) | 0x80 for b in raw[8::16]])  # RFC 4122 variant
    digits = raw.hex().encode("ascii")
    # All ids laid out at once by strided slice assignments (one per digit position, in C),
    # then split: a per-id f-string of five slices cost ~5x as much as the rest of drawing it.
    text = bytearray(b"-" * (_STRIDE * _PER_REFILL - 1))  # no newline after the last
    text[_STRIDE - 1 :: _STRIDE] = b"\n" * (_PER_REFILL - 1)
    for digit, at in enumerate(_DIGIT_AT):
        text[at::_STRIDE] = digits[digit::32]
    return text.decode("ascii").split("\n")


def random_uuid() -> str:
    """A random UUID in its canonical text form, like `str(uuid.uuid4())`."""
    global _pool
    if not _pool:
        _pool = _refill()
    return _pool.pop()
