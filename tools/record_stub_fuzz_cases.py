"""Record tests/stub/data/fuzz_cases.json: the differences bench/stub_fuzz.py found, answered by
real WireMock 3.13.2 (the standalone jar, started here on a free loopback port).

    .venv/bin/python tools/record_stub_fuzz_cases.py [--jar PATH]

Each case is replayed without a JVM by tests/stub/test_fuzz_recorded.py: the stubs, the request
as sent, and what WireMock answered to the mapping POSTs and to the request.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from stub_fuzz import JAR3, Server, free_port

OUT = Path(__file__).resolve().parent.parent / "tests" / "stub" / "data" / "fuzz_cases.json"


def stub(number: int, request: dict[str, Any]) -> dict[str, Any]:
    return {"id": f"00000000-0000-4000-8000-{number:012d}", "request": request, "response": {"body": "ok"}}


CASES: dict[str, dict[str, Any]] = {
    "binary_row_differs": {
        "stubs": [stub(1, {"method": "POST", "url": "/b", "bodyPatterns": [{"binaryEqualTo": "MjI="}]})],
        "request": ["POST", "/b", [["Content-Type", "text/plain"]], "abc"],
    },
    "binary_row_empty_operand_hidden": {
        "stubs": [
            stub(
                1,
                {
                    "method": "POST",
                    "url": "/b",
                    "headers": {"X-A": {"equalTo": "1"}},
                    "bodyPatterns": [{"binaryEqualTo": ""}],
                },
            )
        ],
        "request": ["POST", "/b", [], None],
    },
    "binary_row_empty_body_does_not_match": {
        "stubs": [stub(1, {"method": "POST", "url": "/b", "bodyPatterns": [{"binaryEqualTo": "eDE="}]})],
        "request": ["POST", "/b", [], None],
    },
    "cookie_or_and_show_first_operand": {
        "stubs": [
            stub(
                1,
                {
                    "method": "GET",
                    "url": "/c",
                    "cookies": {
                        "s": {"or": [{"matches": ".*c"}, {"equalTo": "ABC"}]},
                        "t": {"and": [{"equalTo": "a b"}, {"contains": "ABC"}]},
                    },
                },
            )
        ],
        "request": ["GET", "/c", [["Cookie", "s=zz"]], None],
    },
    "path_parameter_or_shows_first_operand": {
        "stubs": [
            stub(
                1,
                {
                    "method": "GET",
                    "urlPathTemplate": "/users/{id}",
                    "pathParameters": {"id": {"or": [{"equalTo": "1"}, {"contains": "2"}]}},
                },
            )
        ],
        "request": ["GET", "/users/3", [], None],
    },
    "regex_brace_refused": {
        "stubs": [
            stub(1, {"method": "POST", "url": "/r", "bodyPatterns": [{"matches": '{"a":1}'}]}),
            stub(2, {"method": "GET", "url": "/r", "headers": {"X-A": {"matches": "a{1"}}}),
            stub(3, {"method": "GET", "url": "/r", "queryParameters": {"q": {"doesNotMatch": "x{2,1}"}}}),
            stub(4, {"method": "GET", "urlPattern": "/r{x}"}),
            stub(5, {"method": "GET", "url": "/r", "headers": {"X-A": {"matches": "a{1,3}b{2}"}}}),
        ],
        "request": ["GET", "/r", [["X-A", "abbb"]], None],
    },
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jar", type=Path, default=JAR3)
    args = parser.parse_args()
    out: dict[str, Any] = {
        "_recorded": "WireMock 3.13.2 standalone jar, Java 17, by tools/record_stub_fuzz_cases.py"
    }
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "root"
        (root / "mappings").mkdir(parents=True)
        port = free_port()
        cmd = ["java", "-jar", str(args.jar), "--port", str(port), "--root-dir", str(root)]
        server = Server(
            "WireMock", [*cmd, "--bind-address", "127.0.0.1", "--disable-banner"], port, Path(tmp)
        )
        try:
            server.wait_ready()
            for name, case in CASES.items():
                server.call("POST", "/__admin/reset", None, [])
                answers = []
                for body in case["stubs"]:
                    status, _, text = server.call("POST", "/__admin/mappings", json.dumps(body), [])
                    answers.append([status, text.decode() if status >= 300 else ""])
                method, path, headers, body = case["request"]
                sent = [*headers, ["Host", f"127.0.0.1:{port}"]]
                status, _, text = server.call(method, path, body, [(k, v) for k, v in sent])
                out[name] = {
                    **case,
                    "port": port,
                    "admin": answers,
                    "status": status,
                    "body": text.decode(),
                }
        finally:
            server.stop()
    OUT.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
