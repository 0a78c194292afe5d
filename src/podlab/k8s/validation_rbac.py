"""rbac.authorization.k8s.io/v1 validation and defaulting, in k8s `pkg/apis/rbac/validation/
validation.go` and `pkg/apis/rbac/v1/defaults.go` words: rules need verbs, resource rules an API
group and a resource, non-resource URLs only in cluster roles; a binding's roleRef names a Role or
ClusterRole of this group and cannot change; subjects are User, Group or ServiceAccount.
Role and binding names need only be path segments (`system:discovery` is a valid name)."""

from __future__ import annotations

from typing import Any

from podlab.k8s import errors as fe
from podlab.k8s.errors import FieldError, GoValue, Obj

GROUP = "rbac.authorization.k8s.io"
SUBJECT_KINDS = ["ServiceAccount", "User", "Group"]


def path_segment_name(name: str) -> list[str]:
    """path.ValidatePathSegmentName (prefix false)."""
    if name in (".", ".."):
        return [f"may not be '{name}'"]
    return [f"may not contain '{c}'" for c in ("/", "%") if c in name]


def default_binding(obj: Obj) -> None:
    """SetDefaults_RoleBinding / _ClusterRoleBinding / _Subject."""
    ref = obj.setdefault("roleRef", {})  # a struct, never nil, in the Go type
    if isinstance(ref, dict) and not ref.get("apiGroup"):
        ref["apiGroup"] = GROUP
    for subject in obj.get("subjects") or []:
        if (
            isinstance(subject, dict)
            and not subject.get("apiGroup")
            and subject.get("kind") in ("User", "Group")
        ):
            subject["apiGroup"] = GROUP


def _rule_errors(rule: Obj, namespaced: bool, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    if not rule.get("verbs"):
        errs.append(fe.required(f"{path}.verbs", "verbs must contain at least one value"))
    urls = rule.get("nonResourceURLs") or []
    if urls:
        if namespaced:
            errs.append(
                fe.invalid(
                    f"{path}.nonResourceURLs", urls, "namespaced rules cannot apply to non-resource URLs"
                )
            )
        if rule.get("apiGroups") or rule.get("resources") or rule.get("resourceNames"):
            errs.append(
                fe.invalid(
                    f"{path}.nonResourceURLs",
                    urls,
                    "rules cannot apply to both regular resources and non-resource URLs",
                )
            )
        return errs
    if not rule.get("apiGroups"):
        errs.append(fe.required(f"{path}.apiGroups", "resource rules must supply at least one api group"))
    if not rule.get("resources"):
        errs.append(fe.required(f"{path}.resources", "resource rules must supply at least one resource"))
    return errs


def _subject_errors(subject: Obj, namespaced: bool, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    name, kind, group = (
        str(subject.get("name") or ""),
        subject.get("kind"),
        str(subject.get("apiGroup") or ""),
    )
    if not name:
        errs.append(fe.required(f"{path}.name"))
    if kind == "ServiceAccount":
        if group:
            errs.append(fe.not_supported(f"{path}.apiGroup", group, [""]))
        if not namespaced and not subject.get("namespace"):
            errs.append(fe.required(f"{path}.namespace"))
    elif kind in ("User", "Group"):
        if group != GROUP:
            errs.append(fe.not_supported(f"{path}.apiGroup", group, [GROUP]))
    else:
        errs.append(fe.not_supported(f"{path}.kind", kind or "", SUBJECT_KINDS))
    return errs


def _role_ref_value(ref: Any) -> GoValue:
    ref = ref if isinstance(ref, dict) else {}
    return GoValue(
        f'rbac.RoleRef{{APIGroup:"{ref.get("apiGroup", "")}", Kind:"{ref.get("kind", "")}", '
        f'Name:"{ref.get("name", "")}"}}'
    )


def validate_rbac(obj: Obj, old: Obj | None) -> list[FieldError]:
    kind = obj.get("kind")
    errs: list[FieldError] = []
    if kind in ("Role", "ClusterRole"):
        for i, rule in enumerate(obj.get("rules") or []):
            if isinstance(rule, dict):
                errs.extend(_rule_errors(rule, kind == "Role", f"rules[{i}]"))
        return errs
    namespaced = kind == "RoleBinding"
    ref = obj.get("roleRef") if isinstance(obj.get("roleRef"), dict) else {}
    assert isinstance(ref, dict)
    if ref.get("apiGroup") != GROUP:
        errs.append(fe.not_supported("roleRef.apiGroup", ref.get("apiGroup") or "", [GROUP]))
    kinds = ["Role", "ClusterRole"] if namespaced else ["ClusterRole"]
    if ref.get("kind") not in kinds:
        errs.append(fe.not_supported("roleRef.kind", ref.get("kind") or "", kinds))
    name = str(ref.get("name") or "")
    if not name:
        errs.append(fe.required("roleRef.name"))
    else:
        errs.extend(fe.invalid("roleRef.name", name, msg) for msg in path_segment_name(name))
    for i, subject in enumerate(obj.get("subjects") or []):
        if isinstance(subject, dict):
            errs.extend(_subject_errors(subject, namespaced, f"subjects[{i}]"))
    if old is not None and (old.get("roleRef") or {}) != ref:
        errs.append(fe.invalid("roleRef", _role_ref_value(ref), "cannot change roleRef"))
    return errs
