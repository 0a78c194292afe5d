"""What a request does, for the authorizer: k8s `staging/src/k8s.io/apiserver/pkg/endpoints/
request/requestinfo.go` (`RequestInfoFactory.NewRequestInfo`), sans-IO.

Any path under /api/VERSION/ or /apis/GROUP/VERSION/ is a resource request, whether or not
podlab serves the resource (a 403 comes before a 404, as upstream); everything else (/api,
/apis/apps/v1, /version, /openapi/v3) is a non-resource request whose verb is the lower-cased
method. One podlab choice: a websocket GET on pods/exec, attach or portforward is authorized as
`create`, which is what kube-apiserver 1.31+ also checks for them
(AuthorizePodWebsocketUpgradeCreatePermission).
"""

from __future__ import annotations

from urllib.parse import parse_qs, unquote

from .rbac import Attributes

_VERBS = {
    "POST": "create",
    "GET": "get",
    "HEAD": "get",
    "PUT": "update",
    "PATCH": "patch",
    "DELETE": "delete",
}
_NAMESPACE_SUBRESOURCES = ("status", "finalize")
_STREAMING = ("exec", "attach", "portforward")


def request_attributes(method: str, path: str, query: str) -> Attributes:
    parts = [unquote(p) for p in path.strip("/").split("/") if p]
    non_resource = Attributes(verb=method.lower(), resource_request=False, path=path or "/")
    if len(parts) < 3 or parts[0] not in ("api", "apis"):
        return non_resource
    group = ""
    rest = parts[1:]
    if parts[0] == "apis":
        if len(rest) < 3:
            return non_resource
        group, rest = rest[0], rest[1:]
    rest = rest[1:]  # the version
    verb = _VERBS.get(method.upper(), "")
    if rest[0] in ("watch", "proxy") and len(rest) >= 2:  # deprecated /watch/ and /proxy/ forms
        verb, rest = rest[0], rest[1:]
    namespace = ""
    if rest[0] == "namespaces" and len(rest) > 1:
        namespace = rest[1]
        if len(rest) > 2 and rest[2] not in _NAMESPACE_SUBRESOURCES:
            rest = rest[2:]
    resource = rest[0]
    name = rest[1] if len(rest) >= 2 else ""
    subresource = rest[2] if len(rest) >= 3 and verb != "proxy" else ""
    params = parse_qs(query)
    if not name and verb == "get":
        verb = "watch" if params.get("watch", [""])[0] in ("true", "1") else "list"
        for selector in params.get("fieldSelector", []):
            for term in selector.split(","):
                key, sep, value = term.partition("=")
                if sep and key.strip() == "metadata.name" and "!" not in key:
                    name = value.lstrip("=").strip()
    if not name and verb == "delete":
        verb = "deletecollection"
    if resource == "pods" and subresource in _STREAMING and verb == "get":
        verb = "create"
    return Attributes(
        verb=verb,
        resource_request=True,
        namespace=namespace,
        api_group=group,
        resource=resource,
        subresource=subresource,
        name=name,
    )
