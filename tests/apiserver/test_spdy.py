"""The SPDY/3.1 codec, sans-IO: what one side encodes the other decodes, in any byte split."""

from __future__ import annotations

import zlib

from podlab.apiserver.spdy import GOAWAY, HEADER_DICTIONARY, PING, SYN_REPLY, SYN_STREAM, SpdyCodec

ADLER = 0xE3C6A7C2


def test_dictionary_is_the_spdy3_one() -> None:
    # Size and landmarks of the spec's dictionary (draft-mbelshe-httpbis-spdy-00 2.6.10.1).
    assert len(HEADER_DICTIONARY) == 1423
    assert HEADER_DICTIONARY.startswith(b"\x00\x00\x00\x07options\x00\x00\x00\x04head")
    assert HEADER_DICTIONARY.endswith(b",*,enq=0.")
    # zlib streams name their dictionary by Adler-32; kubectl's header blocks carry this id
    # (the port-forward tests prove it against real kubectl, this pins it).
    assert zlib.adler32(HEADER_DICTIONARY) == ADLER


def test_syn_stream_headers_round_trip_byte_by_byte() -> None:
    client, server = SpdyCodec(), SpdyCodec()
    wire = client.syn_stream(1, {"streamtype": "error", "port": "8080", "requestid": "0"})
    wire += client.syn_stream(3, {"streamtype": "data", "port": "8080", "requestid": "0"})
    wire += client.data(3, b"hello", fin=True)
    frames = []
    for i in range(len(wire)):
        frames += server.feed(wire[i : i + 1])
    assert [f.type for f in frames] == [SYN_STREAM, SYN_STREAM, 0]
    assert frames[0].stream_id == 1 and frames[0].headers["streamtype"] == "error"
    assert frames[1].headers == {"streamtype": "data", "port": "8080", "requestid": "0"}
    assert frames[2].stream_id == 3 and frames[2].data == b"hello" and frames[2].fin


def test_replies_ping_and_goaway_decode() -> None:
    server, client = SpdyCodec(), SpdyCodec()
    wire = server.syn_reply(5) + server.ping(7) + server.goaway(5)
    frames = client.feed(wire)
    assert [f.type for f in frames] == [SYN_REPLY, PING, GOAWAY]
    assert frames[0].stream_id == 5 and frames[0].headers == {}
    assert frames[1].ping_id == 7
