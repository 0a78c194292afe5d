"""The API server: authentication, routing, and the HTTP listener (podlab.httpcore)."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import random
from collections.abc import Callable
from datetime import UTC, datetime

from podlab.httpcore import Connection, Limits, Request, Response, Server, serve
from podlab.network.allocation import kubernetes_ip
from podlab.network.sockets import LoopbackSockets, PodNetworkSockets
from podlab.store import NotFound, Store

from . import discovery, openapi, spdy_upgrade, websocket
from .auth import ADMIN, Auth, Forbidden
from .exec_spdy import PROTOCOL as EXEC_PROTOCOL
from .exec_spdy import SpdyStreamSession
from .exec_websocket import PROTOCOLS as WEBSOCKET_PROTOCOLS
from .exec_websocket import WebSocketStreamSession
from .legacy_tokens import fill_token_secret
from .logs import LogReader, log_response
from .metrics import PREFIX as METRICS_PREFIX
from .metrics import MetricsSource, metrics_response
from .negotiation import (
    DISCOVERY_CONTENT_TYPE,
    error_response,
    flag,
    internal_error_response,
    json_response,
    method_not_allowed,
    not_found_response,
    query_params,
    status_response,
    wants_aggregated_discovery,
)
from .openapi_http import openapi_response
from .portforward import PodTarget
from .portforward_http import port_forward
from .proxy import proxy_request
from .proxy_target import parse_proxy_path
from .rbac_defaults import ensure_default_policy
from .remotecommand import ContainerStreams, StreamError, StreamSession, choose_container, parse_options
from .request_info import request_attributes
from .rest import Rest
from .reviews import REVIEWS, review_response
from .routes import Route, UnknownResource, parse_resource_path
from .satoken import TokenIssuer
from .services import ServiceAllocations
from .tls import Certificate, self_signed, server_context
from .tokenrequest import token_request_response
from .watchstream import watch_response

log = logging.getLogger("podlab.apiserver")

# Readable without a token, as the default `system:public-info-viewer` role allows.
_PUBLIC_PATHS = {"/version", "/healthz", "/livez", "/readyz"}
# The names pods reach the API server by (kube-apiserver puts them in its serving certificate).
_SERVICE_NAMES = (
    "kubernetes",
    "kubernetes.default",
    "kubernetes.default.svc",
    "kubernetes.default.svc.cluster.local",
)


def _utcnow() -> datetime:
    return datetime.now(UTC)


class ApiServer:
    """Serves the Kubernetes API for one store on 127.0.0.1 (bearer token required)."""

    def __init__(
        self,
        store: Store,
        *,
        token: str,
        logs: LogReader,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], datetime] = _utcnow,
        tls: bool = True,
        limits: Limits | None = None,
        streams: ContainerStreams | None = None,
        metrics: MetricsSource | None = None,
        sockets: PodNetworkSockets | None = None,
        service_cidr: ipaddress.IPv4Network | None = None,
        issuer: TokenIssuer | None = None,
    ) -> None:
        """`network`: the node's sockets into the pod network, for port-forward dials."""
        self.store = store
        self._metrics = metrics  # the runtime's usage for metrics.k8s.io (kubectl top)
        # The admin token, and the ServiceAccount tokens `issuer` signs (auth.py).
        self.auth = Auth(store, token, issuer or TokenIssuer())
        # kube-apiserver's rbac/bootstrap-roles post-start hook: the default roles and bindings.
        ensure_default_policy(store)
        self._service_cidr = service_cidr
        self._logs = logs
        self._host = host
        self._port = port
        self._clock = clock
        services = ServiceAllocations(store, service_cidr) if service_cidr is not None else None
        self._rest = Rest(
            store,
            clock,
            services,
            fill_secret=lambda secret: fill_token_secret(secret, store, self.auth.issuer, self.ca_pem),
        )
        self._server: Server | None = None
        self._tls = tls
        self._limits = limits
        # exec/attach reach running containers through the node (None: not served).
        self.streams = streams
        # Where pods are dialled (port-forward, proxy): the node's pod network.
        self._sockets: PodNetworkSockets = sockets if sockets is not None else LoopbackSockets()
        self._rng = random.Random()  # which ready endpoint a services/proxy request goes to
        self.certificate: Certificate | None = None

    @property
    def port(self) -> int:
        """The port clients use (TLS, and plain HTTP too, unless tls=False: then plain only)."""
        assert self._server is not None, "ApiServer.start() first"
        return self._server.port

    @property
    def url(self) -> str:
        scheme = "https" if self._tls else "http"
        return f"{scheme}://{self._host}:{self.port}"

    @property
    def ca_pem(self) -> bytes | None:
        """The self-signed certificate, for the kubeconfig's certificate-authority-data."""
        return self.certificate.cert_pem if self.certificate is not None else None

    async def start(self) -> None:
        context = None
        if self._tls:
            names: list[str] = list(_SERVICE_NAMES)
            if self._service_cidr is not None:
                names.append(kubernetes_ip(self._service_cidr))
            self.certificate = self_signed(self._host, names)
            context = server_context(self.certificate)
        self._server = await serve(
            self.handle, self._host, self._port, ssl_context=context, limits=self._limits
        )
        # kubectl apply/explain start with /openapi/v3, whose index hashes every document:
        # build them (~0.3 s of CPU, once per process) off the loop before the first client asks.
        asyncio.get_running_loop().run_in_executor(None, openapi.index_served)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    # -- request handling --------------------------------------------------------------------
    async def handle(self, request: Request, connection: Connection) -> Response | None:
        try:
            response = await self._dispatch(request, connection)
        except Exception as exc:
            # A bug, not the client's fault: one line per request (a hostile client must not
            # fill node.log with tracebacks), the traceback only at debug level.
            log.error(
                "%s %s: internal error: %s: %.300s", request.method, request.path, type(exc).__name__, exc
            )
            log.debug("traceback of the internal error", exc_info=True)
            response = internal_error_response(exc)
        if log.isEnabledFor(logging.DEBUG):
            code = "upgraded" if response is None else str(response.status)
            log.debug("%s %s -> %s", request.method, request.target, code)
        return response

    async def _dispatch(self, request: Request, connection: Connection) -> Response | None:
        path = request.path.rstrip("/") or "/"
        user = ADMIN
        if path not in _PUBLIC_PATHS:
            authenticated = self.auth.authenticate(request, self._clock())
            if authenticated is None:
                return status_response(401, "Unauthorized", "Unauthorized")
            try:
                user = self.auth.impersonate(request, authenticated)
                self.auth.authorize(user, request_attributes(request.method, request.path, request.query))
            except Forbidden as err:
                return status_response(403, "Forbidden", err.message, err.details)
        proxied = parse_proxy_path(request.path)
        if proxied is not None:
            return await proxy_request(self.store, proxied, request, self._sockets, self._rng)
        if request.method in ("GET", "HEAD"):
            fixed = self._fixed(path, request)
            if fixed is not None:
                return fixed
        if path.startswith(METRICS_PREFIX):
            params = query_params(request.query)
            return metrics_response(self.store, self._metrics, request.method, path, params, self._clock)
        try:
            route = parse_resource_path(path)
        except UnknownResource:
            return not_found_response()
        if route is None:
            return not_found_response()
        if route.key in REVIEWS:
            return review_response(route, request, user, self.auth)
        if route.key == ("", "serviceaccounts") and route.subresource == "token" and route.name:
            return token_request_response(route, request, self.store, self.auth.issuer, self._clock)
        params = query_params(request.query)
        if request.method == "GET" and flag(params, "watch") and route.subresource is None:
            return watch_response(self.store, route, request, params, self._clock)
        if route.key == ("", "pods") and route.subresource == "log":
            if request.method != "GET":
                return method_not_allowed()
            return log_response(self.store, self._logs, route, params)
        if route.key == ("", "pods") and route.subresource == "portforward":
            return await self._port_forward(route, request, connection)
        if route.key == ("", "pods") and route.subresource in ("exec", "attach"):
            return await self._remote_command(route, request, connection)
        return self._rest.handle(route, request)

    def _fixed(self, path: str, request: Request) -> Response | None:
        """Discovery, health, version and OpenAPI: documents that do not depend on the store."""
        accept = request.header("Accept")
        if path == "/version":
            return json_response(200, discovery.version_info())
        if path in ("/healthz", "/livez", "/readyz"):
            return Response(200, [("Content-Type", "text/plain; charset=utf-8")], b"ok")
        if path in ("/api", "/apis"):
            core = path == "/api"
            if wants_aggregated_discovery(accept):
                return json_response(
                    200, discovery.aggregated_discovery(core), content_type=DISCOVERY_CONTENT_TYPE
                )
            if core:
                return json_response(200, discovery.api_versions(request.server[0] or "127.0.0.1"))
            return json_response(200, discovery.api_group_list())
        parts = path.strip("/").split("/")
        if parts[0] == "api" and len(parts) == 2:
            doc = discovery.api_resource_list("", parts[1])
            return json_response(200, doc) if doc is not None else not_found_response()
        if parts[0] == "apis" and len(parts) == 2:
            group = discovery.api_group(parts[1])
            return json_response(200, group) if group is not None else not_found_response()
        if parts[0] == "apis" and len(parts) == 3:
            doc = discovery.api_resource_list(parts[1], parts[2])
            return json_response(200, doc) if doc is not None else not_found_response()
        if parts[0] == "openapi":
            return openapi_response(parts[1:], request)
        return None

    async def _remote_command(
        self, route: Route, request: Request, connection: Connection
    ) -> Response | None:
        """pods/exec and pods/attach (remotecommand.py): checks in the API server's and the
        kubelet's words before the upgrade, then the transport the client asked for."""
        assert route.name is not None
        if self.streams is None:
            return status_response(
                400, "BadRequest", f"pods/{route.subresource} is not supported by podlab's API server"
            )
        if request.method not in ("POST", "GET"):
            return method_not_allowed()
        try:
            opts = parse_options(request.query, attach=route.subresource == "attach")
            pod = self.store.get(route.key, route.namespace, route.name)
            container = choose_container(pod, opts.container)
        except StreamError as err:
            return status_response(err.code, err.reason, err.message)
        except NotFound as err:
            return error_response(err)
        uid = str(pod["metadata"]["uid"])
        if not self.streams.running(uid, container):
            # The kubelet's answer, as plain text: kubectl prints
            # `error: unable to upgrade connection: container not found ("c")`.
            body = f'container not found ("{container}")'.encode()
            return Response(500, [("Content-Type", "text/plain; charset=utf-8")], body)
        streams = self.streams
        argv = opts.command

        async def start(size: tuple[int, int] | None) -> StreamSession:
            if route.subresource == "attach":
                session = streams.attach(uid, container)
                if size is not None:
                    session.resize(*size)
                return session
            return await streams.open(uid, container, argv, stdin=opts.stdin, tty=opts.tty, size=size)

        upgrade = (request.header("Upgrade") or "").lower()
        if upgrade == "websocket":
            socket = await websocket.accept(request, connection, WEBSOCKET_PROTOCOLS)
            if isinstance(socket, Response):
                return socket
            await WebSocketStreamSession(websocket.ChannelConnection(socket), opts).run(start)
            return None
        refused = spdy_upgrade.refusal(request, EXEC_PROTOCOL)
        if refused is not None:
            return refused
        stream = await spdy_upgrade.upgrade(connection, EXEC_PROTOCOL)
        await SpdyStreamSession(stream, opts).run(start)
        return None

    async def _port_forward(self, route: Route, request: Request, connection: Connection) -> Response | None:
        assert route.name is not None
        try:
            pod = self.store.get(route.key, route.namespace, route.name)
        except NotFound as err:
            return error_response(err)
        pod_ip = (pod.get("status") or {}).get("podIP")
        if not pod_ip:
            return status_response(400, "BadRequest", f"pod {route.name} does not have a host assigned")
        target = PodTarget(route.name, str(pod["metadata"].get("uid", "")), pod_ip)
        return await port_forward(request, connection, target, self._sockets)
