"""The RBAC authorizer (sans-IO: roles and bindings come through a `Policy`).

Follows k8s `plugin/pkg/auth/authorizer/rbac/rbac.go` and `pkg/registry/rbac/validation/
rule.go`: the rules a user has are those of every ClusterRoleBinding naming the user (or one of
its groups, or its ServiceAccount), then, for a namespaced request, those of every RoleBinding
in the namespace; the request is allowed when one rule allows it (`RuleAllows`), with the
reason `RBAC: allowed by <binding description>`. There are no deny rules, and no aggregation
(the default roles are stored with their rules filled in).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

Obj = dict[str, Any]
MASTERS = "system:masters"


@dataclass(frozen=True, slots=True)
class Attributes:
    """What a request does (the apiserver's authorizer.Attributes)."""

    verb: str
    resource_request: bool
    namespace: str = ""
    api_group: str = ""
    resource: str = ""
    subresource: str = ""
    name: str = ""
    path: str = ""  # non-resource requests


class Policy(Protocol):
    def cluster_role(self, name: str) -> Obj | None: ...

    def role(self, namespace: str, name: str) -> Obj | None: ...

    def cluster_role_bindings(self) -> list[Obj]: ...

    def role_bindings(self, namespace: str) -> list[Obj]: ...


def applies_to(subject: Obj, username: str, groups: tuple[str, ...], namespace: str) -> bool:
    """appliesToUser: a ServiceAccount subject without a namespace means the binding's."""
    kind, name = subject.get("kind"), str(subject.get("name", ""))
    if kind == "User":
        return username == name
    if kind == "Group":
        return name in groups
    if kind == "ServiceAccount":
        sa_namespace = str(subject.get("namespace") or namespace)
        return bool(sa_namespace) and username == f"system:serviceaccount:{sa_namespace}:{name}"
    return False


def _describe_subject(subject: Obj, binding_namespace: str) -> str:
    kind, name = subject.get("kind", ""), subject.get("name", "")
    if kind == "ServiceAccount":
        return f'{kind} "{name}/{subject.get("namespace") or binding_namespace}"'
    return f'{kind} "{name}"'


def _role_rules(policy: Policy, ref: Obj, namespace: str) -> list[Obj]:
    kind, name = ref.get("kind"), str(ref.get("name", ""))
    role = policy.cluster_role(name) if kind == "ClusterRole" else policy.role(namespace, name)
    return [r for r in (role or {}).get("rules") or [] if isinstance(r, dict)]


def visit_rules(
    policy: Policy, username: str, groups: tuple[str, ...], namespace: str
) -> Iterator[tuple[str, Obj]]:
    """(source description, rule) for every rule the user has in `namespace` ("" = cluster)."""
    for binding in policy.cluster_role_bindings():
        for subject in binding.get("subjects") or []:
            if isinstance(subject, dict) and applies_to(subject, username, groups, ""):
                ref = binding.get("roleRef") or {}
                source = (
                    f'ClusterRoleBinding "{binding["metadata"]["name"]}" of {ref.get("kind")} '
                    f'"{ref.get("name")}" to {_describe_subject(subject, "")}'
                )
                for rule in _role_rules(policy, ref, ""):
                    yield source, rule
                break
    if not namespace:
        return
    for binding in policy.role_bindings(namespace):
        for subject in binding.get("subjects") or []:
            if isinstance(subject, dict) and applies_to(subject, username, groups, namespace):
                ref = binding.get("roleRef") or {}
                source = (
                    f'RoleBinding "{binding["metadata"]["name"]}/{namespace}" of {ref.get("kind")} '
                    f'"{ref.get("name")}" to {_describe_subject(subject, namespace)}'
                )
                for rule in _role_rules(policy, ref, namespace):
                    yield source, rule
                break


def _has(values: Any, wanted: str) -> bool:
    return isinstance(values, list) and ("*" in values or wanted in values)


def _resource_matches(rule: Obj, combined: str, subresource: str) -> bool:
    for resource in rule.get("resources") or []:
        if resource in ("*", combined):
            return True
        if subresource and resource == f"*/{subresource}":
            return True
    return False


def _url_matches(rule: Obj, path: str) -> bool:
    for url in rule.get("nonResourceURLs") or []:
        if url == "*" or url == path or (url.endswith("*") and path.startswith(url[:-1])):
            return True
    return False


def rule_allows(attrs: Attributes, rule: Obj) -> bool:
    if not _has(rule.get("verbs"), attrs.verb):
        return False
    if not attrs.resource_request:
        return _url_matches(rule, attrs.path)
    combined = f"{attrs.resource}/{attrs.subresource}" if attrs.subresource else attrs.resource
    names = rule.get("resourceNames") or []
    return (
        _has(rule.get("apiGroups"), attrs.api_group)
        and _resource_matches(rule, combined, attrs.subresource)
        and (not names or attrs.name in names)
    )


def authorize(policy: Policy, username: str, groups: tuple[str, ...], attrs: Attributes) -> tuple[bool, str]:
    """(allowed, reason): the first rule that allows the request names the binding that gave it."""
    if MASTERS in groups:
        return True, ""  # the privileged-groups authorizer runs before RBAC
    for source, rule in visit_rules(policy, username, groups, attrs.namespace):
        if rule_allows(attrs, rule):
            return True, f"RBAC: allowed by {source}"
    return False, ""


def forbidden_message(username: str, attrs: Attributes) -> str:
    """responsewriters.forbiddenMessage, inside errors.NewForbidden's `... is forbidden: `."""
    if not attrs.resource_request:
        return f'forbidden: User "{username}" cannot {attrs.verb} path "{attrs.path}"'
    resource = f"{attrs.resource}/{attrs.subresource}" if attrs.subresource else attrs.resource
    where = f'in the namespace "{attrs.namespace}"' if attrs.namespace else "at the cluster scope"
    detail = f'User "{username}" cannot {attrs.verb} resource "{resource}" in API group "{attrs.api_group}" {where}'
    # errors.NewForbidden: the group-qualified resource, then the name when there is one.
    qualified = f"{attrs.resource}.{attrs.api_group}" if attrs.api_group else attrs.resource
    if attrs.name:
        return f'{qualified} "{attrs.name}" is forbidden: {detail}'
    return f"{qualified} is forbidden: {detail}"


def rules_review(
    policy: Policy, username: str, groups: tuple[str, ...], namespace: str
) -> tuple[list[Obj], list[Obj]]:
    """SelfSubjectRulesReview's resourceRules and nonResourceRules, in the order RBAC finds them."""
    resource_rules: list[Obj] = []
    non_resource: list[Obj] = []
    for _, rule in visit_rules(policy, username, groups, namespace):
        if rule.get("nonResourceURLs"):
            non_resource.append(
                {"verbs": list(rule.get("verbs") or []), "nonResourceURLs": rule["nonResourceURLs"]}
            )
            continue
        out: Obj = {"verbs": list(rule.get("verbs") or [])}
        for field in ("apiGroups", "resources", "resourceNames"):
            if rule.get(field):
                out[field] = list(rule[field])
        resource_rules.append(out)
    return resource_rules, non_resource
