"""Authentication and authorization reviews: who the caller is, and what it may do.

- `kubectl auth whoami`: POST authentication.k8s.io/v1 `selfsubjectreviews`, answered with the
  caller's user info (k8s `pkg/registry/authentication/selfsubjectreview/rest.go`).
- `kubectl auth can-i VERB RESOURCE`: POST authorization.k8s.io/v1 `selfsubjectaccessreviews`
  (`pkg/registry/authorization/selfsubjectaccessreview/rest.go`); `can-i --list`:
  `selfsubjectrulesreviews`.

podlab authenticates one credential, the node's admin token in its kubeconfig, as
`kubernetes-admin` in `system:masters` (kubeadm's and kind's admin user), and enforces no RBAC:
every request with that token is allowed. So can-i answers `yes` to everything, and
`can-i --list` shows cluster-admin's rules. podlab issues no ServiceAccount tokens; a review
asked with impersonation headers (`kubectl auth whoami --as=system:serviceaccount:NS:NAME`)
answers as that user, with the groups the impersonation filter gives it
(`staging/src/k8s.io/apiserver/pkg/endpoints/filters/impersonation.go`), and can-i still says
`yes`, with a reason saying why: that is what podlab does with such a request (it runs with the
token's rights; impersonation does not narrow them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from podlab.httpcore import Request, Response
from podlab.k8s.errors import FieldError, GoValue

from . import k8sapi
from .bodies import RequestError, decode_object
from .negotiation import json_response, method_not_allowed
from .routes import Route

Obj = dict[str, Any]

SELF_SUBJECT_REVIEWS = ("authentication.k8s.io", "selfsubjectreviews")
SELF_SUBJECT_ACCESS_REVIEWS = ("authorization.k8s.io", "selfsubjectaccessreviews")
SELF_SUBJECT_RULES_REVIEWS = ("authorization.k8s.io", "selfsubjectrulesreviews")
REVIEWS = frozenset({SELF_SUBJECT_REVIEWS, SELF_SUBJECT_ACCESS_REVIEWS, SELF_SUBJECT_RULES_REVIEWS})

AUTHENTICATED = "system:authenticated"
NO_RBAC_REASON = "podlab enforces no RBAC: every request with the node's token is allowed"


@dataclass(frozen=True, slots=True)
class UserInfo:
    username: str
    groups: tuple[str, ...]
    uid: str = ""

    def to_json(self) -> Obj:
        info: Obj = {"username": self.username}
        if self.uid:
            info["uid"] = self.uid
        info["groups"] = list(self.groups)
        return info


# The user the node's token authenticates as.
ADMIN = UserInfo("kubernetes-admin", ("system:masters", AUTHENTICATED))


def caller(request: Request) -> UserInfo:
    """The admin, or whom its request impersonates (impersonation.go: a ServiceAccount gets
    `system:serviceaccounts` and `system:serviceaccounts:NS`; every user but the anonymous one
    gets `system:authenticated`)."""
    username = request.header("Impersonate-User")
    if not username:
        return ADMIN
    groups: list[str] = []
    parts = username.split(":")
    if len(parts) == 4 and parts[:2] == ["system", "serviceaccount"] and parts[2] and parts[3]:
        groups += ["system:serviceaccounts", f"system:serviceaccounts:{parts[2]}"]
    groups += request.header_values("Impersonate-Group")
    if username == "system:anonymous":
        groups.append("system:unauthenticated")
    elif AUTHENTICATED not in groups and "system:unauthenticated" not in groups:
        groups.append(AUTHENTICATED)
    return UserInfo(username, tuple(groups), request.header("Impersonate-Uid") or "")


def review_response(route: Route, request: Request) -> Response:
    if route.name is not None or route.subresource is not None or request.method != "POST":
        return method_not_allowed()
    try:
        review = decode_object(request).obj
        if not isinstance(review, dict):
            raise RequestError(400, "BadRequest", "the body of the request must be a JSON object")
    except RequestError as err:
        return err.response
    review["apiVersion"] = route.resource.api_version
    review["kind"] = route.resource.kind
    review.setdefault("metadata", {})
    user = caller(request)
    if route.key == SELF_SUBJECT_REVIEWS:
        review["status"] = {"userInfo": user.to_json()}
        return json_response(201, review)
    spec = review.get("spec")
    if not isinstance(spec, dict):
        spec = review["spec"] = {}
    if route.key == SELF_SUBJECT_ACCESS_REVIEWS:
        errors = _access_review_errors(spec)
        if errors:
            return json_response(422, k8sapi.invalid_status(review, errors))
        review["status"] = {"allowed": True}
        if user != ADMIN:
            review["status"]["reason"] = NO_RBAC_REASON
        return json_response(201, review)
    # selfsubjectrulesreviews: cluster-admin's rules.
    review["status"] = {
        "resourceRules": [{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}],
        "nonResourceRules": [{"verbs": ["*"], "nonResourceURLs": ["*"]}],
        "incomplete": False,
    }
    return json_response(201, review)


def _access_review_errors(spec: Obj) -> list[FieldError]:
    """ValidateSelfSubjectAccessReviewSpec (pkg/apis/authorization/validation)."""
    resource, non_resource = spec.get("resourceAttributes"), spec.get("nonResourceAttributes")
    if resource is not None and non_resource is not None:
        return [
            FieldError(
                "Invalid value",
                "spec.nonResourceAttributes",
                _non_resource_value(non_resource),
                "cannot be specified in combination with resourceAttributes",
            )
        ]
    if resource is None and non_resource is None:
        return [
            FieldError(
                "Invalid value",
                "spec.resourceAttributes",
                None,
                "exactly one of nonResourceAttributes or resourceAttributes must be specified",
            )
        ]
    return []


def _non_resource_value(value: Any) -> GoValue:
    """The bad value as field.ErrorBody prints the dereferenced struct (`%#v`)."""
    attrs = value if isinstance(value, dict) else {}
    path, verb = str(attrs.get("path", "")), str(attrs.get("verb", ""))
    return GoValue(f'authorization.NonResourceAttributes{{Path:"{path}", Verb:"{verb}"}}')
