"""ServiceAccount tokens: signed JWTs as kube-apiserver's bound service-account tokens (sans-IO:
the key and the clock's `now` are passed in; `load_or_create_key` is the one file access).

The claims are those of k8s `pkg/serviceaccount/claims.go` (`Claims`): `iss` and `aud`
`https://kubernetes.default.svc.cluster.local` (kubeadm's and kind's --service-account-issuer
and API audience), `sub` `system:serviceaccount:NS:NAME`, `exp`/`iat`/`nbf`, a `jti`, and the
private `kubernetes.io` claim naming the namespace, the account and the object the token is bound
to (a pod, or a Secret for legacy tokens) by name and uid. Signed ES256 with a P-256 key kept
in `$PODLAB_HOME/sa.key` (0600, made once per home, as a cluster keeps its service-account key;
objects do not outlive `podlab down`, so neither do the accounts a token names); the `kid`
is the unpadded base64url SHA-256 of the public key's DER (`keyIDFromPublicKey` in
`pkg/serviceaccount/jwt.go`).

`verify` checks the signature, the issuer, the audience and the times; whether the bound
objects still exist (and have the same uid) is the authenticator's job (auth.py), which
holds the store.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

Obj = dict[str, Any]

ISSUER = "https://kubernetes.default.svc.cluster.local"
LEGACY_ISSUER = "kubernetes/serviceaccount"  # pkg/serviceaccount/legacy.go
_LEGACY = "kubernetes.io/serviceaccount/"
API_AUDIENCES = (ISSUER,)
# The ServiceAccount admission plugin's projected token lifetime (3600 s plus 7, so a client
# library can tell it is a bound token), and TokenRequest's default and minimum.
PROJECTED_EXPIRATION = 3607
DEFAULT_EXPIRATION = 3600
MIN_EXPIRATION = 600
# pkg/serviceaccount/util.go: the user name prefix, and the groups every account is in.
USER_PREFIX = "system:serviceaccount:"
ALL_ACCOUNTS_GROUP = "system:serviceaccounts"


class TokenError(Exception):
    """The token is not one this issuer made, or it is no longer valid (answered 401)."""


@dataclass(frozen=True, slots=True)
class BoundObject:
    kind: str  # "Pod" or "Secret"
    name: str
    uid: str


@dataclass(frozen=True, slots=True)
class TokenClaims:
    """What a verified token says."""

    namespace: str
    account: str
    account_uid: str
    bound: BoundObject | None
    jti: str
    expires: int  # seconds since the epoch (0: a legacy token, which never expires)
    audiences: tuple[str, ...]
    legacy: bool = False  # a token Secret's token: valid while the Secret holds it

    @property
    def username(self) -> str:
        return f"{USER_PREFIX}{self.namespace}:{self.account}"


def username(namespace: str, name: str) -> str:
    return f"{USER_PREFIX}{namespace}:{name}"


def split_username(name: str) -> tuple[str, str] | None:
    """(namespace, account) of `system:serviceaccount:NS:NAME`, else None."""
    if not name.startswith(USER_PREFIX):
        return None
    namespace, sep, account = name[len(USER_PREFIX) :].partition(":")
    if not sep or not namespace or not account or ":" in account:
        return None
    return namespace, account


def account_groups(namespace: str) -> tuple[str, ...]:
    return (ALL_ACCOUNTS_GROUP, f"{ALL_ACCOUNTS_GROUP}:{namespace}")


def load_or_create_key(path: Path) -> ec.EllipticCurvePrivateKey:
    """The signing key in `path` (PEM, 0600), made on first use."""
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if isinstance(key, ec.EllipticCurvePrivateKey):
            return key
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    os.replace(tmp, path)
    return key


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenIssuer:
    """Issues and verifies ServiceAccount JWTs with one ES256 key."""

    def __init__(self, key: ec.EllipticCurvePrivateKey | None = None) -> None:
        self._key = key or ec.generate_private_key(ec.SECP256R1())
        der = self._key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self.key_id = _b64(hashlib.sha256(der).digest())

    def issue(
        self,
        *,
        namespace: str,
        account: str,
        account_uid: str,
        now: datetime,
        expiration_seconds: int,
        bound: BoundObject | None = None,
        audiences: tuple[str, ...] = API_AUDIENCES,
        node: tuple[str, str] | None = None,
        warn_after: int | None = None,
    ) -> tuple[str, int]:
        """The token and its expiry (seconds since the epoch)."""
        iat = int(now.timestamp())
        exp = iat + expiration_seconds
        private: Obj = {"namespace": namespace}
        if node is not None:
            private["node"] = {"name": node[0], "uid": node[1]}
        if bound is not None:
            private[bound.kind.lower()] = {"name": bound.name, "uid": bound.uid}
        private["serviceaccount"] = {"name": account, "uid": account_uid}
        if warn_after is not None:
            private["warnafter"] = iat + warn_after
        claims: Obj = {
            "aud": list(audiences),
            "exp": exp,
            "iat": iat,
            "iss": ISSUER,
            "jti": str(uuid.uuid4()),
            "kubernetes.io": private,
            "nbf": iat,
            "sub": username(namespace, account),
        }
        return self._sign(claims), exp

    def issue_legacy(self, *, namespace: str, account: str, account_uid: str, secret: str) -> str:
        """A legacy token for a `kubernetes.io/service-account-token` Secret (legacy.go claims)."""
        claims: Obj = {
            "iss": LEGACY_ISSUER,
            f"{_LEGACY}namespace": namespace,
            f"{_LEGACY}secret.name": secret,
            f"{_LEGACY}service-account.name": account,
            f"{_LEGACY}service-account.uid": account_uid,
            "sub": username(namespace, account),
        }
        return self._sign(claims)

    def _sign(self, claims: Obj) -> str:
        header = {"alg": "ES256", "kid": self.key_id}
        signing_input = (
            _b64(json.dumps(header, separators=(",", ":")).encode())
            + "."
            + _b64(json.dumps(claims, separators=(",", ":")).encode())
        )
        der = self._key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        return f"{signing_input}.{_b64(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"

    def verify(self, token: str, now: datetime) -> TokenClaims:
        """The claims of a token this issuer signed and that is valid at `now`; else TokenError."""
        parts = token.split(".")
        if len(parts) != 3:
            raise TokenError("not a JWT")
        try:
            header = json.loads(_unb64(parts[0]))
            claims = json.loads(_unb64(parts[1]))
            signature = _unb64(parts[2])
        except ValueError:
            raise TokenError("malformed JWT") from None
        if not isinstance(header, dict) or header.get("alg") != "ES256" or len(signature) != 64:
            raise TokenError("unexpected signing algorithm")
        der = encode_dss_signature(
            int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
        )
        try:
            self._key.public_key().verify(der, f"{parts[0]}.{parts[1]}".encode(), ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            raise TokenError("invalid signature") from None
        if isinstance(claims, dict) and claims.get("iss") == LEGACY_ISSUER:
            return _legacy_claims(claims)
        if not isinstance(claims, dict) or claims.get("iss") != ISSUER:
            raise TokenError("unknown issuer")
        audiences = claims.get("aud")
        audiences = [audiences] if isinstance(audiences, str) else audiences
        if not isinstance(audiences, list) or not set(map(str, audiences)) & set(API_AUDIENCES):
            raise TokenError("token audiences is invalid for the target audiences")
        t = now.timestamp()
        exp, nbf = claims.get("exp"), claims.get("nbf")
        if not isinstance(exp, int) or t >= exp:
            raise TokenError("service account token has expired")
        if isinstance(nbf, int) and t < nbf - 60:  # go-jose's default leeway
            raise TokenError("service account token is not valid yet")
        private = claims.get("kubernetes.io")
        if not isinstance(private, dict):
            raise TokenError("missing kubernetes.io claim")
        account = private.get("serviceaccount") or {}
        bound: BoundObject | None = None
        for kind in ("Pod", "Secret"):
            ref = private.get(kind.lower())
            if isinstance(ref, dict):
                bound = BoundObject(kind, str(ref.get("name", "")), str(ref.get("uid", "")))
        namespace = str(private.get("namespace", ""))
        name = str(account.get("name", "")) if isinstance(account, dict) else ""
        if claims.get("sub") != username(namespace, name):
            raise TokenError("sub does not match the kubernetes.io claim")
        return TokenClaims(
            namespace=namespace,
            account=name,
            account_uid=str(account.get("uid", "")) if isinstance(account, dict) else "",
            bound=bound,
            jti=str(claims.get("jti", "")),
            expires=exp,
            audiences=tuple(map(str, audiences)),
        )


def _legacy_claims(claims: Obj) -> TokenClaims:
    namespace = str(claims.get(f"{_LEGACY}namespace", ""))
    name = str(claims.get(f"{_LEGACY}service-account.name", ""))
    secret = str(claims.get(f"{_LEGACY}secret.name", ""))
    if not namespace or not name or not secret or claims.get("sub") != username(namespace, name):
        raise TokenError("malformed legacy token")
    return TokenClaims(
        namespace=namespace,
        account=name,
        account_uid=str(claims.get(f"{_LEGACY}service-account.uid", "")),
        bound=BoundObject("Secret", secret, ""),
        jti="",
        expires=0,
        audiences=(),
        legacy=True,
    )
