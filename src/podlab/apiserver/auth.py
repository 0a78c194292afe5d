"""Who is calling, and whether they may: authentication, impersonation and RBAC for the API server.

Authentication (k8s `pkg/serviceaccount/jwt.go`, `legacy.go`/`claims.go` validators): the node's
admin token is `kubernetes-admin` in `system:masters` (kubeadm's and kind's admin user); a
ServiceAccount JWT this node issued (satoken.py) is `system:serviceaccount:NS:NAME` in
`system:serviceaccounts`, `system:serviceaccounts:NS` and `system:authenticated`, as long as
its account, and the pod or Secret it is bound to, still exist with the uids it names. Anything
else is 401 `Unauthorized`.

Impersonation (`staging/src/k8s.io/apiserver/pkg/endpoints/filters/impersonation.go`): the
Impersonate-User/-Group/-Uid headers replace the user, once the caller may `impersonate` it.

Authorization: `system:masters` may do everything; everyone else gets what RBAC gives
(rbac.py), from the Roles, ClusterRoles and bindings in the store.
"""

from __future__ import annotations

import base64
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from podlab.httpcore import Request
from podlab.k8s.timestamps import parse_time
from podlab.store import NotFound, Store

from .rbac import MASTERS, Attributes, authorize, forbidden_message
from .satoken import TokenError, TokenIssuer, account_groups, split_username

Obj = dict[str, Any]
AUTHENTICATED = "system:authenticated"
POD_DELETION_GRACE = timedelta(seconds=60)
UNAUTHENTICATED = "system:unauthenticated"
RBAC_GROUP = "rbac.authorization.k8s.io"


@dataclass(frozen=True, slots=True)
class UserInfo:
    username: str
    groups: tuple[str, ...]
    uid: str = ""
    extra: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def to_json(self) -> Obj:
        info: Obj = {"username": self.username}
        if self.uid:
            info["uid"] = self.uid
        info["groups"] = list(self.groups)
        if self.extra:
            info["extra"] = {key: list(values) for key, values in self.extra}
        return info


# The user the node's token authenticates as.
ADMIN = UserInfo("kubernetes-admin", (MASTERS, AUTHENTICATED))


def _b64decode(text: str) -> bytes:
    try:
        return base64.b64decode(text)
    except ValueError:
        return b""


class StorePolicy:
    """RBAC's view of the store (rbac.Policy)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def _get(self, resource: str, namespace: str | None, name: str) -> Obj | None:
        try:
            return self._store.get((RBAC_GROUP, resource), namespace, name)
        except NotFound:
            return None

    def cluster_role(self, name: str) -> Obj | None:
        return self._get("clusterroles", None, name)

    def role(self, namespace: str, name: str) -> Obj | None:
        return self._get("roles", namespace, name)

    def cluster_role_bindings(self) -> list[Obj]:
        return self._store.list((RBAC_GROUP, "clusterrolebindings"))[0]

    def role_bindings(self, namespace: str) -> list[Obj]:
        return self._store.list((RBAC_GROUP, "rolebindings"), namespace)[0]


class Forbidden(Exception):
    """A 403: the Status message and details, in NewForbidden's words."""

    def __init__(self, message: str, attrs: Attributes) -> None:
        super().__init__(message)
        self.message = message
        self.details: Obj = {"name": attrs.name, "group": attrs.api_group, "kind": attrs.resource}
        self.details = {k: v for k, v in self.details.items() if v}


class Auth:
    def __init__(self, store: Store, admin_token: str, issuer: TokenIssuer) -> None:
        self._store = store
        self._admin_token = admin_token.encode()
        self.issuer = issuer
        self.policy = StorePolicy(store)

    # -- authentication ------------------------------------------------------------------
    def authenticate(self, request: Request, now: datetime) -> UserInfo | None:
        header = request.header("Authorization") or ""
        scheme, _, credential = header.partition(" ")
        credential = credential.strip()
        if scheme.lower() != "bearer" or not credential:
            return None
        if hmac.compare_digest(credential.encode(), self._admin_token):
            return ADMIN
        try:
            claims = self.issuer.verify(credential, now)
        except TokenError:
            return None
        account = self._lookup("serviceaccounts", claims.namespace, claims.account)
        if account is None or (claims.account_uid and account["metadata"].get("uid") != claims.account_uid):
            return None
        extra: list[tuple[str, tuple[str, ...]]] = []
        if claims.legacy:
            # legacy.go: the Secret must still exist and still hold this very token.
            secret = self._lookup("secrets", claims.namespace, claims.bound.name if claims.bound else "")
            held = str(((secret or {}).get("data") or {}).get("token", ""))
            if not held or not hmac.compare_digest(_b64decode(held), credential.encode()):
                return None
        elif claims.bound is not None:
            bound = self._lookup(claims.bound.kind.lower() + "s", claims.namespace, claims.bound.name)
            if bound is None or bound["metadata"].get("uid") != claims.bound.uid:
                return None
            deleted = parse_time(bound["metadata"].get("deletionTimestamp"))
            if deleted is not None and claims.bound.kind == "Pod" and deleted < now - POD_DELETION_GRACE:
                return None  # claims.go: invalid once the pod is a minute past its deletion time
            if claims.bound.kind == "Pod":
                extra.append(("authentication.kubernetes.io/pod-name", (claims.bound.name,)))
                extra.append(("authentication.kubernetes.io/pod-uid", (claims.bound.uid,)))
        if claims.jti:
            extra.append(("authentication.kubernetes.io/credential-id", (f"JTI={claims.jti}",)))
        return UserInfo(
            claims.username,
            (*account_groups(claims.namespace), AUTHENTICATED),
            claims.account_uid,
            tuple(sorted(extra)),
        )

    def _lookup(self, resource: str, namespace: str, name: str) -> Obj | None:
        try:
            return self._store.get(("", resource), namespace, name)
        except NotFound:
            return None

    # -- impersonation -------------------------------------------------------------------
    def impersonate(self, request: Request, user: UserInfo) -> UserInfo:
        """The user the request acts as; Forbidden when `user` may not impersonate it."""
        username = request.header("Impersonate-User")
        wanted_groups = request.header_values("Impersonate-Group")
        uid = request.header("Impersonate-Uid") or ""
        if not username:
            return user  # (upstream refuses groups without a user; kubectl never sends that)
        account = split_username(username)
        checks: list[Attributes] = []
        if account is not None:
            checks.append(Attributes("impersonate", True, account[0], "", "serviceaccounts", "", account[1]))
        else:
            checks.append(Attributes("impersonate", True, "", "", "users", "", username))
        checks += [Attributes("impersonate", True, "", "", "groups", "", g) for g in wanted_groups]
        if uid:
            checks.append(Attributes("impersonate", True, "", "authentication.k8s.io", "uids", "", uid))
        for attrs in checks:
            self.authorize(user, attrs)
        groups: list[str] = []
        if account is not None:
            groups += account_groups(account[0])
        groups += wanted_groups
        if username == "system:anonymous":
            groups.append(UNAUTHENTICATED)
        elif AUTHENTICATED not in groups and UNAUTHENTICATED not in groups:
            groups.append(AUTHENTICATED)
        return UserInfo(username, tuple(groups), uid)

    # -- authorization -------------------------------------------------------------------
    def allowed(self, user: UserInfo, attrs: Attributes) -> tuple[bool, str]:
        return authorize(self.policy, user.username, user.groups, attrs)

    def authorize(self, user: UserInfo, attrs: Attributes) -> None:
        allowed, _ = self.allowed(user, attrs)
        if not allowed:
            raise Forbidden(forbidden_message(user.username, attrs), attrs)
