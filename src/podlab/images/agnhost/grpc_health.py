"""agnhost grpc-health-checking: grpc.health.v1 on --port, switches on --http-port.

(test/images/agnhost/grpc-health-checking/grpc-health-checking.go) Check answers for
--service (default "") and NotFound "unknown service" for others; after
--delay-unhealthy-sec it answers NOT_SERVING; GET /make-serving and /make-not-serving flip it.
"""

from __future__ import annotations

import argparse
import threading
import time
from concurrent import futures
from typing import Any

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from podlab.images.agnhost._http import GoHandler, bind_host, go_log, serve


class _State:
    def __init__(self, service: str, delay_unhealthy: float) -> None:
        self.service = service
        self.started = time.monotonic()
        self.delay_unhealthy = delay_unhealthy
        self.forced: bool | None = None  # set by /make-serving and /make-not-serving
        self.lock = threading.Lock()

    def serving(self) -> bool:
        with self.lock:
            if self.forced is not None:
                return self.forced
        return not (self.delay_unhealthy >= 0 and time.monotonic() - self.started > self.delay_unhealthy)


class _Health(health_pb2_grpc.HealthServicer):
    def __init__(self, state: _State) -> None:
        self.state = state

    def Check(self, request: Any, context: Any) -> Any:
        if request.service != self.state.service:
            context.abort(grpc.StatusCode.NOT_FOUND, "unknown service")
        status = health_pb2.HealthCheckResponse.SERVING
        if not self.state.serving():
            status = health_pb2.HealthCheckResponse.NOT_SERVING
        return health_pb2.HealthCheckResponse(status=status)

    def Watch(self, request: Any, context: Any) -> Any:
        context.abort(grpc.StatusCode.UNIMPLEMENTED, "unimplemented")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="agnhost grpc-health-checking")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--http-port", type=int, default=8080)
    parser.add_argument("--service", default="")
    parser.add_argument("--delay-unhealthy-sec", type=float, default=-1)
    opts = parser.parse_args(argv)
    state = _State(opts.service, opts.delay_unhealthy_sec)

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    health_pb2_grpc.add_HealthServicer_to_server(_Health(state), server)
    host = bind_host() or "0.0.0.0"
    server.add_insecure_port(f"{host}:{opts.port}")
    server.start()
    go_log(f"gRPC server starting to listen on {host}:{opts.port}")

    class Switches(GoHandler):
        routes = {"/make-serving": "make_serving", "/make-not-serving": "make_not_serving"}  # noqa: RUF012

        def make_serving(self) -> None:
            with state.lock:
                state.forced = True
            self.reply(200)

        def make_not_serving(self) -> None:
            with state.lock:
                state.forced = False
            self.reply(200)

    http = serve(Switches, opts.http_port)
    go_log(f"Starting HTTP server on port {opts.http_port}")
    http.serve_forever()
    return 0
