"""ObjectMeta, labels, selectors and small shared checks (apimachinery validation, metav1 validation)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from podlab.k8s import errors as fe
from podlab.k8s import names
from podlab.k8s.errors import FieldError, GoValue, Obj

NameCheck = Callable[[str], list[str]]


def nonnegative(value: Any, path: str) -> list[FieldError]:
    # ValidateNonnegativeField; apimachinery IsNegativeErrorMsg.
    if isinstance(value, int) and not isinstance(value, bool) and value < 0:
        return [fe.invalid(path, value, "must be greater than or equal to 0")]
    return []


def selector_mismatch(template_meta: Obj, template_path: str) -> FieldError:
    """A workload template whose labels its selector does not match (ValidatePodTemplateSpecFor*,
    ValidateJobSpec): the value shows nil labels as Go prints them."""
    labels = template_meta.get("labels")
    return fe.invalid(
        f"{template_path}.metadata.labels",
        (labels or {}) if labels is not None else GoValue("map[string]string(nil)"),
        "`selector` does not match template `labels`",
    )


def active_deadline_forbidden(pod_spec: Obj, template_path: str, kind: str) -> list[FieldError]:
    """Workload pods run until replaced: a template may not set activeDeadlineSeconds."""
    if pod_spec.get("activeDeadlineSeconds") is None:
        return []
    return [
        fe.forbidden(
            f"{template_path}.spec.activeDeadlineSeconds", f"activeDeadlineSeconds in {kind} is not Supported"
        )
    ]


def validate_labels(labels: Any, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    if not isinstance(labels, dict):
        return errs
    for key, value in labels.items():
        for msg in names.is_qualified_name(str(key)):
            errs.append(fe.invalid(path, key, msg))
        for msg in names.is_valid_label_value(str(value) if value is not None else ""):
            errs.append(fe.invalid(path, value, msg))
    return errs


def validate_annotations(annotations: Any, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    if not isinstance(annotations, dict):
        return errs
    total = 0
    for key, value in annotations.items():
        for msg in names.is_qualified_name(str(key).lower()):
            errs.append(fe.invalid(path, key, msg))
        total += len(str(key)) + len(str(value or ""))
    if total > 256 * 1024:
        errs.append(fe.FieldError("Too long", path, fe.OMIT, "must have at most 262144 bytes"))
    return errs


def validate_object_meta(
    meta: Any, namespaced: bool, name_check: NameCheck, path: str = "metadata"
) -> list[FieldError]:
    errs: list[FieldError] = []
    if not isinstance(meta, dict):
        return [fe.required(f"{path}.name", "name or generateName is required")]
    name = meta.get("name")
    generate = meta.get("generateName")
    if generate:
        # ValidateObjectMeta checks generateName with a trailing dash masked.
        masked = re.sub(r"-$", "a", str(generate))
        errs.extend(fe.invalid(f"{path}.generateName", generate, m) for m in name_check(masked))
    if not name:
        if not generate:
            errs.append(fe.required(f"{path}.name", "name or generateName is required"))
    else:
        errs.extend(fe.invalid(f"{path}.name", name, m) for m in name_check(str(name)))
    if not namespaced and meta.get("namespace"):
        errs.append(fe.forbidden(f"{path}.namespace", "not allowed on this type"))
    errs.extend(validate_labels(meta.get("labels"), f"{path}.labels"))
    errs.extend(validate_annotations(meta.get("annotations"), f"{path}.annotations"))
    return errs


def validate_object_meta_update(new: Obj, old: Obj, path: str = "metadata") -> list[FieldError]:
    errs: list[FieldError] = []
    new_meta, old_meta = new.get("metadata") or {}, old.get("metadata") or {}
    for key in ("name", "namespace", "uid"):
        if old_meta.get(key) and new_meta.get(key) and new_meta.get(key) != old_meta.get(key):
            errs.append(fe.invalid(f"{path}.{key}", new_meta.get(key), "field is immutable"))
    return errs


_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")


def validate_label_selector(selector: Any, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    if not isinstance(selector, dict):
        return errs
    for i, expr in enumerate(selector.get("matchExpressions") or []):
        p = f"{path}.matchExpressions[{i}]"
        op = expr.get("operator")
        values = expr.get("values") or []
        if op in ("In", "NotIn"):
            if not values:
                errs.append(
                    fe.required(f"{p}.values", "must be specified when `operator` is 'In' or 'NotIn'")
                )
        elif op in ("Exists", "DoesNotExist"):
            if values:
                errs.append(
                    fe.forbidden(
                        f"{p}.values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"
                    )
                )
        else:
            errs.append(fe.invalid(f"{p}.operator", op, "not a valid selector operator"))
        for msg in names.is_qualified_name(str(expr.get("key", ""))):
            errs.append(fe.invalid(f"{p}.key", expr.get("key", ""), msg))
    errs.extend(validate_labels(selector.get("matchLabels"), f"{path}.matchLabels"))
    return errs


def go_label_selector(selector: Any) -> GoValue:
    """Go's %#v of a *metav1.LabelSelector, as the immutable-selector message prints it."""
    if not isinstance(selector, dict):
        return GoValue("null")
    labels = selector.get("matchLabels")
    labels_text = (
        "map[string]string(nil)"
        if not labels
        else "map[string]string{" + ", ".join(f'"{k}":"{labels[k]}"' for k in sorted(labels)) + "}"
    )
    exprs = selector.get("matchExpressions")
    if not exprs:
        exprs_text = "[]v1.LabelSelectorRequirement(nil)"
    else:
        items = []
        for e in exprs:
            vals = e.get("values")
            vals_text = "[]string(nil)" if not vals else "[]string{" + ", ".join(f'"{v}"' for v in vals) + "}"
            items.append(
                f'v1.LabelSelectorRequirement{{Key:"{e.get("key", "")}", Operator:"{e.get("operator", "")}", Values:{vals_text}}}'
            )
        exprs_text = "[]v1.LabelSelectorRequirement{" + ", ".join(items) + "}"
    return GoValue(f"v1.LabelSelector{{MatchLabels:{labels_text}, MatchExpressions:{exprs_text}}}")
