"""The pod network seam over the real helper: sockets made in the node netns, pods behind the bridge."""

from __future__ import annotations

import asyncio
import errno
import subprocess
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from podlab.network.netns import enter_prefix
from podlab.network.podnet import NamespacePodNetwork, PodNetwork, start_pod_network
from podlab.probes import ProbeResult, ProbeTarget, run_probe

pytestmark = pytest.mark.skipif(
    subprocess.run(["unshare", "--user", "--map-root-user", "--net", "true"], capture_output=True).returncode
    != 0,
    reason="this machine cannot make user and network namespaces",
)

# A one-line HTTP server inside a pod's netns (what a container would run).
SERVER = (
    "import http.server, sys\n"
    "class H(http.server.BaseHTTPRequestHandler):\n"
    "    def do_GET(self):\n"
    "        self.send_response(200 if self.path == '/ok' else 500); self.end_headers(); self.wfile.write(b'pod')\n"
    "    def log_message(self, *a): pass\n"
    "s = http.server.HTTPServer(('0.0.0.0', 80), H); print('up', flush=True); s.serve_forever()\n"
)


def _run(body: Callable[[PodNetwork], Awaitable[None]]) -> None:
    async def main() -> None:
        network = await start_pod_network("bwrap")
        assert network.mode == "namespaces", network.describe()
        try:
            await body(network)
        finally:
            network.close()

    asyncio.run(main())


async def _no_exec(argv: list[str], timeout: float) -> Any:
    raise AssertionError("no exec in these probes")


class _Server:
    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        self.proc = proc

    @classmethod
    async def start(cls, network: PodNetwork, uid: str) -> tuple[_Server, str]:
        attached = await network.attach(uid)
        assert attached.netns is not None
        proc = subprocess.Popen(
            [*enter_prefix(attached.netns), sys.executable, "-c", SERVER], stdout=subprocess.PIPE
        )
        assert proc.stdout is not None
        line = await asyncio.wait_for(asyncio.to_thread(proc.stdout.readline), 10)
        assert line == b"up\n"
        return cls(proc), attached.ip

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=10)


def test_pods_get_distinct_addresses_and_port_80_in_their_own_netns() -> None:
    async def body(network: PodNetwork) -> None:
        one, ip1 = await _Server.start(network, "pod-1")
        two, ip2 = await _Server.start(network, "pod-2")  # the same port 80, another netns
        try:
            assert (ip1, ip2) == ("10.244.0.2", "10.244.0.3")
            for ip in (ip1, ip2):
                reader, writer = await asyncio.open_connection(
                    sock=await network.sockets.connect_tcp(ip, 80, 2)
                )
                writer.write(b"GET /ok HTTP/1.0\r\n\r\n")
                assert (await asyncio.wait_for(reader.read(), 5)).endswith(b"\r\n\r\npod")
                writer.close()
        finally:
            one.stop()
            two.stop()
        await network.detach("pod-1")
        with pytest.raises(OSError) as gone:  # its address left the bridge with its netns
            await network.sockets.connect_tcp(ip1, 80, 1)
        assert gone.value.errno in (errno.EHOSTUNREACH, errno.ETIMEDOUT) or isinstance(
            gone.value, TimeoutError
        )

    _run(body)


def test_probes_dial_the_pod_ip_through_the_seam() -> None:
    async def body(network: PodNetwork) -> None:
        server, ip = await _Server.start(network, "probed")
        try:
            target = ProbeTarget(pod_ip=ip, container={"name": "c"}, exec=_no_exec, network=network.sockets)
            http_ok = await run_probe(
                {"httpGet": {"path": "/ok", "port": 80}}, target, probe_type="readiness"
            )
            assert http_ok.result is ProbeResult.SUCCESS and http_ok.message == "pod"
            http_bad = await run_probe(
                {"httpGet": {"path": "/no", "port": 80}}, target, probe_type="readiness"
            )
            assert http_bad.message == "HTTP probe failed with statuscode: 500"
            tcp_ok = await run_probe({"tcpSocket": {"port": 80}}, target, probe_type="liveness")
            assert tcp_ok.result is ProbeResult.SUCCESS
            refused = await run_probe({"tcpSocket": {"port": 81}}, target, probe_type="liveness")
            assert refused.message == f"dial tcp {ip}:81: connect: connection refused"
            # A `host` in the pod range (another pod) is dialled through the seam as well: from
            # the host, 10.244/16 would leave through the machine's default route.
            other = ProbeTarget(
                pod_ip="10.244.0.99", container={"name": "c"}, exec=_no_exec, network=network.sockets
            )
            via_host = await run_probe(
                {"httpGet": {"host": ip, "path": "/ok", "port": 80}}, other, probe_type="x"
            )
            assert via_host.result is ProbeResult.SUCCESS
        finally:
            server.stop()

    _run(body)


def test_listeners_udp_and_local_addresses_in_the_node_netns() -> None:
    async def body(network: PodNetwork) -> None:
        sockets = network.sockets
        await sockets.add_local_address("10.96.0.10")  # as a ClusterIP or the DNS address would be
        udp = await sockets.bind_udp("10.96.0.10", 53)
        listener = await sockets.listen_tcp("10.96.0.10", 8080)
        loop = asyncio.get_running_loop()
        try:
            client = await sockets.connect_tcp("10.96.0.10", 8080, 2)
            accepted, peer = await loop.sock_accept(listener)
            assert peer[0] == "10.96.0.10"
            accepted.close()
            client.close()
            assert udp.getsockname() == ("10.96.0.10", 53)
        finally:
            udp.close()
            listener.close()
        await sockets.remove_local_address("10.96.0.10")
        with pytest.raises(OSError) as no_address:
            await sockets.bind_udp("10.96.0.10", 53)
        assert no_address.value.errno == errno.EADDRNOTAVAIL  # the helper's errno, as bind(2) said it
        first = await sockets.listen_tcp("10.244.0.1", 9000)
        try:
            with pytest.raises(OSError) as taken:
                await sockets.listen_tcp("10.244.0.1", 9000)
            assert taken.value.errno == errno.EADDRINUSE
        finally:
            first.close()

    _run(body)


def test_a_bad_request_to_the_helper_is_a_clear_error() -> None:
    async def body(network: PodNetwork) -> None:
        assert isinstance(network, NamespacePodNetwork)
        with pytest.raises(RuntimeError, match="network helper: ValueError: unknown operation 'format_disk'"):
            await network._channel.call("format_disk")
        # The channel still answers after an error.
        assert (await network.attach("after-error")).ip == "10.244.0.2"

    _run(body)


def test_the_mode_is_said_in_each_form() -> None:
    async def main() -> None:
        plain = await start_pod_network("plain")
        assert plain.mode == "loopback"
        assert plain.describe() == (
            "loopback (containers are not sandboxed), pods 127.244.0.0/16 on the host's network — ports are shared"
        )

    asyncio.run(main())
