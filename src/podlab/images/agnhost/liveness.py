"""agnhost liveness (test/images/agnhost/liveness/server.go): healthy for 10 s, then 500."""

from __future__ import annotations

import random
import time

from podlab.images.agnhost._http import GoHandler, serve

PORT = 8080
HEALTHY_SECONDS = 10.0


def go_duration_string(seconds: float) -> str:
    """Go's Duration.String() for a positive duration: `1.5s`, `250.5ms`, `2m3.5s`."""
    ns = int(seconds * 1e9)
    if ns < 1_000_000:
        return f"{ns / 1000:g}µs" if ns >= 1000 else f"{ns}ns"
    if ns < 1_000_000_000:
        return f"{ns / 1e6:.6f}".rstrip("0").rstrip(".") + "ms"
    mins, secs = divmod(ns, 60_000_000_000)
    hours, mins = divmod(mins, 60)
    text = f"{secs / 1e9:.9f}".rstrip("0").rstrip(".") + "s"
    if hours:
        return f"{hours}h{mins}m{text}"
    return f"{mins}m{text}" if mins else text


class LivenessHandler(GoHandler):
    started = time.monotonic()
    routes = {  # noqa: RUF012 - a class-level routing table, like http.HandleFunc
        "/started": "started_handler",
        "/healthz": "healthz",
        "/redirect": "redirect_handler",
        "/sleep-headers": "sleep_headers",
        "/sleep-body": "sleep_body",
        "/slow-response": "slow_response",
        "/disconnect-headers": "disconnect_headers",
        "/disconnect-body": "disconnect_body",
    }

    def started_handler(self) -> None:
        self.reply(200, go_duration_string(time.monotonic() - self.started).encode())

    def healthz(self) -> None:
        elapsed = time.monotonic() - self.started
        if elapsed > HEALTHY_SECONDS:
            self.reply(500, f"error: {elapsed!r}".encode())
        else:
            self.reply(200, b"ok")

    def redirect_handler(self) -> None:
        self.redirect(self.param("loc"))

    def _params(self) -> tuple[int, int, int, int] | None:
        values = []
        for name, default in (("code", 500), ("time", 0), ("size", 0), ("interval", 0)):
            raw = self.param(name)
            try:
                values.append(int(raw) if raw else default)
            except ValueError:
                self.reply(
                    400,
                    f"parameter '{name}' is invalid: strconv.Atoi: parsing {raw!r}: invalid syntax\n".encode(),
                )
                return None
        return values[0], values[1], values[2], values[3]

    def _random_kib(self, size: int) -> bytes:
        # writeBody: 1 KiB = 64 random 16-digit hex words.
        return b"".join(f"{random.getrandbits(64):16x}".encode() for _ in range(size * 64))

    def _stream_start(self, code: int) -> None:
        # No Content-Length: the body ends when the connection closes (Go would chunk).
        self.send_response_only(code)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True

    def sleep_headers(self) -> None:
        p = self._params()
        if p is None:
            return
        code, sleep, size, _ = p
        time.sleep(sleep)
        self.reply(code, f"Slept for {sleep} secs\n".encode() + self._random_kib(size))

    def sleep_body(self) -> None:
        p = self._params()
        if p is None:
            return
        code, sleep, size, interval = p
        self._stream_start(code)
        self._write_body(size, interval)
        self.wfile.write(f"Sleeping for {sleep} secs\n".encode())
        self.wfile.flush()
        time.sleep(sleep)
        self.wfile.write(f"Slept for {sleep} secs\n".encode())

    def slow_response(self) -> None:
        p = self._params()
        if p is None:
            return
        code, _, size, interval = p
        self._stream_start(code)
        self._write_body(size, interval)

    def _write_body(self, size: int, interval: int) -> None:
        for _ in range(size):
            if interval > 0:
                self.wfile.flush()
                time.sleep(interval)
            self.wfile.write(self._random_kib(1))
        self.wfile.flush()

    def disconnect_headers(self) -> None:
        self.close_connection = True
        self.connection.close()

    def disconnect_body(self) -> None:
        p = self._params()
        if p is None:
            return
        code, _, size, _ = p
        self._stream_start(code)
        self._write_body(size, 0)
        self.wfile.write(b"Disconnecting\n")
        self.wfile.flush()
        self.connection.close()


def main(argv: list[str]) -> int:
    if argv:
        print(f"Error: accepts at most 0 arg(s), received {len(argv)}", flush=True)
        return 1
    LivenessHandler.started = time.monotonic()
    server = serve(LivenessHandler, PORT)
    server.serve_forever()
    return 0
