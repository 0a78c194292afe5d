"""The Service proxy over the loopback form of the pod-network seam, with real sockets: real
backend servers on pod addresses (127.244/16), clients dialling ClusterIPs (127.96/16),
127.0.0.1:nodePort and the LoadBalancer port; Services and EndpointSlices in a real Store."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest

from podlab.network.proxy import ServiceProxy
from podlab.network.sockets import LoopbackSockets
from podlab.store import Store

Obj = dict[str, Any]
T = TypeVar("T")
SERVICES = ("", "services")
SLICES = ("discovery.k8s.io", "endpointslices")
EVENTS = ("", "events")


async def eventually(check: Callable[[], Awaitable[T]], what: str, timeout: float = 5.0) -> T:
    """Retry `check` until it returns something truthy without raising; fail naming `what`."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = await check()
        except (OSError, AssertionError, asyncio.IncompleteReadError) as exc:
            last = exc
        else:
            if last:
                return last
        await asyncio.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}; last: {last!r}")


class Backend:
    """A pod's server: says its name, then echoes until the client half-closes."""

    def __init__(self, name: str, ip: str) -> None:
        self.name, self.ip = name, ip
        self.server: asyncio.Server | None = None

    async def start(self, port: int = 0) -> int:
        self.server = await asyncio.start_server(self._serve, self.ip, port)
        return int(self.server.sockets[0].getsockname()[1])

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(self.name.encode() + b"\n")
        with contextlib.suppress(ConnectionError):
            while chunk := await reader.read(65536):
                writer.write(chunk)
                await writer.drain()
        writer.close()

    def close(self) -> None:
        assert self.server is not None
        self.server.close()


async def who(ip: str, port: int) -> str:
    reader, writer = await asyncio.wait_for(asyncio.open_connection(ip, port), 2)
    try:
        return (await asyncio.wait_for(reader.readline(), 2)).decode().strip()
    finally:
        writer.close()


async def refused(ip: str, port: int) -> bool:
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(ip, port), 2)
    except ConnectionRefusedError:
        return True
    writer.close()
    return False


def service(name: str, ip: str, port: int, **spec: Any) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "type": "ClusterIP",
            "clusterIP": ip,
            "clusterIPs": [ip],
            "selector": {"app": name},
            "ports": [{"name": "http", "port": port, "protocol": "TCP", "targetPort": "http"}],
            **spec,
        },
    }


def endpoint_slice(svc: str, port: int, ready: dict[str, bool]) -> Obj:
    return {
        "apiVersion": "discovery.k8s.io/v1",
        "kind": "EndpointSlice",
        "metadata": {
            "name": f"{svc}-x",
            "namespace": "default",
            "labels": {"kubernetes.io/service-name": svc},
        },
        "addressType": "IPv4",
        "ports": [{"name": "http", "port": port, "protocol": "TCP"}],
        "endpoints": [
            {"addresses": [ip], "conditions": {"ready": r, "serving": r, "terminating": False}}
            for ip, r in ready.items()
        ],
    }


def set_ready(store: Store, svc: str, port: int, ready: dict[str, bool]) -> None:
    current = store.get(SLICES, "default", f"{svc}-x")
    new = endpoint_slice(svc, port, ready)
    new["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"]
    store.update(SLICES, new)


