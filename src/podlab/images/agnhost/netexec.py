"""agnhost netexec (test/images/agnhost/netexec/netexec.go): HTTP and UDP test endpoints."""

from __future__ import annotations

import argparse
import json
import os
import socket
import socketserver
import subprocess
import threading
import urllib.request
from datetime import datetime

from podlab.images.agnhost._http import GoHandler, bind_host, go_log, serve

# /healthz is 200 once the UDP server is up (serverReady in netexec.go), 412 before.
server_ready = threading.Event()


class NetexecHandler(GoHandler):
    routes = {  # noqa: RUF012
        "/": "root",
        "/clientip": "clientip",
        "/dial": "dial",
        "/echo": "echo",
        "/exit": "exit_handler",
        "/healthz": "healthz",
        "/hostname": "hostname",
        "/hostName": "hostname",
        "/redirect": "redirect_handler",
        "/shell": "shell",
        "/shutdown": "shutdown",
    }

    def root(self) -> None:
        go_log("GET /")
        self.reply(200, f"NOW: {datetime.now().astimezone()}".encode())

    def clientip(self) -> None:
        go_log("GET /clientip")
        host, port = self.client_address[:2]
        self.reply(200, f"{host}:{port}".encode())

    def echo(self) -> None:
        msg, code = self.param("msg"), self.param("code")
        go_log(f"GET /echo?msg={msg}&code={code}")
        status = 200
        if code:
            try:
                status = int(code)
            except ValueError:
                self.reply(200, f"argument 'code' must be an integer or empty, got {code!r}\n".encode())
                return
        self.reply(status, msg.encode())

    def exit_handler(self) -> None:
        code_s = self.param("code")
        go_log(f"GET /exit?code={code_s}&timeout={self.param('timeout')}&wait={self.param('wait')}")
        try:
            code = int(code_s) if code_s else 0
        except ValueError:
            self.reply(200, f"argument 'code' must be an integer [0-127] or empty, got {code_s!r}\n".encode())
            return
        os._exit(code)

    def healthz(self) -> None:
        go_log("GET /healthz")
        self.reply(200 if server_ready.is_set() else 412)

    def hostname(self) -> None:
        go_log("GET /hostname")
        self.reply(200, socket.gethostname().encode())

    def redirect_handler(self) -> None:
        location, code = self.param("location"), self.param("code")
        self.redirect(location, int(code) if code.isdigit() else 302)

    def shell(self) -> None:
        cmd = self.param("shellCommand") or self.param("cmd")
        go_log(f"GET /shell?cmd={cmd}")
        proc = subprocess.run(["/bin/sh", "-c", cmd], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        output: dict[str, str] = {}
        if proc.stdout:
            output["output"] = proc.stdout.decode(errors="replace")
        if proc.returncode:
            output["error"] = f"exit status {proc.returncode}"
        self.reply(200, json.dumps(output, separators=(",", ":")).encode())

    def shutdown(self) -> None:
        go_log("GET /shutdown")
        os._exit(0)

    def dial(self) -> None:
        host, port, request = self.param("host"), self.param("port"), self.param("request")
        protocol = (self.param("protocol") or "http").lower()
        tries_s = self.param("tries") or "1"
        go_log(f"GET /dial?host={host}&protocol={protocol}&port={port}&request={request}&tries={tries_s}")
        if not request:
            self.reply(400, b"request parameter not specified. <nil>\n")
            return
        responses: list[str] = []
        errors: list[str] = []
        for _ in range(int(tries_s) if tries_s.isdigit() else 1):
            try:
                if protocol == "udp":
                    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                        s.settimeout(5)
                        s.sendto(request.encode(), (host, int(port)))
                        responses.append(s.recv(2048).decode(errors="replace"))
                else:
                    with urllib.request.urlopen(f"http://{host}:{port}/{request}", timeout=5) as r:
                        responses.append(r.read().decode(errors="replace"))
            except OSError as e:
                errors.append(str(e))
        output: dict[str, list[str]] = {}
        if responses:
            output["responses"] = responses
        if errors:
            output["errors"] = errors
        self.reply(200, json.dumps(output, separators=(",", ":")).encode())


class _UDPHandler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        data, sock = self.request
        text = data.decode(errors="replace").strip()
        if text == "hostname":
            reply = socket.gethostname()
        elif text.startswith("echo "):
            reply = text[5:]
        elif text == "clientip":
            reply = f"{self.client_address[0]}:{self.client_address[1]}"
        else:
            reply = ""
        sock.sendto(reply.encode(), self.client_address)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="agnhost netexec")
    parser.add_argument("--http-port", type=int, default=8080)
    parser.add_argument("--udp-port", type=int, default=8081)
    parser.add_argument("--sctp-port", type=int, default=-1)
    opts, _ = parser.parse_known_args(argv)
    if opts.udp_port != -1:
        udp = socketserver.ThreadingUDPServer((bind_host(), opts.udp_port), _UDPHandler)
        threading.Thread(target=udp.serve_forever, daemon=True).start()
        go_log(f"Started UDP server on port  {opts.udp_port}")
        server_ready.set()
    server = serve(NetexecHandler, opts.http_port)
    go_log(f"Started HTTP server on port {opts.http_port}")
    server.serve_forever()
    return 0
