"""SPDY/3.1 framing, sans-IO: bytes in, frames out; frames in, bytes out.

kubectl 1.37 `port-forward` speaks SPDY/3.1 (moby/spdystream) after an HTTP Upgrade. No
maintained Python library implements SPDY any more (it was superseded by HTTP/2), so the few
frame types port-forward needs are written here from draft-mbelshe-httpbis-spdy-00.
Flow control is not implemented: spdystream sends no WINDOW_UPDATE-dependent traffic.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field

SYN_STREAM = 1
SYN_REPLY = 2
RST_STREAM = 3
SETTINGS = 4
PING = 6
GOAWAY = 7
HEADERS = 8
WINDOW_UPDATE = 9
FLAG_FIN = 0x01
VERSION = 3


def _header_dictionary() -> bytes:
    """The fixed zlib dictionary of SPDY/3 header blocks (spec section 2.6.10.1).

    It is built from its parts rather than pasted as 1423 opaque bytes: first a run of
    length-prefixed header names and common values, then a plain-text tail.
    """
    words = [
        "options",
        "head",
        "post",
        "put",
        "delete",
        "trace",
        "accept",
        "accept-charset",
        "accept-encoding",
        "accept-language",
        "accept-ranges",
        "age",
        "allow",
        "authorization",
        "cache-control",
        "connection",
        "content-base",
        "content-encoding",
        "content-language",
        "content-length",
        "content-location",
        "content-md5",
        "content-range",
        "content-type",
        "date",
        "etag",
        "expect",
        "expires",
        "from",
        "host",
        "if-match",
        "if-modified-since",
        "if-none-match",
        "if-range",
        "if-unmodified-since",
        "last-modified",
        "location",
        "max-forwards",
        "pragma",
        "proxy-authenticate",
        "proxy-authorization",
        "range",
        "referer",
        "retry-after",
        "server",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "user-agent",
        "vary",
        "via",
        "warning",
        "www-authenticate",
        "method",
        "get",
        "status",
    ]
    words += ["200 OK", "version", "HTTP/1.1", "url", "public", "set-cookie", "keep-alive", "origin"]
    tail = (
        "100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505"
        "203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request"
        "401 Unauthorized403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented"
        "503 Service UnavailableJan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 "
        "Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMTchunked,text/html,image/png,image/jpg,image/gif,"
        "application/xml,application/xhtml+xml,text/plain,text/javascript,publicprivatemax-age="
        "gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0."
    )
    return b"".join(struct.pack(">I", len(w)) + w.encode() for w in words) + tail.encode()


HEADER_DICTIONARY = _header_dictionary()


@dataclass
class Frame:
    """One parsed frame. Control frames have `type` > 0; data frames have type 0."""

    type: int
    flags: int
    stream_id: int = 0
    data: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 0  # RST_STREAM / GOAWAY status code
    ping_id: int = 0

    @property
    def fin(self) -> bool:
        return bool(self.flags & FLAG_FIN)


class ProtocolError(Exception):
    """The peer sent something that is not SPDY/3.1."""


class SpdyCodec:
    """Parses incoming bytes into frames and encodes outgoing frames for one connection.

    SPDY keeps one zlib context per direction for the whole connection, so the codec must see
    every header block in order.
    """

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._inflate = zlib.decompressobj(zdict=HEADER_DICTIONARY)
        self._deflate = zlib.compressobj(zdict=HEADER_DICTIONARY)

    # -- incoming -----------------------------------------------------------------------
    def feed(self, data: bytes) -> list[Frame]:
        self._buffer.extend(data)
        frames: list[Frame] = []
        while len(self._buffer) >= 8:
            first, second = struct.unpack_from(">II", self._buffer)
            length = second & 0xFFFFFF
            if len(self._buffer) < 8 + length:
                break
            payload = bytes(self._buffer[8 : 8 + length])
            del self._buffer[: 8 + length]
            flags = second >> 24
            if first & 0x80000000:
                version = (first >> 16) & 0x7FFF
                if version != VERSION:
                    raise ProtocolError(f"unsupported SPDY version {version}")
                frames.append(self._control(first & 0xFFFF, flags, payload))
            else:
                frames.append(Frame(0, flags, stream_id=first & 0x7FFFFFFF, data=payload))
        return frames

    def _control(self, kind: int, flags: int, payload: bytes) -> Frame:
        if kind == SYN_STREAM:
            (stream_id,) = struct.unpack_from(">I", payload)
            return Frame(kind, flags, stream_id & 0x7FFFFFFF, headers=self._decode_headers(payload[10:]))
        if kind in (SYN_REPLY, HEADERS):
            (stream_id,) = struct.unpack_from(">I", payload)
            return Frame(kind, flags, stream_id & 0x7FFFFFFF, headers=self._decode_headers(payload[4:]))
        if kind == RST_STREAM:
            stream_id, status = struct.unpack_from(">II", payload)
            return Frame(kind, flags, stream_id & 0x7FFFFFFF, status=status)
        if kind == PING:
            (ping_id,) = struct.unpack_from(">I", payload)
            return Frame(kind, flags, ping_id=ping_id)
        if kind == GOAWAY:
            last, status = struct.unpack_from(">II", payload)
            return Frame(kind, flags, last & 0x7FFFFFFF, status=status)
        return Frame(kind, flags, data=payload)  # SETTINGS, WINDOW_UPDATE, unknown: ignored

    def _decode_headers(self, block: bytes) -> dict[str, str]:
        raw = self._inflate.decompress(block)
        (count,) = struct.unpack_from(">I", raw)
        offset = 4
        headers: dict[str, str] = {}
        for _ in range(count):
            (name_len,) = struct.unpack_from(">I", raw, offset)
            name = raw[offset + 4 : offset + 4 + name_len].decode("latin-1")
            offset += 4 + name_len
            (value_len,) = struct.unpack_from(">I", raw, offset)
            value = raw[offset + 4 : offset + 4 + value_len].decode("latin-1")
            offset += 4 + value_len
            headers[name.lower()] = value
        return headers

    # -- outgoing -----------------------------------------------------------------------
    def _encode_headers(self, headers: dict[str, str]) -> bytes:
        raw = struct.pack(">I", len(headers))
        for name, value in headers.items():
            raw += struct.pack(">I", len(name)) + name.encode("latin-1")
            raw += struct.pack(">I", len(value)) + value.encode("latin-1")
        return self._deflate.compress(raw) + self._deflate.flush(zlib.Z_SYNC_FLUSH)

    @staticmethod
    def _control_frame(kind: int, flags: int, payload: bytes) -> bytes:
        return struct.pack(">HHI", 0x8000 | VERSION, kind, (flags << 24) | len(payload)) + payload

    def syn_reply(self, stream_id: int, headers: dict[str, str] | None = None, *, fin: bool = False) -> bytes:
        payload = struct.pack(">I", stream_id) + self._encode_headers(headers or {})
        return self._control_frame(SYN_REPLY, FLAG_FIN if fin else 0, payload)

    def syn_stream(self, stream_id: int, headers: dict[str, str], *, fin: bool = False) -> bytes:
        """For tests that play the client: associated stream 0, priority 0, slot 0."""
        payload = struct.pack(">IIBB", stream_id, 0, 0, 0) + self._encode_headers(headers)
        return self._control_frame(SYN_STREAM, FLAG_FIN if fin else 0, payload)

    def ping(self, ping_id: int) -> bytes:
        return self._control_frame(PING, 0, struct.pack(">I", ping_id))

    def rst_stream(self, stream_id: int, status: int = 5) -> bytes:
        """Reset a stream; 5 is CANCEL, what spdystream's Reset() sends."""
        return self._control_frame(RST_STREAM, 0, struct.pack(">II", stream_id, status))

    def goaway(self, last_stream_id: int, status: int = 0) -> bytes:
        return self._control_frame(GOAWAY, 0, struct.pack(">II", last_stream_id, status))

    @staticmethod
    def data(stream_id: int, payload: bytes, *, fin: bool = False) -> bytes:
        return struct.pack(">II", stream_id, ((FLAG_FIN if fin else 0) << 24) | len(payload)) + payload
