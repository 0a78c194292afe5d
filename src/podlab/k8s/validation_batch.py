"""Job validation (k8s pkg/apis/batch/validation/validation.go ValidateJob, validateGeneratedSelector,
ValidateJobSpec, ValidateJobSpecUpdate) and the create strategy's selector generation
(pkg/registry/batch/job/strategy.go generateSelector)."""

from __future__ import annotations

from typing import Any

from podlab.k8s import errors as fe
from podlab.k8s import names
from podlab.k8s.errors import FieldError, Obj
from podlab.k8s.selectors import selector_matches
from podlab.k8s.validation_meta import (
    go_label_selector,
    nonnegative,
    selector_mismatch,
    validate_label_selector,
    validate_labels,
)
from podlab.k8s.validation_pod import validate_pod_spec

CONTROLLER_UID = "batch.kubernetes.io/controller-uid"
JOB_NAME = "batch.kubernetes.io/job-name"
LEGACY_CONTROLLER_UID = "controller-uid"
LEGACY_JOB_NAME = "job-name"
MAX_PARALLELISM_FOR_INDEXED_JOB = 100_000


def generate_selector(job: Obj) -> None:
    """generateSelector, in place: the job-name and controller-uid labels on the template (unless
    the user set them; validation then judges), and `batch.kubernetes.io/controller-uid` in the
    selector. Skipped with manualSelector: true."""
    spec = job.get("spec")
    meta = job.get("metadata") or {}
    if not isinstance(spec, dict) or spec.get("manualSelector") is True:
        return
    template = spec.setdefault("template", {})
    if not isinstance(template, dict):
        return
    tmeta = template.setdefault("metadata", {})
    if not isinstance(tmeta, dict):
        return
    labels = tmeta.get("labels")
    if not isinstance(labels, dict):
        labels = tmeta["labels"] = {}
    for key in (LEGACY_JOB_NAME, JOB_NAME):
        labels.setdefault(key, str(meta.get("name", "")))
    for key in (LEGACY_CONTROLLER_UID, CONTROLLER_UID):
        labels.setdefault(key, str(meta.get("uid", "")))
    selector = spec.get("selector")
    if selector is None:
        selector = spec["selector"] = {}
    if isinstance(selector, dict):
        match = selector.get("matchLabels")
        if not isinstance(match, dict):
            match = selector["matchLabels"] = {}
        match.setdefault(CONTROLLER_UID, str(meta.get("uid", "")))


def _has_label(labels: Obj, path: str, key: str, expected: str) -> list[FieldError]:
    """ValidateHasLabel."""
    if key not in labels:
        return [fe.required(f"{path}.labels[{key}]", f"must be '{expected}'")]
    if labels[key] != expected:
        return [fe.invalid(f"{path}.labels[{key}]", labels[key], f"must be '{expected}'")]
    return []


def _validate_generated_selector(job: Obj) -> list[FieldError]:
    spec = job.get("spec") or {}
    meta = job.get("metadata") or {}
    if spec.get("manualSelector") is True:
        return []
    tmeta = (spec.get("template") or {}).get("metadata") or {}
    labels = tmeta.get("labels")
    if not isinstance(labels, dict):
        return []
    errs: list[FieldError] = []
    uid, name = str(meta.get("uid", "")), str(meta.get("name", ""))
    if not uid:
        errs.append(fe.required("metadata.uid", ""))
    path = "spec.template.metadata"
    errs.extend(_has_label(labels, path, LEGACY_CONTROLLER_UID, uid))
    errs.extend(_has_label(labels, path, LEGACY_JOB_NAME, name))
    errs.extend(_has_label(labels, path, CONTROLLER_UID, uid))
    errs.extend(_has_label(labels, path, JOB_NAME, name))
    expected = {CONTROLLER_UID: uid, JOB_NAME: name, LEGACY_CONTROLLER_UID: uid, LEGACY_JOB_NAME: name}
    selector = spec.get("selector")
    if isinstance(selector, dict) and not selector_matches(selector, expected):
        errs.append(fe.invalid("spec.selector", go_label_selector(selector), "`selector` not auto-generated"))
    return errs


