"""TokenRequest: `POST /api/v1/namespaces/NS/serviceaccounts/NAME/token` (`kubectl create token`),
and the token the kubelet asks for on a pod's behalf (projected serviceAccountToken volumes).

Semantics and wording of k8s `pkg/registry/core/serviceaccount/storage/token.go` and
`pkg/apis/authentication/validation`: unset audiences mean the API server's, expirationSeconds
defaults to 3600 and may not be under 10 minutes; a token bound to a pod needs the pod to run as
that account; a pod-bound token asked for with the projected volume's 3607 seconds is extended
to a year with a `warnafter` at the asked time (--service-account-extend-token-expiration, on by
default), so a pod that misses a rotation keeps working.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from podlab.httpcore import Request, Response
from podlab.k8s.errors import FieldError
from podlab.k8s.timestamps import format_time
from podlab.store import NotFound, Store

from . import k8sapi
from .bodies import RequestError, decode_object
from .negotiation import json_response, method_not_allowed, status_body
from .routes import Route
from .satoken import (
    API_AUDIENCES,
    DEFAULT_EXPIRATION,
    MIN_EXPIRATION,
    PROJECTED_EXPIRATION,
    BoundObject,
    TokenIssuer,
)

Obj = dict[str, Any]
MAX_EXPIRATION = 1 << 32
EXTENDED_EXPIRATION = 365 * 24 * 60 * 60  # token.ExpirationExtensionSeconds


class TokenRefusal(Exception):
    """Why no token: the Status the API server answers (str() is its message)."""

    def __init__(self, status: Obj) -> None:
        super().__init__(str(status.get("message", "")))
        self.status = status

    @property
    def response(self) -> Response:
        return json_response(int(self.status.get("code", 400)), self.status)


def _bad_request(message: str) -> TokenRefusal:
    return TokenRefusal(status_body(400, "BadRequest", message, {}))


def mint(
    store: Store,
    issuer: TokenIssuer,
    namespace: str,
    account_name: str,
    spec: Obj,
    now: datetime,
) -> tuple[str, datetime]:
    """The token and its expirationTimestamp for a TokenRequest spec; TokenRefusal otherwise."""
    try:
        account = store.get(("", "serviceaccounts"), namespace, account_name)
    except NotFound as err:
        raise TokenRefusal(err.status()) from None
    seconds = spec.get("expirationSeconds")
    seconds = DEFAULT_EXPIRATION if seconds is None else seconds
    audiences = tuple(str(a) for a in spec.get("audiences") or ()) or API_AUDIENCES
    errors: list[FieldError] = []
    if not isinstance(seconds, int) or seconds < MIN_EXPIRATION:
        errors.append(
            FieldError(
                "Invalid value",
                "spec.expirationSeconds",
                seconds,
                "may not specify a duration less than 10 minutes",
            )
        )
    elif seconds > MAX_EXPIRATION:
        errors.append(
            FieldError(
                "Invalid value",
                "spec.expirationSeconds",
                seconds,
                "may not specify a duration larger than 2^32 seconds",
            )
        )
    if errors:
        obj = {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "metadata": {"name": ""}}
        raise TokenRefusal(k8sapi.invalid_status(obj, errors))
    assert isinstance(seconds, int)
    bound: BoundObject | None = None
    node: tuple[str, str] | None = None
    ref = spec.get("boundObjectRef")
    if isinstance(ref, dict):
        kind, ref_name = str(ref.get("kind", "")), str(ref.get("name", ""))
        api_version = str(ref.get("apiVersion", ""))
        if kind not in ("Pod", "Secret") or api_version not in ("v1", ""):
            group = api_version.rpartition("/")[0] if "/" in api_version else ""
            version = api_version.rpartition("/")[2]
            raise _bad_request(f"cannot bind token to object of type {group}/{version}, Kind={kind}")
        try:
            target = store.get(("", kind.lower() + "s"), namespace, ref_name)
        except NotFound as err:
            raise TokenRefusal(err.status()) from None
        if kind == "Pod":
            if (target.get("spec") or {}).get("serviceAccountName") != account_name:
                raise _bad_request(
                    f'cannot bind token for serviceaccount "{account_name}" to pod running with '
                    "different serviceaccount name."
                )
            node_name = str((target.get("spec") or {}).get("nodeName") or "")
            if node_name:
                node = (node_name, _node_uid(store, node_name))
        uid = str(target["metadata"].get("uid", ""))
        if ref.get("uid") and ref["uid"] != uid:
            message = (
                f'Operation cannot be fulfilled on {kind} "{ref_name}": the UID in the bound object reference '
                f"({ref['uid']}) does not match the UID in record. The object might have been deleted and "
                "then recreated"
            )
            raise TokenRefusal(status_body(409, "Conflict", message, {"name": ref_name, "kind": kind}))
        bound = BoundObject(kind, ref_name, uid)
    lifetime = seconds
    if (
        bound is not None
        and bound.kind == "Pod"
        and seconds == PROJECTED_EXPIRATION
        and audiences == API_AUDIENCES
    ):
        lifetime = EXTENDED_EXPIRATION
    token, _ = issuer.issue(
        namespace=namespace,
        account=account_name,
        account_uid=str(account["metadata"].get("uid", "")),
        now=now,
        expiration_seconds=lifetime,
        bound=bound,
        audiences=audiences,
        node=node,
        warn_after=seconds if lifetime != seconds else None,
    )
    return token, now + timedelta(seconds=seconds)


def _node_uid(store: Store, name: str) -> str:
    try:
        return str(store.get(("", "nodes"), None, name)["metadata"].get("uid", ""))
    except NotFound:
        return ""


def token_request_response(
    route: Route, request: Request, store: Store, issuer: TokenIssuer, clock: Callable[[], datetime]
) -> Response:
    if request.method != "POST":
        return method_not_allowed()
    assert route.name is not None and route.namespace is not None
    try:
        review = decode_object(request).obj
        if not isinstance(review, dict):
            raise RequestError(400, "BadRequest", "the body of the request must be a JSON object")
    except RequestError as err:
        return err.response
    meta = review.get("metadata") if isinstance(review.get("metadata"), dict) else {}
    assert isinstance(meta, dict)
    for field, want, what in (
        ("name", route.name, "name"),
        ("namespace", route.namespace, "namespace"),
    ):
        if meta.get(field) and meta[field] != want:
            mismatch = FieldError(
                "Invalid value",
                f"metadata.{field}",
                meta[field],
                f"must match the service account {what} if specified",
            )
            obj = {
                "apiVersion": "authentication.k8s.io/v1",
                "kind": "TokenRequest",
                "metadata": {"name": route.name},
            }
            return json_response(422, k8sapi.invalid_status(obj, [mismatch]))
    spec = review.get("spec") if isinstance(review.get("spec"), dict) else {}
    assert isinstance(spec, dict)
    now = clock()
    try:
        token, expires = mint(store, issuer, route.namespace, route.name, spec, now)
    except TokenRefusal as refusal:
        return refusal.response
    spec.setdefault("expirationSeconds", DEFAULT_EXPIRATION)
    spec["audiences"] = list(spec.get("audiences") or API_AUDIENCES)
    spec.setdefault("boundObjectRef", None)
    review["apiVersion"], review["kind"] = "authentication.k8s.io/v1", "TokenRequest"
    review["metadata"] = {
        **meta,
        "name": route.name,
        "namespace": route.namespace,
        "creationTimestamp": format_time(now),
    }
    review["spec"] = spec
    review["status"] = {"token": token, "expirationTimestamp": format_time(expires)}
    return json_response(201, review)
