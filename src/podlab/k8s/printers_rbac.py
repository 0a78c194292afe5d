"""The RoleBinding and ClusterRoleBinding Tables (k8s pkg/printers/internalversion/printers.go
printRoleBinding, printClusterRoleBinding; subjects split as rbac.SubjectsStrings does). Roles
and ClusterRoles have no printer upstream: the default NAME/CREATED AT Table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from podlab.k8s.errors import Obj
from podlab.k8s.printers_common import AGE, NAME, Column, age_of, as_obj, dicts, name_of


def _columns(kind: str, role_doc: str) -> list[Column]:
    return [
        NAME,
        ("Role", "string", 0, role_doc),
        AGE,
        ("Users", "string", 1, f"Users in the {kind}"),
        ("Groups", "string", 1, f"Groups in the {kind}"),
        ("ServiceAccounts", "string", 1, f"ServiceAccounts in the {kind}"),
    ]


ROLEBINDING_COLUMNS = _columns(
    "roleBinding",
    "RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. "
    "If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.",
)
CLUSTERROLEBINDING_COLUMNS = _columns(
    "clusterRoleBinding",
    "RoleRef can only reference a ClusterRole in the global namespace. If the RoleRef cannot be resolved, "
    "the Authorizer must return an error. This field is immutable.",
)


def rolebinding_row(obj: Obj, now: datetime) -> list[Any]:
    ref = as_obj(obj.get("roleRef"))
    users: list[str] = []
    groups: list[str] = []
    accounts: list[str] = []
    for subject in dicts(obj.get("subjects")):
        kind, name = subject.get("kind"), str(subject.get("name", ""))
        if kind == "ServiceAccount":
            accounts.append(f"{subject.get('namespace', '')}/{name}")
        elif kind == "User":
            users.append(name)
        elif kind == "Group":
            groups.append(name)
    return [
        name_of(obj),
        f"{ref.get('kind', '')}/{ref.get('name', '')}",
        age_of(obj, now),
        ", ".join(users),
        ", ".join(groups),
        ", ".join(accounts),
    ]
