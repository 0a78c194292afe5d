"""load_manifests: multi-document YAML, errors that name file, document and problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from podlab.k8s import ManifestError, load_manifests, resource_for

# The project keeps the reference manifests exactly as the post gives them.
SEED_DIR = Path(__file__).resolve().parents[2] / "examples" / "seed"
SEED = SEED_DIR


def test_reference_manifest_loads_both_documents() -> None:
    objs = load_manifests((SEED / "wiremock-liveness.yaml").read_text(), "wiremock-liveness.yaml")
    assert [o["kind"] for o in objs] == ["ConfigMap", "Deployment"]
    assert objs[1]["spec"]["template"]["spec"]["containers"][0]["livenessProbe"]["periodSeconds"] == 5


def test_blog_configmap_typos_are_rejected_naming_key_and_spelling() -> None:
    text = (SEED / "configmap.wiremock.yaml").read_text()
    with pytest.raises(ManifestError) as info:
        load_manifests(text, "configmap.wiremock.yaml")
    msg = str(info.value)
    assert msg.startswith('error validating "configmap.wiremock.yaml" (document 1): error validating data: ')
    assert 'apiVersion not set (found "apiversion": keys are case-sensitive, write "apiVersion")' in msg
    assert 'kind "configmap" is not known: kinds are case-sensitive, write "ConfigMap"' in msg
    assert info.value.file == "configmap.wiremock.yaml"
    assert info.value.doc_index == 0


def test_empty_documents_are_skipped_and_index_counts_them() -> None:
    text = "---\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n\n---\napiVersion: v1\nmetadata: {name: b}\n"
    with pytest.raises(ManifestError) as info:
        load_manifests(text, "f.yaml")
    assert "(document 4)" in str(info.value)
    assert "kind not set" in str(info.value)
    ok = load_manifests("---\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n", "f.yaml")
    assert len(ok) == 1


def test_missing_apiversion_and_kind_listed_together_like_kubectl() -> None:
    with pytest.raises(ManifestError) as info:
        load_manifests("metadata: {name: x}\n", "k.yaml")
    assert str(info.value).endswith("error validating data: [apiVersion not set, kind not set]")


def test_bad_yaml_names_line_and_column() -> None:
    with pytest.raises(ManifestError) as info:
        load_manifests("apiVersion: v1\nkind: Pod\nmetadata:\n  name: [oops\n", "bad.yaml")
    msg = str(info.value)
    assert msg.startswith('error parsing "bad.yaml" (document 1)')
    assert "error converting YAML to JSON: yaml: line" in msg


def test_unknown_kind_and_wrong_group() -> None:
    with pytest.raises(ManifestError) as info:
        load_manifests("apiVersion: v1\nkind: PodTemplate\nmetadata: {name: j}\n", "pt.yaml")
    assert 'no matches for kind "PodTemplate" in version "v1"' in str(info.value)
    with pytest.raises(ManifestError):
        load_manifests("apiVersion: v1\nkind: Deployment\nmetadata: {name: j}\n", "d.yaml")


def test_list_kind_expands_items() -> None:
    text = """
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: a}
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: b}
"""
    objs = load_manifests(text, "list.yaml")
    assert [(o["kind"], o["metadata"]["name"]) for o in objs] == [("ConfigMap", "a"), ("Deployment", "b")]


def test_duplicate_keys_are_rejected() -> None:
    with pytest.raises(ManifestError) as info:
        load_manifests("apiVersion: v1\nkind: ConfigMap\nkind: ConfigMap\n", "dup.yaml")
    assert str(info.value) == (
        'error parsing "dup.yaml" (document 1): error converting YAML to JSON: yaml: unmarshal errors: '
        'line 3: mapping key "kind" already defined at line 2'
    )


def test_scalar_document_is_rejected() -> None:
    with pytest.raises(ManifestError) as info:
        load_manifests("just a string\n", "s.yaml")
    assert "expected an object" in str(info.value)


def test_registry() -> None:
    deploy = resource_for("apps/v1", "Deployment")
    assert deploy.key == ("apps", "deployments")
    assert deploy.short_names == ("deploy",)
    assert resource_for("v1", "Namespace").namespaced is False
    assert resource_for("v1", "Event").short_names == ("ev",)
    with pytest.raises(KeyError):
        resource_for("v1", "Deployment")


def test_parse_error_document_index_with_and_without_leading_separator() -> None:
    for prefix in ("", "---\n"):
        text = prefix + "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\nkind: [\n"
        with pytest.raises(ManifestError) as info:
            load_manifests(text, "two.yaml")
        assert info.value.doc_index == 1, prefix
        assert "(document 2)" in str(info.value)


def test_mixed_file_is_refused_whole_naming_every_unserved_kind() -> None:
    text = """apiVersion: v1
kind: ConfigMap
metadata: {name: c}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: r}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: p}
spec: {minAvailable: 1, selector: {matchLabels: {app: a}}}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: rb}
"""
    with pytest.raises(ManifestError) as info:
        load_manifests(text, "mixed.yaml")
    msg = str(info.value)
    assert msg.startswith(
        'error validating "mixed.yaml": error validating data: no matches for kinds '
        '"CustomResourceDefinition" in version "apiextensions.k8s.io/v1" (document 2), '
        '"ValidatingWebhookConfiguration" in version "admissionregistration.k8s.io/v1" (document 4); '
        "podlab serves "
    )
    assert "PodDisruptionBudget (policy/v1)" in msg and "Lease (coordination.k8s.io/v1)" in msg
