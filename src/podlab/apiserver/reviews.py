"""Authentication and authorization reviews: who the caller is, and what it may do.

- `kubectl auth whoami`: POST authentication.k8s.io/v1 `selfsubjectreviews`, answered with the
  caller's user info (k8s `pkg/registry/authentication/selfsubjectreview/rest.go`).
- `kubectl auth can-i VERB RESOURCE`: POST authorization.k8s.io/v1 `selfsubjectaccessreviews`
  (`pkg/registry/authorization/selfsubjectaccessreview/rest.go`); `can-i --list`:
  `selfsubjectrulesreviews`.

Both answer for the request's user after impersonation (auth.py): `kubectl auth can-i
--as=system:serviceaccount:NS:NAME` asks what that account may do. `system:masters` may do
everything; anyone else gets RBAC's answer (rbac.py), with its `RBAC: allowed by ...` reason,
and `can-i --list` lists the rules of every binding that names the user, as RBAC's
`RulesFor` does.
"""

from __future__ import annotations

from typing import Any

from podlab.httpcore import Request, Response
from podlab.k8s.errors import FieldError, GoValue

from . import k8sapi
from .auth import Auth, UserInfo
from .bodies import RequestError, decode_object
from .negotiation import json_response, method_not_allowed
from .rbac import Attributes, rules_review
from .routes import Route

Obj = dict[str, Any]

SELF_SUBJECT_REVIEWS = ("authentication.k8s.io", "selfsubjectreviews")
SELF_SUBJECT_ACCESS_REVIEWS = ("authorization.k8s.io", "selfsubjectaccessreviews")
SELF_SUBJECT_RULES_REVIEWS = ("authorization.k8s.io", "selfsubjectrulesreviews")
REVIEWS = frozenset({SELF_SUBJECT_REVIEWS, SELF_SUBJECT_ACCESS_REVIEWS, SELF_SUBJECT_RULES_REVIEWS})


def review_response(route: Route, request: Request, user: UserInfo, auth: Auth) -> Response:
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
        allowed, reason = auth.allowed(user, _attributes(spec))
        review["status"] = {"allowed": allowed}
        if reason:
            review["status"]["reason"] = reason
        return json_response(201, review)
    namespace = str(spec.get("namespace") or "")
    resource_rules, non_resource_rules = rules_review(auth.policy, user.username, user.groups, namespace)
    review["status"] = {
        "resourceRules": resource_rules,
        "nonResourceRules": non_resource_rules,
        "incomplete": False,
    }
    return json_response(201, review)


def _attributes(spec: Obj) -> Attributes:
    """The spec's resourceAttributes or nonResourceAttributes as the authorizer sees them."""
    resource = spec.get("resourceAttributes")
    if isinstance(resource, dict):
        return Attributes(
            verb=str(resource.get("verb") or ""),
            resource_request=True,
            namespace=str(resource.get("namespace") or ""),
            api_group=str(resource.get("group") or ""),
            resource=str(resource.get("resource") or ""),
            subresource=str(resource.get("subresource") or ""),
            name=str(resource.get("name") or ""),
        )
    attrs = spec.get("nonResourceAttributes") or {}
    return Attributes(
        verb=str(attrs.get("verb") or ""), resource_request=False, path=str(attrs.get("path") or "")
    )


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
