"""Record tests/stub/data/wire_cases.json from real WireMock servers (raw sockets on 127.0.0.1).

Start the two standalone jars on free ports with empty root dirs, then:

    python tools/record_stub_wire_cases.py PORT_3_13_2 PORT_2_35_1 ROOT_3 ROOT_2

The servers are reset first; ROOT_3/ROOT_2 are their --root-dir (a mapping file is written there
and removed again). tests/stub/test_wire_cases.py replays the recording against podlab.
"""

from __future__ import annotations

import json
import re
import socket
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent.parent / "tests" / "stub" / "data" / "wire_cases.json"
H2C = "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAEAAEAAAAIAAAABAAMAAABkAAQBAAAAAAUAAEAA\r\n"
STUBS: list[dict[str, Any]] = [
    {"request": {"method": "GET", "url": "/x"}, "response": {"status": 200, "body": "x"}},
    {
        "request": {"method": "POST", "url": "/h2c", "bodyPatterns": [{"equalTo": "hello"}]},
        "response": {"status": 200, "body": "h2c ok"},
    },
    {"request": {"method": "GET", "urlPath": "/echo"}, "response": {"status": 200, "body": "echo"}},
    {"request": {"method": "POST", "url": "/post"}, "response": {"status": 200, "body": "posted"}},
]
EXCHANGES = {
    # the JDK HttpClient's cleartext request: served as HTTP/1.1 with its body, connection kept
    "h2c_with_body": f"POST /h2c HTTP/1.1\r\nHost: a\r\n{H2C}Content-Length: 5\r\n\r\nhello"
    "GET /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
    "absolute_form": "GET http://example.com/echo HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n",
    "absolute_form_port_query": "GET http://example.com:8123/echo?q=1 HTTP/1.1\r\nHost: example.com:8123\r\n"
    "Connection: close\r\n\r\n",
    "absolute_form_https": "GET https://example.com/echo HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n",
    "absolute_form_other_host": "GET http://example.com:8123/echo?q=1 HTTP/1.1\r\nHost: other.org\r\n"
    "Connection: close\r\n\r\n",
    "absolute_form_host_case": "GET http://example.com/echo HTTP/1.1\r\nHost: EXAMPLE.com\r\nConnection: close\r\n\r\n",
    "lowercase_get": "get /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
    "mixed_case_get": "gEt /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
    "lowercase_post": "post /post HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nConnection: close\r\n\r\nab",
    "lowercase_get_unmatched": "get /nope?a=1 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
    "lowercase_admin": "get /__admin/requests/unmatched HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
}
# What the journal says of a request, for the exchanges that were journaled
JOURNAL_KEYS = ("url", "absoluteUrl", "method", "body", "host", "port", "scheme", "browserProxyRequest")
MAPPINGS = {
    "method_array": '{"request":{"method":["GET"],"url":"/m"},"response":{"status":200}}',
    "method_object": '{"request":{"method":{"a":1},"url":"/m"},"response":{"status":200}}',
    "method_number": '{"request":{"method":5,"url":"/m"},"response":{"status":200}}',
    "status_zero": '{"request":{"method":"GET","url":"/s0"},"response":{"status":0,"body":"zero"}}',
    "status_negative": '{"request":{"method":"GET","url":"/sneg"},"response":{"status":-5}}',
    "trailing_garbage": '{"request":{"method":"GET","url":"/tg"},"response":{"status":200}} garbage',
    "trailing_second_value": '  {"request":{"method":"GET","url":"/t2"},"response":{"status":200}}{"x":',
}
MAPPING_FILE = '{"request":{"method":"GET","url":"/file-tg"},"response":{"status":200,"body":"ftg"}} junk {'


def raw(port: int, data: str, wait: float = 1.0) -> str:
    """Send `data`, read until the server closes or has been quiet for `wait` seconds."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=2)
    sock.sendall(data.encode("latin-1"))
    out = b""
    end = time.monotonic() + wait
    sock.settimeout(0.2)
    while time.monotonic() < end:
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            continue
        if not chunk:
            break
        out += chunk
    sock.close()
    return out.decode("latin-1")


def admin(port: int, method: str, path: str, body: str | None = None) -> tuple[int, str]:
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/__admin{path}", method=method, data=None if body is None else body.encode()
    )
    try:
        with urllib.request.urlopen(req) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def masked(text: str) -> str:
    text = re.sub(r"Matched-Stub-Id: [0-9a-f-]+", "Matched-Stub-Id: <id>", text)
    text = re.sub(r"DefaultServlet-[0-9a-f]+", "DefaultServlet-<hash>", text)
    return re.sub(r'"(id|uuid)" : "[0-9a-f-]+"', r'"\1" : "<id>"', text)


def main() -> None:
    ports = {"3": int(sys.argv[1]), "2": int(sys.argv[2])}
    roots = {"3": Path(sys.argv[3]), "2": Path(sys.argv[4])}
    out: dict[str, Any] = {
        "_recorded": "WireMock 3.13.2 and 2.35.1 standalone jars, Java 17, 2026-12-07, by "
        "tools/record_stub_wire_cases.py",
        "stubs": STUBS,
        "exchanges": {name: {"request": request} for name, request in EXCHANGES.items()},
        "journal": {},
        "mappings": {name: {"body": body} for name, body in MAPPINGS.items()},
        "mapping_file": {"text": MAPPING_FILE, "request": "GET /file-tg HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"},
    }
    for version, port in ports.items():
        admin(port, "POST", "/reset")
        for stub in STUBS:
            admin(port, "POST", "/mappings", json.dumps(stub))
        journal = out["journal"][version] = {}
        for name, request in EXCHANGES.items():
            admin(port, "DELETE", "/requests")
            out["exchanges"][name][version] = masked(raw(port, request))
            entries = json.loads(admin(port, "GET", "/requests")[1])["requests"]
            journal[name] = [{k: e["request"].get(k) for k in JOURNAL_KEYS} for e in entries]
            if name == "h2c_with_body":
                journal[name + "_headers"] = entries[-1]["request"]["headers"]
        for name, body in MAPPINGS.items():
            status, answer = admin(port, "POST", "/mappings", body)
            out["mappings"][name][version] = [status, masked(answer)]
        mapping = roots[version] / "mappings" / "trailing.json"
        mapping.write_text(MAPPING_FILE)
        try:
            admin(port, "POST", "/mappings/reset")
            out["mapping_file"][version] = masked(raw(port, out["mapping_file"]["request"]))
        finally:
            mapping.unlink()
            admin(port, "POST", "/mappings/reset")
    OUT.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