def _validate_job_spec(spec: Obj, path: str, *, in_template: bool = False) -> list[FieldError]:
    """ValidateJobSpec; with `in_template`, the private validateJobSpec a CronJob's jobTemplate gets
    (ValidateJobTemplateSpec), which has no selector yet."""
    errs: list[FieldError] = []
    for field in (
        "parallelism",
        "completions",
        "activeDeadlineSeconds",
        "backoffLimit",
        "ttlSecondsAfterFinished",
        "backoffLimitPerIndex",
        "maxFailedIndexes",
    ):
        errs.extend(nonnegative(spec.get(field), f"{path}.{field}"))
    if spec.get("maxFailedIndexes") is not None and spec.get("backoffLimitPerIndex") is None:
        errs.append(fe.required(f"{path}.backoffLimitPerIndex", "when maxFailedIndexes is specified"))
    mode = spec.get("completionMode")
    if mode is not None:
        if mode not in ("NonIndexed", "Indexed"):
            errs.append(fe.not_supported(f"{path}.completionMode", mode, ["NonIndexed", "Indexed"]))
        if mode == "Indexed":
            if spec.get("completions") is None:
                errs.append(fe.required(f"{path}.completions", "when completion mode is Indexed"))
            parallelism = spec.get("parallelism")
            if isinstance(parallelism, int) and parallelism > MAX_PARALLELISM_FOR_INDEXED_JOB:
                errs.append(
                    fe.invalid(
                        f"{path}.parallelism",
                        parallelism,
                        f"must be less than or equal to {MAX_PARALLELISM_FOR_INDEXED_JOB} "
                        "when completion mode is Indexed",
                    )
                )
            completions, max_failed = spec.get("completions"), spec.get("maxFailedIndexes")
            if isinstance(completions, int) and isinstance(max_failed, int) and max_failed > completions:
                errs.append(
                    fe.invalid(
                        f"{path}.maxFailedIndexes", max_failed, "must be less than or equal to completions"
                    )
                )
    if mode in (None, "NonIndexed"):
        for field in ("backoffLimitPerIndex", "maxFailedIndexes"):
            if spec.get(field) is not None:
                errs.append(fe.invalid(f"{path}.{field}", spec[field], "requires indexed completion mode"))
    policy = spec.get("podFailurePolicy")
    if isinstance(policy, dict):
        errs.extend(_validate_pod_failure_policy(spec, policy, f"{path}.podFailurePolicy"))
    template = spec.get("template")
    tmeta = (template or {}).get("metadata") or {} if isinstance(template, dict) else {}
    errs.extend(validate_labels(tmeta.get("labels"), f"{path}.template.metadata.labels"))
    pod_spec = template.get("spec") if isinstance(template, dict) else None
    errs.extend(validate_pod_spec(pod_spec, f"{path}.template.spec"))
    restart = (pod_spec or {}).get("restartPolicy") if isinstance(pod_spec, dict) else None
    if restart in (None, "", "Always"):
        errs.append(fe.required(f"{path}.template.spec.restartPolicy", 'valid values: "OnFailure", "Never"'))
    elif restart not in ("OnFailure", "Never"):
        errs.append(fe.not_supported(f"{path}.template.spec.restartPolicy", restart, ["OnFailure", "Never"]))
    elif spec.get("podFailurePolicy") is not None and restart != "Never":
        errs.append(
            fe.invalid(
                f"{path}.template.spec.restartPolicy",
                restart,
                'only "Never" is supported when podFailurePolicy is specified',
            )
        )
    selector = spec.get("selector")
    if in_template:
        return errs
    if selector is None:
        errs.append(fe.required(f"{path}.selector", ""))
    else:
        errs.extend(validate_label_selector(selector, f"{path}.selector"))
        labels = tmeta.get("labels") or {}
        if not selector_matches(selector, labels):
            errs.append(selector_mismatch(tmeta, f"{path}.template"))
    return errs