def free_port(ip: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((ip, 0))
        return int(s.getsockname()[1])


async def with_proxy(store: Store, body: Callable[[ServiceProxy], Awaitable[None]]) -> None:
    proxy = ServiceProxy(store, LoopbackSockets())
    task = asyncio.create_task(proxy.run())
    try:
        await body(proxy)
    finally:
        proxy.stop()
        await asyncio.wait_for(task, 5)


def test_cluster_ip_balances_over_ready_endpoints_and_refuses_when_none() -> None:
    async def main() -> None:
        a, b = Backend("a", "127.244.90.1"), Backend("b", "127.244.90.2")
        port = await a.start()
        await b.start(port)  # replicas listen on the same port, each on its own pod IP
        store = Store(None)
        store.create(SERVICES, service("web", "127.96.90.1", 80))
        store.create(SLICES, endpoint_slice("web", port, {a.ip: True, b.ip: True}))

        async def body(proxy: ServiceProxy) -> None:
            async def both_seen() -> bool:
                return {await who("127.96.90.1", 80) for _ in range(30)} == {"a", "b"}

            await eventually(both_seen, "both replicas answering through the ClusterIP")
            set_ready(store, "web", port, {a.ip: False, b.ip: True})

            async def only_b() -> bool:
                return {await who("127.96.90.1", 80) for _ in range(20)} == {"b"}

            await eventually(only_b, "traffic only to the ready replica", timeout=1.0)
            set_ready(store, "web", port, {a.ip: False, b.ip: False})
            started = time.monotonic()
            await eventually(lambda: refused("127.96.90.1", 80), "ECONNREFUSED with no ready endpoint", 1.0)
            assert time.monotonic() - started < 1.0
            set_ready(store, "web", port, {a.ip: True, b.ip: False})
            await eventually(lambda: _equals(who("127.96.90.1", 80), "a"), "traffic back", 1.0)

        await with_proxy(store, body)
        a.close()
        b.close()

    asyncio.run(main())


async def _equals(value: Awaitable[str], expected: str) -> bool:
    return await value == expected


def test_node_port_and_load_balancer_answer_on_host_loopback_with_status() -> None:
    async def main() -> None:
        backend = Backend("lb", "127.244.91.1")
        port = await backend.start()
        node_port, lb_port = 30000 + free_port() % 2700, free_port()
        store = Store(None)
        store.create(
            SERVICES,
            service(
                "lb",
                "127.96.91.1",
                lb_port,
                type="LoadBalancer",
                ports=[{"name": "http", "port": lb_port, "nodePort": node_port, "protocol": "TCP"}],
            ),
        )
        store.create(SLICES, endpoint_slice("lb", port, {backend.ip: True}))

        async def body(proxy: ServiceProxy) -> None:
            for ip, p in (("127.0.0.1", node_port), ("127.0.0.1", lb_port), ("127.96.91.1", lb_port)):
                await eventually(lambda ip=ip, p=p: _equals(who(ip, p), "lb"), f"an answer on {ip}:{p}")
            status = store.get(SERVICES, "default", "lb").get("status")
            assert status == {"loadBalancer": {"ingress": [{"ip": "127.0.0.1", "ipMode": "VIP"}]}}

        await with_proxy(store, body)
        backend.close()

    asyncio.run(main())


@pytest.mark.parametrize(
    ("stype", "reason"), [("NodePort", "FailedToOpenPort"), ("LoadBalancer", "SyncLoadBalancerFailed")]
)
def test_a_host_port_in_use_is_a_warning_event_on_the_service(stype: str, reason: str) -> None:
    async def main() -> None:
        backend = Backend("np", "127.244.92.1")
        port = await backend.start()
        squatter = socket.socket()
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = int(squatter.getsockname()[1])
        store = Store(None)
        store.create(
            SERVICES,
            service(
                "np",
                "127.96.92.1",
                80,
                type=stype,
                # NodePort: the nodePort is taken; LoadBalancer: its port on 127.0.0.1 is.
                ports=[{"name": "http", "port": taken, "nodePort": taken, "protocol": "TCP"}]
                if stype == "NodePort"
                else [{"name": "http", "port": taken, "protocol": "TCP"}],
            ),
        )
        store.create(SLICES, endpoint_slice("np", port, {backend.ip: True}))

        async def body(proxy: ServiceProxy) -> None:
            async def warned() -> list[Obj]:
                return [e for e in store.list(EVENTS)[0] if e["type"] == "Warning"]

            events = await eventually(warned, "a Warning event")
            assert len(events) == 1
            event = events[0]
            assert event["involvedObject"]["kind"] == "Service" and event["involvedObject"]["name"] == "np"
            assert event["reason"] == reason
            assert f"listen tcp4 127.0.0.1:{taken}: bind: address already in use" in event["message"]
            # The ClusterIP still works: one port that cannot be held does not take the Service down.
            assert await who("127.96.92.1", taken) == "np"

        await with_proxy(store, body)
        squatter.close()
        backend.close()

    asyncio.run(main())


def test_splice_keeps_bytes_in_order_passes_half_close_and_applies_back_pressure() -> None:
    async def main() -> None:
        backend = Backend("echo", "127.244.93.1")
        port = await backend.start()
        store = Store(None)
        store.create(SERVICES, service("echo", "127.96.93.1", 80))
        store.create(SLICES, endpoint_slice("echo", port, {backend.ip: True}))

        async def body(proxy: ServiceProxy) -> None:
            await eventually(lambda: _equals(who("127.96.93.1", 80), "echo"), "the proxy listening")
            reader, writer = await asyncio.open_connection("127.96.93.1", 80)
            assert await reader.readline() == b"echo\n"
            payload = bytes(range(256)) * (16 * 1024)  # 4 MiB, many times the relay's buffer
            writer.write(payload)
            await writer.drain()
            writer.write_eof()  # the half-close must reach the server, which then ends
            echoed = await asyncio.wait_for(reader.read(), 20)
            assert echoed == payload
            writer.close()

        await with_proxy(store, body)
        backend.close()

    asyncio.run(main())


@pytest.mark.parametrize("affinity", ["None", "ClientIP"])
def test_session_affinity_client_ip_pins_one_endpoint(affinity: str) -> None:
    async def main() -> set[str]:
        backends = [Backend(f"r{i}", f"127.244.94.{i + 1}") for i in range(4)]
        port = await backends[0].start()
        for b in backends[1:]:
            await b.start(port)
        store = Store(None)
        spec: Obj = {"sessionAffinity": affinity}
        if affinity == "ClientIP":
            spec["sessionAffinityConfig"] = {"clientIP": {"timeoutSeconds": 60}}
        store.create(SERVICES, service("sticky", "127.96.94.1", 80, **spec))
        store.create(SLICES, endpoint_slice("sticky", port, {b.ip: True for b in backends}))
        seen: set[str] = set()

        async def body(proxy: ServiceProxy) -> None:
            await eventually(lambda: who("127.96.94.1", 80), "the proxy listening")
            for _ in range(24):
                seen.add(await who("127.96.94.1", 80))

        await with_proxy(store, body)
        for b in backends:
            b.close()
        return seen

    seen = asyncio.run(main())
    assert len(seen) == 1 if affinity == "ClientIP" else len(seen) > 1


def test_load_balancer_status_is_set_cleared_and_left_to_other_classes() -> None:
    from podlab.network.proxy import load_balancer_status

    ingress = {"loadBalancer": {"ingress": [{"ip": "127.0.0.1", "ipMode": "VIP"}]}}
    assert load_balancer_status({"spec": {"type": "LoadBalancer"}}) == ingress
    assert load_balancer_status({"spec": {"type": "ClusterIP"}, "status": ingress}) == {"loadBalancer": {}}
    assert load_balancer_status({"spec": {"type": "ClusterIP"}, "status": {"loadBalancer": {}}}) is None
    other = {"spec": {"type": "LoadBalancer", "loadBalancerClass": "example.com/lb"}}
    assert load_balancer_status(other) is None
