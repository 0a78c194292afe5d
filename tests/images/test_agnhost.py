"""The agnhost stand-ins as real processes, probed like the kubelet probes them."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from podlab.probes import ProbeOutcome, ProbeResult, ProbeTarget, run_probe
from podlab.runtime import ExecResult


async def _no_exec(argv: list[str], timeout: float) -> ExecResult:
    raise AssertionError("exec not expected")


def _free_port(host: str) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


@contextmanager
def agnhost(pod_ip: str, *args: str) -> Iterator[subprocess.Popen[bytes]]:
    env = {**os.environ, "PODLAB_POD_IP": pod_ip, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "podlab.images.agnhost", *args], env=env)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def _wait_port(host: str, port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            assert time.monotonic() < deadline, f"nothing listening on {host}:{port}"
            time.sleep(0.02)


def probe(spec: dict[str, Any], pod_ip: str) -> ProbeOutcome:
    target = ProbeTarget(pod_ip=pod_ip, container={"name": "agnhost-container"}, exec=_no_exec)
    return asyncio.run(run_probe(spec, target, probe_type="liveness"))


_GO_UNITS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 1e-3, "µs": 1e-6, "ns": 1e-9}


def _uptime(pod_ip: str) -> float:
    """The liveness server's own uptime, from its `/started` (Go's Duration.String(): 9.5s, 1m2s)."""
    with urllib.request.urlopen(f"http://{pod_ip}:8080/started", timeout=10) as r:
        text = r.read().decode()
    parts = re.findall(r"([\d.]+)(h|ms|µs|ns|m|s)", text)
    assert parts and "".join(n + u for n, u in parts) == text, text
    return sum(float(n) * _GO_UNITS[u] for n, u in parts)


def test_liveness_is_healthy_for_10s_then_500(pod_ip: str) -> None:
    with agnhost(pod_ip, "liveness") as proc:
        _wait_port(pod_ip, 8080)
        healthz = {"httpGet": {"path": "/healthz", "port": 8080}}
        assert probe(healthz, pod_ip) == ProbeOutcome(ProbeResult.SUCCESS, "ok")
        local = probe({"httpGet": {"path": "/redirect?loc=%2Fhealthz", "port": 8080}}, pod_ip)
        assert local == ProbeOutcome(ProbeResult.SUCCESS, "ok")
        cross = probe({"httpGet": {"path": "/redirect?loc=http%3A%2F%2F0.0.0.0%2F", "port": 8080}}, pod_ip)
        assert cross == ProbeOutcome(
            ProbeResult.WARNING,
            'Probe terminated redirects, Response body: <a href="http://0.0.0.0/">Found</a>.\n\n',
        )
        # Still healthy a little before 10 s, failing once 10 s have passed: the clock is the
        # server's own uptime (its /started), so a slow start-up under load shifts nothing. Each
        # probe is bracketed by two uptime readings; one that straddles 10 s proves nothing.
        late_ok = failed = False
        deadline = time.monotonic() + 60
        while not failed:
            assert time.monotonic() < deadline, "no /healthz answer after 10 s of uptime"
            before = _uptime(pod_ip)
            if before < 9.0:
                time.sleep(min(9.0 - before, 0.1))
                continue
            outcome = probe(healthz, pod_ip)
            after = _uptime(pod_ip)
            if after <= 10.0:
                assert outcome == ProbeOutcome(ProbeResult.SUCCESS, "ok"), (before, after)
                late_ok = True
            elif before > 10.0:
                assert outcome == ProbeOutcome(
                    ProbeResult.FAILURE, "HTTP probe failed with statuscode: 500"
                ), (before, after)
                failed = True
            time.sleep(0.05)  # pace the polling: a handful of probes per second of uptime
        assert late_ok, "no /healthz probe fell between 9 s and 10 s of the server's uptime"
        with urllib.request.urlopen(f"http://{pod_ip}:8080/started") as r:
            assert r.read().decode().endswith("s")
        # The TCP port stays open (e2e: "should *not* be restarted with a tcp:8080 liveness probe").
        assert probe({"tcpSocket": {"port": 8080}}, pod_ip).result is ProbeResult.SUCCESS
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(5) == 2  # a Go binary's default SIGTERM exit


def test_grpc_health_checking(pod_ip: str) -> None:
    grpc_port, http_port = _free_port(pod_ip), _free_port(pod_ip)
    with agnhost(pod_ip, "grpc-health-checking", "--port", str(grpc_port), "--http-port", str(http_port)):
        _wait_port(pod_ip, http_port)
        _wait_port(pod_ip, grpc_port)
        assert probe({"grpc": {"port": grpc_port}}, pod_ip) == ProbeOutcome(
            ProbeResult.SUCCESS, "service healthy"
        )
        other = probe({"grpc": {"port": grpc_port, "service": "db"}}, pod_ip)
        assert other == ProbeOutcome(
            ProbeResult.FAILURE,
            "error: health rpc probe failed: rpc error: code = NotFound desc = unknown service",
        )
        urllib.request.urlopen(f"http://{pod_ip}:{http_port}/make-not-serving").close()
        down = probe({"grpc": {"port": grpc_port}}, pod_ip)
        assert down == ProbeOutcome(ProbeResult.FAILURE, 'service unhealthy (responded with "NOT_SERVING")')
        urllib.request.urlopen(f"http://{pod_ip}:{http_port}/make-serving").close()
        assert probe({"grpc": {"port": grpc_port}}, pod_ip).result is ProbeResult.SUCCESS


def test_netexec_and_webserver(pod_ip: str, tmp_path: Any) -> None:
    http_port, udp_port = _free_port(pod_ip), _free_port(pod_ip)
    with agnhost(pod_ip, "netexec", f"--http-port={http_port}", f"--udp-port={udp_port}") as proc:
        _wait_port(pod_ip, http_port)
        base = f"http://{pod_ip}:{http_port}"
        with urllib.request.urlopen(f"{base}/echo?msg=hello") as r:
            assert r.read() == b"hello"
        with urllib.request.urlopen(f"{base}/hostname") as r:
            assert r.read().decode() == socket.gethostname()
        assert (
            probe({"httpGet": {"path": "/healthz", "port": http_port}}, pod_ip).result is ProbeResult.SUCCESS
        )
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(5)
            s.sendto(b"echo over-udp", (pod_ip, udp_port))
            assert s.recv(100) == b"over-udp"
        try:
            urllib.request.urlopen(f"{base}/exit?code=7").close()
        except OSError:
            pass  # the process may exit before it answers
        assert proc.wait(5) == 7

    web_port = _free_port(pod_ip)
    with agnhost(pod_ip, "test-webserver", "--port", str(web_port)):
        _wait_port(pod_ip, web_port)
        root = probe({"httpGet": {"path": "/", "port": web_port}}, pod_ip)
        assert root.result is ProbeResult.SUCCESS and "<pre>" in root.message
        assert probe({"httpGet": {"path": "/no/such/file", "port": web_port}}, pod_ip).message == (
            "HTTP probe failed with statuscode: 404"
        )


def test_pause_exits_zero_on_sigterm(pod_ip: str) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "podlab.images.agnhost", "pause"], env=env, stdout=subprocess.PIPE
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline() == b"Paused\n"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(5) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_unknown_subcommand() -> None:
    res = subprocess.run(
        [sys.executable, "-m", "podlab.images.agnhost", "nope"], capture_output=True, text=True
    )
    assert res.returncode == 1 and 'unknown command "nope" for "agnhost"' in res.stderr
