"""Legacy ServiceAccount token Secrets: a Secret of type `kubernetes.io/service-account-token`
naming its account in the `kubernetes.io/service-account.name` annotation gets `token`, `ca.crt`
and `namespace`, and the account's uid annotation, as kube-controller-manager's tokens
controller fills them (k8s `pkg/controller/serviceaccount/tokens_controller.go`). podlab fills
them when the Secret is created (the controller does it a moment later), and leaves a Secret
naming a missing account as it is (the controller would delete it).

The token is a legacy one (`pkg/serviceaccount/legacy.go`): issuer `kubernetes/serviceaccount`,
no expiry, valid while the Secret exists and still holds it (satoken.py, auth.py).
"""

from __future__ import annotations

import base64
from typing import Any

from podlab.store import NotFound, Store

from .satoken import TokenIssuer

Obj = dict[str, Any]
TOKEN_TYPE = "kubernetes.io/service-account-token"
NAME_KEY = "kubernetes.io/service-account.name"
UID_KEY = "kubernetes.io/service-account.uid"


def fill_token_secret(secret: Obj, store: Store, issuer: TokenIssuer, ca_pem: bytes | None) -> None:
    """Fill a new token Secret in place (nothing when it is not one, or already holds a token)."""
    if secret.get("type") != TOKEN_TYPE:
        return
    meta = secret.get("metadata") or {}
    annotations = meta.get("annotations") or {}
    account_name = str(annotations.get(NAME_KEY) or "")
    data = secret.get("data") or {}
    if not account_name or data.get("token"):
        return
    namespace = str(meta.get("namespace") or "default")
    try:
        account = store.get(("", "serviceaccounts"), namespace, account_name)
    except NotFound:
        return
    uid = str(account["metadata"].get("uid", ""))
    if annotations.get(UID_KEY) and annotations[UID_KEY] != uid:
        return  # meant for an account of that name that no longer exists
    token = issuer.issue_legacy(
        namespace=namespace, account=account_name, account_uid=uid, secret=str(meta.get("name", ""))
    )
    meta["annotations"] = {**annotations, UID_KEY: uid}
    filled = {"namespace": namespace.encode(), "token": token.encode()}
    if ca_pem is not None:
        filled["ca.crt"] = ca_pem
    secret["data"] = {**data, **{k: base64.b64encode(v).decode() for k, v in filled.items()}}