_POLICY_ACTIONS = ["Count", "FailIndex", "FailJob", "Ignore"]
_EXIT_CODE_OPERATORS = ["In", "NotIn"]


def _validate_pod_failure_policy(spec: Obj, policy: Obj, path: str) -> list[FieldError]:
    """validatePodFailurePolicy and its rules (the checks users meet; not the limits on counts)."""
    errs: list[FieldError] = []
    for i, rule in enumerate(policy.get("rules") or []):
        rule_path = f"{path}.rules[{i}]"
        action = rule.get("action")
        if not action:
            errs.append(fe.required(f"{rule_path}.action", f"valid values: {_quoted(_POLICY_ACTIONS)}"))
        elif action == "FailIndex":
            if spec.get("backoffLimitPerIndex") is None:
                errs.append(
                    fe.invalid(f"{rule_path}.action", action, "requires the backoffLimitPerIndex to be set")
                )
        elif action not in _POLICY_ACTIONS:
            errs.append(fe.not_supported(f"{rule_path}.action", action, _POLICY_ACTIONS))
        codes = rule.get("onExitCodes")
        if isinstance(codes, dict):
            operator = codes.get("operator")
            if not operator:
                errs.append(
                    fe.required(
                        f"{rule_path}.onExitCodes.operator", f"valid values: {_quoted(_EXIT_CODE_OPERATORS)}"
                    )
                )
            elif operator not in _EXIT_CODE_OPERATORS:
                errs.append(
                    fe.not_supported(f"{rule_path}.onExitCodes.operator", operator, _EXIT_CODE_OPERATORS)
                )
        conditions = rule.get("onPodConditions")
        if codes is not None and conditions:
            errs.append(
                fe.invalid(
                    rule_path, fe.OMIT, "specifying both OnExitCodes and OnPodConditions is not supported"
                )
            )
        if codes is None and not conditions:
            errs.append(
                fe.invalid(
                    rule_path, fe.OMIT, "specifying one of OnExitCodes and OnPodConditions is required"
                )
            )
    return errs


def _quoted(values: list[str]) -> str:
    # Go's %q of a []string: ["a" "b"].
    return "[" + " ".join(f'"{v}"' for v in values) + "]"


def validate_job(job: Obj, old: Obj | None) -> list[FieldError]:
    spec: Any = job.get("spec")
    if not isinstance(spec, dict):
        return [fe.required("spec.selector", "")]
    errs = _validate_generated_selector(job)
    errs.extend(_validate_job_spec(spec, "spec"))
    completions = spec.get("completions")
    if spec.get("completionMode") == "Indexed" and isinstance(completions, int) and completions > 0:
        name = str((job.get("metadata") or {}).get("name", ""))
        hostname = f"{name}-{completions - 1}"
        if names.is_dns1123_label(hostname):
            errs.append(
                fe.invalid(
                    "metadata.name", name, f"will not able to create pod with invalid DNS label: {hostname}"
                )
            )
    if old is not None:
        errs.extend(_validate_update(spec, old.get("spec") or {}))
    return errs


def _validate_update(spec: Obj, old: Obj) -> list[FieldError]:
    """ValidateJobSpecUpdate: selector, template, completionMode and (but for elastic Indexed Jobs)
    completions are immutable."""
    errs: list[FieldError] = []
    if spec.get("selector") != old.get("selector"):
        errs.append(
            fe.invalid("spec.selector", go_label_selector(spec.get("selector")), "field is immutable")
        )
    if spec.get("template") != old.get("template"):
        # The real message prints the whole core.PodTemplateSpec with Go's %#v; omitted here.
        errs.append(fe.invalid("spec.template", fe.OMIT, "field is immutable"))
    if spec.get("completionMode") != old.get("completionMode"):
        errs.append(fe.invalid("spec.completionMode", spec.get("completionMode"), "field is immutable"))
    elastic = spec.get("completionMode") == "Indexed" and spec.get("completions") == spec.get("parallelism")
    if spec.get("completions") != old.get("completions") and not elastic:
        errs.append(fe.invalid("spec.completions", spec.get("completions"), "field is immutable"))
    return errs
